package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// These tests prove, through terraform itself, that the provider never
// starts or cuts over a migration its plan did not announce: not after a
// timeout, a rate limit or Ctrl-C, not after Atlas forgets a record, not
// after a cutover made elsewhere.

// migrationSafetyWorld is a linked source organization with one deployment,
// a workspace whose configuration is one migration, and a fast clock: every
// read of a migration advances it five simulated seconds.
func migrationSafetyWorld(t *testing.T, opts simulator.MigrationOptions) (*simulator.Server, *workspace) {
	t.Helper()
	opts.FrozenClock, opts.TickPerRead = true, 5*time.Second
	sim, env := linkedShop(t, shop{clusters: []string{"orders", "orders-2"}, hosts: []string{"mh-1"}, deployments: []string{"orders-rs"}, opts: opts},
		map[string]string{"ATLASMIG_SIMULATOR_CLOCK_SPEED": "1000"})
	return sim, newWorkspace(t, env)
}

// safetyConfig is one migration; cutover comes from a variable (default
// false), as in examples/complete.
func safetyConfig(destination, extra string) string {
	return requiredProviders + `
provider "atlasmig" {}

variable "cutover" {
  type    = bool
  default = false
}
` + ordersMigration(destination, "  cutover        = var.cutover\n"+extra+"\n")
}

// flat folds terraform's wrapped output onto one line.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func mustSay(t *testing.T, out string, wants ...string) {
	t.Helper()
	f := flat(out)
	for _, want := range wants {
		if !strings.Contains(f, want) {
			t.Errorf("terraform does not say %q:\n%s", want, out)
		}
	}
}

func mustNotSay(t *testing.T, out string, unwanted ...string) {
	t.Helper()
	f := flat(out)
	for _, u := range unwanted {
		if strings.Contains(f, u) {
			t.Errorf("terraform says %q:\n%s", u, out)
		}
	}
}

// stateResource returns the migration's object in terraform.tfstate.
func stateResource(t *testing.T, w *workspace) (attrs map[string]any, tainted bool) {
	t.Helper()
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Status     string         `json:"status"`
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(w.read("terraform.tfstate")), &st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		if r.Type == "atlasmig_live_migration" && len(r.Instances) == 1 {
			return r.Instances[0].Attributes, r.Instances[0].Status == "tainted"
		}
	}
	t.Fatal("no migration in state")
	return nil, false
}

// runInterrupted starts terraform, sends it SIGINT (Ctrl-C) once ready
// reports true, and returns its output and exit code.
func (w *workspace) runInterrupted(ready func() bool, args ...string) (string, int) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := w.bin
	if bin == "" {
		bin = terraformPath()
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{args[0], "-no-color"}, args[1:]...)...)
	cmd.Dir, cmd.Env = w.dir, w.env
	outPath := filepath.Join(w.dir, "interrupted.out")
	f, err := os.Create(outPath)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !ready() {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			w.t.Fatal("terraform never reached the point to interrupt")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	out := w.read("interrupted.out")
	w.output.WriteString(out)
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		w.t.Fatal(err)
	}
	return out, code
}

// TestCutoverWaitOutlastingItsTimeoutIsContinuedNotReplaced: cutover =
// true at create, the cutover is requested, COMPLETE comes after
// timeouts.update. The apply fails and Terraform taints the migration; the
// next plan refuses its replacement; after terraform untaint, the plan
// continues the wait; nothing new is created or cut over.
func TestCutoverWaitOutlastingItsTimeoutIsContinuedNotReplaced(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{CutoverTime: 1000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    update = \"2s\"\n  }"))
	out := w.run(false, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	mustSay(t, out, "Error: Live Migration Still In Progress", "status WORKING", "Its cutover was requested and Atlas accepted it", "terraform untaint")
	attrs, tainted := stateResource(t, w)
	if !tainted || attrs["cutover"] != true || attrs["status"] != "WORKING" {
		t.Fatalf("state after the timeout: tainted %t, %v", tainted, attrs)
	}
	ms := sim.Migrations()
	if len(ms) != 1 || !ms[0].CutoverRequested {
		t.Fatalf("migrations: %+v", ms)
	}
	mustRefuseReplacement(t, w, sim, ms[0].ID, cutoverVar...)
	w.run(true, "untaint", migAddress)
	plan, code := w.runCode("plan", "-input=false", "-detailed-exitcode", "-var", "cutover=true")
	if code != 2 {
		t.Fatalf("plan exit %d:\n%s", code, plan)
	}
	mustSay(t, plan, "Live Migration Cutover Still Completing", "1 to change, 0 to destroy")
	mustNotSay(t, plan, "1 to add", "must be replaced", "migration_hosts")
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.CutoverTime = 5 * time.Second })
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	ms = sim.Migrations()
	if len(ms) != 1 || ms[0].Status != simulator.StatusComplete || sim.Calls(simulator.RouteCutover) != 1 || sim.Calls(simulator.RouteCreateMigration) != 1 {
		t.Fatalf("after the continued apply: %d cutover requests, %d creates, %+v", sim.Calls(simulator.RouteCutover), sim.Calls(simulator.RouteCreateMigration), ms)
	}
	if attrs, _ := stateResource(t, w); attrs["status"] != "COMPLETE" {
		t.Fatalf("state: %v", attrs)
	}
	// A plain destroy (the variable back at its default, false) is never
	// blocked by the cutover.
	destroy := w.run(true, "destroy", "-auto-approve", "-input=false")
	mustNotSay(t, destroy, "Error")
}

