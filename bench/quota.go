package main

import (
	"fmt"
	"os"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// scenario9: 24 migrations created and cut over in one apply, at the
// default parallelism, against a token bucket of 20 requests/s that charges
// every request, digest challenges included — a quota shared by every
// worker of the apply. It reports the share of answers 429, which the
// provider's shared rate limiter keeps low by queueing the workers instead
// of letting each meet its own 429.
func (b *bench) scenario9() ([]row, error) {
	const (
		n     = 24
		speed = 60.0
		rate  = 20.0
		burst = 20
	)
	fmt.Fprintf(os.Stderr, "scenario 9: %d migrations in one apply at %.0f requests/s (burst %d, challenges charged), clock ×%.0f, %d runs\n", n, rate, burst, speed, b.runs)
	var failures, shares, perMigration, lagMedian, walls []float64
	var last simulator.JournalSummary
	for i := 0; i < b.runs; i++ {
		sim, env, err := startMigrationSim(n, speed, &simulator.RateLimit{PerSecond: rate, Burst: burst})
		if err != nil {
			return nil, err
		}
		env = keyEnv(env)
		env["ATLASMIG_SIMULATOR_CLOCK_SPEED"] = fmt.Sprintf("%g", speed)
		w := b.workspace("s9-ours", migrationsHCL(n), b.oursRC, env)
		wall, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color")
		failed := 0.0
		if err != nil {
			failed = 1
			fmt.Fprintln(os.Stderr, err)
		}
		last = sim.JournalSummary()
		var lags []float64
		for _, m := range sim.Migrations() {
			if m.Status == "COMPLETE" && m.CutoverAt != nil {
				lags = append(lags, m.CutoverAt.Sub(m.ReadyAt).Seconds())
			}
		}
		sim.Close()
		if failed == 0 && len(lags) != n {
			return nil, fmt.Errorf("scenario 9: %d of %d migrations were cut over", len(lags), n)
		}
		failures = append(failures, failed)
		shares = append(shares, 100*float64(last.ByStatus[429])/float64(last.Total))
		perMigration = append(perMigration, float64(last.Authenticated)/n)
		if len(lags) > 0 {
			lagMedian = append(lagMedian, summarize(lags).median)
		}
		walls = append(walls, secs(wall))
	}
	rows := []row{
		{scenario: "9", measure: "24 migrations in one apply at 20 req/s (challenges charged): failed applies", ratio: summarize(failures), unit: "count", target: "0"},
		{scenario: "9", measure: "24 migrations at 20 req/s: answers 429 ÷ all requests", ratio: summarize(shares), unit: "%", target: "≤ 5",
			note: fmt.Sprintf("last run: %d of %d requests answered 429", last.ByStatus[429], last.Total)},
		{scenario: "9", measure: "24 migrations at 20 req/s: authenticated calls per migration", ratio: summarize(perMigration), unit: "count", target: "report"},
		{scenario: "9", measure: "24 migrations at 20 req/s: apply wall (clock ×60)", ratio: summarize(walls), unit: "s", target: "report"},
	}
	if len(lagMedian) > 0 {
		rows = append(rows, row{scenario: "9", measure: "24 migrations at 20 req/s: readyForCutover → cutover request, median (simulated)", ratio: summarize(lagMedian), unit: "s", target: "report"})
	}
	return rows, nil
}
