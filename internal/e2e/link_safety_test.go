package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// threePairs declares three source organizations of one Atlas organization
// as separate resources (no for_each), the shape that -replace and -target
// address one at a time.
const threePairs = requiredProviders + `
provider "atlasmig" {}

resource "atlasmig_link_token" "a" {
  org_id = %[1]q
}
resource "atlasmig_link_token" "b" {
  org_id = %[1]q
}
resource "atlasmig_link_token" "c" {
  org_id = %[1]q
}

resource "atlasmig_migration_link" "a" {
  org_id     = %[2]q
  link_token = atlasmig_link_token.a.link_token
}
resource "atlasmig_migration_link" "b" {
  org_id     = %[3]q
  link_token = atlasmig_link_token.b.link_token
}
resource "atlasmig_migration_link" "c" {
  org_id     = %[4]q
  link_token = atlasmig_link_token.c.link_token
}
`

type safetyScenario struct {
	sim     *simulator.Server
	w       *workspace
	atlas   string
	sources []string
}

func newSafetyScenario(t *testing.T) *safetyScenario {
	t.Helper()
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:      []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
	}, simulator.ServerOptions{})
	s := &safetyScenario{sim: sim, atlas: "5f1b2c3d4e5f6a7b8c9d0a01",
		sources: []string{"60a1b2c3d4e5f6a7b8c9d0a1", "60a1b2c3d4e5f6a7b8c9d0b2", "60a1b2c3d4e5f6a7b8c9d0c3"}}
	for i, org := range s.sources {
		sim.SetInventory(org, []simulator.Project{{ProjectID: fmt.Sprintf("6a1b2c3d4e5f6a7b8c9d0e0%d", i), Name: "project-" + org[len(org)-2:],
			MigrationHosts: []string{"mh.example.internal"}, Deployments: []simulator.Deployment{{Name: "rs0", MongoDBVersion: "7.0.14", FeatureCompatibilityVersion: "7.0"}}}})
	}
	s.w = newWorkspace(t, bothSidesEnv(sim.URL, nil))
	s.w.write("main.tf", fmt.Sprintf(threePairs, s.atlas, s.sources[0], s.sources[1], s.sources[2]))
	s.w.run(true, "apply", "-auto-approve", "-input=false")
	return s
}

func (s *safetyScenario) writes() int {
	n := 0
	for _, r := range []simulator.Route{simulator.RouteCreateLinkToken, simulator.RouteDeleteLinkTokens, simulator.RouteLink, simulator.RouteUnlink} {
		n += s.sim.Calls(r)
	}
	return n
}

func (s *safetyScenario) requireSynced(t *testing.T, orgs ...string) {
	t.Helper()
	for _, org := range orgs {
		if status, linked := s.sim.LinkStatus(org); !linked || status != "SYNCED" {
			t.Errorf("source organization %s: linked=%v status=%q, want SYNCED", org, linked, status)
		}
	}
}

// startOutsideMigration starts a live migration of the project of
// s.sources[source] into a new Atlas project of atlasOrg, as the Atlas UI
// does: a real migration record, outside any Terraform configuration. The
// source organization must be linked to atlasOrg.
func (s *safetyScenario) startOutsideMigration(t *testing.T, atlasOrg string, source int, project string) string {
	t.Helper()
	s.sim.AddAtlasProject(simulator.AtlasProject{ID: project, Name: "ui-" + project[len(project)-2:], OrgID: atlasOrg,
		Clusters: []simulator.AtlasCluster{{Name: "orders", MongoDBVersion: "7.0.14"}}})
	ssl := false
	id, err := s.sim.StartMigration(simulator.OutsideMigration{GroupID: project, SourceGroupID: fmt.Sprintf("6a1b2c3d4e5f6a7b8c9d0e0%d", source),
		SourceCluster: "rs0", DestinationCluster: "orders", MigrationHost: "mh.example.internal", SSL: &ssl})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// requireActive fails unless the migration is still running in Atlas.
func (s *safetyScenario) requireActive(t *testing.T, id string) {
	t.Helper()
	if m, ok := s.sim.Migration(id); !ok || (m.Status != simulator.StatusNew && m.Status != simulator.StatusWorking) {
		t.Errorf("the migration started outside Terraform is %q, want it still running", m.Status)
	}
}

// cutOver cuts the migration over and lets it complete, as a team does in
// the Atlas UI.
func (s *safetyScenario) cutOver(t *testing.T, id string) {
	t.Helper()
	s.sim.AdvanceClock(time.Hour)
	if err := s.sim.CutoverMigration(id); err != nil {
		t.Fatal(err)
	}
	s.sim.AdvanceClock(time.Hour)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// -replace of one token is refused at plan time, before any write, naming the
// organizations that would stop syncing; -replace of every token of the
// organization re-links all of them, with one organization-wide removal.
func TestReplaceOneTokenRefusedReplaceAllWorks(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.sim.ResetJournal()
	out := oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false", "-replace=atlasmig_link_token.b"))
	for _, want := range []string{"Removal Would Break Other Links", s.sources[0], s.sources[2], "replace all of them"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not mention %q:\n%s", want, out)
		}
	}
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes before the refusal, want 0", n)
	}
	s.requireSynced(t, s.sources...)

	s.sim.ResetJournal()
	s.w.run(true, "apply", "-auto-approve", "-input=false",
		"-replace=atlasmig_link_token.a", "-replace=atlasmig_link_token.b", "-replace=atlasmig_link_token.c")
	s.requireSynced(t, s.sources...)
	if n := s.sim.Calls(simulator.RouteDeleteLinkTokens); n != 1 {
		t.Errorf("%d organization-wide removals, want 1", n)
	}
	if n := len(s.sim.LinkTokens(s.atlas)); n != 3 {
		t.Errorf("%d tokens after the rotation, want 3", n)
	}
	if out := s.w.run(true, "plan", "-detailed-exitcode", "-input=false"); !strings.Contains(out, "No changes") {
		t.Errorf("the rotation left a diff:\n%s", out)
	}
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	if n := len(s.sim.AllLinkTokens()) + s.sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after destroy", n)
	}
}

