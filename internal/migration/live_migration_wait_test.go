package migration

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const (
	tAtlasOrg  = "5f1b2c3d4e5f6a7b8c9d0e1f"
	tSourceOrg = "60a1b2c3d4e5f6a7b8c9d0e1"
	tGroup     = "65a1b2c3d4e5f6a7b8c9d0e1"
	tSource    = "64f0e1d2c3b4a5968778695a"
)

func TestReadinessScheduleFollowsTheLag(t *testing.T) {
	lag := func(v int64) shared.Sighting {
		r := false
		return shared.Sighting{Status: client.MigrationWorking, Ready: &r, Lag: &v}
	}
	p := readinessPace()
	if got := p.Next(shared.Sighting{Status: client.MigrationNew}, 0); got != newInitial {
		t.Fatalf("NEW: %v", got)
	}
	if got := p.Next(lag(3600), 0); got != unknownMax {
		t.Fatalf("first lag: %v, want %v", got, unknownMax)
	}
	// 3600 → 3300 in 30 s: 10 s of lag per second, 330 s to go.
	if got := p.Next(lag(3300), 30*time.Second); got != time.Duration(readAheadShare*330*float64(time.Second)) {
		t.Fatalf("falling lag: %v", got)
	}
	if got := p.Next(lag(3400), 60*time.Second); got != unknownMax {
		t.Fatalf("rising lag: %v", got)
	}
	if got := p.Next(lag(20), 400*time.Second); got != nearMax {
		t.Fatalf("small lag: %v", got)
	}
	if got := p.Next(shared.Sighting{Status: client.MigrationWorking}, 500*time.Second); got != unknownMax {
		t.Fatalf("null lag: %v", got)
	}
}

// migrationSim starts a simulator whose clock moves only with reads, with
// a linked source project.
func migrationSim(t *testing.T, tick time.Duration) (*simulator.Server, *client.Atlas) {
	t.Helper()
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:  []simulator.APIKey{{PublicKey: "p", PrivateKey: "k"}},
		Migrations: simulator.MigrationOptions{FrozenClock: true, TickPerRead: tick, ReadyAfter: time.Hour, CutoverTime: 10 * time.Minute},
		Seed: &simulator.Seed{
			AtlasProjects: []simulator.AtlasProject{{ID: tGroup, OrgID: tAtlasOrg, Clusters: []simulator.AtlasCluster{{Name: "orders", MongoDBVersion: "7.0.14"}}}},
			Inventory: map[string][]simulator.Project{tSourceOrg: {{ProjectID: tSource, Name: "shop", MigrationHosts: []string{"mh-1", "mh-2"},
				Deployments: []simulator.Deployment{{Name: "orders-rs", MongoDBVersion: "7.0.13", TLSEnabled: true}, {Name: "plain-rs", MongoDBVersion: "6.0.17"}}}}},
		},
	}, simulator.ServerOptions{})
	if err := sim.Link(tSourceOrg, sim.IssueLinkToken(tAtlasOrg)); err != nil {
		t.Fatal(err)
	}
	atlas, err := client.NewAtlas(client.Config{BaseURL: sim.URL, PublicKey: "p", PrivateKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	return sim, atlas
}

func TestPreflightSaysWhatIsWrong(t *testing.T) {
	_, atlas := migrationSim(t, 0)
	ctx := context.Background()
	for _, c := range []struct {
		in         migrationInputs
		baseURL    string
		opsManager bool
		want       []string
		note       string
	}{
		{in: migrationInputs{tGroup, tSource, "orders-rs", "mh-1", true}},
		{in: migrationInputs{tGroup, tSource, "orders-rs", "mh-9", true}, want: []string{"Migration host mh-9 is not a migration host of source project " + tSource + " (its migration hosts: mh-1, mh-2)."}},
		{in: migrationInputs{tGroup, tSource, "nope", "mh-1", true}, want: []string{"Source cluster nope is not a deployment of source project " + tSource + " (its deployments: orders-rs, plain-rs)."}},
		{in: migrationInputs{tGroup, tSource, "orders-rs", "mh-1", false}, want: []string{"source.ssl is false but deployment orders-rs has TLS enabled: set ssl = true."}},
		{in: migrationInputs{tGroup, tAtlasOrg, "orders-rs", "mh-1", true}, want: []string{"Source project " + tAtlasOrg + " is not among the projects Atlas organization " + tAtlasOrg + " (of project " + tGroup + ") can see through its migration links (available: " + tSource + " (shop))"}},
		{in: migrationInputs{tGroup, tSource, "plain-rs", "mh-1", false}, baseURL: "https://opsmanager.example.com:8443", opsManager: true, note: "The source is Ops Manager (opsmanager.example.com) and deployment plain-rs runs MongoDB 6.0.17: push live migration from Ops Manager is not supported for MongoDB 6.0 and later"},
		// The provider configuration decides the kind; the URL only names it.
		{in: migrationInputs{tGroup, tSource, "plain-rs", "mh-1", false}, baseURL: "https://opsmanager.example.com:8443"},
		{in: migrationInputs{tGroup, tSource, "plain-rs", "mh-1", false}, baseURL: "https://cloud.mongodb.com"},
	} {
		problems, notes, err := preflight(ctx, directReads{atlas}, sourceOpsManagerHost(&shared.ProviderData{SourceBaseURL: c.baseURL, SourceIsOpsManager: c.opsManager}), c.in)
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) != len(c.want) {
			t.Errorf("%+v: problems %v, want %v", c.in, problems, c.want)
			continue
		}
		for i, p := range problems {
			if !strings.HasPrefix(p.text, c.want[i]) {
				t.Errorf("%+v:\n got %q\nwant %q", c.in, p.text, c.want[i])
			}
		}
		if (c.note == "") != (len(notes) == 0) || (c.note != "" && !strings.Contains(notes[0], c.note)) {
			t.Errorf("%+v: notes %v, want %q", c.in, notes, c.note)
		}
	}
	if _, _, err := preflight(ctx, directReads{atlas}, "", migrationInputs{"0123456789abcdef01234567", tSource, "orders-rs", "mh-1", true}); !client.IsNotFound(err) {
		t.Fatalf("unknown project: %v", err)
	}
}

