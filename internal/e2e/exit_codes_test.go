package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// These tests prove the exit code's promise: an apply that did not reach
// what the configuration asks exits non-zero and says what was done and
// what was not, and the migration it started is never replaced by a second
// one. Terraform taints the object of a create that failed; the next plan
// refuses its replacement while Atlas reports it healthy, and after
// terraform untaint the next apply continues the one migration.

const migAddress = "atlasmig_live_migration.orders"

// cutoverVar is the -var that sets cutover = true in safetyConfig.
var cutoverVar = []string{"-var", "cutover=true"}

func withCutover(args ...string) []string { return append(args, cutoverVar...) }

// mustBeTaintedWith checks that the state holds the one migration Atlas
// created, tainted, with its id.
func mustBeTaintedWith(t *testing.T, w *workspace, sim *simulator.Server) string {
	t.Helper()
	ms := sim.Migrations()
	if len(ms) != 1 {
		t.Fatalf("%d migrations in Atlas, want 1: %+v", len(ms), ms)
	}
	attrs, tainted := stateResource(t, w)
	if !tainted || attrs["migration_id"] != ms[0].ID {
		t.Fatalf("state after the failed apply: tainted %t, %v (Atlas holds %s)", tainted, attrs, ms[0].ID)
	}
	return ms[0].ID
}

// mustRefuseReplacement runs the plan after a failed create: it must fail,
// name the migration and the untaint command, and start nothing.
func mustRefuseReplacement(t *testing.T, w *workspace, sim *simulator.Server, id string, args ...string) {
	t.Helper()
	before := sim.Calls(simulator.RouteCreateMigration)
	out := w.run(false, append([]string{"plan", "-input=false"}, args...)...)
	mustSay(t, out, "Error: Healthy Live Migration Would Be Replaced", "migration "+id, "terraform untaint atlasmig_live_migration.<name>",
		"with atlasmig_live_migration.orders")
	mustNotSay(t, out, "Plan:")
	if sim.Calls(simulator.RouteCreateMigration) != before || sim.Calls(simulator.RouteValidateMigration) != 1 {
		t.Fatalf("the plan validated or created: %d validations, %d creations", sim.Calls(simulator.RouteValidateMigration), sim.Calls(simulator.RouteCreateMigration))
	}
}

// TestCutoverRefusedWithA500FailsTheApply: the cutover request of a
// migration created with cutover = true is answered 500. The apply exits
// non-zero; the plan after it refuses to replace the migration; after
// terraform untaint, the apply cuts the one migration over.
func TestCutoverRefusedWithA500FailsTheApply(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{})
	w.write("main.tf", safetyConfig("orders", ""))
	sim.SetFault(simulator.RouteCutover, simulator.Fault{Count: 1, Status: 500})
	out := w.run(false, withCutover("apply", "-auto-approve", "-input=false")...)
	mustSay(t, out, "Error: Atlas API Error", "Could not cut over migration", "500", "Its cutover was not requested.", "terraform untaint")
	mustNotSay(t, out, "Apply complete!", "Warning: Atlas API Error")
	id := mustBeTaintedWith(t, w, sim)
	if m, _ := sim.Migration(id); m.Status != simulator.StatusWorking || m.CutoverRequested {
		t.Fatalf("Atlas after the failed cutover: %+v", m)
	}

	mustRefuseReplacement(t, w, sim, id, cutoverVar...)
	w.run(true, "untaint", migAddress)
	plan := w.run(true, withCutover("plan", "-input=false")...)
	mustSay(t, plan, "Migration Will Be Cut Over In This Apply", "1 to change, 0 to destroy")
	w.run(true, withCutover("apply", "-auto-approve", "-input=false")...)
	ms := sim.Migrations()
	if len(ms) != 1 || ms[0].Status != simulator.StatusComplete || sim.Calls(simulator.RouteCreateMigration) != 1 {
		t.Fatalf("after the continued apply: %d creations, %+v", sim.Calls(simulator.RouteCreateMigration), ms)
	}
	// The refused request and the accepted one.
	if n := sim.Calls(simulator.RouteCutover); n != 2 {
		t.Fatalf("%d cutover requests, want the refused one and one more", n)
	}
	if out, code := w.runCode(withCutover("plan", "-input=false", "-detailed-exitcode")...); code != 0 {
		t.Fatalf("plan after the continued apply: exit %d\n%s", code, out)
	}
}