// destroy -target of one of several separate pairs cannot see the other
// pairs; the links remember them (a source organization without projects
// too), so the destroy is refused at plan, before any write, naming them and
// the command that works. It is decided from what the plan recorded, so it
// holds at any parallelism.
func TestTargetedDestroyNeverBreaksOtherLinks(t *testing.T) {
	t.Parallel()
	for _, par := range []string{"1", "10", "50"} {
		t.Run("parallelism="+par, func(t *testing.T) {
			t.Parallel()
			s := newSafetyScenario(t)
			// The second organization exposes no project: Atlas's list of
			// available projects cannot show that it is linked.
			s.sim.SetInventory(s.sources[1], nil)
			s.w.run(true, "apply", "-auto-approve", "-input=false", "-refresh-only")
			s.sim.ResetJournal()
			out := oneLine(s.w.run(false, "destroy", "-auto-approve", "-input=false", "-parallelism="+par, "-target=atlasmig_link_token.c"))
			for _, want := range []string{"Removal Would Break Other Links", "terraform destroy without -target", "Nothing has been changed"} {
				if !strings.Contains(out, want) {
					t.Errorf("the refusal does not mention %q:\n%s", want, out)
				}
			}
			// The refusal names each organization it would break, or counts
			// it when the links' last refresh did not learn its name.
			named := 0
			for _, org := range s.sources[:2] {
				if strings.Contains(out, org) {
					named++
				}
			}
			if named < 2 && !strings.Contains(out, fmt.Sprintf("linked with %d other link token(s)", 2-named)) {
				t.Errorf("the refusal names %d of the 2 organizations it would break and does not count the others:\n%s", named, out)
			}
			if n := s.writes(); n != 0 {
				t.Errorf("%d writes before the refusal, want 0", n)
			}
			s.requireSynced(t, s.sources...)
			if n := len(s.sim.LinkTokens(s.atlas)); n != 3 {
				t.Errorf("%d tokens left, want all 3", n)
			}
			// The full destroy removes everything.
			s.w.run(true, "destroy", "-auto-approve", "-input=false", "-parallelism="+par)
			if n := len(s.sim.AllLinkTokens()) + s.sim.LinkCount(); n != 0 {
				t.Errorf("%d tokens and links left after destroy", n)
			}
		})
	}
}

// A destroy of three separate pairs of one Atlas organization works at any
// parallelism, with one organization-wide removal; a second round of apply
// and destroy in the same workspace works too (nothing in private state
// blocks it).
func TestDestroySeparatePairsAnyParallelism(t *testing.T) {
	t.Parallel()
	for _, par := range []string{"1", "10", "50"} {
		t.Run("parallelism="+par, func(t *testing.T) {
			t.Parallel()
			s := newSafetyScenario(t)
			for round := range 2 {
				if round > 0 {
					s.w.run(true, "apply", "-auto-approve", "-input=false", "-parallelism="+par)
					s.requireSynced(t, s.sources...)
				}
				s.sim.ResetJournal()
				s.w.run(true, "destroy", "-auto-approve", "-input=false", "-parallelism="+par)
				if n := len(s.sim.AllLinkTokens()) + s.sim.LinkCount(); n != 0 {
					t.Errorf("round %d: %d tokens and links left after destroy", round, n)
				}
				if n := s.sim.Calls(simulator.RouteDeleteLinkTokens); n != 1 {
					t.Errorf("round %d: %d organization-wide removals, want 1", round, n)
				}
			}
		})
	}
}

// onePair is a token and a link in one configuration.
const onePair = requiredProviders + `
provider "atlasmig" {}

resource "atlasmig_link_token" "this" {
  org_id = %[1]q
}

resource "atlasmig_migration_link" "this" {
  org_id     = %[2]q
  link_token = atlasmig_link_token.this.link_token
}
`

