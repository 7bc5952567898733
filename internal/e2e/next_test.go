package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/secretscan"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

// The features of the newest Terraform: the atlasmig_cutover action
// (Terraform 1.14) and import by resource identity (Terraform 1.12). These
// tests run the binary tfcli.For finds — the suite's own when it is new
// enough, else ATLASMIG_TERRAFORM_NEXT — and skip, saying why, otherwise.
// terraform-plugin-testing v1.16 cannot invoke actions, hence the CLI here.

// nextWorkspace is a workspace on a Terraform with the feature, against a
// simulator holding a linked source project, with the polls shrunk. The
// test then runs in parallel with the others.
func nextWorkspace(t *testing.T, feature, minVersion string) (*workspace, *simulator.Server) {
	t.Helper()
	bin, reason := tfcli.For(feature, minVersion)
	if reason != "" {
		t.Skip(reason)
	}
	t.Parallel()
	t.Logf("running %s at %s", bin, bin.Path)
	// Ten simulated minutes per read: a new migration is ready an hour
	// after it starts, and complete ten minutes after its cutover.
	sim, env := linkedShop(t, shop{clusters: []string{"orders"}, hosts: []string{"mh-1"}, deployments: []string{"orders-rs"},
		opts: simulator.MigrationOptions{FrozenClock: true, TickPerRead: 10 * time.Minute, ReadyAfter: time.Hour, CutoverTime: 10 * time.Minute}},
		map[string]string{"ATLASMIG_SIMULATOR_CLOCK_SPEED": "1000"})
	w := newWorkspace(t, env)
	w.bin = bin.Path
	return w, sim
}

var nextMigration = `
provider "atlasmig" {}
` + ordersMigration("orders", "")

// writes lists the requests of the journal that change something in Atlas
// or the source organization.
func writes(sim *simulator.Server) []string {
	var out []string
	for _, r := range sim.Requests() {
		if r.Authenticated && r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

func TestCutoverActionInvokedThroughTerraform(t *testing.T) {
	w, sim := nextWorkspace(t, "the atlasmig_cutover action", tfcli.ActionsVersion)
	w.write("main.tf", requiredProviders+nextMigration+`
action "atlasmig_cutover" "orders" {
  config {
    project_id   = atlasmig_live_migration.orders.project_id
    migration_id = atlasmig_live_migration.orders.migration_id
    timeout      = "10m"
  }
}
`)
	w.run(true, "apply", "-auto-approve", "-input=false")
	migs := sim.Migrations()
	if len(migs) != 1 || migs[0].Status != "WORKING" || migs[0].ReadyForCutover {
		t.Fatalf("after the first apply: %+v", migs)
	}

	// The invocation waits, cuts over once, reports progress and writes
	// nothing else.
	sim.ResetJournal()
	out := w.run(true, "apply", "-auto-approve", "-input=false", "-invoke=action.atlasmig_cutover.orders")
	for _, want := range []string{
		"readyForCutover false, lag",
		"readyForCutover true",
		"Ready for cutover: requesting the cutover (once).",
		"status COMPLETE",
		"is COMPLETE: cut over.",
		"Actions: 1 invoked.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the invocation's output lacks %q:\n%s", want, out)
		}
	}
	if got := writes(sim); len(got) != 1 || !strings.HasSuffix(got[0], "/cutover") {
		t.Fatalf("the invocation wrote %q, want exactly one cutover request", got)
	}
	if m, _ := sim.Migration(migs[0].ID); m.Status != "COMPLETE" {
		t.Fatalf("status after the invocation: %s", m.Status)
	}

	// Invoked again: nothing to do, no second cutover.
	sim.ResetJournal()
	out = w.run(true, "apply", "-auto-approve", "-input=false", "-invoke=action.atlasmig_cutover.orders")
	if !strings.Contains(out, "is already COMPLETE: it was cut over earlier. Nothing to do, no cutover sent.") {
		t.Errorf("the second invocation's output:\n%s", out)
	}
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("the second invocation wrote %q", got)
	}

	// The resource (cutover = false in its configuration) agrees: its next
	// plan is empty, warns of no cutover made outside this configuration,
	// and an apply writes nothing.
	sim.ResetJournal()
	out, code := w.runCode("plan", "-detailed-exitcode", "-input=false")
	if code != 0 {
		t.Fatalf("plan after the action: exit %d, want 0 (no changes)\n%s", code, out)
	}
	mustNotSay(t, out, "Warning: Live Migration", "outside this configuration")
	w.run(true, "apply", "-auto-approve", "-input=false")
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("the plan and apply after the action wrote %q", got)
	}
	if state := w.run(true, "show", "-json"); !strings.Contains(state, `"status":"COMPLETE"`) {
		t.Errorf("the state does not record COMPLETE:\n%s", state)
	}
	// Writing cutover = true afterwards is recorded with one read and no
	// cutover request.
	sim.ResetJournal()
	w.write("main.tf", strings.Replace(w.read("main.tf"), `migration_host = "mh-1"`, `migration_host = "mh-1"
  cutover        = true`, 1))
	w.run(true, "apply", "-auto-approve", "-input=false")
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("recording cutover = true after the action wrote %q", got)
	}
	if out, code := w.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan after recording cutover = true: exit %d\n%s", code, out)
	}

	// Progress and TRACE logging reveal no credential.
	key := map[string]string{atlasPriv: "the Atlas private key"}
	reportLeaks(t, secretscan.Find("terraform.log", w.read("terraform.log"), key))
	reportLeaks(t, secretscan.Find("terraform output", w.output.String(), key))
}

