package migration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// actionRun runs the action's sequence against the simulator and returns
// its diagnostics and progress messages.
func actionRun(ctx context.Context, atlas *client.Atlas, id string) (diag.Diagnostics, []string) {
	var diags diag.Diagnostics
	var progress []string
	run := actionCutover(atlas, shared.Polling{Scale: 0.0001}, tGroup, id, &diags)
	run.progress = func(m string) { progress = append(progress, m) }
	run.run(ctx, nil)
	return diags, progress
}

func contains(msgs []string, part string) bool {
	for _, m := range msgs {
		if strings.Contains(m, part) {
			return true
		}
	}
	return false
}

func TestCutoverActionWaitsCutsOverOnceAndReportsProgress(t *testing.T) {
	// Ten simulated minutes per read: ready after an hour, complete ten
	// minutes after the cutover.
	sim, atlas := migrationSim(t, 10*time.Minute)
	id := startMigration(t, sim, atlas).MigrationID.ValueString()
	diags, progress := actionRun(context.Background(), atlas, id)
	if diags.HasError() {
		t.Fatalf("%v", diags)
	}
	if puts := sim.Calls(simulator.RouteCutover); puts != 1 {
		t.Fatalf("%d cutover requests, want 1", puts)
	}
	for _, want := range []string{"status WORKING, readyForCutover false, lag", "readyForCutover true", "requesting the cutover (once)",
		"Cutover requested", "status COMPLETE", "is COMPLETE: cut over."} {
		if !contains(progress, want) {
			t.Errorf("no progress message with %q in:\n%s", want, strings.Join(progress, "\n"))
		}
	}
	// One message per read: the progress follows every poll.
	if reads := sim.Calls(simulator.RouteGetMigration); len(progress) < reads {
		t.Errorf("%d progress messages for %d reads", len(progress), reads)
	}
	if m, _ := sim.Migration(id); m.Status != "COMPLETE" {
		t.Fatalf("status %s", m.Status)
	}

	// Invoked again: a COMPLETE migration succeeds at once, sending nothing.
	sim.ResetJournal()
	diags, progress = actionRun(context.Background(), atlas, id)
	if diags.HasError() || !contains(progress, "already COMPLETE") {
		t.Fatalf("diags %v, progress %q", diags, progress)
	}
	if puts, reads := sim.Calls(simulator.RouteCutover), sim.Calls(simulator.RouteGetMigration); puts != 0 || reads != 1 {
		t.Fatalf("%d cutover requests and %d reads, want 0 and 1", puts, reads)
	}
}

func TestCutoverActionOnlyAwaitsACutoverUnderWay(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	id := startMigration(t, sim, atlas).MigrationID.ValueString()
	sim.AdvanceClock(time.Hour)
	if err := atlas.Cutover(context.Background(), tGroup, id); err != nil {
		t.Fatal(err)
	}
	sim.ResetJournal()
	sim.SetTickPerRead(5 * time.Minute)
	diags, progress := actionRun(context.Background(), atlas, id)
	if diags.HasError() {
		t.Fatalf("%v", diags)
	}
	if puts := sim.Calls(simulator.RouteCutover); puts != 0 {
		t.Fatalf("%d cutover requests for a migration already cut over, want 0", puts)
	}
	if !contains(progress, "its cutover is already under way") || !contains(progress, "COMPLETE without a cutover from this run") {
		t.Fatalf("progress:\n%s", strings.Join(progress, "\n"))
	}
}