// A live migration of the source organization that this configuration does
// not manage (started in the Atlas UI, say): destroying the pair, or removing
// it from the configuration, fails with nothing written, the organization
// still SYNCED and the migration intact; the error names the project and what
// to do. Once the migration is cut over, the destroy works.
func TestDestroyDuringOutsideMigrationWritesNothing(t *testing.T) {
	t.Parallel()
	for _, par := range []string{"1", "10", "50"} {
		t.Run("parallelism="+par, func(t *testing.T) {
			t.Parallel()
			s := newSafetyScenario(t)
			s.w.run(true, "destroy", "-auto-approve", "-input=false")
			atlas, source, project := "5f1b2c3d4e5f6a7b8c9d0a05", s.sources[0], "6b1b2c3d4e5f6a7b8c9d0f01"
			s.w.write("main.tf", fmt.Sprintf(onePair, atlas, source))
			s.w.run(true, "apply", "-auto-approve", "-input=false", "-parallelism="+par)
			migration := s.startOutsideMigration(t, atlas, 0, project)

			check := func(what string, args ...string) {
				t.Helper()
				s.sim.ResetJournal()
				out := oneLine(s.w.run(false, append(args, "-auto-approve", "-input=false", "-parallelism="+par)...))
				for _, want := range []string{"Link Token In Use By An Active Migration", project, "Nothing was changed: source organization " + source + " is still linked", "Cut over"} {
					if !strings.Contains(out, want) {
						t.Errorf("%s: the error does not mention %q:\n%s", what, want, out)
					}
				}
				if n := s.sim.Calls(simulator.RouteUnlink) + s.sim.Calls(simulator.RouteCreateLinkToken) + s.sim.Calls(simulator.RouteLink); n != 0 {
					t.Errorf("%s: %d writes besides the refused removal, want 0", what, n)
				}
				s.requireSynced(t, source)
				s.requireActive(t, migration)
			}
			check("destroy", "destroy")
			s.w.write("main.tf", requiredProviders+"\nprovider \"atlasmig\" {}\n")
			check("removing the pair", "apply")

			s.cutOver(t, migration)
			s.w.run(true, "apply", "-auto-approve", "-input=false", "-parallelism="+par)
			if n := len(s.sim.AllLinkTokens()) + s.sim.LinkCount(); n != 0 {
				t.Errorf("%d tokens and links left after the removal", n)
			}
		})
	}
}

// A drifted link (its token removed in Atlas) makes plan -detailed-exitcode
// exit 2, and the warning names the command that repairs it.
func TestDriftPlansAnAction(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.sim.RemoveLinkTokens(s.atlas)
	out, code := s.w.runCode("plan", "-detailed-exitcode", "-input=false")
	if code != 2 {
		t.Fatalf("plan -detailed-exitcode exited %d, want 2:\n%s", code, out)
	}
	if !strings.Contains(oneLine(out), "terraform apply -replace='atlasmig_link_token.<name>'") {
		t.Errorf("the drift warning does not name the repair:\n%s", out)
	}
	s.w.run(true, "apply", "-auto-approve", "-input=false",
		"-replace=atlasmig_link_token.a", "-replace=atlasmig_link_token.b", "-replace=atlasmig_link_token.c")
	s.requireSynced(t, s.sources...)
}

// The Atlas side trusts a private certificate authority through
// atlas.ca_cert_file (corporate proxies re-sign TLS).
func TestAtlasPrivateCertificateAuthority(t *testing.T) {
	t.Parallel()
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys: []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
	}, simulator.ServerOptions{TLS: true})
	ca := filepath.Join(t.TempDir(), "atlas-ca.pem")
	if err := sim.WriteCACert(ca); err != nil {
		t.Fatal(err)
	}
	hcl := func(extra string) string {
		return fmt.Sprintf(requiredProviders+`
provider "atlasmig" {
  atlas {
%s
  }
}

resource "atlasmig_link_token" "this" {
  org_id = %q
}
`, extra, "5f1b2c3d4e5f6a7b8c9d0a02")
	}
	env := atlasEnv(sim.URL, nil)

	untrusted := newWorkspace(t, env)
	untrusted.write("main.tf", hcl(""))
	if out := oneLine(untrusted.run(false, "apply", "-auto-approve", "-input=false")); !strings.Contains(out, "set atlas.ca_cert_file") {
		t.Errorf("the x509 failure does not suggest atlas.ca_cert_file:\n%s", out)
	}

	trusted := newWorkspace(t, env)
	trusted.write("main.tf", hcl(fmt.Sprintf("    ca_cert_file = %q", ca)))
	trusted.run(true, "apply", "-auto-approve", "-input=false")
	if n := len(sim.LinkTokens("5f1b2c3d4e5f6a7b8c9d0a02")); n != 1 {
		t.Fatalf("%d tokens over TLS, want 1", n)
	}
	trusted.run(true, "destroy", "-auto-approve", "-input=false")

	// The simulator's -ca-cert-out exports the file for both sides, so an
	// empty atlas block trusts it through the environment.
	env["ATLASMIG_ATLAS_CA_CERT_FILE"] = ca
	fromEnv := newWorkspace(t, env)
	fromEnv.write("main.tf", hcl(""))
	fromEnv.run(true, "apply", "-auto-approve", "-input=false")
	fromEnv.run(true, "destroy", "-auto-approve", "-input=false")
}