// TestCtrlCDuringTheCutoverWaitKeepsTheMigration interrupts the apply that
// creates and cuts over a migration, once the provider has the answer to
// its cutover request: it has read the migration since.
func TestCtrlCDuringTheCutoverWaitKeepsTheMigration(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{CutoverTime: 1000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", ""))
	out, _ := w.runInterrupted(func() bool { return readAfterCutover(sim) }, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	mustNotSay(t, out, "Cannot Reach Atlas")
	mustSay(t, out, "Operation Interrupted")
	attrs, tainted := stateResource(t, w)
	if !tainted || attrs["status"] != "WORKING" {
		t.Fatalf("state after Ctrl-C: tainted %t, %v", tainted, attrs)
	}
	mustRefuseReplacement(t, w, sim, attrs["migration_id"].(string), cutoverVar...)
	w.run(true, "untaint", migAddress)
	plan := w.run(true, "plan", "-input=false", "-var", "cutover=true")
	mustSay(t, plan, "Live Migration Cutover Still Completing")
	mustNotSay(t, plan, "1 to add", "must be replaced")
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.CutoverTime = 5 * time.Second })
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	if ms := sim.Migrations(); len(ms) != 1 || ms[0].Status != simulator.StatusComplete || sim.Calls(simulator.RouteCutover) != 1 {
		t.Fatalf("after the continued apply: %+v", ms)
	}
}

// TestRateLimitedWaitAfterCreationKeepsTheMigration: 429s while waiting
// for the new migration to start; the apply fails and keeps it in the state,
// tainted; the next plan refuses its replacement, and after terraform
// untaint the next apply continues the wait.
func TestRateLimitedWaitAfterCreationKeepsTheMigration(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{StartAfter: 1000 * time.Hour, ReadyAfter: 2000 * time.Hour})
	w.write("main.tf", strings.Replace(safetyConfig("orders", ""), `provider "atlasmig" {}`, "provider \"atlasmig\" {\n  max_retries = 1\n}", 1))
	sim.SetFault(simulator.RouteGetMigration, simulator.Fault{Count: 1000, Status: 429, RetryAfter: "0"})
	out := w.run(false, "apply", "-auto-approve", "-input=false")
	mustSay(t, out, "Error: Atlas Rate Limit Exceeded", "terraform untaint", "starts no other migration")
	id := mustBeTaintedWith(t, w, sim)
	sim.ClearFaults()
	mustRefuseReplacement(t, w, sim, id)
	w.run(true, "untaint", migAddress)
	plan := w.run(true, "plan", "-input=false")
	mustSay(t, plan, "Live Migration Still Starting", "1 to change")
	mustNotSay(t, plan, "1 to add", "must be replaced")
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.StartAfter, o.ReadyAfter = 5*time.Second, 20*time.Second })
	w.run(true, "apply", "-auto-approve", "-input=false")
	if attrs, _ := stateResource(t, w); attrs["status"] != "WORKING" || len(sim.Migrations()) != 1 {
		t.Fatalf("state %v, %d migrations", attrs, len(sim.Migrations()))
	}
}