func TestCutoverActionRefusesAnExpiredMigration(t *testing.T) {
	w, sim := nextWorkspace(t, "the atlasmig_cutover action", tfcli.ActionsVersion)
	w.write("main.tf", requiredProviders+nextMigration+`
action "atlasmig_cutover" "orders" {
  config {
    project_id   = atlasmig_live_migration.orders.project_id
    migration_id = atlasmig_live_migration.orders.migration_id
  }
}
`)
	w.run(true, "apply", "-auto-approve", "-input=false")
	if err := sim.ExpireMigration(sim.Migrations()[0].ID); err != nil {
		t.Fatal(err)
	}
	sim.ResetJournal()
	// The plan already refuses it, by reading the migration.
	out := w.run(false, "plan", "-input=false", "-invoke=action.atlasmig_cutover.orders")
	if !strings.Contains(out, "Live Migration Expired") {
		t.Fatalf("plan output:\n%s", out)
	}
	out = w.run(false, "apply", "-auto-approve", "-input=false", "-invoke=action.atlasmig_cutover.orders")
	if !strings.Contains(out, "Live Migration Expired") || !strings.Contains(strings.Join(strings.Fields(out), " "), "It cannot be cut over, and nothing was sent.") {
		t.Fatalf("output:\n%s", out)
	}
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("wrote %q", got)
	}
}

func TestCutoverActionPlanRejectsABadTimeoutAndAnUnknownMigration(t *testing.T) {
	w, sim := nextWorkspace(t, "the atlasmig_cutover action", tfcli.ActionsVersion)
	w.write("main.tf", requiredProviders+`
provider "atlasmig" {}

action "atlasmig_cutover" "orders" {
  config {
    project_id   = "`+migGroup+`"
    migration_id = "0123456789abcdef01234567"
    timeout      = "1 day"
  }
}
`)
	out := w.run(false, "plan", "-input=false", "-invoke=action.atlasmig_cutover.orders")
	if !strings.Contains(out, "Invalid Timeout") || !strings.Contains(out, "positive duration") {
		t.Fatalf("output:\n%s", out)
	}
	if sim.Total() != 0 {
		t.Fatalf("%d requests for an invalid configuration", sim.Total())
	}
	// A migration Atlas does not know fails the plan, which only reads.
	w.write("main.tf", strings.Replace(w.read("main.tf"), `timeout      = "1 day"`, `timeout      = "1h"`, 1))
	out = w.run(false, "plan", "-input=false", "-invoke=action.atlasmig_cutover.orders")
	if !strings.Contains(out, "Atlas Migration Not Found") {
		t.Fatalf("output:\n%s", out)
	}
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("wrote %q", got)
	}
}

func TestImportByIdentityThroughTerraform(t *testing.T) {
	w, sim := nextWorkspace(t, "import by resource identity", tfcli.IdentityVersion)
	w.write("main.tf", requiredProviders+nextMigration)
	w.run(true, "apply", "-auto-approve", "-input=false")
	id := sim.Migrations()[0].ID
	state := w.run(true, "show", "-json")
	if !strings.Contains(state, fmt.Sprintf(`"identity":{"migration_id":%q,"project_id":%q}`, id, migGroup)) {
		t.Fatalf("the state records no identity for the migration:\n%s", state)
	}

	// Another workspace imports it by identity, with no id string.
	other := newWorkspace(t, atlasEnv(sim.URL, nil))
	other.bin = w.bin
	other.write("main.tf", requiredProviders+nextMigration+fmt.Sprintf(`
import {
  to = atlasmig_live_migration.orders
  identity = {
    project_id   = %q
    migration_id = %q
  }
}
`, migGroup, id))
	sim.ResetJournal()
	out := other.run(true, "apply", "-auto-approve", "-input=false")
	if !strings.Contains(out, "1 imported, 0 added") || !strings.Contains(out, "0 destroyed") {
		t.Fatalf("import output:\n%s", out)
	}
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("the import wrote %q", got)
	}
	if out, code := other.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan after the import: exit %d, want 0\n%s", code, out)
	}
	if state := other.run(true, "show", "-json"); !strings.Contains(state, `"id":"`+migGroup+"/"+id+`"`) {
		t.Fatalf("imported state:\n%s", state)
	}

	// An identity with a malformed id fails before any request.
	bad := newWorkspace(t, atlasEnv(sim.URL, nil))
	bad.bin = w.bin
	bad.write("main.tf", requiredProviders+nextMigration+fmt.Sprintf(`
import {
  to = atlasmig_live_migration.orders
  identity = {
    project_id   = %q
    migration_id = "not-an-id"
  }
}
`, migGroup))
	sim.ResetJournal()
	out = bad.run(false, "plan", "-input=false")
	if !strings.Contains(out, "Invalid Import Identity") {
		t.Fatalf("output:\n%s", out)
	}
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("wrote %q", got)
	}
}