type forEachSource struct{ key, org, ips string }

// forEachHCL declares one token and one link per source organization with
// for_each: the pattern the guide documents for several source
// organizations of one Atlas organization.
func forEachHCL(atlas string, sources []forEachSource) string {
	var b strings.Builder
	b.WriteString(requiredProviders + `
provider "atlasmig" {}

locals {
  sources = {
`)
	for _, s := range sources {
		fmt.Fprintf(&b, "    %s = { org_id = %q, ips = %s }\n", s.key, s.org, s.ips)
	}
	fmt.Fprintf(&b, `  }
}

resource "atlasmig_link_token" "src" {
  for_each        = local.sources
  org_id          = %q
  access_list_ips = each.value.ips
}

resource "atlasmig_migration_link" "src" {
  for_each   = local.sources
  org_id     = each.value.org_id
  link_token = atlasmig_link_token.src[each.key].link_token
}
`, atlas)
	return b.String()
}

// Several source organizations into one Atlas organization, with for_each:
// adding one, rotating every token, removing one while replacing the others,
// are carried out with every remaining link SYNCED; changing or removing one
// organization alone, and a targeted destroy, are refused without breaking
// any other link.
func TestSeveralSourceOrganizationsForEach(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t) // three separate pairs in another workspace
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	atlas := "5f1b2c3d4e5f6a7b8c9d0a03"
	src := []forEachSource{
		{"a", s.sources[0], `["203.0.113.7"]`},
		{"b", s.sources[1], `["203.0.113.7"]`},
		{"c", s.sources[2], `["203.0.113.7"]`},
		{"d", "60a1b2c3d4e5f6a7b8c9d0d4", `["203.0.113.7"]`},
	}
	s.sim.SetInventory(src[3].org, []simulator.Project{{ProjectID: "6a1b2c3d4e5f6a7b8c9d0e09", Name: "project-d", MigrationHosts: []string{"mh"},
		Deployments: []simulator.Deployment{{Name: "rs0", MongoDBVersion: "7.0.14", FeatureCompatibilityVersion: "7.0"}}}})
	w := newWorkspace(t, bothSidesEnv(s.sim.URL, nil))
	orgs := func(list []forEachSource) []string {
		var out []string
		for _, x := range list {
			out = append(out, x.org)
		}
		return out
	}
	apply := func(list []forEachSource, wantOK bool, args ...string) string {
		t.Helper()
		w.write("main.tf", forEachHCL(atlas, list))
		return oneLine(w.run(wantOK, append([]string{"apply", "-auto-approve", "-input=false"}, args...)...))
	}
	noDiff := func() {
		t.Helper()
		if out, code := w.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
			t.Errorf("plan after the apply exited %d, want 0:\n%s", code, out)
		}
	}

	three := src[:3]
	apply(three, true)
	s.requireSynced(t, orgs(three)...)

	// Changing one organization's access list alone: refused, no write.
	s.sim.ResetJournal()
	out := apply([]forEachSource{three[0], {"b", three[1].org, `["198.51.100.0/24"]`}, three[2]}, false)
	for _, want := range []string{"Removal Would Break Other Links", three[0].org, three[2].org} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not mention %q:\n%s", want, out)
		}
	}
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes before the refusal, want 0", n)
	}
	s.requireSynced(t, orgs(three)...)

	// Adding a fourth organization touches no other.
	s.sim.ResetJournal()
	apply(src, true)
	s.requireSynced(t, orgs(src)...)
	if n := s.sim.Calls(simulator.RouteDeleteLinkTokens) + s.sim.Calls(simulator.RouteUnlink); n != 0 {
		t.Errorf("adding an organization removed tokens or unlinked (%d calls)", n)
	}
	noDiff()

	// Rotating every token in one apply: one organization-wide removal,
	// every link re-linked.
	rotated := make([]forEachSource, len(src))
	for i, x := range src {
		rotated[i] = forEachSource{x.key, x.org, `["198.51.100.0/24"]`}
	}
	s.sim.ResetJournal()
	apply(rotated, true)
	s.requireSynced(t, orgs(rotated)...)
	if n := s.sim.Calls(simulator.RouteDeleteLinkTokens); n != 1 {
		t.Errorf("%d organization-wide removals for a rotation, want 1", n)
	}
	if n := len(s.sim.LinkTokens(atlas)); n != 4 {
		t.Errorf("%d tokens after the rotation, want 4", n)
	}
	noDiff()

	// Removing "a" alone: refused, no write.
	s.sim.ResetJournal()
	apply(rotated[1:], false)
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes before the refusal, want 0", n)
	}
	s.requireSynced(t, orgs(rotated)...)

	// Removing "a" while replacing the other tokens.
	remaining := make([]forEachSource, 0, 3)
	for _, x := range rotated[1:] {
		remaining = append(remaining, forEachSource{x.key, x.org, `["192.0.2.0/24"]`})
	}
	apply(remaining, true)
	s.requireSynced(t, orgs(remaining)...)
	if _, linked := s.sim.LinkStatus(rotated[0].org); linked {
		t.Error("the removed organization is still linked")
	}
	noDiff()

	// A targeted destroy of one instance: Terraform would destroy every link
	// (they depend on the token resource) but not the other tokens, which
	// would stay in state after the organization-wide removal: refused at
	// plan, before any write.
	s.sim.ResetJournal()
	out = oneLine(w.run(false, "destroy", "-auto-approve", "-input=false", `-target=atlasmig_link_token.src["b"]`))
	for _, want := range []string{"Removal Would Break Other Links", "terraform destroy without -target", remaining[1].org, remaining[2].org} {
		if !strings.Contains(out, want) {
			t.Errorf("the targeted destroy's refusal does not mention %q:\n%s", want, out)
		}
	}
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes in the refused targeted destroy, want 0", n)
	}
	s.requireSynced(t, orgs(remaining)...)

	w.run(true, "destroy", "-auto-approve", "-input=false")
	if n := len(s.sim.AllLinkTokens()) + s.sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after destroy", n)
	}
}