// TestForgottenCompleteMigrationStaysAndOnlyReplaceStartsANewOne: Atlas
// answers 404 for a migration that was cut over.
func TestForgottenCompleteMigrationStaysAndOnlyReplaceStartsANewOne(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{})
	w.write("main.tf", safetyConfig("orders", ""))
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	first := sim.Migrations()[0]
	if first.Status != simulator.StatusComplete || !sim.ForgetMigration(first.ID) {
		t.Fatalf("migration %+v", first)
	}
	plan, code := w.runCode("plan", "-input=false", "-detailed-exitcode", "-var", "cutover=true")
	if code != 0 {
		t.Fatalf("plan exit %d (want 0, no changes):\n%s", code, plan)
	}
	mustSay(t, plan, "Warning: Atlas No Longer Lists Live Migration", first.ID, "stays in state as COMPLETE")
	w.run(true, "apply", "-refresh-only", "-auto-approve", "-input=false", "-var", "cutover=true")
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	if attrs, _ := stateResource(t, w); attrs["migration_id"] != first.ID || attrs["status"] != "COMPLETE" || len(sim.Migrations()) != 0 {
		t.Fatalf("state %v, migrations %+v", attrs, sim.Migrations())
	}
	// Only an explicit -replace starts a new one, and not with cutover =
	// true: Terraform would show no warning for that cutover.
	out := w.run(false, "plan", "-input=false", "-replace=atlasmig_live_migration.orders", "-var", "cutover=true")
	mustSay(t, out, "Error: Replacement Would Cut Over Unannounced", "replaces migration "+first.ID, "Set cutover = false for the replacement")
	w.run(true, "apply", "-auto-approve", "-input=false", "-replace=atlasmig_live_migration.orders")
	if ms := sim.Migrations(); len(ms) != 1 || ms[0].CutoverRequested {
		t.Fatalf("after -replace: %+v", ms)
	}
	_ = sim.ExpireMigration(sim.Migrations()[0].ID)
}

// TestDestinationChangeAfterCutoverIsAnnounced: a new destination after
// the cutover plans a new migration; with cutover still true the plan says
// it will be cut over; cutover = false alongside is allowed.
func TestDestinationChangeAfterCutoverIsAnnounced(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{})
	w.write("main.tf", safetyConfig("orders", ""))
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	first := sim.Migrations()[0].ID
	w.write("main.tf", safetyConfig("orders-2", ""))
	plan := w.run(true, "plan", "-input=false", "-var", "cutover=true")
	mustSay(t, plan, "Warning: New Migration Will Be Cut Over In This Apply", "replaces migration "+first, "copies the source over it", "must be replaced")
	plan = w.run(true, "plan", "-input=false")
	mustNotSay(t, plan, "Cutover Cannot Be Undone", "Will Be Cut Over")
	w.run(true, "apply", "-auto-approve", "-input=false")
	ms := sim.Migrations()
	if len(ms) != 2 || ms[1].CutoverRequested || sim.Calls(simulator.RouteCutover) != 1 {
		t.Fatalf("after the replacement: %+v", ms)
	}
	_ = sim.ExpireMigration(ms[1].ID)
}

// TestUndoingACutoverNeverBlocksADestroy: after a cutover made with -var
// cutover=true, a plan without it warns (no error) and a plain destroy
// works.
func TestUndoingACutoverNeverBlocksADestroy(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{})
	w.write("main.tf", safetyConfig("orders", ""))
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	plan := w.run(true, "plan", "-input=false")
	mustSay(t, plan, "Warning: Cutover Cannot Be Undone", "sends nothing to Atlas")
	sim.ResetJournal()
	w.run(true, "destroy", "-auto-approve", "-input=false")
	for _, r := range sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("the destroy sent %s %s", r.Method, r.Path)
		}
	}
}

