package client

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const (
	rlOrg   = "60a1b2c3d4e5f6a7b8c9d0e1"
	rlPub   = "rl-public"
	rlPriv  = "rl-private-0123456789"
	rlPub2  = "rl-public-2"
	rlPriv2 = "rl-private-2-0123456789"
)

func rlSim(t *testing.T, limit *simulator.RateLimit) *simulator.Server {
	t.Helper()
	keys := []simulator.APIKey{{PublicKey: rlPub, PrivateKey: rlPriv}, {PublicKey: rlPub2, PrivateKey: rlPriv2}}
	return simulator.NewServer(t, simulator.Options{AtlasKeys: keys, OpsManagerKeys: keys, RateLimit: limit}, simulator.ServerOptions{})
}

func rlOpsManager(t *testing.T, sim *simulator.Server, pub, priv string, perSecond float64) *OpsManager {
	t.Helper()
	om, err := NewOpsManager(Config{BaseURL: sim.URL, PublicKey: pub, PrivateKey: priv, MaxRetries: 3,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, MaxRequestsPerSecond: perSecond})
	if err != nil {
		t.Fatal(err)
	}
	return om
}

// limiterOf digs the limiter out of a client's transport chain.
func limiterOf(t *testing.T, c *core) *rateLimiter {
	t.Helper()
	rt, ok := c.http.Transport.(*retryTransport)
	if !ok {
		t.Fatalf("outermost transport is %T", c.http.Transport)
	}
	logging := rt.next.(*loggingTransport)
	var auth any = logging.next
	switch a := auth.(type) {
	case *bearerTransport:
		return a.next.(*rateLimitTransport).limiter
	default:
		// The digest transport keeps its next transport unexported: the
		// registry answers for the same key instead.
		return nil
	}
}

