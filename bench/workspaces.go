package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// A fleet split into workspaces: each its own terraform working directory,
// state and provider process, applied at once — as HCP Terraform, Atlantis
// or terragrunt run-all do — against one simulator whose one token bucket
// every request of every process draws from, digest challenges included.
// The processes cannot see each other; what they share is the bucket's
// level, which the simulator states on every answer unless told not to.

// workspacesRun is what one run of workspaces applied at once measured.
type workspacesRun struct {
	failed    int
	total     int
	limited   int
	cutOver   int
	worstLag  time.Duration // readyForCutover → cutover request, simulated
	medianLag time.Duration
	wall      time.Duration // the slowest apply
}

// applyWorkspacesAtOnce applies workspaces workspaces of per migrations each
// at once, the clock speed times faster than real time, against limit.
func (b *bench) applyWorkspacesAtOnce(name string, workspaces, per int, speed float64, limit simulator.RateLimit) (workspacesRun, error) {
	n := workspaces * per
	sim, env, err := startMigrationSim(n, speed, &limit)
	if err != nil {
		return workspacesRun{}, err
	}
	defer sim.Close()
	env = keyEnv(env)
	env["ATLASMIG_SIMULATOR_CLOCK_SPEED"] = fmt.Sprintf("%g", speed)
	ws := make([]*workspace, workspaces)
	for i := range ws {
		ws[i] = b.workspace(fmt.Sprintf("%s-w%d", name, i), migrationRangeHCL(i*per, per, "\n  max_retries = 20\n"), b.oursRC, env)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		r    workspacesRun
		errs []error
	)
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color")
			mu.Lock()
			defer mu.Unlock()
			r.wall = max(r.wall, d)
			if err != nil {
				r.failed++
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		fmt.Fprintln(os.Stderr, err)
	}
	if err := b.writeJournal(name, sim.Requests()); err != nil {
		return r, err
	}
	sum := sim.JournalSummary()
	r.total, r.limited = sum.Total, sum.ByStatus[429]
	var lags []float64
	for _, m := range sim.Migrations() {
		if m.Status == simulator.StatusComplete && m.CutoverAt != nil {
			lags = append(lags, m.CutoverAt.Sub(m.ReadyAt).Seconds())
		}
	}
	r.cutOver = len(lags)
	if r.failed == 0 && r.cutOver != n {
		return r, fmt.Errorf("%s: %d of %d migrations were cut over", name, r.cutOver, n)
	}
	if len(lags) > 0 {
		s := summarize(lags)
		r.worstLag, r.medianLag = time.Duration(s.max*float64(time.Second)), time.Duration(s.median*float64(time.Second))
	}
	return r, nil
}

