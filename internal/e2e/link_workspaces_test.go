package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// pairsHCL declares one separate token and link per source organization,
// named after keys, all in one Atlas organization.
func pairsHCL(atlas string, keys, sources []string) string {
	var b strings.Builder
	b.WriteString(requiredProviders + "\nprovider \"atlasmig\" {}\n")
	for i, k := range keys {
		fmt.Fprintf(&b, `
resource "atlasmig_link_token" %[1]q {
  org_id = %[2]q
}

resource "atlasmig_migration_link" %[1]q {
  org_id     = %[3]q
  link_token = atlasmig_link_token.%[1]s.link_token
}
`, k, atlas, sources[i])
	}
	return b.String()
}

// stateRm runs terraform state rm in the workspace (its subcommand takes no
// -no-color).
func (w *workspace) stateRm(address string) {
	w.t.Helper()
	bin := w.bin
	if bin == "" {
		bin = terraformPath()
	}
	cmd := exec.Command(bin, "state", "rm", address)
	cmd.Dir, cmd.Env = w.dir, w.env
	if out, err := cmd.CombinedOutput(); err != nil {
		w.t.Fatalf("terraform state rm %s: %v\n%s", address, err, out)
	}
}

// wantAll fails the test for each string of want that out does not contain.
func wantAll(t *testing.T, what, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s does not mention %q:\n%s", what, w, out)
		}
	}
}

// Two workspaces share one Atlas organization, each with its own source
// organization (a fleet split by source organization). Destroying one
// workspace would remove the organization's tokens, and with them the other
// workspace's link: Atlas's list of available projects shows that another
// source organization is still linked, so the destroy is refused at plan,
// before any write, naming its projects and the way out. That way out works:
// the first workspace unlinks and leaves the tokens, and the last one removes
// them all.
func TestTwoWorkspacesOneAtlasOrganizationDestroyKeepsTheOther(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	atlas := "5f1b2c3d4e5f6a7b8c9d0a11"
	a, b := s.w, newWorkspace(t, bothSidesEnv(s.sim.URL, nil))
	a.write("main.tf", fmt.Sprintf(onePair, atlas, s.sources[0]))
	b.write("main.tf", fmt.Sprintf(onePair, atlas, s.sources[1]))
	a.run(true, "apply", "-auto-approve", "-input=false")
	b.run(true, "apply", "-auto-approve", "-input=false")
	s.requireSynced(t, s.sources[:2]...)

	for _, args := range [][]string{{"destroy"}, {"apply", "-destroy"}} {
		s.sim.ResetJournal()
		out := oneLine(a.run(false, append(args, "-auto-approve", "-input=false")...))
		wantAll(t, strings.Join(args, " ")+"'s refusal", out, "Removal Would Break Other Links", atlas, "project-b2 (6a1b2c3d4e5f6a7b8c9d0e01)",
			"Nothing has been changed", "terraform state rm")
		if n := s.writes(); n != 0 {
			t.Errorf("%s: %d writes before the refusal, want 0", strings.Join(args, " "), n)
		}
		s.requireSynced(t, s.sources[:2]...)
		if n := len(s.sim.LinkTokens(atlas)); n != 2 {
			t.Errorf("%s: %d tokens left, want 2", strings.Join(args, " "), n)
		}
	}

	// The way out the refusal names: leave the tokens to the other workspace.
	a.stateRm("atlasmig_link_token.this")
	s.sim.ResetJournal()
	out := oneLine(a.run(true, "destroy", "-auto-approve", "-input=false"))
	wantAll(t, "the unlink that keeps the tokens", out, "Link Tokens Kept", s.sources[0])
	if n := s.sim.Calls(simulator.RouteDeleteLinkTokens); n != 0 {
		t.Errorf("%d organization-wide removals while the other workspace is linked, want 0", n)
	}
	if _, linked := s.sim.LinkStatus(s.sources[0]); linked {
		t.Error("the first workspace's organization is still linked")
	}
	s.requireSynced(t, s.sources[1])

	// The last workspace removes every token of the organization.
	b.run(true, "destroy", "-auto-approve", "-input=false")
	if n := len(s.sim.LinkTokens(atlas)) + s.sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after the last destroy", n)
	}
}