// TestFailedWaitForTheStartFailsTheApply: Atlas answers 500 to every read
// while the new migration is still NEW.
func TestFailedWaitForTheStartFailsTheApply(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{StartAfter: 1000 * time.Hour, ReadyAfter: 2000 * time.Hour})
	w.write("main.tf", strings.Replace(safetyConfig("orders", ""), `provider "atlasmig" {}`, "provider \"atlasmig\" {\n  max_retries = 1\n}", 1))
	sim.SetFault(simulator.RouteGetMigration, simulator.Fault{Count: 1000, Status: 500})
	out := w.run(false, "apply", "-auto-approve", "-input=false")
	mustSay(t, out, "Error: Atlas API Error", "500", "It has not started yet", "terraform untaint")
	mustNotSay(t, out, "Apply complete!")
	id := mustBeTaintedWith(t, w, sim)
	sim.ClearFaults()

	mustRefuseReplacement(t, w, sim, id)
	w.run(true, "untaint", migAddress)
	plan := w.run(true, "plan", "-input=false")
	mustSay(t, plan, "Live Migration Still Starting", "1 to change, 0 to destroy")
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.StartAfter, o.ReadyAfter = 5*time.Second, 20*time.Second })
	w.run(true, "apply", "-auto-approve", "-input=false")
	if attrs, tainted := stateResource(t, w); tainted || attrs["status"] != "WORKING" || sim.Calls(simulator.RouteCreateMigration) != 1 {
		t.Fatalf("after the continued apply: tainted %t, %v, %d creations", tainted, attrs, sim.Calls(simulator.RouteCreateMigration))
	}
}

// TestCreateTimeoutBeforeTheStartFailsTheApply: timeouts.create runs out
// while a migration with cutover = true is still NEW; the cutover was
// never sent, so the apply cannot say it is done.
func TestCreateTimeoutBeforeTheStartFailsTheApply(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{StartAfter: 1000 * time.Hour, ReadyAfter: 2000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    create = \"2s\"\n  }"))
	out := w.run(false, withCutover("apply", "-auto-approve", "-input=false")...)
	mustSay(t, out, "Error: Live Migration Still In Progress", "timeouts.create ran out", "Its cutover (cutover = true) was not requested.", "terraform untaint")
	mustNotSay(t, out, "Apply complete!")
	id := mustBeTaintedWith(t, w, sim)
	if sim.Calls(simulator.RouteCutover) != 0 {
		t.Fatal("a cutover was sent")
	}

	mustRefuseReplacement(t, w, sim, id, cutoverVar...)
	w.run(true, "untaint", migAddress)
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.StartAfter, o.ReadyAfter = 5*time.Second, 20*time.Second })
	w.run(true, withCutover("apply", "-auto-approve", "-input=false")...)
	ms := sim.Migrations()
	if len(ms) != 1 || ms[0].Status != simulator.StatusComplete || sim.Calls(simulator.RouteCutover) != 1 || sim.Calls(simulator.RouteCreateMigration) != 1 {
		t.Fatalf("after the continued apply: %d cutovers, %d creations, %+v", sim.Calls(simulator.RouteCutover), sim.Calls(simulator.RouteCreateMigration), ms)
	}
}

// TestReadinessTimeoutOnCreateFailsTheApply: the migration starts, but
// timeouts.update runs out before Atlas reports it ready for cutover.
func TestReadinessTimeoutOnCreateFailsTheApply(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{StartAfter: 5 * time.Second, ReadyAfter: 1000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    update = \"1s\"\n  }"))
	out := w.run(false, withCutover("apply", "-auto-approve", "-input=false")...)
	mustSay(t, out, "Error: Live Migration Not Ready For Cutover Yet", "the cutover was not requested", "terraform untaint")
	mustNotSay(t, out, "Apply complete!")
	id := mustBeTaintedWith(t, w, sim)

	mustRefuseReplacement(t, w, sim, id, cutoverVar...)
	w.run(true, "untaint", migAddress)
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.ReadyAfter = 20 * time.Second })
	w.write("main.tf", safetyConfig("orders", ""))
	w.run(true, withCutover("apply", "-auto-approve", "-input=false")...)
	ms := sim.Migrations()
	if len(ms) != 1 || ms[0].Status != simulator.StatusComplete || sim.Calls(simulator.RouteCutover) != 1 || sim.Calls(simulator.RouteCreateMigration) != 1 {
		t.Fatalf("after the continued apply: %d cutovers, %d creations, %+v", sim.Calls(simulator.RouteCutover), sim.Calls(simulator.RouteCreateMigration), ms)
	}
}

// TestFailedMigrationOfAFailedCreateIsReplaced: the migration of a failed
// create FAILED afterwards; its replacement is planned as before.
func TestFailedMigrationOfAFailedCreateIsReplaced(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{StartAfter: 1000 * time.Hour, ReadyAfter: 2000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    create = \"2s\"\n  }"))
	w.run(false, "apply", "-auto-approve", "-input=false")
	id := mustBeTaintedWith(t, w, sim)
	if err := sim.FailMigration(id); err != nil {
		t.Fatal(err)
	}
	plan := w.run(true, "plan", "-input=false")
	mustSay(t, plan, "is tainted, so", "must be replaced", "1 to add, 0 to change, 1 to destroy")
	mustNotSay(t, plan, "Error")
}

