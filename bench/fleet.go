package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// The fleet of scenario 8: sources source organizations, each with one
// project of perSource deployments and as many migration hosts, linked into
// one Atlas organization and migrated into one Atlas project per source.
const (
	fleetSources   = 4
	fleetPerSource = 10
	// fleetRate is the shared quota: every HTTP request to either API,
	// digest challenges included, takes a token from one bucket of 20
	// requests a second (burst 20), in real time.
	fleetRate  = 20.0
	fleetBurst = 20
	// fleetSpeed is how much faster than real time the simulated clock runs
	// (the provider's polls are scaled to match). It is lower than scenario
	// 6's: the quota is counted in real time, and every poll comes
	// fleetSpeed times sooner in real time than in a real run.
	fleetSpeed = 10.0
	// fleetExample is the configuration the scenario applies: the
	// example users start from, unchanged.
	fleetExample = "examples/fleet"
)

func fleetSourceOrg(i int) string     { return fmt.Sprintf("60a1b2c3d4e5f6a7b8c9%04x", i) }
func fleetSourceProject(i int) string { return fmt.Sprintf("61b2c3d4e5f6a7b8c9d0%04x", i) }
func fleetAtlasProject(i int) string  { return fmt.Sprintf("65a1b2c3d4e5f6a7b8c9%04x", i) }
func fleetKey(i, j int) string        { return fmt.Sprintf("src-%d/rs-%02d", i, j) }

// fleetSeed is the simulator's inventory and destination projects.
func fleetSeed() *simulator.Seed {
	seed := &simulator.Seed{Inventory: map[string][]simulator.Project{}}
	for i := range fleetSources {
		p := simulator.Project{ProjectID: fleetSourceProject(i), Name: fmt.Sprintf("src-%d", i)}
		a := simulator.AtlasProject{ID: fleetAtlasProject(i), Name: fmt.Sprintf("dst-%d", i), OrgID: benchAtlasOrg}
		for j := range fleetPerSource {
			p.Deployments = append(p.Deployments, simulator.Deployment{Name: fmt.Sprintf("rs-%02d", j), MongoDBVersion: "7.0.14",
				FeatureCompatibilityVersion: "7.0", Managed: true, TLSEnabled: true})
			p.MigrationHosts = append(p.MigrationHosts, fmt.Sprintf("mh-%02d.src-%d.example.internal", j, i))
			a.Clusters = append(a.Clusters, simulator.AtlasCluster{Name: fmt.Sprintf("c-%02d", j), MongoDBVersion: "7.0.15"})
		}
		seed.Inventory[fleetSourceOrg(i)] = []simulator.Project{p}
		seed.AtlasProjects = append(seed.AtlasProjects, a)
	}
	return seed
}

// fleetVars is the example's terraform.tfvars.json: every deployment in the
// fleet, and the cutover map of the waves up to wave (0: none).
func fleetVars(wave int) ([]byte, error) {
	type entry struct {
		AtlasProjectID     string `json:"atlas_project_id"`
		DestinationCluster string `json:"destination_cluster"`
		MigrationHost      string `json:"migration_host"`
	}
	var orgs []string
	fleet, cutover := map[string]entry{}, map[string]bool{}
	for i := range fleetSources {
		orgs = append(orgs, fleetSourceOrg(i))
		for j := range fleetPerSource {
			fleet[fleetKey(i, j)] = entry{fleetAtlasProject(i), fmt.Sprintf("c-%02d", j), fmt.Sprintf("mh-%02d.src-%d.example.internal", j, i)}
			// The first wave is the first half of every source
			// organization's deployments; the second, the rest.
			if j < fleetPerSource/2 && wave >= 1 || wave >= 2 {
				cutover[fleetKey(i, j)] = true
			}
		}
	}
	return json.MarshalIndent(map[string]any{"atlas_org_id": benchAtlasOrg, "source_org_ids": orgs, "fleet": fleet, "cutover": cutover}, "", "  ")
}

// fleetHCL is examples/fleet in one file.
func fleetHCL() (string, error) {
	var all []byte
	for _, name := range []string{"main.tf", "variables.tf", "outputs.tf"} {
		b, err := os.ReadFile(filepath.Join(fleetExample, name))
		if err != nil {
			return "", fmt.Errorf("scenario 8 applies %s: run the benchmark from the repository's root (make bench): %w", fleetExample, err)
		}
		all = append(append(all, b...), '\n')
	}
	return string(all), nil
}