// writeJournal writes a run's requests into the journal directory, when
// one was given, as name-N.json for the next free N.
func (b *bench) writeJournal(name string, requests []simulator.Request) error {
	if b.journalDir == "" {
		return nil
	}
	if err := os.MkdirAll(b.journalDir, 0o755); err != nil {
		return err
	}
	for n := 1; ; n++ {
		f, err := os.OpenFile(filepath.Join(b.journalDir, fmt.Sprintf("%s-%d.json", name, n)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", " ")
		if err := enc.Encode(requests); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// scenario10: four workspaces of ten migrations each (cutover = true),
// applied at once against one bucket of 20 requests a second (20 at once)
// that charges every request, challenges included.
func (b *bench) scenario10() ([]row, error) {
	const (
		workspaces = 4
		per        = 10
		speed      = 60.0
	)
	limit := simulator.RateLimit{PerSecond: 20, Burst: 20}
	fmt.Fprintf(os.Stderr, "scenario 10: %d workspaces × %d migrations applied at once, %.0f requests/s shared (burst %d, challenges charged), clock ×%.0f, %d runs\n",
		workspaces, per, limit.PerSecond, limit.Burst, speed, b.runs)
	var failures, shares, cutOver, worst, median, walls []float64
	var note string
	for range b.runs {
		r, err := b.applyWorkspacesAtOnce("s10", workspaces, per, speed, limit)
		if err != nil {
			return nil, err
		}
		failures = append(failures, float64(r.failed))
		shares = append(shares, 100*float64(r.limited)/float64(r.total))
		cutOver = append(cutOver, float64(r.cutOver))
		worst = append(worst, r.worstLag.Seconds())
		median = append(median, r.medianLag.Seconds())
		walls = append(walls, secs(r.wall))
		note = fmt.Sprintf("last run: %d of %d requests answered 429", r.limited, r.total)
	}
	return []row{
		{scenario: "10", measure: "4 workspaces × 10 migrations applied at once, 20 req/s shared (challenges charged): failed applies", ratio: summarize(failures), unit: "count", target: "0"},
		{scenario: "10", measure: "4 workspaces × 10: migrations COMPLETE after their cutover", ratio: summarize(cutOver), unit: "count", target: "40"},
		{scenario: "10", measure: "4 workspaces × 10 at 20 req/s: answers 429 ÷ all requests", ratio: summarize(shares), unit: "%", target: "≤ 2", note: note},
		{scenario: "10", measure: "4 workspaces × 10 at 20 req/s: readyForCutover → cutover request, median (simulated)", ratio: summarize(median), unit: "s", target: "report"},
		{scenario: "10", measure: "4 workspaces × 10 at 20 req/s: readyForCutover → cutover request, worst (simulated)", ratio: summarize(worst), unit: "s", target: "report"},
		{scenario: "10", measure: "4 workspaces × 10 at 20 req/s: wall of the slowest apply (clock ×60)", ratio: summarize(walls), unit: "s", target: "report"},
	}, nil
}

// scenario11: the quota's targets. Four workspaces of six migrations each
// applied at once against one bucket of 4 requests a second (4 at once),
// challenges charged: with the bucket's figures stated, as Atlas does, and
// without them (the limiter learns alone). Then the limiter's recovery
// after a burst of 429s without Retry-After, on a simulated clock.
func (b *bench) scenario11() ([]row, error) {
	const (
		workspaces = 4
		per        = 6
		speed      = 60.0
	)
	fmt.Fprintf(os.Stderr, "scenario 11: %d workspaces × %d migrations applied at once, 4 requests/s shared (burst 4, challenges charged), clock ×%.0f, stated and unstated, %d runs\n",
		workspaces, per, speed, b.runs)
	var rows []row
	for _, stated := range []bool{true, false} {
		limit := simulator.RateLimit{PerSecond: 4, Burst: 4, Unstated: !stated}
		what, target, lagTarget := "figures stated", "≤ 2", "≤ 30"
		if !stated {
			what, target, lagTarget = "no figures stated (learned)", "report", "report"
		}
		var failures, shares, worstWall, worst, walls []float64
		var note string
		for range b.runs {
			r, err := b.applyWorkspacesAtOnce("s11", workspaces, per, speed, limit)
			if err != nil {
				return nil, err
			}
			failures = append(failures, float64(r.failed))
			shares = append(shares, 100*float64(r.limited)/float64(r.total))
			worst = append(worst, r.worstLag.Seconds())
			worstWall = append(worstWall, r.worstLag.Seconds()/speed)
			walls = append(walls, secs(r.wall))
			note = fmt.Sprintf("last run: %d of %d requests answered 429; %d of %d cut over", r.limited, r.total, r.cutOver, workspaces*per)
		}
		rows = append(rows,
			row{scenario: "11", measure: "4 workspaces × 6 migrations at once, 4 req/s shared, " + what + ": failed applies", ratio: summarize(failures), unit: "count", target: "0"},
			row{scenario: "11", measure: "4 workspaces × 6 at 4 req/s, " + what + ": answers 429 ÷ all requests", ratio: summarize(shares), unit: "%", target: target, note: note},
			row{scenario: "11", measure: "4 workspaces × 6 at 4 req/s, " + what + ": worst readyForCutover → cutover request (clock ×60, wall)", ratio: summarize(worstWall), unit: "s", target: lagTarget,
				note: fmt.Sprintf("%.0f simulated seconds", summarize(worst).median)},
			row{scenario: "11", measure: "4 workspaces × 6 at 4 req/s, " + what + ": wall of the slowest apply", ratio: summarize(walls), unit: "s", target: "report"},
		)
	}
	for _, stated := range []bool{false, true} {
		d, pace := client.RecoveryAfterBurst(20, stated)
		what := "learned pace"
		if stated {
			what = "stated pace"
		}
		v := d.Seconds() / 60
		rows = append(rows, row{scenario: "11", measure: "after 20 429s without Retry-After: back to the admitted pace (" + what + ", simulated clock)", ratio: stats{v, v, v}, unit: "min", target: "≤ 2",
			note: fmt.Sprintf("back to %.1f requests/s", pace)})
	}
	return rows, nil
}

const workspacesExplanation = `- **Scenario 10** splits a fleet into four workspaces — four terraform working directories, four states,
  four provider processes that cannot see each other — of ten migrations each, declared with cutover =
  true, and applies them at once against one simulator whose one token bucket of 20 requests/s (20 at
  once) charges every request of every process, digest challenges included. The simulator states its
  figures as Atlas does: RateLimit-Limit and RateLimit-Remaining on every answer, the capacity and refill
  rate in a 429's detail. The clock and poll schedule are scenario 6's (×60). It reports the share of all
  requests answered 429, the cutover lags after readyForCutover (simulated seconds) and the wall time of
  the slowest of the four applies.
- **Scenario 11** holds the quota's targets: four workspaces of six migrations each applied at once
  against a bucket of 4 requests/s (4 at once), challenges charged, clock ×60, once with the figures
  stated and once with none (RateLimit.Unstated: the provider learns the rate from 429s alone, as it
  does against a server that states nothing). The cutover lag is the worst of the 24, readyForCutover to
  the cutover request, in wall seconds (simulated ÷ 60; the note gives the simulated figure). The last
  rows run the provider's rate limiter on a simulated clock (client.RecoveryAfterBurst): a saturated
  queue at a pace learned from answers, or stated by a bucket of 20 refilled at 20/s, then 20 answers
  429 without Retry-After, and the simulated time until the pace is back where it was.
`