// create_before_destroy on a token never leaves a link broken: depending on
// the order Terraform picks, the replacement works (the link is re-linked
// with the new token) or the removal of the old token is refused (the link
// keeps the old one); a destroy cleans up either way.
func TestCreateBeforeDestroyTokenNeverBreaksTheLink(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	atlas, org := "5f1b2c3d4e5f6a7b8c9d0a04", s.sources[0]
	hcl := func(ips string) string {
		return fmt.Sprintf(requiredProviders+`
provider "atlasmig" {}

resource "atlasmig_link_token" "this" {
  org_id          = %q
  access_list_ips = %s
  lifecycle {
    create_before_destroy = true
  }
}

resource "atlasmig_migration_link" "this" {
  org_id     = %q
  link_token = atlasmig_link_token.this.link_token
}
`, atlas, ips, org)
	}
	s.w.write("main.tf", hcl(`["203.0.113.7"]`))
	s.w.run(true, "apply", "-auto-approve", "-input=false")
	s.w.write("main.tf", hcl(`["198.51.100.7"]`))
	out, code := s.w.runCode("apply", "-auto-approve", "-input=false")
	if code != 0 && !strings.Contains(oneLine(out), "create_before_destroy") {
		t.Fatalf("the apply failed without naming create_before_destroy:\n%s", out)
	}
	s.requireSynced(t, org)
	if got, _ := s.sim.LinkedAtlasOrg(org); got != atlas {
		t.Errorf("linked to %q, want %q", got, atlas)
	}
	if code == 0 {
		// Terraform unlinked first (the link has no create_before_destroy),
		// removing the old token before the new one was created.
		if n := len(s.sim.LinkTokens(atlas)); n != 1 {
			t.Errorf("%d tokens after the replacement, want 1", n)
		}
	} else {
		// The next apply would re-link with the token created before the
		// refusal after removing the old one, which removes it too:
		// refused at plan, nothing written.
		s.sim.ResetJournal()
		out := oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false"))
		if !strings.Contains(out, "Removal Would Break Other Links") || !strings.Contains(out, "create_before_destroy") {
			t.Errorf("the next apply is not refused at plan:\n%s", out[max(0, len(out)-3000):])
		}
		if n := s.writes(); n != 0 {
			t.Errorf("%d writes in the next apply, want 0", n)
		}
		s.requireSynced(t, org)
		// Without the setting, the rotation the refusals name works.
		s.w.write("main.tf", strings.Replace(hcl(`["198.51.100.7"]`), "create_before_destroy = true", "create_before_destroy = false", 1))
		s.w.run(true, "apply", "-auto-approve", "-input=false", "-replace=atlasmig_link_token.this")
		s.requireSynced(t, org)
		if out, code := s.w.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
			t.Errorf("plan after the rotation exited %d, want 0:\n%s", code, out)
		}
	}
	s.w.run(true, "destroy", "-auto-approve", "-input=false", "-refresh=false")
	if n := len(s.sim.AllLinkTokens()) + s.sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after destroy", n)
	}
}

