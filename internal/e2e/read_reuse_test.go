package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// separatePairs declares n token + link pairs, each in its own Atlas
// organization: the graph of the benchmark's scenario 1.
func separatePairs(n int) string {
	var b strings.Builder
	b.WriteString(requiredProviders + "\nprovider \"atlasmig\" {}\n")
	for i := range n {
		fmt.Fprintf(&b, `
resource "atlasmig_link_token" "t%[1]d" {
  org_id          = "5f1b2c3d4e5f6a7b8c9e%04[1]x"
  access_list_ips = ["203.0.113.7"]
}

resource "atlasmig_migration_link" "l%[1]d" {
  org_id     = "60a1b2c3d4e5f6a7b8ca%04[1]x"
  link_token = atlasmig_link_token.t%[1]d.link_token
}
`, i)
	}
	return b.String()
}

func newReuseWorkspace(t *testing.T, omPrivate string) (*simulator.Server, *workspace) {
	t.Helper()
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:      []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
	}, simulator.ServerOptions{})
	return sim, newReuseWorkspaceFor(t, sim, omPrivate)
}

func newReuseWorkspaceFor(t *testing.T, sim *simulator.Server, omPrivate string) *workspace {
	t.Helper()
	return newWorkspace(t, bothSidesEnv(sim.URL, map[string]string{"MCLI_PRIVATE_API_KEY": omPrivate}))
}

// wantCalls compares the authenticated calls of each route with want.
func wantCalls(t *testing.T, sim *simulator.Server, what string, want map[simulator.Route]int) {
	t.Helper()
	for route, n := range want {
		if got := sim.Calls(route); got != n {
			t.Errorf("%s: %d %s calls, want %d", what, got, route, n)
		}
	}
}

// Apply and destroy of three pairs read each answer once: the plan checks
// that each organization is not linked yet, since its token is created in
// the same apply (3 status reads), and the apply checks it again before
// linking it (3) and lists each Atlas organization's available projects
// just before and after linking (6), which tells the link's projects; the
// destroy's refresh reads each link (3), and its plan takes those reads as
// the proofs of the source credentials instead of reading again, while it
// still proves the Atlas credentials of each organization with the list of
// its available projects (3), which it asks again right before removing the
// tokens (3).
func TestApplyDestroyReadsEachAnswerOnce(t *testing.T) {
	t.Parallel()
	sim, w := newReuseWorkspace(t, omPriv)
	w.write("main.tf", separatePairs(3))
	w.run(true, "apply", "-auto-approve", "-input=false")
	wantCalls(t, sim, "apply", map[simulator.Route]int{
		simulator.RouteCreateLinkToken: 3, simulator.RouteLinkStatus: 6, simulator.RouteLink: 3, simulator.RouteAvailableProjects: 6,
	})
	if n := sim.JournalSummary().Authenticated; n != 18 {
		t.Errorf("apply: %d authenticated calls, want 18", n)
	}

	sim.ResetJournal()
	w.run(true, "destroy", "-auto-approve", "-input=false")
	wantCalls(t, sim, "destroy", map[simulator.Route]int{
		simulator.RouteLinkStatus: 3, simulator.RouteAvailableProjects: 6, simulator.RouteDeleteLinkTokens: 3, simulator.RouteUnlink: 3,
	})
	if n := sim.JournalSummary().Authenticated; n != 15 {
		t.Errorf("destroy: %d authenticated calls, want 15", n)
	}
	if n := len(sim.AllLinkTokens()) + sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after destroy", n)
	}
}

