package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

// digestLegs counts, in a simulator's journal, the HTTP requests, the
// authenticated calls, the digest challenge legs (requests without
// credentials), the reused nonces the simulator refused (digest responses
// answered 401) and the answers 429.
type digestLegs struct {
	total, calls, challenges, refused, limited int
}

func countDigestLegs(sim *simulator.Server) digestLegs {
	var d digestLegs
	for _, r := range sim.Requests() {
		d.total++
		switch {
		case r.Status == http.StatusTooManyRequests:
			d.limited++
		case r.Authenticated:
			d.calls++
		case r.Auth == "none":
			d.challenges++
		case r.Auth == "digest" && r.Status == http.StatusUnauthorized:
			d.refused++
		}
	}
	return d
}

// perCall is the HTTP requests per authenticated call, answers 429 left
// out: those are the quota's, counted in rows of their own.
func (d digestLegs) perCall() float64 {
	if d.calls == 0 {
		return 0
	}
	return float64(d.total-d.limited) / float64(d.calls)
}

func (d digestLegs) note() string {
	return fmt.Sprintf("last run: %d HTTP requests for %d calls: %d digest challenges, %d reused nonces refused", d.total-d.limited, d.calls, d.challenges, d.refused)
}

// perCallRow is the requests-per-call row of a scenario.
func perCallRow(scenario, what string, xs []float64, last digestLegs) row {
	return row{scenario: scenario, measure: what + ": HTTP requests per authenticated call (digest)", ratio: summarize(xs), unit: "req", target: "≤ 1.1", note: last.note()}
}

// countedProvider writes a CLI configuration whose provider is ours behind
// a script that notes each start in a file, and returns it with the file:
// the bound on refused reuses is per provider process, and Terraform
// starts several per command.
func (b *bench) countedProvider(name string) (rc, starts string, err error) {
	dir := filepath.Join(b.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	starts = filepath.Join(dir, "starts")
	script := fmt.Sprintf("#!/bin/sh\necho start >> '%s'\nexec '%s' \"$@\"\n", starts, b.oursBin)
	if err := os.WriteFile(filepath.Join(dir, "terraform-provider-atlasmig"), []byte(script), 0o755); err != nil { //nolint:gosec // An executable script in the bench's own directory.
		return "", "", err
	}
	rc = filepath.Join(b.work, name+".tfrc")
	return rc, starts, os.WriteFile(rc, []byte(tfcli.DevOverrides(dir)), 0o600)
}

func countStarts(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "start")
}

// scenario1RefusedReuse applies and destroys scenario 1's 25 pairs against
// a simulator that refuses every reused nonce: each call falls back to the
// challenge-response, and each provider process stops trying after two
// refusals.
func (b *bench) scenario1RefusedReuse() ([]row, error) {
	const n = 25
	fmt.Fprintf(os.Stderr, "scenario 1, a server refusing nonce reuse: apply+destroy of %d pairs, %d runs\n", n, b.runs)
	var perCall, extra, perProcess, failures []float64
	var last digestLegs
	var processes int
	for i := 0; i < b.runs; i++ {
		rc, starts, err := b.countedProvider(fmt.Sprintf("s1-refused-%d", i))
		if err != nil {
			return nil, err
		}
		sim, env, err := startSim(simulator.Options{RefuseNonceReuse: true})
		if err != nil {
			return nil, err
		}
		w := b.workspace("s1-refused", pairsHCL(n, fmt.Sprintf(keysProvider, 5)), rc, keyEnv(env))
		_, err = b.applyDestroy(w)
		last = countDigestLegs(sim)
		processes = countStarts(starts)
		sim.Close()
		failed := 0.0
		if err != nil {
			failed = 1
			fmt.Fprintln(os.Stderr, err)
		}
		failures = append(failures, failed)
		perCall = append(perCall, last.perCall())
		extra = append(extra, float64(last.total-last.limited-2*last.calls))
		perProcess = append(perProcess, float64(last.total-last.limited-2*last.calls)/float64(max(processes, 1)))
	}
	return []row{
		{scenario: "1", measure: "apply+destroy 25 pairs, server refusing nonce reuse: failed applies and destroys", ratio: summarize(failures), unit: "count", target: "0"},
		{scenario: "1", measure: "apply+destroy 25 pairs, server refusing nonce reuse: HTTP requests per authenticated call", ratio: summarize(perCall), unit: "req", target: "≤ 2.0 + 2 per process", note: last.note()},
		{scenario: "1", measure: "apply+destroy 25 pairs, server refusing nonce reuse: requests beyond 2 per call", ratio: summarize(extra), unit: "req", target: "report",
			note: fmt.Sprintf("last run: %d provider processes started", processes)},
		{scenario: "1", measure: "apply+destroy 25 pairs, server refusing nonce reuse: requests beyond 2 per call ÷ provider processes started", ratio: summarize(perProcess), unit: "req", target: "≤ 2"},
	}, nil
}

const digestExplanation = `- **HTTP requests per authenticated call** (scenarios 1, 2 and 8) divide the HTTP requests the
  simulator received by the authenticated calls among them, answers 429 left out (the quota's rows
  count those). The provider answers the last digest challenge of each API with a growing nonce count,
  so a call is one request; each provider process pays one challenge per API (Terraform starts one
  for the plan and one for the apply of each command). The rows "server refusing nonce reuse" run
  scenario 1 against the simulator's -refuse-nonce-reuse: every call costs the challenge-response's two
  requests, plus the refused reuses before a process stops trying, at most 2 per provider process.
  The processes are counted by a script in front of the provider binary that notes each start: every
  start counts, also those that only read the schema, so the share per process is a lower bound of
  what one process that calls the API pays.
`