func startMigration(t *testing.T, sim *simulator.Server, atlas *client.Atlas) *liveMigrationModel {
	t.Helper()
	m, err := atlas.CreateMigration(context.Background(), tGroup, client.MigrationRequest{
		Source:         client.MigrationSource{ClusterName: "orders-rs", GroupID: tSource, ManagedAuthentication: true, SSL: true},
		Destination:    client.MigrationDestination{ClusterName: "orders", GroupID: tGroup, HostnameSchemaType: "PUBLIC"},
		MigrationHosts: []string{"mh-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sim.ResetJournal()
	return &liveMigrationModel{ProjectID: types.StringValue(tGroup), MigrationID: types.StringValue(m.ID), Cutover: types.BoolValue(false)}
}

func TestCutoverWaitsForReadinessThenCompleteWithCountedReads(t *testing.T) {
	// Ten simulated minutes per read: ready after six reads (one hour),
	// complete one read after the cutover (ten minutes).
	sim, atlas := migrationSim(t, 10*time.Minute)
	model := startMigration(t, sim, atlas)
	r := &liveMigrationResource{data: &shared.ProviderData{Polling: shared.Polling{Scale: 0.0001}}}
	var diags diag.Diagnostics
	runResourceCutover(context.Background(), r, atlas, model, &diags)
	if diags.HasError() {
		t.Fatalf("%v", diags)
	}
	if model.Status.ValueString() != "COMPLETE" || !model.Cutover.ValueBool() {
		t.Fatalf("status %s cutover %s", model.Status, model.Cutover)
	}
	if reads, puts := sim.Calls(simulator.RouteGetMigration), sim.Calls(simulator.RouteCutover); reads != 7 || puts != 1 {
		t.Fatalf("%d reads and %d cutover requests, want 7 and 1", reads, puts)
	}
	// The cutover request went out right after the read that first saw
	// readiness: the sixth.
	readsBefore := 0
	for _, req := range sim.Requests() {
		if req.Route == simulator.RouteCutover {
			break
		}
		if req.Route == simulator.RouteGetMigration && req.Authenticated {
			readsBefore++
		}
	}
	if readsBefore != 6 {
		t.Fatalf("cutover sent after %d reads, want 6", readsBefore)
	}
}

func TestCutoverWithALostAnswerIsNotSentTwice(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	model := startMigration(t, sim, atlas)
	sim.AdvanceClock(time.Hour)
	sim.SetFault(simulator.RouteCutover, simulator.Fault{Count: 1, ResetAfterProcessing: true})
	sim.SetTickPerRead(10 * time.Minute)
	r := &liveMigrationResource{data: &shared.ProviderData{Polling: shared.Polling{Scale: 0.0001}}}
	var diags diag.Diagnostics
	runResourceCutover(context.Background(), r, atlas, model, &diags)
	if diags.HasError() {
		t.Fatalf("%v", diags)
	}
	if puts := sim.Calls(simulator.RouteCutover); puts != 1 || model.Status.ValueString() != "COMPLETE" {
		t.Fatalf("%d cutover requests, status %s", puts, model.Status)
	}
}

func TestCutoverTimeoutKeepsTheRecordAccurate(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	model := startMigration(t, sim, atlas)
	r := &liveMigrationResource{data: &shared.ProviderData{Polling: shared.Polling{Scale: 0.0001}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	var diags diag.Diagnostics
	runResourceCutover(ctx, r, atlas, model, &diags)
	if !diags.HasError() || sim.Calls(simulator.RouteCutover) != 0 || model.Cutover.ValueBool() {
		t.Fatalf("diags %v, cutover calls %d, cutover %s", diags, sim.Calls(simulator.RouteCutover), model.Cutover)
	}
	if d := diags[0].Detail(); !strings.Contains(d, "the cutover was not requested") || !strings.Contains(d, "Run terraform apply again") {
		t.Fatalf("detail: %s", d)
	}
}

func TestCutoverReportsAFailureAfterTheRequest(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	model := startMigration(t, sim, atlas)
	sim.AdvanceClock(time.Hour)
	r := &liveMigrationResource{data: &shared.ProviderData{Polling: shared.Polling{Scale: 0.0001}}}
	// Fail the migration once the cutover request has arrived.
	go func() {
		for sim.Calls(simulator.RouteCutover) == 0 {
			time.Sleep(time.Millisecond)
		}
		_ = sim.FailMigration(model.MigrationID.ValueString())
	}()
	var diags diag.Diagnostics
	runResourceCutover(context.Background(), r, atlas, model, &diags)
	if !diags.HasError() || diags[0].Summary() != "Live Migration Failed After Cutover" || !model.Cutover.ValueBool() || model.Status.ValueString() != "FAILED" {
		t.Fatalf("diags %v, cutover %s, status %s", diags, model.Cutover, model.Status)
	}
}

func TestCutoverOfAMigrationAlreadyCompleteSendsNothing(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	model := startMigration(t, sim, atlas)
	sim.AdvanceClock(time.Hour)
	if err := atlas.Cutover(context.Background(), tGroup, model.MigrationID.ValueString()); err != nil {
		t.Fatal(err)
	}
	sim.AdvanceClock(time.Hour)
	r := &liveMigrationResource{data: &shared.ProviderData{Polling: shared.Polling{Scale: 0.0001}}}
	var diags diag.Diagnostics
	runResourceCutover(context.Background(), r, atlas, model, &diags)
	if diags.HasError() || !model.Cutover.ValueBool() || model.Status.ValueString() != "COMPLETE" {
		t.Fatalf("diags %v, cutover %s, status %s", diags, model.Cutover, model.Status)
	}
	if reads, puts := sim.Calls(simulator.RouteGetMigration), sim.Calls(simulator.RouteCutover); reads != 1 || puts != 1 {
		t.Fatalf("%d reads, %d cutover requests (the one made before): want 1 and 1", reads, puts)
	}
}

// runResourceCutover runs a cutover the way Update does, without a state to save.
func runResourceCutover(ctx context.Context, r *liveMigrationResource, atlas *client.Atlas, m *liveMigrationModel, diags *diag.Diagnostics) {
	run := cutover{
		atlas: atlas, sched: r.data.PollingSettings(), projectID: m.ProjectID.ValueString(), id: m.MigrationID.ValueString(), diags: diags, timeout: "timeouts.update",
		save: func(x *client.Migration) {
			if x != nil {
				m.apply(x)
			}
		},
		requested: func() { m.Cutover = types.BoolValue(true) },
		advice:    func(cutoverRequest) string { return "Run terraform apply again to keep waiting." },
	}
	run.run(ctx, nil)
}

// TestPollLogsEachReadAtInfo reads the log a TF_LOG=INFO user sees while a
// migration approaches readiness: one INFO line per wait, with the status,
// readiness and lag of the read before it and the next wait.
func TestPollLogsEachReadAtInfo(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	notReady, ready := false, true
	lags := []int64{900, 40, 4}
	reads := 0
	err := shared.Poll(ctx, shared.Polling{Scale: 1e-6}, readinessPace(), "migration m1 to be ready for cutover", true, nil, func() (bool, shared.Sighting, error) {
		lag := lags[reads]
		reads++
		if reads == len(lags) {
			return true, shared.Sighting{Status: client.MigrationWorking, Ready: &ready, Lag: &lag}, nil
		}
		return false, shared.Sighting{Status: client.MigrationWorking, Ready: &notReady, Lag: &lag}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var infos []map[string]any
	for _, e := range entries {
		if e["@level"] == "info" && strings.HasPrefix(e["@message"].(string), "waiting for migration m1") {
			infos = append(infos, e)
		}
	}
	if len(infos) != 2 {
		t.Fatalf("want one INFO line per wait (2), got %d: %v", len(infos), entries)
	}
	for i, want := range []float64{900, 40} {
		e := infos[i]
		if e["status"] != client.MigrationWorking || e["ready_for_cutover"] != false || e["lag_s"] != want {
			t.Errorf("line %d: want status WORKING, not ready, lag %v; got %v", i, want, e)
		}
		if w, ok := e["next_wait_s"].(float64); !ok || w <= 0 {
			t.Errorf("line %d: want a positive next_wait_s, got %v", i, e["next_wait_s"])
		}
	}
}

// TestCutoverElsewhereNeedsASightingBeforeAndIsUndoneByALag: the shapes
// Atlas gives a migration around a cutover made elsewhere, and what the
// private state records of each.
func TestCutoverElsewhereNeedsASightingBeforeAndIsUndoneByALag(t *testing.T) {
	lag := int64(40)
	readyBefore := liveMigrationModel{ReadyForCutover: types.BoolValue(true), LagTimeSeconds: types.Int64Value(2)}
	lagBefore := liveMigrationModel{ReadyForCutover: types.BoolValue(false), LagTimeSeconds: types.Int64Value(3000)}
	newBefore := liveMigrationModel{ReadyForCutover: types.BoolValue(false), LagTimeSeconds: types.Int64Null()}
	underWay := &client.Migration{Status: client.MigrationWorking}
	syncing := &client.Migration{Status: client.MigrationWorking, LagTimeSeconds: &lag}
	elsewhere := migrationPrivate{CutoverRequested: true, CutoverElsewhere: true}
	own := migrationPrivate{CutoverRequested: true}
	for _, c := range []struct {
		name  string
		priv  migrationPrivate
		prior liveMigrationModel
		mig   *client.Migration
		want  migrationPrivate
	}{
		{"ready, then under way", migrationPrivate{}, readyBefore, underWay, elsewhere},
		{"lagging, then under way", migrationPrivate{}, lagBefore, underWay, elsewhere},
		{"never seen syncing: maybe preparing", migrationPrivate{}, newBefore, underWay, migrationPrivate{}},
		{"ready and still reporting lag", migrationPrivate{}, readyBefore, &client.Migration{Status: client.MigrationWorking, ReadyForCutover: true, LagTimeSeconds: &lag}, migrationPrivate{}},
		{"still under way", elsewhere, newBefore, underWay, elsewhere},
		{"a lag again: no cutover", elsewhere, newBefore, syncing, migrationPrivate{}},
		{"its own cutover is never undone", own, newBefore, syncing, own},
		{"complete", elsewhere, newBefore, &client.Migration{Status: client.MigrationComplete}, elsewhere},
	} {
		if got := cutoverElsewhere(c.priv, c.prior, c.mig); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// A cutover request whose answer is lost, and whose migration cannot be
// read back afterwards, is neither requested nor refused: the error says
// the outcome is unknown, and so does the advice of the create that
// started the migration.
func TestCutoverOutcomeUnknownSaysSoInTheAdvice(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	model := startMigration(t, sim, atlas)
	sim.AdvanceClock(time.Hour)
	sim.SetFault(simulator.RouteCutover, simulator.Fault{Count: 1, ResetAfterProcessing: true})
	// The read before the request goes through; the read back fails.
	sim.SetFault(simulator.RouteGetMigration, simulator.Fault{Count: 1000, Skip: 1, Status: 403})
	id, projectID := model.MigrationID.ValueString(), model.ProjectID.ValueString()
	var diags diag.Diagnostics
	run := cutover{
		atlas: atlas, sched: shared.Polling{Scale: 0.0001}, projectID: projectID, id: id, diags: &diags, timeout: "timeouts.update",
		advice: createAdvice(id, projectID),
	}
	run.run(context.Background(), nil)
	if puts := sim.Calls(simulator.RouteCutover); puts != 1 || len(diags) != 1 || diags[0].Summary() != "Cutover Outcome Unknown" {
		t.Fatalf("%d cutover requests, diagnostics %v", puts, diags)
	}
	d := diags[0].Detail()
	for _, want := range []string{"whether Atlas cut it over is unknown", "Its cutover was requested, but whether Atlas accepted it is unknown", "terraform untaint"} {
		if !strings.Contains(d, want) {
			t.Errorf("detail lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "was not requested") {
		t.Errorf("detail says the cutover was not requested:\n%s", d)
	}
}
