package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// oneTokenLinksHCL declares one token of one Atlas organization and n
// source organizations linked with it.
func oneTokenLinksHCL(n, maxRetries int) string {
	var s strings.Builder
	s.WriteString("terraform {\n  required_providers {\n    atlasmig = {\n      source = \"atlasmig/atlasmig\"\n    }\n  }\n}\n\n")
	fmt.Fprintf(&s, keysProvider, maxRetries)
	s.WriteString(`
resource "atlasmig_link_token" "t" {
  org_id = "5f1b2c3d4e5f6a7b8c9d0e1f"
}
`)
	for i := range n {
		fmt.Fprintf(&s, `
resource "atlasmig_migration_link" "l%[1]d" {
  org_id     = "60a1b2c3d4e5f6a7b8c9%04[1]x"
  link_token = atlasmig_link_token.t.link_token
}
`, i)
	}
	return s.String()
}

// What scenario 7 needs: the token once and, per link, its status read at
// plan and again before linking, the Atlas organization's available
// projects read before and after the link, and the link; and one digest
// challenge per API and provider process — the plan's reads Ops Manager
// only, the apply's both APIs.
const (
	linkCallsEach    = 5
	neededChallenges = 3
)

// scenario7: one token and eight links against a shared key's quota of 1
// request per second with a burst of 2, every request charged, digest
// challenges included. The eight link workers share one rate limiter per
// API in the provider: they queue there instead of each meeting its own
// 429.
func (b *bench) scenario7() ([]row, error) {
	const (
		n     = 8
		rate  = 1.0
		burst = 2
	)
	const neededCalls = 1 + linkCallsEach*n
	fmt.Fprintf(os.Stderr, "scenario 7: 1 token and %d links at %.0f request/s (burst %d), %d runs\n", n, rate, burst, b.runs)
	var failures, walls, requests, authenticated, limited, ratios []float64
	for i := 0; i < b.runs; i++ {
		sim, env, err := startSim(simulator.Options{RateLimit: &simulator.RateLimit{PerSecond: rate, Burst: burst}})
		if err != nil {
			return nil, err
		}
		w := b.workspace("s7-ours", oneTokenLinksHCL(n, 20), b.oursRC, keyEnv(env))
		wall, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color")
		failed := 0.0
		if err != nil {
			failed = 1
			fmt.Fprintln(os.Stderr, err)
		}
		sum := sim.JournalSummary()
		fmt.Fprintf(os.Stderr, "scenario 7: authenticated calls by route: %v; by status: %v\n", sum.CallsByRoute, sum.ByStatus)
		links := sim.Calls(simulator.RouteLink)
		if err := b.writeJournal("s7", sim.Requests()); err != nil {
			sim.Close()
			return nil, err
		}
		sim.Close()
		if failed == 0 && links != n {
			return nil, fmt.Errorf("scenario 7: %d authenticated link requests, want %d (one per link)", links, n)
		}
		needed := float64(neededCalls + neededChallenges)
		failures = append(failures, failed)
		walls = append(walls, secs(wall))
		requests = append(requests, float64(sum.Total))
		authenticated = append(authenticated, float64(sum.Authenticated))
		limited = append(limited, float64(sum.ByStatus[429]))
		ratios = append(ratios, secs(wall)/(needed/rate))
	}
	return []row{
		{scenario: "7", measure: "1 token + 8 links at 1 req/s, burst 2: failed applies", ratio: summarize(failures), unit: "count", target: "0"},
		{scenario: "7", measure: "1 token + 8 links at 1 req/s: wall ÷ (requests needed ÷ 1/s)", ratio: summarize(ratios), target: "≤ 1.3",
			note: fmt.Sprintf("needed: %d requests (%d calls and a digest challenge per API and process)", neededCalls+neededChallenges, neededCalls)},
		{scenario: "7", measure: "1 token + 8 links at 1 req/s: wall", ratio: summarize(walls), unit: "s", target: "report"},
		{scenario: "7", measure: "1 token + 8 links at 1 req/s: HTTP requests (all)", ratio: summarize(requests), unit: "count", target: "report"},
		{scenario: "7", measure: "1 token + 8 links at 1 req/s: authenticated requests", ratio: summarize(authenticated), unit: "count", target: strconv.Itoa(neededCalls),
			note: "every call made once, every write among them"},
		{scenario: "7", measure: "1 token + 8 links at 1 req/s: answers 429", ratio: summarize(limited), unit: "count", target: "≤ 5"},
	}, nil
}
