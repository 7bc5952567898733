package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// These tests follow a cutover while Atlas completes it — WORKING, no
// longer ready for cutover, no replication lag — whoever requested it: the
// Atlas UI (or the atlasmig_cutover action, which Atlas cannot tell apart),
// or this configuration in an apply that stopped before COMPLETE.

// nonGET lists the requests of the journal that may change something.
func nonGET(sim *simulator.Server) []string {
	var out []string
	for _, r := range sim.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// cutOverOutside applies the migration with cutover = false, lets it become
// ready (the state records readyForCutover and its lag), and cuts it over
// as the Atlas UI does; Atlas then takes CutoverTime to complete it.
func cutOverOutside(t *testing.T, sim *simulator.Server, w *workspace) string {
	t.Helper()
	w.run(true, "apply", "-auto-approve", "-input=false")
	sim.AdvanceClock(time.Hour)
	w.run(true, "apply", "-refresh-only", "-auto-approve", "-input=false")
	if attrs, _ := stateResource(t, w); attrs["ready_for_cutover"] != true {
		t.Fatalf("state before the outside cutover: %v", attrs)
	}
	id := sim.Migrations()[0].ID
	if err := sim.CutoverMigration(id); err != nil {
		t.Fatal(err)
	}
	if m, _ := sim.Migration(id); m.Status != simulator.StatusWorking || m.ReadyForCutover || m.LagTimeSeconds != nil {
		t.Fatalf("a cutover under way reads %+v", m)
	}
	return id
}

// TestCutoverUnderWayOutsideTerraform: the plan says the cutover is under
// way; a destroy writes nothing and says to wait for COMPLETE; cutover =
// true waits for COMPLETE — past its timeout, an error that says so —
// and never sends a cutover.
func TestCutoverUnderWayOutsideTerraform(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{CutoverTime: 1000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    update = \"2s\"\n  }"))
	id := cutOverOutside(t, sim, w)

	plan, code := w.runCode("plan", "-input=false", "-detailed-exitcode")
	if code != 0 {
		t.Fatalf("plan exit %d (want 0: nothing to change):\n%s", code, plan)
	}
	mustSay(t, plan, "Warning: Live Migration Cutover Under Way", "Migration "+id, "is stopping replication", "cannot be destroyed until")

	sim.ResetJournal()
	out, code := w.runCode("destroy", "-auto-approve", "-input=false")
	if code == 0 {
		t.Fatalf("the destroy of a migration whose cutover is under way succeeded:\n%s", out)
	}
	mustSay(t, out, "Error: Live Migration Cutover Under Way", "Migration "+id, "wait until Atlas reports COMPLETE", "destroy again")
	mustNotSay(t, out, "Cut it over (cutover = true)", "keeps syncing")
	if got := nonGET(sim); len(got) != 0 {
		t.Fatalf("the destroy wrote %q", got)
	}

	plan = w.run(true, "plan", "-input=false", "-var", "cutover=true")
	mustSay(t, plan, "Warning: Live Migration Cutover Still Completing", "cutover of migration "+id, "outside this configuration", "waits for COMPLETE")
	sim.ResetJournal()
	out, code = w.runCode("apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	if code == 0 {
		t.Fatalf("the apply ended before COMPLETE and exited 0:\n%s", out)
	}
	mustSay(t, out, "Live Migration Still In Progress", "to complete after its cutover", "timeouts.update")
	mustNotSay(t, out, "Not Ready For Cutover Yet")
	if got := nonGET(sim); len(got) != 0 {
		t.Fatalf("waiting for COMPLETE wrote %q", got)
	}

	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.CutoverTime = 5 * time.Second })
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	if got := nonGET(sim); len(got) != 0 {
		t.Fatalf("recording the outside cutover wrote %q", got)
	}
	if attrs, _ := stateResource(t, w); attrs["status"] != "COMPLETE" || attrs["cutover"] != true {
		t.Fatalf("state: %v", attrs)
	}
	w.run(true, "destroy", "-auto-approve", "-input=false", "-var", "cutover=true")
}

// TestDestroyWhileItsOwnCutoverCompletesWritesNothing: the apply that
// requested the cutover ended before COMPLETE; a destroy says so.
func TestDestroyWhileItsOwnCutoverCompletesWritesNothing(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{CutoverTime: 1000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    update = \"2s\"\n  }"))
	// Whether this apply exits 0 belongs to another rule; what counts here
	// is that the cutover was requested and is not COMPLETE.
	w.runCode("apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	ms := sim.Migrations()
	if len(ms) != 1 || !ms[0].CutoverRequested || ms[0].Status != simulator.StatusWorking {
		t.Fatalf("migrations: %+v", ms)
	}
	sim.ResetJournal()
	out, code := w.runCode("destroy", "-auto-approve", "-input=false", "-var", "cutover=true")
	if code == 0 {
		t.Fatalf("the destroy succeeded:\n%s", out)
	}
	mustSay(t, out, "Error: Live Migration Cutover Under Way", "Migration "+ms[0].ID, "its cutover was requested", "wait until Atlas reports COMPLETE")
	mustNotSay(t, out, "Cut it over (cutover = true)", "keeps syncing")
	if got := nonGET(sim); len(got) != 0 {
		t.Fatalf("the destroy wrote %q", got)
	}
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.CutoverTime = 5 * time.Second })
	sim.AdvanceClock(time.Minute)
	w.run(true, "destroy", "-auto-approve", "-input=false", "-var", "cutover=true")
}