// Removing the link of an organization's only pair while keeping its token is
// refused at plan, in either planning order, before any write: the link's
// removal takes the organization's tokens first, which would leave the kept
// token removed in Atlas but alive in Terraform state.
func TestRemovingTheLinkAloneKeepsNothingStale(t *testing.T) {
	t.Parallel()
	for _, par := range []string{"1", "10"} {
		t.Run("parallelism="+par, func(t *testing.T) {
			t.Parallel()
			s := newSafetyScenario(t)
			s.w.run(true, "destroy", "-auto-approve", "-input=false")
			atlas, source := "5f1b2c3d4e5f6a7b8c9d0a06", s.sources[2]
			s.w.write("main.tf", fmt.Sprintf(onePair, atlas, source))
			s.w.run(true, "apply", "-auto-approve", "-input=false")
			s.w.write("main.tf", fmt.Sprintf(requiredProviders+`
provider "atlasmig" {}

resource "atlasmig_link_token" "this" {
  org_id = %q
}
`, atlas))
			s.sim.ResetJournal()
			out := oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false", "-parallelism="+par))
			for _, want := range []string{"Removal Would Break Other Links", "keeps the atlasmig_link_token", source, "Nothing has been changed"} {
				if !strings.Contains(out, want) {
					t.Errorf("the refusal does not mention %q:\n%s", want, out)
				}
			}
			if n := s.writes(); n != 0 {
				t.Errorf("%d writes before the refusal, want 0", n)
			}
			s.requireSynced(t, source)
		})
	}
}

// cbdPair is a token and a link with create_before_destroy on both
// (cbd = true) or on neither.
func cbdPair(atlas, org, ips string, cbd bool) string {
	lifecycle := ""
	if cbd {
		lifecycle = "\n  lifecycle {\n    create_before_destroy = true\n  }"
	}
	return fmt.Sprintf(requiredProviders+`
provider "atlasmig" {}

resource "atlasmig_link_token" "this" {
  org_id          = %q
  access_list_ips = %s%s
}

resource "atlasmig_migration_link" "this" {
  org_id     = %q
  link_token = atlasmig_link_token.this.link_token%s
}
`, atlas, ips, lifecycle, org, lifecycle)
}

// create_before_destroy on both the token and the link cannot work: the old
// token's organization-wide removal would take the new one with it.
// Terraform tells a provider nothing about create_before_destroy, and its
// first call of such a replacement is the new token's creation, so that
// token is the one write: the new link is refused before it links, saying
// why and how to rotate, and nothing is unlinked or removed. Every later run
// stays safe: another apply, with or without the setting, would re-link
// with the new token after removing the organization's tokens and is
// refused at plan, and the rotation the refusals name works.
func TestCreateBeforeDestroyOnTokenAndLinkRefused(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	atlas, org := "5f1b2c3d4e5f6a7b8c9d0a07", s.sources[1]
	s.w.write("main.tf", cbdPair(atlas, org, `["203.0.113.7"]`, true))
	s.w.run(true, "apply", "-auto-approve", "-input=false")

	s.w.write("main.tf", cbdPair(atlas, org, `["198.51.100.7"]`, true))
	s.sim.ResetJournal()
	out := oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false"))
	for _, want := range []string{"Organization Already Linked", "create_before_destroy cannot work with link tokens", "organization-wide", "created earlier in this apply", "Rotating a token", "-replace='atlasmig_link_token.<name>'", "still linked"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not mention %q:\n%s", want, out)
		}
	}
	if n := s.sim.Calls(simulator.RouteUnlink) + s.sim.Calls(simulator.RouteDeleteLinkTokens) + s.sim.Calls(simulator.RouteLink); n != 0 {
		t.Errorf("%d unlinks, removals or links, want 0", n)
	}
	if n := s.sim.Calls(simulator.RouteCreateLinkToken); n != 1 {
		t.Errorf("%d tokens created, want the 1 Terraform asks for before the provider can know", n)
	}
	s.requireSynced(t, org)

	// The same apply again is refused at plan: the old token's removal
	// would take the new token the link is to be made with.
	s.sim.ResetJournal()
	out = oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false"))
	if !strings.Contains(out, "Removal Would Break Other Links") || !strings.Contains(out, "create_before_destroy") {
		t.Errorf("the second apply does not explain itself:\n%s", out[max(0, len(out)-3000):])
	}
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes in the second apply, want 0", n)
	}
	s.requireSynced(t, org)

	// Without the setting, an apply that keeps the new token would re-link
	// with it after removing the organization's tokens: refused at plan.
	s.w.write("main.tf", cbdPair(atlas, org, `["198.51.100.7"]`, false))
	s.sim.ResetJournal()
	out = oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false"))
	for _, want := range []string{"Removal Would Break Other Links", "-replace", "Nothing has been changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan without create_before_destroy does not mention %q:\n%s", want, out)
		}
	}
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes before the refusal, want 0", n)
	}
	s.requireSynced(t, org)

	// The rotation the refusal names works, and leaves no diff.
	s.sim.ResetJournal()
	s.w.run(true, "apply", "-auto-approve", "-input=false", "-replace=atlasmig_link_token.this")
	s.requireSynced(t, org)
	if n := len(s.sim.LinkTokens(atlas)); n != 1 {
		t.Errorf("%d tokens after the rotation, want 1", n)
	}
	if out, code := s.w.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Errorf("plan after the rotation exited %d, want 0:\n%s", code, out)
	}
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	if n := len(s.sim.AllLinkTokens()) + s.sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after destroy", n)
	}
}