// scenario8: the fleet of examples/fleet — 40 migrations from 4 source
// organizations — under one shared quota, at Terraform's default
// -parallelism: an apply that links the organizations, an apply that starts
// every migration and cuts the first half over as each becomes ready, and an
// apply that cuts the second half over.
func (b *bench) scenario8() ([]row, error) {
	n := fleetSources * fleetPerSource
	hcl, err := fleetHCL()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "scenario 8: %d migrations from %d source organizations, two waves, %.0f requests/s shared, clock ×%.0f, %d runs\n",
		n, fleetSources, fleetRate, fleetSpeed, b.runs)
	var failures, limitedShare, callsPer, readyMedian, readyMax, waveMedian, waveMax, completeOnce, walls, perCall []float64
	var note string
	var legs digestLegs
	for run := 0; run < b.runs; run++ {
		sim, env, err := startSim(simulator.Options{
			RateLimit: &simulator.RateLimit{PerSecond: fleetRate, Burst: fleetBurst},
			Migrations: simulator.MigrationOptions{
				ClockSpeed: fleetSpeed, ValidationTime: 30 * time.Second, StartAfter: time.Minute,
				ReadyAfter: 10 * time.Minute, CutoverTime: 2 * time.Minute,
			},
			Seed: fleetSeed(),
		})
		if err != nil {
			return nil, err
		}
		env = keyEnv(env)
		env["ATLASMIG_SIMULATOR_CLOCK_SPEED"] = fmt.Sprintf("%g", fleetSpeed)
		w := b.workspace("s8-fleet", hcl, b.oursRC, env)
		failed := 0.0
		apply := func(wave int) (time.Duration, error) {
			vars, err := fleetVars(wave)
			if err == nil && w.err == nil {
				err = os.WriteFile(filepath.Join(w.dir, "terraform.tfvars.json"), vars, 0o600)
			}
			if err != nil {
				return 0, err
			}
			d, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color")
			if err != nil {
				// A user runs the apply again; so does the next step.
				failed++
				fmt.Fprintf(os.Stderr, "scenario 8, wave %d: %v\n", wave, err)
			}
			return d, nil
		}
		// The links first: the migrations are planned once the links
		// expose the deployments. The figures count from the first wave.
		if _, err := apply(0); err != nil {
			sim.Close()
			return nil, err
		}
		if sim.LinkCount() != fleetSources {
			sim.Close()
			return nil, fmt.Errorf("scenario 8: %d links after the first apply, want %d", sim.LinkCount(), fleetSources)
		}
		sim.ResetJournal()
		waveStart := map[int]time.Time{1: sim.Now()}
		w1, err := apply(1)
		if err != nil {
			sim.Close()
			return nil, err
		}
		waveStart[2] = sim.Now()
		w2, err := apply(2)
		if err != nil {
			sim.Close()
			return nil, err
		}
		sum := sim.JournalSummary()
		fmt.Fprintf(os.Stderr, "scenario 8: authenticated calls by route, both waves: %v\n", sum.CallsByRoute)
		accepted := map[string]int{}
		for _, r := range sim.Requests() {
			if r.Route == simulator.RouteCutover && r.Authenticated && r.Status >= 200 && r.Status < 300 {
				accepted[path.Base(path.Dir(r.Path))]++
			}
		}
		migrations := sim.Migrations()
		legs = countDigestLegs(sim)
		perCall = append(perCall, legs.perCall())
		sim.Close()

		good := 0
		var lagsByWave [3][]float64
		for _, m := range migrations {
			if m.Status != simulator.StatusComplete || accepted[m.ID] != 1 || m.CutoverAt == nil {
				fmt.Fprintf(os.Stderr, "scenario 8: migration %s of %s/%s ended %s with %d cutovers accepted\n", m.ID, m.SourceGroupID, m.SourceCluster, m.Status, accepted[m.ID])
				continue
			}
			good++
			// Wave 1 starts its migrations and cuts them over as each
			// becomes ready; wave 2 cuts over migrations ready before its
			// apply, from the apply's start.
			wave, from := 1, m.ReadyAt
			if !m.CutoverAt.Before(waveStart[2]) {
				wave, from = 2, waveStart[2]
			}
			lagsByWave[wave] = append(lagsByWave[wave], m.CutoverAt.Sub(from).Seconds())
		}
		failures = append(failures, failed)
		limitedShare = append(limitedShare, 100*float64(sum.ByStatus[429])/float64(sum.Total))
		callsPer = append(callsPer, float64(sum.Authenticated)/float64(n))
		completeOnce = append(completeOnce, float64(good))
		walls = append(walls, secs(w1+w2))
		for wave, into := range map[int][2]*[]float64{1: {&readyMedian, &readyMax}, 2: {&waveMedian, &waveMax}} {
			lags := lagsByWave[wave]
			if len(lags) == 0 {
				lags = []float64{0}
			}
			d := summarize(lags)
			*into[0] = append(*into[0], d.median)
			*into[1] = append(*into[1], d.max)
		}
		note = fmt.Sprintf("last run: %d HTTP requests, %d answered 429", sum.Total, sum.ByStatus[429])
	}
	return []row{
		{scenario: "8", measure: "fleet of 40 (4 source orgs), two waves at 20 req/s shared: failed applies", ratio: summarize(failures), unit: "count", target: "0"},
		{scenario: "8", measure: "fleet of 40: migrations COMPLETE and cut over exactly once (simulator's record and journal)", ratio: summarize(completeOnce), unit: "count", target: "40"},
		{scenario: "8", measure: "fleet of 40: answers 429 ÷ all HTTP requests (challenges included)", ratio: summarize(limitedShare), unit: "%", target: "≤ 5 %"},
		{scenario: "8", measure: "fleet of 40: authenticated API calls per migration", ratio: summarize(callsPer), unit: "calls", target: "≤ 22"},
		{scenario: "8", measure: "fleet of 40, wave 1 (started and cut over in one apply): readyForCutover → cutover request, median (simulated)", ratio: summarize(readyMedian), unit: "s", target: "≤ 30", note: note},
		{scenario: "8", measure: "fleet of 40, wave 1: readyForCutover → cutover request, worst (simulated)", ratio: summarize(readyMax), unit: "s", target: "≤ 30"},
		{scenario: "8", measure: "fleet of 40, wave 2 (20 ready before the apply, 10 workers): apply start → cutover request, median (simulated)", ratio: summarize(waveMedian), unit: "s", target: "report"},
		{scenario: "8", measure: "fleet of 40, wave 2: apply start → cutover request, worst (simulated)", ratio: summarize(waveMax), unit: "s", target: "report"},
		{scenario: "8", measure: "fleet of 40: wall of the two waves (clock ×10: 10 simulated minutes to readiness)", ratio: summarize(walls), unit: "s", target: "report"},
		perCallRow("8", "fleet of 40, both waves", perCall, legs),
	}, nil
}