func TestCutoverActionRefusesEndedAndUnknownMigrations(t *testing.T) {
	for _, c := range []struct {
		name, summary, detail string
		end                   func(*simulator.Server, string) error
	}{
		{"failed", "Live Migration Failed", "is FAILED: Atlas stopped it because of an error", (*simulator.Server).FailMigration},
		{"expired", "Live Migration Expired", "is EXPIRED: it was not cut over within the 120-hour cutover window", (*simulator.Server).ExpireMigration},
		{"unknown", "Atlas Migration Not Found", "Atlas answered that the migration does not exist", func(s *simulator.Server, id string) error {
			s.ForgetMigration(id)
			return nil
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sim, atlas := migrationSim(t, 0)
			id := startMigration(t, sim, atlas).MigrationID.ValueString()
			if err := c.end(sim, id); err != nil {
				t.Fatal(err)
			}
			diags, _ := actionRun(context.Background(), atlas, id)
			if !diags.HasError() || diags[0].Summary() != c.summary || !strings.Contains(diags[0].Detail(), c.detail) {
				t.Fatalf("diags %v", diags)
			}
			if puts := sim.Calls(simulator.RouteCutover); puts != 0 {
				t.Fatalf("%d cutover requests", puts)
			}
		})
	}
}

func TestCutoverActionReadsBackALostAnswer(t *testing.T) {
	for _, c := range []struct {
		name  string
		fault simulator.Fault
		puts  int
		says  string
	}{
		// Atlas cut over, the answer was lost: the read shows it, nothing is sent again.
		{"processed", simulator.Fault{Count: 1, ResetAfterProcessing: true}, 1, "Atlas reports the cutover under way"},
		// The request never reached processing: still ready, so it is sent once more.
		{"not processed", simulator.Fault{Count: 1, ResetBeforeProcessing: true}, 2, "still reports the migration ready"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sim, atlas := migrationSim(t, 0)
			id := startMigration(t, sim, atlas).MigrationID.ValueString()
			sim.AdvanceClock(time.Hour)
			sim.SetFault(simulator.RouteCutover, c.fault)
			sim.SetTickPerRead(10 * time.Minute)
			diags, progress := actionRun(context.Background(), atlas, id)
			if diags.HasError() {
				t.Fatalf("%v", diags)
			}
			if puts := sim.Calls(simulator.RouteCutover); puts != c.puts {
				t.Fatalf("%d cutover requests, want %d", puts, c.puts)
			}
			if m, _ := sim.Migration(id); m.Status != "COMPLETE" || !contains(progress, c.says) {
				t.Fatalf("status %s, progress:\n%s", m.Status, strings.Join(progress, "\n"))
			}
		})
	}
}

func TestCutoverActionTimeoutSendsNothing(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	id := startMigration(t, sim, atlas).MigrationID.ValueString()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	diags, _ := actionRun(ctx, atlas, id)
	if !diags.HasError() || sim.Calls(simulator.RouteCutover) != 0 {
		t.Fatalf("diags %v, %d cutover requests", diags, sim.Calls(simulator.RouteCutover))
	}
	if d := diags[0].Detail(); !strings.Contains(d, "the cutover was not requested") || !strings.Contains(d, "Invoke the action again") {
		t.Fatalf("detail: %s", d)
	}
}