// A full destroy of several separate pairs of one Atlas organization while a
// migration this configuration does not manage is active: Atlas refuses the
// tokens' removal. A destroy plan plans each link before its token, so a link
// cannot know that the plan removes the tokens too, and some links may be
// unlinked before the refusal: the error names each of them, the tokens stay
// in state and still work,
// terraform apply links the organizations again, and once the migration is
// cut over the destroy finishes.
func TestDestroySeveralPairsDuringOutsideMigrationSaysWhatHappened(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ par, shape string }{{"1", "separate"}, {"10", "separate"}, {"1", "for_each"}, {"10", "for_each"}} {
		par := c.par
		t.Run(c.shape+"/parallelism="+par, func(t *testing.T) {
			t.Parallel()
			s := newSafetyScenario(t)
			if c.shape == "for_each" {
				s.w.run(true, "destroy", "-auto-approve", "-input=false")
				var src []forEachSource
				for i, org := range s.sources {
					src = append(src, forEachSource{string(rune('a' + i)), org, `["203.0.113.7"]`})
				}
				s.w.write("main.tf", forEachHCL(s.atlas, src))
				s.w.run(true, "apply", "-auto-approve", "-input=false")
			}
			migration := s.startOutsideMigration(t, s.atlas, 2, "6b1b2c3d4e5f6a7b8c9d0f02")
			s.sim.ResetJournal()
			out := oneLine(s.w.run(false, "destroy", "-auto-approve", "-input=false", "-parallelism="+par))
			if !strings.Contains(out, "Link Token In Use By An Active Migration") || !strings.Contains(out, "6b1b2c3d4e5f6a7b8c9d0f02") {
				t.Errorf("the error does not name the refusal and the project:\n%s", out)
			}
			var unlinked []string
			for _, org := range s.sources {
				if _, linked := s.sim.LinkStatus(org); !linked {
					unlinked = append(unlinked, org)
				}
			}
			if len(unlinked) > 0 {
				// (A link that removes the tokens first may still report that
				// nothing was changed when a sibling unlinks at the same
				// moment; the token's refusal then names the sibling.)
				for _, org := range unlinked {
					if !strings.Contains(out, org) {
						t.Errorf("%s was unlinked, but the error does not say so:\n%s", org, out)
					}
				}
				if !strings.Contains(out, "were unlinked earlier in this apply") {
					t.Errorf("the error does not say that organizations were unlinked:\n%s", out)
				}
			}
			if n := len(s.sim.LinkTokens(s.atlas)); n != 3 {
				t.Errorf("%d tokens after the refusal, want 3", n)
			}
			s.requireActive(t, migration)

			// The tokens still work: an apply links every organization again.
			s.w.run(true, "apply", "-auto-approve", "-input=false", "-parallelism="+par)
			s.requireSynced(t, s.sources...)

			s.cutOver(t, migration)
			s.w.run(true, "destroy", "-auto-approve", "-input=false", "-parallelism="+par)
			if n := len(s.sim.AllLinkTokens()) + s.sim.LinkCount(); n != 0 {
				t.Errorf("%d tokens and links left after destroy", n)
			}
		})
	}
}

// withTriggers gives the named tokens of threePairs rotation_triggers.
func withTriggers(hcl, value string, names ...string) string {
	for _, n := range names {
		decl := fmt.Sprintf("resource \"atlasmig_link_token\" %q {\n", n)
		hcl = strings.Replace(hcl, decl, decl+fmt.Sprintf("  rotation_triggers = { rotated = %q }\n", value), 1)
	}
	return hcl
}

// rotation_triggers rotate like -replace, with its rules: changing the
// triggers of one token of the organization is refused at plan time, before
// any write, naming the organizations that would stop syncing; changing them
// on every token rotates all of them with one organization-wide removal, and
// every link is re-linked with its new token.
func TestRotationTriggersRotateEveryTokenTogether(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	base := fmt.Sprintf(threePairs, s.atlas, s.sources[0], s.sources[1], s.sources[2])

	s.w.write("main.tf", withTriggers(base, "2026-12", "b"))
	s.sim.ResetJournal()
	out := oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false"))
	for _, want := range []string{"Removal Would Break Other Links", s.sources[0], s.sources[2], "Nothing has been changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not mention %q:\n%s", want, out)
		}
	}
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes before the refusal, want 0", n)
	}
	s.requireSynced(t, s.sources...)

	before := s.sim.LinkTokens(s.atlas)
	s.w.write("main.tf", withTriggers(base, "2026-12", "a", "b", "c"))
	s.sim.ResetJournal()
	s.w.run(true, "apply", "-auto-approve", "-input=false")
	s.requireSynced(t, s.sources...)
	if n := s.sim.Calls(simulator.RouteDeleteLinkTokens); n != 1 {
		t.Errorf("%d organization-wide removals, want 1", n)
	}
	after := s.sim.LinkTokens(s.atlas)
	if len(after) != 3 {
		t.Errorf("%d tokens after the rotation, want 3", len(after))
	}
	for _, tok := range after {
		for _, old := range before {
			if tok == old {
				t.Error("a token survived the rotation")
			}
		}
	}
	if out := s.w.run(true, "plan", "-detailed-exitcode", "-input=false"); !strings.Contains(out, "No changes") {
		t.Errorf("the rotation left a diff:\n%s", out)
	}
}

