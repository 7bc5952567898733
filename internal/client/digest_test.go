package client_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"golang.org/x/sync/errgroup"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// simClock is a simulator clock that moves only when a test moves it.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func newSimClock() *simClock { return &simClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// digestLegs splits the journal: requests without credentials (challenge
// legs), digest responses the API refused (401), and the rest.
func digestLegs(sim *simulator.Server) (challenges, refused, accepted []simulator.Request) {
	for _, r := range sim.Requests() {
		switch {
		case r.Auth == "none":
			challenges = append(challenges, r)
		case r.Status == http.StatusUnauthorized:
			refused = append(refused, r)
		default:
			accepted = append(accepted, r)
		}
	}
	return challenges, refused, accepted
}

// After the first call of each API, a call is one request: the kept
// challenge is answered with the next nonce count and a fresh cnonce, and a
// request's body is sent once.
func TestDigestReusesTheChallenge(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	atlas := atlasClient(t, sim, client.Config{})
	om := omClient(t, sim, client.Config{})
	ctx := context.Background()
	for i := range 4 {
		token, err := atlas.CreateLinkToken(ctx, atlasOrg, []string{fmt.Sprintf("203.0.113.%d", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		if ips, _ := sim.TokenAccessList(token); len(ips) != 1 || ips[0] != fmt.Sprintf("203.0.113.%d", i+1) {
			t.Fatalf("call %d: the body arrived as %v", i+1, ips)
		}
		if _, err := om.LinkStatus(ctx, sourceOrg); !client.IsNotFound(err) {
			t.Fatalf("status: %v, want the API's 404", err)
		}
	}
	challenges, refused, accepted := digestLegs(sim)
	if len(challenges) != 2 || len(refused) != 0 || len(accepted) != 8 || sim.Total() != 10 {
		t.Fatalf("%d challenges, %d refused, %d accepted, %d requests; want 2, 0, 8 and 10 for 8 calls",
			len(challenges), len(refused), len(accepted), sim.Total())
	}
	nonces := map[string]string{}
	cnonces := map[string]bool{}
	next := map[string]int{}
	for _, r := range accepted {
		side := string(r.Route)
		if nonces[side] == "" {
			nonces[side] = r.Nonce
		}
		next[side]++
		if r.Nonce != nonces[side] || r.NonceCount != next[side] {
			t.Errorf("%s: nonce %s count %d, want %s and %d", side, r.Nonce, r.NonceCount, nonces[side], next[side])
		}
		if cnonces[r.CNonce] {
			t.Errorf("%s: cnonce %s sent twice", side, r.CNonce)
		}
		cnonces[r.CNonce] = true
	}
	if nonces[string(simulator.RouteCreateLinkToken)] == nonces[string(simulator.RouteLinkStatus)] {
		t.Error("both APIs answered one nonce")
	}
}

// An expired nonce is answered 401 with stale=true and a new nonce: the
// request is sent once more with it (count 1), and the next call counts on.
func TestDigestStaleNonceTakesTheNewOne(t *testing.T) {
	t.Parallel()
	clock := newSimClock()
	sim := newSim(t, simulator.Options{NonceTTL: time.Minute, Clock: clock.Now}, simulator.ServerOptions{})
	om := omClient(t, sim, client.Config{})
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	status := func() {
		t.Helper()
		if _, err := om.LinkStatus(ctx, sourceOrg); !client.IsNotFound(err) {
			t.Fatalf("status: %v, want the API's 404", err)
		}
	}
	status()
	status()
	clock.Advance(2 * time.Minute)
	status()
	status()
	reqs := sim.Requests()
	type leg struct {
		auth   string
		status int
		nc     int
	}
	var got []leg
	for _, r := range reqs {
		got = append(got, leg{r.Auth, r.Status, r.NonceCount})
	}
	want := []leg{
		{"none", 401, 0}, {"digest", 404, 1}, // challenge-response
		{"digest", 404, 2},                     // reuse
		{"digest", 401, 3}, {"digest", 404, 1}, // stale, then the new nonce
		{"digest", 404, 2}, // reuse of the new nonce
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("legs %v, want %v", got, want)
	}
	if reqs[4].Nonce == reqs[1].Nonce || reqs[5].Nonce != reqs[4].Nonce {
		t.Fatal("the stale answer's nonce was not the one used after it")
	}
	if n := strings.Count(logs.String(), "digest nonce expired"); n != 1 {
		t.Fatalf("%d DEBUG lines on the expired nonce, want 1", n)
	}
}

// A server that refuses every reuse: each call still succeeds, the first
// two reuses fall back to the challenge-response (one request more each),
// and then the clients sharing what they learn of nonces (as the provider's
// two sides do) stop reusing on that host — for both APIs, which share it.
// A client that shares nothing learns on its own.
func TestDigestRefusedReuseFallsBackThenStops(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{RefuseNonceReuse: true}, simulator.ServerOptions{})
	nonces := client.NewDigestNonces()
	atlas := atlasClient(t, sim, client.Config{DigestNonces: nonces})
	om := omClient(t, sim, client.Config{DigestNonces: nonces})
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	for i := range 6 {
		if _, err := om.LinkStatus(ctx, sourceOrg); !client.IsNotFound(err) {
			t.Fatalf("status %d: %v, want the API's 404", i+1, err)
		}
	}
	for i := range 6 {
		if _, err := atlas.CreateLinkToken(ctx, atlasOrg, []string{"203.0.113.7"}); err != nil {
			t.Fatalf("token %d: %v", i+1, err)
		}
	}
	challenges, refused, accepted := digestLegs(sim)
	if len(accepted) != 12 || len(challenges) != 12 || len(refused) != 2 || sim.Total() != 26 {
		t.Fatalf("%d accepted, %d challenges, %d refused reuses, %d requests; want 12, 12, 2 and 26 (2 per call + 2)",
			len(accepted), len(challenges), len(refused), sim.Total())
	}
	for _, r := range refused {
		if r.Route != simulator.RouteLinkStatus || r.NonceCount != 2 {
			t.Errorf("refused %s with count %d, want the second and third status reads, count 2", r.Route, r.NonceCount)
		}
	}
	if n := len(sim.LinkTokens(atlasOrg)); n != 6 {
		t.Fatalf("%d tokens, want 6", n)
	}
	const stopped = "the API refused reused digest nonces twice"
	if n := strings.Count(logs.String(), stopped); n != 1 {
		t.Fatalf("%d INFO lines saying %q, want 1:\n%s", n, stopped, logs.String())
	}
	if n := strings.Count(logs.String(), "reused digest nonce refused"); n != 2 {
		t.Fatalf("%d DEBUG lines on refused nonces, want 2", n)
	}

	sim.ResetJournal()
	alone := omClient(t, sim, client.Config{})
	for i := range 4 {
		if _, err := alone.LinkStatus(ctx, sourceOrg); !client.IsNotFound(err) {
			t.Fatalf("status %d of a client sharing nothing: %v", i+1, err)
		}
	}
	if _, refused, accepted := digestLegs(sim); len(refused) != 2 || len(accepted) != 4 || sim.Total() != 10 {
		t.Fatalf("a client sharing nothing: %d refused reuses, %d calls, %d requests; want 2, 4 and 10", len(refused), len(accepted), sim.Total())
	}
}

// Concurrent calls against a server that refuses every reuse: none fails,
// none runs twice, and reuse costs at most two requests: until a reuse has
// been accepted, one request at a time tries it.
func TestDigestRefusedReuseUnderConcurrencyCostsAtMostTwo(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{RefuseNonceReuse: true}, simulator.ServerOptions{})
	atlas := atlasClient(t, sim, client.Config{})
	if _, err := atlas.CreateLinkToken(context.Background(), atlasOrg, nil); err != nil {
		t.Fatal(err)
	}
	var g errgroup.Group
	const workers, each = 16, 5
	for range workers {
		g.Go(func() error {
			for range each {
				if _, err := atlas.CreateLinkToken(context.Background(), atlasOrg, nil); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("a call failed: %v", err)
	}
	calls := workers*each + 1
	if n := sim.Calls(simulator.RouteCreateLinkToken); n != calls {
		t.Fatalf("%d token creations ran, want %d", n, calls)
	}
	_, refused, _ := digestLegs(sim)
	if extra := sim.Total() - 2*calls; extra != len(refused) || extra > 2 {
		t.Fatalf("%d requests for %d calls: %d more than the challenge-response (%d refused reuses), want at most 2",
			sim.Total(), calls, extra, len(refused))
	}
}

// Many goroutines share one nonce with distinct counts, which reach the
// server in any order: every call is one request.
func TestDigestConcurrentCallsShareANonce(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	om := omClient(t, sim, client.Config{})
	ctx := context.Background()
	// Two calls first: the challenge, then the reuse that shows the
	// server accepts it.
	for range 2 {
		if _, err := om.LinkStatus(ctx, sourceOrg); !client.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	var g errgroup.Group
	const workers, each = 32, 8
	for range workers {
		g.Go(func() error {
			for range each {
				if _, err := om.LinkStatus(ctx, sourceOrg); !client.IsNotFound(err) {
					return fmt.Errorf("status: %w", err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	calls := workers*each + 2
	challenges, refused, accepted := digestLegs(sim)
	if len(challenges) != 1 || len(refused) != 0 || len(accepted) != calls {
		t.Fatalf("%d challenges, %d refused, %d accepted for %d calls; want 1, 0, %d", len(challenges), len(refused), len(accepted), calls, calls)
	}
	seen := map[int]bool{}
	for _, r := range accepted {
		if r.Nonce != accepted[0].Nonce || seen[r.NonceCount] {
			t.Fatalf("count %d of nonce %s sent twice or under another nonce", r.NonceCount, r.Nonce)
		}
		seen[r.NonceCount] = true
	}
	for nc := 1; nc <= calls; nc++ {
		if !seen[nc] {
			t.Fatalf("count %d never sent: counts are not 1..%d", nc, calls)
		}
	}
}

// A server that accepts each count only above all earlier ones (the
// strictest replay protection) refuses counts that overtook each other in
// flight: those calls fall back, none fails, none runs twice, and after two
// refused nonces the process stops reusing.
func TestDigestStrictCountsRefusedOutOfOrderCostNoFailure(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{NonceCountWindow: 1}, simulator.ServerOptions{})
	atlas := atlasClient(t, sim, client.Config{})
	ctx := context.Background()
	for range 2 {
		if _, err := atlas.CreateLinkToken(ctx, atlasOrg, nil); err != nil {
			t.Fatal(err)
		}
	}
	var g errgroup.Group
	const workers, each = 24, 6
	for range workers {
		g.Go(func() error {
			for range each {
				if _, err := atlas.CreateLinkToken(ctx, atlasOrg, nil); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("a call failed: %v", err)
	}
	if n := sim.Calls(simulator.RouteCreateLinkToken); n != workers*each+2 {
		t.Fatalf("%d token creations ran, want %d", n, workers*each+2)
	}
	_, refused, _ := digestLegs(sim)
	for _, r := range refused {
		if r.NonceCount < 2 {
			t.Fatalf("a first use of a nonce was refused: %+v", r)
		}
	}
}

// A reused nonce the API refuses was not processed; the fallback's
// challenge leg, reset before the API, leaves the call certain: a POST
// that never ran, replayed by the retry policy.
func TestDigestRefusedReuseThenResetChallengeIsCertain(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{RefuseNonceReuse: true}, simulator.ServerOptions{})
	atlas := atlasClient(t, sim, client.Config{MaxRetries: -1})
	ctx := context.Background()
	if _, err := atlas.CreateLinkToken(ctx, atlasOrg, nil); err != nil {
		t.Fatal(err)
	}
	sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, ResetBeforeProcessing: true, Challenge: true})
	_, err := atlas.CreateLinkToken(ctx, atlasOrg, nil)
	if err == nil {
		t.Fatal("the call succeeded through a reset")
	}
	if client.IsUncertain(err) {
		t.Fatalf("a refused reuse followed by a reset challenge is reported as possibly processed: %v", err)
	}
	if n := len(sim.LinkTokens(atlasOrg)); n != 1 {
		t.Fatalf("%d tokens, want 1", n)
	}
	_, refused, _ := digestLegs(sim)
	if len(refused) != 1 || sim.Total() != 4 {
		t.Fatalf("%d refused reuses, %d requests; want 1 and 4 (challenge, call, refused reuse, reset challenge)", len(refused), sim.Total())
	}
}

// A reused nonce's request carries credentials: an answer lost after the
// API processed the POST leaves it uncertain, as for any authenticated
// request.
func TestDigestReusedRequestWithLostAnswerIsUncertain(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	atlas := atlasClient(t, sim, client.Config{})
	ctx := context.Background()
	if _, err := atlas.CreateLinkToken(ctx, atlasOrg, nil); err != nil {
		t.Fatal(err)
	}
	sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, ResetAfterProcessing: true})
	_, err := atlas.CreateLinkToken(ctx, atlasOrg, nil)
	if !client.IsUncertain(err) {
		t.Fatalf("a lost answer to a processed POST: %v, want uncertain", err)
	}
	if n := len(sim.LinkTokens(atlasOrg)); n != 2 {
		t.Fatalf("%d tokens, want 2 (the lost answer's token exists)", n)
	}
	reqs := sim.Requests()
	if last := reqs[len(reqs)-1]; last.Auth != "digest" || last.NonceCount != 2 || sim.Total() != 3 {
		t.Fatalf("last request %+v of %d, want the reuse with count 2 of 3", last, sim.Total())
	}
	if strings.Contains(err.Error(), atlasPriv) {
		t.Fatal("the error carries the private key")
	}
}

// readTogether reads a link's status from n workers that start at once,
// each expecting the API's 404.
func readTogether(t *testing.T, om *client.OpsManager, n int) {
	t.Helper()
	start := make(chan struct{})
	var g errgroup.Group
	for range n {
		g.Go(func() error {
			<-start
			if _, err := om.LinkStatus(context.Background(), sourceOrg); !client.IsNotFound(err) {
				return fmt.Errorf("status: %w", err)
			}
			return nil
		})
	}
	close(start)
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// Workers that start together with nothing kept share one challenge: one
// fills the cache, one probes the reuse while the others wait, then all
// reuse the nonce.
func TestDigestWorkersStartingTogetherShareOneChallenge(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	om := omClient(t, sim, client.Config{})
	const workers = 10
	readTogether(t, om, workers)
	challenges, refused, accepted := digestLegs(sim)
	if len(challenges) != 1 || len(refused) != 0 || len(accepted) != workers {
		t.Fatalf("%d challenges, %d refused, %d accepted for %d calls; want 1, 0, %d", len(challenges), len(refused), len(accepted), workers, workers)
	}
}

// A reuse answered 429 proves nothing either way, and neither does a
// challenge-response answered 429: the workers waiting behind it wait for
// the next try rather than each send a challenge-response of its own, which
// the quota charges too.
func TestDigestWorkersBehindA429KeepWaitingForTheChallenge(t *testing.T) {
	t.Parallel()
	// Two requests at once: the first call's challenge and its answer
	// empty the bucket, and the first reuse is answered 429.
	sim := newSim(t, simulator.Options{RateLimit: &simulator.RateLimit{PerSecond: 5, Burst: 2}}, simulator.ServerOptions{})
	om := omClient(t, sim, client.Config{MaxRetries: 20})
	const workers = 8
	readTogether(t, om, workers)
	challenges, refused, accepted := digestLegs(sim)
	limited := 0
	for _, r := range accepted {
		if r.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatalf("no answer 429 in %d requests: the case is not made", sim.Total())
	}
	if len(challenges) != 1 || len(refused) != 0 || len(accepted) != workers+limited {
		t.Fatalf("%d challenges, %d refused, %d answered (%d of them 429) for %d calls; want 1 challenge, none refused", len(challenges), len(refused), len(accepted), limited, workers)
	}
}