// TestPlanWithoutRefreshCannotSeeATaintedMigration documents the limit of
// -refresh=false: the plan cannot tell the tainted object's migration is
// healthy, and plans its replacement; the apply's destroy step refuses the
// active migration before anything is created.
func TestPlanWithoutRefreshCannotSeeATaintedMigration(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{StartAfter: 1000 * time.Hour, ReadyAfter: 2000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    create = \"2s\"\n  }"))
	w.run(false, "apply", "-auto-approve", "-input=false")
	mustBeTaintedWith(t, w, sim)
	out := w.run(false, "apply", "-auto-approve", "-input=false", "-refresh=false")
	mustSay(t, out, "Active Live Migration Cannot Be Destroyed")
	if n := sim.Calls(simulator.RouteCreateMigration); n != 1 || len(sim.Migrations()) != 1 {
		t.Fatalf("%d creations, %d migrations", n, len(sim.Migrations()))
	}
}

// TestNewMigrationIntoTheCutOverClusterIsRefused: once a migration was cut
// over, a change that replaces it with a migration into the same cluster is
// refused at plan, whatever cutover says; a destroy is never blocked by it;
// a new destination is allowed; -replace with the configuration the
// migration was started with starts a new one on purpose.
func TestNewMigrationIntoTheCutOverClusterIsRefused(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{})
	w.write("main.tf", safetyConfig("orders", ""))
	w.run(true, withCutover("apply", "-auto-approve", "-input=false")...)
	first := sim.Migrations()[0].ID
	w.write("main.tf", safetyConfig("orders", "  drop_destination_data = true"))
	for _, args := range [][]string{{"plan", "-input=false"}, withCutover("plan", "-input=false"), {"apply", "-auto-approve", "-input=false"}} {
		out := w.run(false, args...)
		mustSay(t, out, "Error: New Migration Into A Cut-Over Cluster Refused", "replaces migration "+first, "cluster orders of project "+migGroup,
			"terraform apply -replace=atlasmig_live_migration.<name>", "with atlasmig_live_migration.orders")
	}
	if n := sim.Calls(simulator.RouteCreateMigration); n != 1 {
		t.Fatalf("%d creations", n)
	}
	// Another destination is another cluster: allowed.
	w.write("main.tf", safetyConfig("orders-2", "  drop_destination_data = true"))
	mustSay(t, w.run(true, "plan", "-input=false"), "must be replaced", "1 to add, 0 to change, 1 to destroy")

	// -replace, with the configuration the migration was started with.
	w.write("main.tf", safetyConfig("orders", ""))
	plan := w.run(true, "plan", "-input=false", "-replace="+migAddress)
	mustSay(t, plan, "will be replaced, as requested", "1 to add, 0 to change, 1 to destroy")
	w.run(true, "apply", "-auto-approve", "-input=false", "-replace="+migAddress)
	ms := sim.Migrations()
	if len(ms) != 2 || ms[1].Status == simulator.StatusComplete || ms[1].CutoverRequested || sim.Calls(simulator.RouteCreateMigration) != 2 {
		t.Fatalf("after -replace: %+v", ms)
	}
	if attrs, tainted := stateResource(t, w); tainted || attrs["migration_id"] != ms[1].ID {
		t.Fatalf("state after -replace: tainted %t, %v", tainted, attrs)
	}
	_ = sim.ExpireMigration(ms[1].ID)
}

// TestRefusedReplacementNeverBlocksADestroy: the configuration asks for a
// refused replacement; terraform destroy still removes the cut-over
// migration from the state, sending nothing.
func TestRefusedReplacementNeverBlocksADestroy(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{})
	w.write("main.tf", safetyConfig("orders", ""))
	w.run(true, withCutover("apply", "-auto-approve", "-input=false")...)
	w.write("main.tf", safetyConfig("orders", "  drop_destination_data = true"))
	w.run(false, "plan", "-input=false")
	sim.ResetJournal()
	out := w.run(true, "destroy", "-auto-approve", "-input=false")
	mustSay(t, out, "Destroy complete! Resources: 1 destroyed.")
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("the destroy wrote %q", got)
	}
}

// TestTaintedCutOverMigrationIsNeverReplacedAndDestroys: the cutover was
// accepted but COMPLETE came after timeouts.update; the migration, tainted,
// is not replaced once COMPLETE, and a destroy removes it from the state.
func TestTaintedCutOverMigrationIsNeverReplacedAndDestroys(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{CutoverTime: 1000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    update = \"2s\"\n  }"))
	out := w.run(false, withCutover("apply", "-auto-approve", "-input=false")...)
	mustSay(t, out, "Error: Live Migration Still In Progress", "Its cutover was requested and Atlas accepted it", "terraform untaint")
	id := mustBeTaintedWith(t, w, sim)
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.CutoverTime = 5 * time.Second })
	sim.AdvanceClock(time.Hour)
	mustRefuseReplacement(t, w, sim, id, cutoverVar...)
	mustRefuseReplacement(t, w, sim, id)
	sim.ResetJournal()
	w.run(true, "destroy", "-auto-approve", "-input=false")
	if got := writes(sim); len(got) != 0 {
		t.Fatalf("the destroy wrote %q", got)
	}
}