// A state written before rotation_triggers existed (its tokens have no such
// attribute, and the schema version is unchanged) plans no change: no state
// upgrade, no new token.
func TestStateBeforeRotationTriggersPlansNoChange(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	state := s.w.read("terraform.tfstate")
	if n := strings.Count(state, `"rotation_triggers": null`); n != 3 {
		t.Fatalf("the state has %d tokens with a null rotation_triggers, want 3:\n%s", n, state)
	}
	if strings.Contains(state, `"schema_version": 1`) {
		t.Errorf("a schema version changed:\n%s", state)
	}
	old := strings.ReplaceAll(state, `"rotation_triggers": null,`, "")
	if strings.Contains(old, "rotation_triggers") {
		t.Fatalf("could not remove rotation_triggers from the state:\n%s", old)
	}
	s.w.write("terraform.tfstate", old)
	s.sim.ResetJournal()
	if out, code := s.w.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Errorf("plan of a state from before rotation_triggers exited %d, want 0:\n%s", code, out)
	}
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes in the plan, want 0", n)
	}
}

// The rotation example of the docs works when pasted: applied, then rotated
// by changing its one shared value, which replaces both tokens with one
// organization-wide removal and re-links both source organizations.
func TestRotationExampleWorksWhenPasted(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "resources", "atlasmig_link_token", "rotation.tf"))
	if err != nil {
		t.Fatal(err)
	}
	example := string(b)
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:      []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
	}, simulator.ServerOptions{})
	w := newWorkspace(t, bothSidesEnv(sim.URL, nil))
	w.write("main.tf", requiredProviders+"\nprovider \"atlasmig\" {}\n\n"+example)
	w.run(true, "apply", "-auto-approve", "-input=false")
	sources := []string{"60a1b2c3d4e5f6a7b8c9d0e1", "60a1b2c3d4e5f6a7b8c9d0e2"}
	atlas := "5f1b2c3d4e5f6a7b8c9d0e1f"
	before := sim.LinkTokens(atlas)
	if len(before) != 2 {
		t.Fatalf("%d tokens after the first apply, want 2", len(before))
	}

	rotated := strings.Replace(example, `token_rotation = "2026-12"`, `token_rotation = "2027-06"`, 1)
	if rotated == example {
		t.Fatal("the example has no token_rotation value to change")
	}
	w.write("main.tf", requiredProviders+"\nprovider \"atlasmig\" {}\n\n"+rotated)
	sim.ResetJournal()
	w.run(true, "apply", "-auto-approve", "-input=false")
	if n := sim.Calls(simulator.RouteDeleteLinkTokens); n != 1 {
		t.Errorf("%d organization-wide removals, want 1", n)
	}
	after := sim.LinkTokens(atlas)
	if len(after) != 2 || slices.ContainsFunc(after, func(tok string) bool { return slices.Contains(before, tok) }) {
		t.Errorf("the rotation left %d tokens, some of them old ones; want 2 new ones", len(after))
	}
	for _, org := range sources {
		if status, linked := sim.LinkStatus(org); !linked || status != "SYNCED" {
			t.Errorf("source organization %s: linked=%v status=%q, want SYNCED", org, linked, status)
		}
		if got, _ := sim.LinkedAtlasOrg(org); got != atlas {
			t.Errorf("source organization %s linked to %q, want %q", org, got, atlas)
		}
	}
	if out, code := w.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Errorf("plan after the rotation exited %d, want 0:\n%s", code, out)
	}
	w.run(true, "destroy", "-auto-approve", "-input=false")
	if n := len(sim.AllLinkTokens()) + sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after destroy", n)
	}
}

// A targeted rotation of one token (-target, which plans neither the links
// nor the other tokens) cannot see the other pairs at plan time; Atlas's list
// of available projects, read right before the removal, shows them, so the
// rotation is refused before any write and every link keeps working.
func TestTargetedRotationOfOneTokenRefusedBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.w.write("main.tf", withTriggers(fmt.Sprintf(threePairs, s.atlas, s.sources[0], s.sources[1], s.sources[2]), "2026-12", "b"))
	s.sim.ResetJournal()
	out := oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false", "-target=atlasmig_link_token.b"))
	for _, want := range []string{"Removal Would Break Other Links", "The token was kept"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not mention %q:\n%s", want, out)
		}
	}
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes before the refusal, want 0", n)
	}
	s.requireSynced(t, s.sources...)
	if n := len(s.sim.LinkTokens(s.atlas)); n != 3 {
		t.Errorf("%d tokens left, want all 3", n)
	}
}