const fleetExplanation = `- **Scenario 8** applies examples/fleet, unchanged, to a fleet of 40 deployments in 4 source
  organizations (one project of 10 deployments and 10 migration hosts each, one token and one link per
  organization, one Atlas organization), at Terraform's default -parallelism (10), against a simulator
  whose one token bucket of 20 requests/s (burst 20, real time) charges every request to either API,
  digest challenges included, and answers 429 with Retry-After when empty. A first apply links the
  organizations; the figures count from the second, which starts all 40 migrations and cuts over the
  first half of each organization's deployments (cutover map), then a third cuts over the rest. The
  clock runs 10 times faster than real time (validation 30 s, NEW for 1 min, ready 10 min after
  creation, COMPLETE 2 min after the cutover, all simulated) with the provider's polls scaled to match;
  as the quota is real time, waits poll 10 times more densely against it than in a real run, so the 429
  share of the waits is overstated (the plan and create bursts are real). In wave 1 a migration becomes
  ready during the apply that started it, and its cutover lag runs from readyForCutover to its cutover
  request: what the poll schedule costs. Wave 2 cuts over 20 migrations that were ready before its
  apply, so its lag runs from the apply's start: Terraform's own start, refresh and plan (real
  seconds, counted 10 times on this clock), then, for the second ten, the wait for one of the 10
  workers, each held until its migration is COMPLETE (2 simulated minutes after the cutover, read
  at most 30 s late). A wave no larger than -parallelism has no such queue (see the fleet guide).
  "Cut over exactly once" counts the accepted cutover requests per migration in the journal.
`