// The refresh's read stands for the proof of the source credentials only
// with the same credentials: a destroy planned without a refresh
// (-refresh=false) right after one reads nothing again, but the same plan
// with a wrong Cloud Manager key proves the key, fails at plan time and
// changes nothing.
func TestStatusReadIsNoProofForOtherCredentials(t *testing.T) {
	t.Parallel()
	sim, w := newReuseWorkspace(t, omPriv)
	w.write("main.tf", separatePairs(2))
	w.run(true, "apply", "-auto-approve", "-input=false")
	w.run(true, "apply", "-auto-approve", "-input=false", "-refresh-only")

	sim.ResetJournal()
	w.run(true, "plan", "-destroy", "-refresh=false", "-input=false")
	wantCalls(t, sim, "plan -destroy -refresh=false after a refresh", map[simulator.Route]int{
		simulator.RouteLinkStatus: 0, simulator.RouteAvailableProjects: 2,
	})

	wrong := newReuseWorkspaceFor(t, sim, "wrong-om-private-key")
	for _, name := range []string{"main.tf", "terraform.tfstate"} {
		wrong.write(name, w.read(name))
	}
	sim.ResetJournal()
	out := oneLine(wrong.run(false, "destroy", "-auto-approve", "-input=false", "-refresh=false"))
	for _, want := range []string{"Rejected The Credentials", "checked at plan time", "nothing has been changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the destroy with a wrong key does not say %q:\n%s", want, out)
		}
	}
	if n := sim.Count(simulator.RouteLinkStatus); n == 0 {
		t.Error("the destroy with a wrong key made no proof read")
	}
	wantCalls(t, sim, "destroy with a wrong key", map[simulator.Route]int{
		simulator.RouteDeleteLinkTokens: 0, simulator.RouteUnlink: 0, simulator.RouteCreateLinkToken: 0, simulator.RouteLink: 0,
	})
	if n := sim.LinkCount(); n != 2 {
		t.Errorf("%d links after the refused destroy, want 2", n)
	}

	w.run(true, "destroy", "-auto-approve", "-input=false")
	if n := len(sim.AllLinkTokens()) + sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after destroy", n)
	}
}

// Rotating every token of an organization re-links each source organization
// right after unlinking it in the same apply: the unlink answers the check
// before linking, so the only status reads are the refresh's. The
// organization's available projects are listed once at plan, once right
// before the removal, and around each re-link (2 each).
func TestRotationReadsNoStatusAfterItsOwnUnlink(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.sim.ResetJournal()
	s.w.run(true, "apply", "-auto-approve", "-input=false",
		"-replace=atlasmig_link_token.a", "-replace=atlasmig_link_token.b", "-replace=atlasmig_link_token.c")
	wantCalls(t, s.sim, "rotation", map[simulator.Route]int{
		simulator.RouteLinkStatus: 3, simulator.RouteUnlink: 3, simulator.RouteLink: 3,
		simulator.RouteDeleteLinkTokens: 1, simulator.RouteCreateLinkToken: 3, simulator.RouteAvailableProjects: 8,
	})
	s.requireSynced(t, s.sources...)
	if out := s.w.run(true, "plan", "-detailed-exitcode", "-input=false"); !strings.Contains(out, "No changes") {
		t.Errorf("the rotation left a diff:\n%s", out)
	}
}

// An atlasmig_available_projects read of the organization in the same plan
// proves the Atlas credentials: replacing the token reads the list once at
// plan, then once right before the removal and around the re-link (2).
func TestAvailableProjectsReadProvesTheAtlasCredentials(t *testing.T) {
	t.Parallel()
	sim, w := newReuseWorkspace(t, omPriv)
	const atlas, source = "5f1b2c3d4e5f6a7b8c9e0b01", "60a1b2c3d4e5f6a7b8ca0b01"
	sim.SetInventory(source, []simulator.Project{{ProjectID: "6a1b2c3d4e5f6a7b8c9e0b01", Name: "project-b",
		MigrationHosts: []string{"mh.example.internal"}, Deployments: []simulator.Deployment{{Name: "rs0", MongoDBVersion: "7.0.14", FeatureCompatibilityVersion: "7.0"}}}})
	w.write("main.tf", fmt.Sprintf(requiredProviders+`
provider "atlasmig" {}

data "atlasmig_available_projects" "this" {
  org_id = %[1]q
}

resource "atlasmig_link_token" "this" {
  org_id     = %[1]q
  depends_on = [data.atlasmig_available_projects.this]
}

resource "atlasmig_migration_link" "this" {
  org_id     = %[2]q
  link_token = atlasmig_link_token.this.link_token
}
`, atlas, source))
	w.run(true, "apply", "-auto-approve", "-input=false")
	sim.ResetJournal()
	w.run(true, "apply", "-auto-approve", "-input=false", "-replace=atlasmig_link_token.this")
	wantCalls(t, sim, "replacing the token", map[simulator.Route]int{
		simulator.RouteAvailableProjects: 4, simulator.RouteDeleteLinkTokens: 1, simulator.RouteCreateLinkToken: 1,
		simulator.RouteUnlink: 1, simulator.RouteLink: 1, simulator.RouteLinkStatus: 1,
	})
	if status, linked := sim.LinkStatus(source); !linked || status != "SYNCED" {
		t.Errorf("after the replacement: linked=%v status=%q, want SYNCED", linked, status)
	}
}