// TestCutoverActionFromATrigger runs the documented action_trigger example:
// recording a change window in a reviewed plan runs the cutover.
func TestCutoverActionFromATrigger(t *testing.T) {
	w, sim := nextWorkspace(t, "the atlasmig_cutover action", tfcli.ActionsVersion)
	example := repoFile(t, "examples/actions/atlasmig_cutover/action-trigger.tf")
	w.write("main.tf", requiredProviders+nextMigration+`
action "atlasmig_cutover" "orders" {
  config {
    project_id   = atlasmig_live_migration.orders.project_id
    migration_id = atlasmig_live_migration.orders.migration_id
  }
}
`+example)
	out := w.run(true, "apply", "-auto-approve", "-input=false")
	if strings.Contains(out, "Action started") || sim.Calls(simulator.RouteCutover) != 0 {
		t.Fatalf("the action ran without a change window:\n%s", out)
	}
	out = w.run(true, "plan", "-input=false", "-var", "change_window=CHG-1234")
	if !strings.Contains(out, "Actions: 1 to invoke.") {
		t.Fatalf("the plan does not show the action:\n%s", out)
	}
	out = w.run(true, "apply", "-auto-approve", "-input=false", "-var", "change_window=CHG-1234")
	if !strings.Contains(out, "(triggered by terraform_data.cutover_window): Migration") || !strings.Contains(out, "is COMPLETE: cut over.") {
		t.Fatalf("the apply's output:\n%s", out)
	}
	if puts := sim.Calls(simulator.RouteCutover); puts != 1 {
		t.Fatalf("%d cutover requests, want 1", puts)
	}
	if out, code := w.runCode("plan", "-detailed-exitcode", "-input=false", "-var", "change_window=CHG-1234"); code != 0 {
		t.Fatalf("plan after the triggered cutover: exit %d\n%s", code, out)
	}
}

// repoFile reads a file of the repository, such as an example.
func repoFile(t *testing.T, rel string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCutoverActionInterruptedFailsTheInvocation: Ctrl-C while the action
// waits for readiness ends the invocation with an error that says the
// cutover was not requested, and Terraform exits non-zero.
func TestCutoverActionInterruptedFailsTheInvocation(t *testing.T) {
	w, sim := nextWorkspace(t, "the atlasmig_cutover action", tfcli.ActionsVersion)
	w.write("main.tf", requiredProviders+nextMigration+`
action "atlasmig_cutover" "orders" {
  config {
    project_id   = atlasmig_live_migration.orders.project_id
    migration_id = atlasmig_live_migration.orders.migration_id
  }
}
`)
	w.run(true, "apply", "-auto-approve", "-input=false")
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.ReadyAfter = 1000 * time.Hour })
	sim.ResetJournal()
	// Interrupted once the invocation reports that it waits.
	out, code := w.runInterrupted(func() bool {
		b, _ := os.ReadFile(filepath.Join(w.dir, "interrupted.out"))
		return strings.Contains(string(b), "Waiting until Atlas reports the migration ready for cutover.")
	}, "apply", "-auto-approve", "-input=false", "-invoke=action.atlasmig_cutover.orders")
	if code == 0 {
		t.Fatalf("the interrupted invocation exited 0:\n%s", out)
	}
	mustSay(t, out, "Operation Interrupted", "the cutover was not requested")
	mustNotSay(t, out, "Apply complete!")
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("the interrupted invocation wrote %q", got)
	}
}

// TestCutoverActionRefusesAMalformedIDFromAVariable: Terraform validates
// the action's configuration before variables are known; the plan still
// refuses a malformed id, and nothing reaches Atlas.
func TestCutoverActionRefusesAMalformedIDFromAVariable(t *testing.T) {
	w, sim := nextWorkspace(t, "the atlasmig_cutover action", tfcli.ActionsVersion)
	w.write("main.tf", requiredProviders+`
provider "atlasmig" {}

variable "migration_id" {
  type    = string
  default = "XYZ"
}

action "atlasmig_cutover" "orders" {
  config {
    project_id   = "`+migGroup+`"
    migration_id = var.migration_id
  }
}
`)
	for _, cmd := range [][]string{{"plan", "-input=false", "-invoke=action.atlasmig_cutover.orders"}, {"apply", "-auto-approve", "-input=false", "-invoke=action.atlasmig_cutover.orders"}} {
		out := w.run(false, cmd...)
		mustSay(t, out, "migration_id must be a migration id", `got: "XYZ"`)
	}
	if n := sim.Total(); n != 0 {
		t.Fatalf("%d requests reached the simulator", n)
	}
}