// A token whose creation's answer was lost is saved tainted, and the next
// apply replaces it: that replacement removes every token of the Atlas
// organization, the sibling pairs' too, so the plan sees it as a removal and
// refuses it before any write (the siblings expose no project, so Atlas's
// list could not tell). Replacing every token of the organization in one
// apply, as the refusal says, repairs it.
func TestLostTokenAnswerReplacementIsARemoval(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	atlas := "5f1b2c3d4e5f6a7b8c9d0a12"
	for _, org := range s.sources[:2] {
		s.sim.SetInventory(org, nil)
	}
	s.w.write("main.tf", pairsHCL(atlas, []string{"a", "b"}, s.sources[:2]))
	s.w.run(true, "apply", "-auto-approve", "-input=false")

	s.w.write("main.tf", pairsHCL(atlas, []string{"a", "b", "c"}, s.sources))
	s.sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, ResetAfterProcessing: true})
	out := oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false"))
	wantAll(t, "the lost answer", out, "Link Token Outcome Unknown")
	s.sim.ClearFaults()

	s.sim.ResetJournal()
	out = oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false"))
	wantAll(t, "the replacement's refusal", out, "Removal Would Break Other Links", s.sources[0], s.sources[1], "Nothing has been changed")
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes before the refusal, want 0", n)
	}
	s.requireSynced(t, s.sources[:2]...)
	if n := len(s.sim.LinkTokens(atlas)); n != 3 {
		t.Errorf("%d tokens, want the 2 in use and the lost one", n)
	}

	s.sim.ResetJournal()
	s.w.run(true, "apply", "-auto-approve", "-input=false", "-replace=atlasmig_link_token.a", "-replace=atlasmig_link_token.b")
	s.requireSynced(t, s.sources...)
	if n := s.sim.Calls(simulator.RouteDeleteLinkTokens); n != 1 {
		t.Errorf("%d organization-wide removals, want 1", n)
	}
	if n := len(s.sim.LinkTokens(atlas)); n != 3 {
		t.Errorf("%d tokens after the repair, want 3", n)
	}
	if out, code := s.w.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Errorf("plan after the repair exited %d, want 0:\n%s", code, out)
	}
}

// While a live migration is active in the Atlas organization, Atlas removes
// no token, so the repair above (replace every token) cannot be made. The
// refusal gives the way that removes nothing: terraform state rm the tainted
// token, and the next apply creates a new one and links with it, leaving the
// token Atlas may have made unused until the organization's tokens go.
func TestLostTokenAnswerLeftBehindDuringActiveMigration(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	atlas := "5f1b2c3d4e5f6a7b8c9d0a14"
	s.w.write("main.tf", pairsHCL(atlas, []string{"a", "b"}, s.sources[:2]))
	s.w.run(true, "apply", "-auto-approve", "-input=false")
	migration := s.startOutsideMigration(t, atlas, 0, "65f1b2c3d4e5f6a7b8c9d0a4")

	s.w.write("main.tf", pairsHCL(atlas, []string{"a", "b", "c"}, s.sources))
	s.sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, ResetAfterProcessing: true})
	wantAll(t, "the lost answer", oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false")), "Link Token Outcome Unknown")
	s.sim.ClearFaults()

	s.sim.ResetJournal()
	out := oneLine(s.w.run(false, "apply", "-auto-approve", "-input=false"))
	wantAll(t, "the replacement's refusal", out, "Removal Would Break Other Links", "terraform state rm 'atlasmig_link_token.<name>'",
		"works during an active live migration", "Nothing has been changed")
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes before the refusal, want 0", n)
	}

	s.w.stateRm("atlasmig_link_token.c")
	s.sim.ResetJournal()
	s.w.run(true, "apply", "-auto-approve", "-input=false")
	s.requireSynced(t, s.sources...)
	s.requireActive(t, migration)
	if n := s.sim.Calls(simulator.RouteDeleteLinkTokens); n != 0 {
		t.Errorf("%d organization-wide removals, want 0", n)
	}
	if n := s.sim.Calls(simulator.RouteCreateLinkToken); n != 1 {
		t.Errorf("%d tokens created, want 1", n)
	}
	if n := len(s.sim.LinkTokens(atlas)); n != 4 {
		t.Errorf("%d tokens, want the 3 in use and the lost one", n)
	}
	if out, code := s.w.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Errorf("plan after the repair exited %d, want 0:\n%s", code, out)
	}

	if err := s.sim.FailMigration(migration); err != nil {
		t.Fatal(err)
	}
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	if n := len(s.sim.LinkTokens(atlas)) + s.sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after destroy, the lost token among them", n)
	}
}