// TestDiagnosesPointTheRightWay: a readiness timeout names the lag; Ctrl-C
// is an interruption; a 429 on the digest challenge is rate limiting.
func TestDiagnosesPointTheRightWay(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{ReadyAfter: 1000 * time.Hour, StartAfter: 5 * time.Second})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    update = \"1s\"\n  }"))
	w.run(true, "apply", "-auto-approve", "-input=false")
	out := w.run(false, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	mustSay(t, out, "Error: Live Migration Not Ready For Cutover Yet", ", lag ", "the cutover was not requested")
	mustNotSay(t, out, "rate limiting")

	// Ctrl-C while the validation of a new migration is pending (a fresh
	// state: the first migration ended).
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.ValidationTime = 1000 * time.Hour })
	_ = os.Remove(filepath.Join(w.dir, "terraform.tfstate"))
	w.write("main.tf", safetyConfig("orders-2", ""))
	if err := sim.ExpireMigration(sim.Migrations()[0].ID); err != nil {
		t.Fatal(err)
	}
	sim.ResetJournal()
	out, _ = w.runInterrupted(func() bool { return sim.Calls(simulator.RouteGetValidation) > 0 }, "apply", "-auto-approve", "-input=false")
	mustSay(t, out, "Operation Interrupted")
	mustNotSay(t, out, "Cannot Reach Atlas", "proxy")

	// A 429 on the digest challenge itself.
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.ValidationTime = time.Second })
	sim.SetRateLimit(&simulator.RateLimit{PerSecond: 0.001, Burst: 1})
	// Empty the bucket: the provider's first request, the digest
	// challenge, is the one refused.
	if resp, err := http.Get(sim.URL + "/api/atlas/v2/groups/" + migGroup); err == nil {
		resp.Body.Close()
	}
	w.write("main.tf", strings.Replace(safetyConfig("orders-2", ""), `provider "atlasmig" {}`, "provider \"atlasmig\" {\n  max_retries = 0\n}", 1))
	out = w.run(true, "plan", "-input=false")
	mustSay(t, out, "Atlas Rate Limit Exceeded", "429")
	mustNotSay(t, out, "Unexpected Answer", "base_url is")
	sim.SetRateLimit(nil)
}

// TestFirstApplyWithItsLinkPlansQuietlyAndTheCutoverPlanShowsOneChange: a
// configuration that creates the token, the link and the migration plans
// without "Cannot Work" (the link it creates will expose the project); one
// without a link still gets the warning; and the reviewed cutover plan
// shows cutover changing, not the migration hosts.
func TestFirstApplyWithItsLinkPlansQuietlyAndTheCutoverPlanShowsOneChange(t *testing.T) {
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:      []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
		Migrations:     simulator.MigrationOptions{FrozenClock: true, TickPerRead: 5 * time.Second},
		Seed: &simulator.Seed{
			AtlasProjects: []simulator.AtlasProject{{ID: migGroup, OrgID: atlasOrg, Clusters: []simulator.AtlasCluster{{Name: "orders", MongoDBVersion: "7.0.14"}}}},
			Inventory: map[string][]simulator.Project{sourceOrg: {{ProjectID: migSource, Name: "shop", MigrationHosts: []string{"mh-1"},
				Deployments: []simulator.Deployment{{Name: "orders-rs", MongoDBVersion: "7.0.13", TLSEnabled: true}}}}},
		},
	}, simulator.ServerOptions{})
	env := bothSidesEnv(sim.URL, map[string]string{"ATLASMIG_SIMULATOR_CLOCK_SPEED": "1000"})
	alone := newWorkspace(t, env)
	alone.write("main.tf", safetyConfig("orders", ""))
	mustSay(t, alone.run(true, "plan", "-input=false"), "Warning: Live Migration Cannot Work", "it sees none")

	w := newWorkspace(t, env)
	w.write("main.tf", safetyConfig("orders", "  depends_on = [atlasmig_migration_link.this]")+fmt.Sprintf(`
resource "atlasmig_link_token" "this" {
  org_id = %q
}

resource "atlasmig_migration_link" "this" {
  org_id     = %q
  link_token = atlasmig_link_token.this.link_token
}
`, atlasOrg, sourceOrg))
	plan := w.run(true, "plan", "-input=false")
	mustSay(t, plan, "Plan: 3 to add")
	mustNotSay(t, plan, "Cannot Work", "Ops Manager Source Not Supported")
	w.run(true, "apply", "-auto-approve", "-input=false")
	plan = w.run(true, "plan", "-input=false", "-var", "cutover=true")
	mustSay(t, plan, "~ cutover = false -> true", "1 to change")
	mustNotSay(t, plan, "migration_hosts", "migration_id", "validation_id", "Cannot Work")
	_ = sim.ExpireMigration(sim.Migrations()[0].ID)
}

