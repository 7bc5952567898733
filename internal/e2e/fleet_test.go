package e2e

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// fleetExampleDir is examples/fleet, whose files the fleet test applies
// unchanged.
func fleetExampleDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples", "fleet")
}

// writeFleetExample writes examples/fleet's configuration, unchanged, into w.
func writeFleetExample(t *testing.T, w *workspace) {
	t.Helper()
	for _, name := range []string{"main.tf", "variables.tf", "outputs.tf"} {
		b, err := os.ReadFile(filepath.Join(fleetExampleDir(t), name))
		if err != nil {
			t.Fatal(err)
		}
		w.write(name, string(b))
	}
}

// TestFleetExampleMigratesInWaves applies examples/fleet as shipped against
// the simulator seeded with its simulator-state.json: two source
// organizations linked into one Atlas organization, four migrations started,
// cut over in two waves through the cutover map, one of them FAILED between
// the waves and replaced without touching the others, then destroyed. It
// reads the fleet's check blocks at each step and proves from the
// simulator's journal that every migration was cut over exactly once.
func TestFleetExampleMigratesInWaves(t *testing.T) {
	dir := fleetExampleDir(t)
	seed, err := simulator.LoadSeed(filepath.Join(dir, "simulator-state.json"))
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:      []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
		// The clock moves only with the provider's reads: a migration is
		// ready after 120 reads, unless the test moves the clock.
		Migrations: simulator.MigrationOptions{FrozenClock: true, TickPerRead: 5 * time.Second, StartAfter: 30 * time.Second, ReadyAfter: 10 * time.Minute},
		Seed:       seed,
	}, simulator.ServerOptions{})
	w := newWorkspace(t, bothSidesEnv(sim.URL, map[string]string{"ATLASMIG_SIMULATOR_CLOCK_SPEED": "1000"}))
	writeFleetExample(t, w)
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	expect := func(out string, want ...string) {
		t.Helper()
		for _, s := range want {
			if !strings.Contains(flat(out), s) {
				t.Errorf("terraform did not say %q:\n%s", s, out)
			}
		}
	}
	byCluster := func() map[string]simulator.MigrationInfo {
		out := map[string]simulator.MigrationInfo{}
		for _, m := range sim.Migrations() {
			if m.Status != simulator.StatusFailed {
				out[m.SourceCluster] = m
			}
		}
		return out
	}
	const atlasOrgID, orgA, orgB = "5f1b2c3d4e5f6a7b8c9d0e1f", "60a1b2c3d4e5f6a7b8c9d0e1", "60a1b2c3d4e5f6a7b8c9d0e2"

	// 1. Tokens and links; nothing is exposed while planning, so no
	// migration is planned and the check says why.
	out := w.run(true, "apply", "-auto-approve", "-input=false")
	expect(out, "Apply complete! Resources: 4 added",
		"No link of Atlas organization "+atlasOrgID+" exposes catalog/catalog-rs, catalog/search-rs, payments/ledger-rs, payments/payments-rs")
	if n := len(sim.LinkTokens(atlasOrgID)); n != 2 {
		t.Fatalf("%d link tokens in the Atlas organization, want one per source organization", n)
	}
	for _, org := range []string{orgA, orgB} {
		if status, linked := sim.LinkStatus(org); !linked || status != "SYNCED" {
			t.Fatalf("source organization %s: linked %t, status %q", org, linked, status)
		}
	}
	if n := sim.Calls(simulator.RouteValidateMigration) + sim.Calls(simulator.RouteCreateMigration); n != 0 {
		t.Fatalf("the first apply sent %d migration writes", n)
	}

	// 2. Every deployment of the fleet is validated and started; none is
	// cut over. search-rs has TLS disabled: ssl comes from the data source,
	// or the simulator would refuse it.
	out = w.run(true, "apply", "-auto-approve", "-input=false")
	expect(out, "Apply complete! Resources: 4 added, 0 changed, 0 destroyed")
	started := byCluster()
	hosts := map[string]bool{}
	for _, cluster := range []string{"payments-rs", "ledger-rs", "catalog-rs", "search-rs"} {
		m, ok := started[cluster]
		if !ok || m.CutoverRequested || (m.Status != simulator.StatusWorking && m.Status != simulator.StatusNew) {
			t.Fatalf("migration of %s after the first wave's start: %+v (found %t)", cluster, m, ok)
		}
		hosts[m.MigrationHost] = true
	}
	if len(hosts) != 4 || len(sim.Migrations()) != 4 {
		t.Fatalf("%d migrations on %d migration hosts, want 4 on 4", len(sim.Migrations()), len(hosts))
	}

	// 3. A refresh-only plan reports readiness and lag across the fleet.
	out = w.run(true, "plan", "-refresh-only", "-input=false")
	expect(out, `check "fleet_is_ready"`, "4 of 4 migrations are not ready for cutover yet: catalog/catalog-rs (WORKING, lag ")

	// 4. The first wave: two deployments in the cutover map, once every
	// migration is ready.
	sim.AdvanceClock(10 * time.Minute)
	out = w.run(true, "plan", "-refresh-only", "-input=false")
	if strings.Contains(out, `check "fleet_is_ready"`) {
		t.Errorf("the readiness check still fails once every migration is ready:\n%s", out)
	}
	w.write("wave.auto.tfvars", "cutover = {\n  \"payments/payments-rs\" = true\n  \"catalog/search-rs\" = true\n}\n")
	out = w.run(true, "apply", "-auto-approve", "-input=false")
	expect(out, "Apply complete! Resources: 0 added, 2 changed, 0 destroyed")
	for cluster, m := range byCluster() {
		inWave := cluster == "payments-rs" || cluster == "search-rs"
		if inWave != m.CutoverRequested || inWave != (m.Status == simulator.StatusComplete) {
			t.Errorf("after the first wave, %s is %s with cutover requested %t", cluster, m.Status, m.CutoverRequested)
		}
	}

	// 5. A FAILED migration: the plan replaces it with a warning and
	// leaves the others alone.
	failed := byCluster()["catalog-rs"].ID
	if err := sim.FailMigration(failed); err != nil {
		t.Fatal(err)
	}
	out = w.run(true, "plan", "-refresh-only", "-input=false")
	expect(out, `check "no_migration_stopped"`, "Stopped by Atlas: catalog/catalog-rs (FAILED)")
	out = w.run(true, "plan", "-input=false")
	expect(out, "Warning: Live Migration Failed: A New One Is Planned", "Migration "+failed+" in project 65a1b2c3d4e5f6a7b8c9d0e2 is FAILED",
		"Plan: 1 to add, 0 to change, 1 to destroy.")

	// 6. The second wave: the rest of the fleet, the replacement created
	// and cut over in the same apply.
	w.write("wave.auto.tfvars", "cutover = {\n  \"payments/payments-rs\" = true\n  \"catalog/search-rs\" = true\n  \"payments/ledger-rs\" = true\n  \"catalog/catalog-rs\" = true\n}\n")
	// The replacement waits ten simulated minutes for readiness: the clock
	// runs at the speed the provider was told (1000×), as it would against
	// a running simulator, instead of moving 5 s per read.
	sim.SetClockSpeed(1000)
	out = w.run(true, "apply", "-auto-approve", "-input=false")
	sim.SetClockSpeed(0)
	expect(out, "Apply complete! Resources: 1 added, 1 changed, 1 destroyed")
	all := sim.Migrations()
	if len(all) != 5 {
		t.Fatalf("%d migrations in Atlas, want the four and the failed one", len(all))
	}
	accepted := map[string]int{}
	for _, r := range sim.Requests() {
		if r.Route == simulator.RouteCutover && r.Authenticated && r.Status >= 200 && r.Status < 300 {
			accepted[filepath.Base(filepath.Dir(r.Path))]++
		}
	}
	for _, m := range all {
		want := 1
		if m.ID == failed {
			want = 0
		}
		if accepted[m.ID] != want || (want == 1 && m.Status != simulator.StatusComplete) {
			t.Errorf("migration %s of %s: %s, %d cutovers accepted, want %d", m.ID, m.SourceCluster, m.Status, accepted[m.ID], want)
		}
	}
	if _, code := w.runCode("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("the plan after the last wave is not empty (exit %d)", code)
	}

	// 7. Destroy: the completed migrations leave state, then the links and
	// the tokens go.
	w.run(true, "destroy", "-auto-approve", "-input=false")
	if sim.LinkCount() != 0 || len(sim.LinkTokens(atlasOrgID)) != 0 {
		t.Fatalf("after destroy: %d links, %d tokens", sim.LinkCount(), len(sim.LinkTokens(atlasOrgID)))
	}
}