func TestLimiterIsSharedPerAPIAndCredentials(t *testing.T) {
	t.Parallel()
	sim := rlSim(t, nil)
	other := rlSim(t, nil)
	key := func(baseURL, pub, priv string) *rateLimiter {
		return sharedLimiter(baseURL, "h", Config{PublicKey: pub, PrivateKey: priv})
	}
	same := key(sim.URL, rlPub, rlPriv)
	if key(sim.URL, rlPub, rlPriv) != same {
		t.Fatal("two clients of the same API and key have different limiters")
	}
	if key(sim.URL, rlPub2, rlPriv2) == same {
		t.Fatal("another key shares the limiter: its quota is its own")
	}
	if key(sim.URL, rlPub, rlPriv+"x") == same {
		t.Fatal("another private key shares the limiter")
	}
	if key(other.URL, rlPub, rlPriv) == same {
		t.Fatal("another API shares the limiter")
	}
	sa1 := sharedLimiter(sim.URL, "h", Config{ClientID: "id", ClientSecret: "s1"})
	if sharedLimiter(sim.URL, "h", Config{ClientID: "id", ClientSecret: "s1"}) != sa1 || sharedLimiter(sim.URL, "h", Config{ClientID: "id", ClientSecret: "s2"}) == sa1 {
		t.Fatal("service accounts are not keyed by their credentials")
	}

	// Real clients built from the same configuration use the shared one.
	a, err := NewAtlas(Config{BaseURL: sim.URL, ClientID: "cid", ClientSecret: "csecret"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewAtlas(Config{BaseURL: sim.URL + "/", ClientID: "cid", ClientSecret: "csecret"})
	if err != nil {
		t.Fatal(err)
	}
	if la, lb := limiterOf(t, a.c), limiterOf(t, b.c); la == nil || la != lb || la != sharedLimiter(sim.URL, "h", Config{ClientID: "cid", ClientSecret: "csecret"}) {
		t.Fatal("two clients of one API and service account do not share one limiter")
	}
}

// A 429 met by one client lowers the rate and pauses every client of the
// same API and key — not the clients of another key — and every request
// that reaches the server, digest challenges and retries included, went
// through the shared limiter.
func TestAnswer429LowersTheRateForEveryCallerOfTheAPI(t *testing.T) {
	t.Parallel()
	// A burst of 2: the first call (challenge and authenticated request)
	// empties the bucket, the second call's challenge meets a 429. The
	// bucket states nothing: the limiter learns.
	sim := rlSim(t, &simulator.RateLimit{PerSecond: 1, Burst: 2, Unstated: true})
	first := rlOpsManager(t, sim, rlPub, rlPriv, 0)
	second := rlOpsManager(t, sim, rlPub, rlPriv, 0)
	otherKey := rlOpsManager(t, sim, rlPub2, rlPriv2, 0)
	shared := sharedLimiter(sim.URL, "", Config{PublicKey: rlPub, PrivateKey: rlPriv})
	other := sharedLimiter(sim.URL, "", Config{PublicKey: rlPub2, PrivateKey: rlPriv2})

	if _, err := first.LinkStatus(context.Background(), rlOrg); !IsNotFound(err) {
		t.Fatalf("first call: %v", err)
	}
	if st := shared.state(); st.Learned || st.Granted != 2 {
		t.Fatalf("after one digest call: %+v; want 2 requests let through (challenge and call), nothing learned", st)
	}
	if _, err := second.LinkStatus(context.Background(), rlOrg); !IsNotFound(err) {
		t.Fatalf("second call: %v", err)
	}
	st := shared.state()
	// The API admitted 2 requests in the first second, its burst: the
	// first estimate is at most that, under the start rate by far.
	if !st.Learned || st.Limited < 1 || st.PerSecond > 2 || st.PerSecond < 0.5 {
		t.Fatalf("after a 429 with Retry-After 1: %+v; want the rate learned at 1 to 2 requests a second", st)
	}
	if st.PausedUntil.IsZero() {
		t.Fatal("the 429 did not pause the limiter")
	}
	sum := sim.JournalSummary()
	if sum.ByStatus[429] != st.Limited || st.Granted != sum.Total {
		t.Fatalf("the server saw %d requests (%d answered 429), the limiter let %d through and saw %d answers 429: every request, challenges and retries included, must wait its turn",
			sum.Total, sum.ByStatus[429], st.Granted, st.Limited)
	}
	if o := other.state(); o.Learned || o.Granted != 0 {
		t.Fatalf("another key's limiter changed: %+v", o)
	}
	_ = otherKey
}

func TestLimiterLearnsFromAnswers(t *testing.T) {
	t.Parallel()
	l := newRateLimiter("api.test", 0)
	ctx := context.Background()
	t0 := time.Now()
	l.firstRequest = t0
	if st := l.state(); st.Learned {
		t.Fatalf("new limiter: %+v", st)
	}
	for i := range 10 {
		l.admittedAt(t0.Add(time.Duration(i+1) * 100 * time.Millisecond))
	}
	// 10 answers in the 2 s since the first request: about 5 a second.
	at := t0.Add(2 * time.Second)
	l.limitedAt(ctx, at, 0, time.Second, true)
	st := l.state()
	if want := 5 * margin; st.PerSecond < want-0.01 || st.PerSecond > want+0.01 {
		t.Fatalf("rate after the 429: %v, want %v (what the API admitted, less the margin)", st.PerSecond, want)
	}
	if !st.PausedUntil.Equal(at.Add(time.Second)) {
		t.Fatalf("paused until %v, want Retry-After later", st.PausedUntil)
	}
	// A 429 to a request let through before the decrease pauses longer but
	// does not lower the rate again.
	l.limitedAt(ctx, at.Add(10*time.Millisecond), 0, 2*time.Second, true)
	if st2 := l.state(); st2.PerSecond != st.PerSecond || !st2.PausedUntil.Equal(at.Add(2010*time.Millisecond)) {
		t.Fatalf("stale 429: %+v", st2)
	}
	// The first 429 gives a guess: while requests queue and the API
	// answers, the rate probes upwards quickly...
	l.line = []uint64{0} // a request waits in line
	for i := range 10 {
		l.admittedAt(at.Add(2*time.Second + time.Duration(i)*100*time.Millisecond))
	}
	if probed := l.state().PerSecond; probed < st.PerSecond+4.9 {
		t.Fatalf("rate after ten answers: %v, want about %v (probing)", probed, st.PerSecond+5)
	}
	// ...until the next 429, an estimate between two empty buckets: 20
	// answers in the 4 s since the first 429.
	at2 := at.Add(4 * time.Second)
	for i := range 10 {
		l.admittedAt(at.Add(3*time.Second + time.Duration(i)*50*time.Millisecond))
	}
	l.limitedAt(ctx, at2, l.epoch, time.Second, true)
	st = l.state()
	if want := 20.0 / 4 * margin; st.PerSecond < want-0.01 || st.PerSecond > want+0.01 {
		t.Fatalf("rate after the second 429: %v, want %v", st.PerSecond, want)
	}
	// From there the rate climbs back gently.
	for i := range 20 {
		l.admittedAt(at2.Add(2*time.Second + time.Duration(i)*250*time.Millisecond))
	}
	if grown := l.state().PerSecond; grown <= st.PerSecond || grown > st.PerSecond*1.25 {
		t.Fatalf("rate after 20 answers: %v, want gently above %v", grown, st.PerSecond)
	}
	// No Retry-After, "0" or an hour: no shared pause, the rate halves.
	for _, ra := range []struct {
		d   time.Duration
		has bool
	}{{0, false}, {0, true}, {time.Hour, true}} {
		before := l.state()
		l.limitedAt(ctx, at.Add(30*time.Second), l.epoch, ra.d, ra.has)
		after := l.state()
		if after.PerSecond > before.PerSecond/2*margin+1e-9 || !after.PausedUntil.Equal(before.PausedUntil) {
			t.Fatalf("429 with Retry-After %v (%v): %+v after %+v", ra.d, ra.has, after, before)
		}
	}
}

// TestSlowStartBoundsRequestsInFlight: before the first 429 a new API gets
// one request in flight, then twice as many after every answer that is not
// a 429; no request is spaced by time. After a 429 the rate decides.
func TestSlowStartBoundsRequestsInFlight(t *testing.T) {
	t.Parallel()
	l := newRateLimiter("api.test", 0)
	let := func(n int) {
		t.Helper()
		for i := range n {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err := l.wait(ctx)
			cancel()
			if err != nil {
				t.Fatalf("request %d of %d not let through: %v", i+1, n, err)
			}
		}
	}
	held := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, err := l.wait(ctx); err == nil {
			t.Fatalf("a request beyond the window (%d in flight) was let through", l.inFlight)
		}
	}
	let(1)
	held()
	l.answered(true) // window 2
	let(2)
	held()
	l.answered(true)
	l.answered(true) // window 8, none in flight
	let(8)
	held()
	// A 429 does not open the window; it ends the slow start: the rate
	// learned from it paces the requests from then on.
	l.answered(false) // its place is free again, the window is still 8
	let(1)
	held()
	l.limitedAt(context.Background(), time.Now().Add(-2*time.Second), l.epoch, 0, false)
	if st := l.state(); !st.Learned || st.PerSecond > unlimitedRate {
		t.Fatalf("after the 429: %+v", st)
	}
	let(1)
}

func TestCeilingIsTheRateAndItsLimit(t *testing.T) {
	t.Parallel()
	sim := rlSim(t, nil)
	om := rlOpsManager(t, sim, rlPub, rlPriv, 2.5)
	l := sharedLimiter(sim.URL, "", Config{PublicKey: rlPub, PrivateKey: rlPriv, MaxRequestsPerSecond: 2.5})
	if st := l.state(); st.PerSecond != 2.5 || !st.Learned {
		t.Fatalf("limiter with a ceiling: %+v", st)
	}
	l.line = []uint64{0} // a request waits in line
	l.admittedAt(time.Now().Add(time.Hour))
	if st := l.state(); st.PerSecond != 2.5 {
		t.Fatalf("the rate grew past the ceiling: %v", st.PerSecond)
	}
	if _, err := NewOpsManager(Config{BaseURL: sim.URL, PublicKey: rlPub, PrivateKey: rlPriv, MaxRequestsPerSecond: -1}); err == nil {
		t.Fatal("a negative rate was accepted")
	}
	_ = om
}

// A request whose turn would come after the operation's deadline is not
// sent, is not retried, and is certain: the API never saw it.
func TestWaitBeyondTheDeadlineIsNotSent(t *testing.T) {
	t.Parallel()
	sim := rlSim(t, nil)
	om := rlOpsManager(t, sim, rlPub, rlPriv, 0)
	l := sharedLimiter(sim.URL, "", Config{PublicKey: rlPub, PrivateKey: rlPriv})
	l.limitedAt(context.Background(), time.Now(), 0, 30*time.Second, true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := om.LinkStatus(ctx, rlOrg)
	var wait *RateLimitWaitError
	if !errors.As(err, &wait) || IsUncertain(err) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "beyond the operation's timeout") {
		t.Fatalf("want a certain rate-limit wait error, got %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the client waited into the deadline")
	}
	if n := sim.Total(); n != 0 {
		t.Fatalf("the server saw %d requests", n)
	}
}

// fakeClock is a limiter's clock that moves only when a test moves it.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// clockedLimiter is a limiter that learns (no ceiling) on a fake clock.
func clockedLimiter() (*rateLimiter, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newRateLimiter("api.test", 0)
	l.now = clock.now
	return l, clock
}

// A burst of 429s without Retry-After (a gateway under load, no bucket
// refilling) lowers the rate to its floor; with the API answering again the
// limiter is back to the pace it had before within 2 minutes, on the
// limiter's clock, while requests queue. Each case runs 2 simulated minutes
// of a saturated queue: every request the limiter lets through is answered.
func TestLimiterRecoversFromABurstOf429sWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	burst := func(l *rateLimiter, clock *fakeClock) {
		for range 20 {
			clock.t = clock.t.Add(200 * time.Millisecond)
			l.limitedAt(ctx, clock.t, l.epoch, 0, false)
		}
		if st := l.state(); st.PerSecond > 2*minRate {
			t.Fatalf("after 20 answers 429: %+v; want the rate at its floor", st)
		}
	}
	saturate := func(l *rateLimiter, clock *fakeClock, d time.Duration) {
		l.line = []uint64{0} // a request waits in line
		for end := clock.t.Add(d); clock.t.Before(end); clock.t = clock.t.Add(10 * time.Millisecond) {
			l.mu.Lock()
			_, _, _, ok := l.admit(clock.t, clock.t)
			l.mu.Unlock()
			if ok {
				l.admittedAt(clock.t)
				l.answered(true)
			}
		}
	}

	t.Run("a learned rate", func(t *testing.T) {
		t.Parallel()
		l, clock := clockedLimiter()
		l.firstRequest = clock.t
		// Learned between two 429s with Retry-After: 5 a second.
		for i := range 10 {
			l.admittedAt(clock.t.Add(time.Duration(i+1) * 100 * time.Millisecond))
		}
		l.limitedAt(ctx, clock.t.Add(2*time.Second), l.epoch, time.Second, true)
		for i := range 20 {
			l.admittedAt(clock.t.Add(3*time.Second + time.Duration(i)*150*time.Millisecond))
		}
		clock.t = clock.t.Add(6 * time.Second)
		l.limitedAt(ctx, clock.t, l.epoch, time.Second, true)
		before := l.state().PerSecond
		if before < 4 || before > 5 {
			t.Fatalf("learned rate %v, want about 4.75", before)
		}
		clock.t = clock.t.Add(2 * time.Second)
		burst(l, clock)
		saturate(l, clock, 2*time.Minute)
		if st := l.state(); st.PerSecond < before*0.99 {
			t.Fatalf("2 minutes after the burst the rate is %v requests a second; before it, %v", st.PerSecond, before)
		}
	})
	t.Run("nothing learned", func(t *testing.T) {
		t.Parallel()
		l, clock := clockedLimiter()
		l.firstRequest = clock.t
		burst(l, clock)
		saturate(l, clock, 2*time.Minute)
		if st := l.state(); st.Learned {
			t.Fatalf("2 minutes after the burst: %+v; want the limiter back to its start, with nothing learned", st)
		}
	})
	t.Run("a ceiling", func(t *testing.T) {
		t.Parallel()
		l, clock := clockedLimiter()
		l.setCeiling(8)
		burst(l, clock)
		saturate(l, clock, 2*time.Minute)
		if st := l.state(); st.PerSecond != 8 {
			t.Fatalf("2 minutes after the burst the rate is %v, want the ceiling 8", st.PerSecond)
		}
	})
}

// Requests take their turns in the order they came: under a tight quota a
// request never waits behind one that came after it.
func TestRequestsTakeTurnsInTheOrderTheyCame(t *testing.T) {
	t.Parallel()
	l := newRateLimiter("api.test", 50)
	ctx := context.Background()
	if _, err := l.wait(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 8
	order := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.wait(ctx); err != nil {
				t.Error(err)
				return
			}
			order <- i
			l.answered(true)
		}()
		// The next one comes once this one has its place in line.
		for {
			l.mu.Lock()
			placed := l.tickets == uint64(i+2)
			l.mu.Unlock()
			if placed {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	wg.Wait()
	close(order)
	want := 0
	for got := range order {
		if got != want {
			t.Fatalf("request %d went in turn %d", got, want)
		}
		want++
	}
}