func TestCutoverActionTimeoutMustBeAPositiveDuration(t *testing.T) {
	if d, err := parseActionTimeout("90m"); err != nil || d != 90*time.Minute {
		t.Fatalf("90m: %v %v", d, err)
	}
	for _, bad := range []string{"", "0s", "-1h", "1 day", "24"} {
		if _, err := parseActionTimeout(bad); err == nil || !strings.Contains(err.Error(), "positive duration") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{24 * time.Hour: "24h", 90 * time.Minute: "1h30m", 30 * time.Second: "30s", 2*time.Minute + time.Second: "2m1s"} {
		if got := shortDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// TestCutoverActionTimeoutNamesTheLagOnce: the error of a readiness wait
// that ran out says what Atlas reported last, its lag once.
func TestCutoverActionTimeoutNamesTheLagOnce(t *testing.T) {
	sim, atlas := migrationSim(t, time.Minute)
	id := startMigration(t, sim, atlas).MigrationID.ValueString()
	sim.AdvanceClock(30 * time.Minute)
	if m, _ := sim.Migration(id); m.Status != simulator.StatusWorking || m.ReadyForCutover {
		t.Fatalf("migration %+v", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var diags diag.Diagnostics
	run := actionCutover(atlas, shared.Polling{Scale: 1}, tGroup, id, &diags)
	run.run(ctx, nil)
	if !diags.HasError() {
		t.Fatal("no error")
	}
	d := diags[0].Detail()
	if diags[0].Summary() != "Live Migration Not Ready For Cutover Yet" || strings.Count(d, "lag") != 1 || !strings.Contains(d, ", lag ") {
		t.Fatalf("%s: %s", diags[0].Summary(), d)
	}
}

// TestCutoverTimeoutWhileCutoverUnderWay: a readiness wait that ran out on
// a migration reporting neither readiness nor lag says that its cutover may
// be under way, requested elsewhere, and what to do then.
func TestCutoverTimeoutWhileCutoverUnderWay(t *testing.T) {
	sim, atlas := migrationSim(t, time.Minute)
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.CutoverTime = time.Hour })
	id := startMigration(t, sim, atlas).MigrationID.ValueString()
	sim.AdvanceClock(time.Hour)
	if err := sim.CutoverMigration(id); err != nil {
		t.Fatal(err)
	}
	if m, _ := sim.Migration(id); m.Status != simulator.StatusWorking || m.ReadyForCutover || m.LagTimeSeconds != nil {
		t.Fatalf("migration %+v, want WORKING, not ready, no lag", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var diags diag.Diagnostics
	actionCutover(atlas, shared.Polling{Scale: 1}, tGroup, id, &diags).run(ctx, nil)
	if !diags.HasError() || diags[0].Summary() != "Live Migration Not Ready For Cutover Yet" {
		t.Fatalf("diagnostics %v", diags)
	}
	for _, want := range []string{"no replication lag yet", "requested elsewhere and is under way", "wait until Atlas reports COMPLETE", "the cutover was not requested"} {
		if !strings.Contains(diags[0].Detail(), want) {
			t.Errorf("the error does not say %q:\n%s", want, diags[0].Detail())
		}
	}
	if n := sim.Calls(simulator.RouteCutover); n != 0 {
		t.Errorf("%d cutover requests, want 0", n)
	}
}

// actionConfig is the action's configuration with these ids.
func actionConfig(t *testing.T, projectID, migrationID string) tfsdk.Config {
	t.Helper()
	var sr action.SchemaResponse
	(&cutoverAction{}).Schema(context.Background(), action.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(context.Background())
	return tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(typ, map[string]tftypes.Value{
		"project_id":   tftypes.NewValue(tftypes.String, projectID),
		"migration_id": tftypes.NewValue(tftypes.String, migrationID),
		"timeout":      tftypes.NewValue(tftypes.String, nil),
	})}
}

// TestCutoverActionNeverSendsAMalformedID: Terraform validates the action's
// configuration before values from variables are known; the plan and the
// invocation refuse a malformed id before any request.
func TestCutoverActionNeverSendsAMalformedID(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	a := &cutoverAction{data: &shared.ProviderData{Atlas: atlas}}
	ctx := context.Background()
	var plan action.ModifyPlanResponse
	a.ModifyPlan(ctx, action.ModifyPlanRequest{Config: actionConfig(t, tGroup, "XYZ")}, &plan)
	var invoke action.InvokeResponse
	a.Invoke(ctx, action.InvokeRequest{Config: actionConfig(t, "XYZ", "0123456789abcdef01234567")}, &invoke)
	for _, c := range []struct {
		diags diag.Diagnostics
		attr  string
	}{{plan.Diagnostics, "migration_id"}, {invoke.Diagnostics, "project_id"}} {
		if c.diags.ErrorsCount() != 1 || !strings.Contains(c.diags[0].Detail(), "Attribute "+c.attr+" must be") {
			t.Errorf("diagnostics: %v", c.diags)
		}
	}
	if n := sim.Total(); n != 0 {
		t.Fatalf("%d requests reached Atlas", n)
	}
}