// TestCutoverOutsideTerraformIsRecordedQuietly: once COMPLETE, a cutover
// made elsewhere — the Atlas UI, or the atlasmig_cutover action, whose
// documented workflow keeps cutover = false — plans nothing and warns of
// nothing; writing cutover = true afterwards sends nothing.
func TestCutoverOutsideTerraformIsRecordedQuietly(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{})
	w.write("main.tf", safetyConfig("orders", ""))
	w.run(true, "apply", "-auto-approve", "-input=false")
	id := sim.Migrations()[0].ID
	sim.AdvanceClock(time.Hour)
	if err := sim.CutoverMigration(id); err != nil {
		t.Fatal(err)
	}
	sim.AdvanceClock(time.Hour)
	plan, code := w.runCode("plan", "-input=false", "-detailed-exitcode")
	if code != 0 {
		t.Fatalf("plan exit %d (want 0):\n%s", code, plan)
	}
	mustNotSay(t, plan, "Warning: Live", "Warning: Cutover", "outside this configuration")
	sim.ResetJournal()
	w.run(true, "apply", "-auto-approve", "-input=false")
	if attrs, _ := stateResource(t, w); attrs["status"] != "COMPLETE" || attrs["cutover"] != false {
		t.Fatalf("state: %v", attrs)
	}
	w.run(true, "apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	if got := nonGET(sim); len(got) != 0 || len(sim.Migrations()) != 1 {
		t.Fatalf("recording the cutover wrote %q", got)
	}
}

// TestForgottenFailedMigrationIsNeverReportedComplete: the cutover was
// requested, the migration FAILED, and Atlas then stops listing it.
func TestForgottenFailedMigrationIsNeverReportedComplete(t *testing.T) {
	sim, w := migrationSafetyWorld(t, simulator.MigrationOptions{CutoverTime: 1000 * time.Hour})
	w.write("main.tf", safetyConfig("orders", "  timeouts {\n    update = \"2s\"\n  }"))
	w.runCode("apply", "-auto-approve", "-input=false", "-var", "cutover=true")
	id := sim.Migrations()[0].ID
	if err := sim.FailMigration(id); err != nil {
		t.Fatal(err)
	}
	w.run(true, "apply", "-refresh-only", "-auto-approve", "-input=false", "-var", "cutover=true")
	if attrs, _ := stateResource(t, w); attrs["status"] != "FAILED" {
		t.Fatalf("state: %v", attrs)
	}
	if !sim.ForgetMigration(id) {
		t.Fatal("nothing to forget")
	}
	// The apply that requested the cutover stopped short of COMPLETE, so
	// the migration is tainted: its replacement is refused, even though
	// Atlas no longer lists it, because its cutover was requested.
	plan, code := w.runCode("plan", "-input=false", "-detailed-exitcode", "-var", "cutover=true")
	if code != 1 {
		t.Fatalf("plan of the tainted migration exit %d (want 1: the replacement refused):\n%s", code, plan)
	}
	mustSay(t, plan, "Healthy Live Migration Would Be Replaced", id, "FAILED after its cutover was requested", "terraform untaint")
	w.run(true, "untaint", "atlasmig_live_migration.orders")
	plan, code = w.runCode("plan", "-input=false", "-detailed-exitcode", "-var", "cutover=true")
	if code != 0 {
		t.Fatalf("plan exit %d (want 0: nothing planned):\n%s", code, plan)
	}
	mustSay(t, plan, "Warning: Atlas No Longer Lists Live Migration", id, "FAILED", "apply -replace")
	mustNotSay(t, plan, "COMPLETE")
	w.run(true, "apply", "-refresh-only", "-auto-approve", "-input=false", "-var", "cutover=true")
	if attrs, _ := stateResource(t, w); attrs["status"] != "FAILED" {
		t.Fatalf("state after Atlas forgot the failed migration: %v", attrs)
	}
	if sim.Calls(simulator.RouteCreateMigration) != 1 {
		t.Fatal("a second migration was created")
	}
	w.run(true, "destroy", "-auto-approve", "-input=false", "-var", "cutover=true")
}