// terraform destroy -target of one pair right after the apply that created
// the pairs (no plan or refresh in between, so the links remember nothing
// yet) would remove the tokens the other pairs use: Atlas lists their
// projects, so it is refused at plan, before any write.
func TestTargetedDestroyRightAfterCreationRefused(t *testing.T) {
	t.Parallel()
	for _, target := range [][]string{{"-target=atlasmig_link_token.c"}, {"-target=atlasmig_migration_link.c", "-target=atlasmig_link_token.c"}} {
		t.Run(strings.Join(target, " "), func(t *testing.T) {
			t.Parallel()
			s := newSafetyScenario(t)
			s.sim.ResetJournal()
			out := oneLine(s.w.run(false, append([]string{"destroy", "-auto-approve", "-input=false"}, target...)...))
			wantAll(t, "the refusal", out, "Removal Would Break Other Links", "project-b2", "project-a1", "Nothing has been changed")
			if n := s.writes(); n != 0 {
				t.Errorf("%d writes before the refusal, want 0", n)
			}
			s.requireSynced(t, s.sources...)
			if n := len(s.sim.LinkTokens(s.atlas)); n != 3 {
				t.Errorf("%d tokens left, want 3", n)
			}
		})
	}
}

// The guide's two-workspace layout: the Atlas workspace holds the token, the
// Cloud Manager workspace the link and no Atlas credentials. The link's
// workspace cannot see migrations, and its plan says so when it unlinks; the
// token's workspace cannot remove the tokens while the link is there.
func TestLinkWorkspaceWithoutAtlasCredentials(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	s.w.run(true, "destroy", "-auto-approve", "-input=false")
	atlas, source := "5f1b2c3d4e5f6a7b8c9d0a13", s.sources[0]
	tokens := newWorkspace(t, atlasEnv(s.sim.URL, nil))
	tokens.write("main.tf", fmt.Sprintf(requiredProviders+`
provider "atlasmig" {}

resource "atlasmig_link_token" "ops_team" {
  org_id = %q
}

output "token" {
  value     = atlasmig_link_token.ops_team.link_token
  sensitive = true
}
`, atlas))
	tokens.run(true, "apply", "-auto-approve", "-input=false")
	token := strings.TrimSpace(tokens.run(true, "output", "-raw", "token"))

	links := newWorkspace(t, map[string]string{
		"MCLI_OPS_MANAGER_URL": s.sim.URL, "MCLI_PUBLIC_API_KEY": omPub, "MCLI_PRIVATE_API_KEY": omPriv,
		"ATLASMIG_OPS_MANAGER_KIND": "cloud_manager", "TF_VAR_link_token": token,
	})
	links.write("main.tf", fmt.Sprintf(requiredProviders+`
provider "atlasmig" {}

variable "link_token" {
  type      = string
  sensitive = true
}

resource "atlasmig_migration_link" "this" {
  org_id     = %q
  link_token = var.link_token
}
`, source))
	links.run(true, "apply", "-auto-approve", "-input=false")
	s.requireSynced(t, source)

	// The token's workspace sees the link through Atlas's projects.
	s.sim.ResetJournal()
	out := oneLine(tokens.run(false, "destroy", "-auto-approve", "-input=false"))
	wantAll(t, "the token workspace's refusal", out, "Removal Would Break Other Links", "project-a1")
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes before the refusal, want 0", n)
	}
	s.requireSynced(t, source)

	// The link's workspace says what it cannot see.
	out = oneLine(links.run(true, "plan", "-destroy", "-input=false"))
	wantAll(t, "the unlink's plan", out, "Warning: Live Migrations Not Checked", source, "no Atlas credentials")
	links.run(true, "destroy", "-auto-approve", "-input=false")
	tokens.run(true, "destroy", "-auto-approve", "-input=false")
	if n := len(s.sim.AllLinkTokens()) + s.sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left", n)
	}
}

// A second workspace that links a source organization another workspace has
// linked is refused at plan, before its token is created, and the error says
// what happened without talking about create_before_destroy.
func TestLinkingALinkedOrganizationRefusedBeforeTheToken(t *testing.T) {
	t.Parallel()
	s := newSafetyScenario(t)
	second := newWorkspace(t, bothSidesEnv(s.sim.URL, nil))
	second.write("main.tf", fmt.Sprintf(onePair, "5f1b2c3d4e5f6a7b8c9d0a14", s.sources[1]))
	s.sim.ResetJournal()
	out := oneLine(second.run(false, "apply", "-auto-approve", "-input=false"))
	wantAll(t, "the refusal", out, "Organization Already Linked", s.sources[1], "terraform import atlasmig_migration_link.<name> "+s.sources[1],
		"Nothing has been changed")
	if strings.Contains(out, "create_before_destroy") {
		t.Errorf("the refusal talks about create_before_destroy, which nobody set:\n%s", out)
	}
	if n := s.writes(); n != 0 {
		t.Errorf("%d writes, want 0 (no token created)", n)
	}
	s.requireSynced(t, s.sources...)
}