// TestLiveMigrationExamplesWorkWhenPasted pastes the live-migration
// examples of the docs, as they are, into a configuration with the
// provider block, against a simulator where the example's link exists but
// the example's migration does not: the plan works, and the data source's
// check block reports the missing migration as a warning.
func TestLiveMigrationExamplesWorkWhenPasted(t *testing.T) {
	sim, env := linkedShop(t, shop{clusters: []string{"orders"}, hosts: []string{"mh-1.example.internal"}, deployments: []string{"orders-rs"}}, nil)
	w := newWorkspace(t, env)
	config := requiredProviders + "\nprovider \"atlasmig\" {}\n"
	for _, name := range []string{"resources/atlasmig_live_migration/resource.tf", "data-sources/atlasmig_live_migration/data-source.tf"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		config += "\n" + string(b)
	}
	w.write("main.tf", config)
	sim.ResetJournal()
	out := w.run(true, "plan", "-input=false")
	mustSay(t, out, "Plan: 1 to add", "Warning: Atlas Does Not List Live Migration", "Check block assertion failed", "not listed by Atlas")
	mustNotSay(t, out, "Error", "Cannot Work")
	for _, r := range sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("the plan sent %s %s", r.Method, r.Path)
		}
	}
}

// TestMigrationFailedAfterItsCutoverIsNeverReplacedOnItsOwn: the cutover
// was requested, then the migration FAILED; tainted by the apply that
// outlasted its timeout, it is not replaced; untainted, the plan warns and
// changes nothing, and only -replace would start a new one.
func TestMigrationFailedAfterItsCutoverIsNeverReplacedOnItsOwn(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{CutoverTime: 1000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    update = \"2s\"\n  }"))
	w.run(false, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	id := sim.Migrations()[0].ID
	if err := sim.FailMigration(id); err != nil {
		t.Fatal(err)
	}
	mustRefuseReplacement(t, w, sim, id, cutoverVar...)
	w.run(true, "untaint", migAddress)
	plan, code := w.runCode("plan", "-input=false", "-detailed-exitcode", "-var", "cutover=true")
	if code != 0 {
		t.Fatalf("plan exit %d (want 0: nothing planned):\n%s", code, plan)
	}
	mustSay(t, plan, "Warning: Live Migration Failed After Its Cutover", "Migration "+id, "apply -replace")
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=false")
	if ms := sim.Migrations(); len(ms) != 1 || sim.Calls(simulator.RouteCreateMigration) != 1 {
		t.Fatalf("migrations: %+v", ms)
	}
}

// TestCtrlCWhileWaitingForTheStartKeepsTheMigration interrupts the apply
// once the migration exists and is still NEW.
func TestCtrlCWhileWaitingForTheStartKeepsTheMigration(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{StartAfter: 1000 * time.Hour, ReadyAfter: 2000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", ""))
	out, code := w.runInterrupted(func() bool { return len(sim.Migrations()) == 1 }, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	mustNotSay(t, out, "Cannot Reach Atlas")
	attrs, tainted := stateResource(t, w)
	if code == 0 || !tainted || attrs["status"] != "NEW" || attrs["cutover"] != true {
		t.Fatalf("state after Ctrl-C (exit %d): tainted %t, %v", code, tainted, attrs)
	}
	mustRefuseReplacement(t, w, sim, attrs["migration_id"].(string), cutoverVar...)
	w.run(true, "untaint", migAddress)
	plan := w.run(true, "plan", "-input=false", "-var", "cutover=true")
	mustSay(t, plan, "Warning: Migration Will Be Cut Over In This Apply", "stopped before the cutover", "1 to change")
	mustNotSay(t, plan, "1 to add", "must be replaced")
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.StartAfter, o.ReadyAfter = 5*time.Second, 20*time.Second })
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	if ms := sim.Migrations(); len(ms) != 1 || ms[0].Status != simulator.StatusComplete || sim.Calls(simulator.RouteCutover) != 1 {
		t.Fatalf("after the continued apply: %+v", ms)
	}
}

// readAfterCutover reports whether the journal holds a read of a migration
// after an accepted cutover request: the provider had the request's answer
// by then. The simulator records the cutover before its answer reaches the
// provider, so the record alone does not tell.
func readAfterCutover(sim *simulator.Server) bool {
	cutover := false
	for _, r := range sim.Requests() {
		switch {
		case !r.Authenticated:
		case r.Route == simulator.RouteCutover && r.Status < 300:
			cutover = true
		case cutover && r.Route == simulator.RouteGetMigration:
			return true
		}
	}
	return false
}
