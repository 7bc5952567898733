package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// answer builds an answer that states a bucket's figures: status, the two
// headers ("" leaves one out), Retry-After and an error body's detail.
func answer(status int, limit, remaining, retryAfter, detail string) *http.Response {
	h := http.Header{}
	for k, v := range map[string]string{"RateLimit-Limit": limit, "RateLimit-Remaining": remaining, "Retry-After": retryAfter} {
		if v != "" {
			h.Set(k, v)
		}
	}
	body := ""
	if detail != "" {
		body = `{"error":429,"errorCode":"RATE_LIMITED_TOKEN_BUCKET","detail":"` + detail + `"}`
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

// let takes a request through l at the clock's time, or fails the test.
func let(t *testing.T, l *rateLimiter, clock *fakeClock) uint64 {
	t.Helper()
	l.mu.Lock()
	epoch, delay, _, ok := l.admit(clock.t, clock.t)
	l.mu.Unlock()
	if !ok {
		t.Fatalf("no request let through at %v: wait %v (%+v)", clock.t, delay, l.state())
	}
	return epoch
}

// exchange lets one request through l at the clock's time and answers it
// with resp.
func exchange(t *testing.T, l *rateLimiter, clock *fakeClock, resp *http.Response) {
	t.Helper()
	epoch := let(t, l, clock)
	l.observe(context.Background(), resp, epoch, readFigures(resp))
	l.answered(resp.StatusCode != http.StatusTooManyRequests)
}

func near(got, want float64) bool { return got > want*0.999-1e-9 && got < want*1.001+1e-9 }

func TestParseBucketDetail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		detail              string
		capacity, perSecond float64
	}{
		{"Please retry after 55 seconds. Request capacity: 10. Refill rate: 5 per 60 seconds.", 10, 5.0 / 60},
		{"Request capacity: 20. Refill rate: 1200 per 60 seconds.", 20, 20},
		{"request CAPACITY:3.  refill rate: 1 per 1 second", 3, 1},
		{"Refill rate: 36 requests per 3600 seconds. Request capacity: 1.", 1, 0.01},
		// Malformed or partial: what is not in the documented form is
		// not read.
		{"Too many requests.", 0, 0},
		{"", 0, 0},
		{"Request capacity: ten. Refill rate: 5 per minute.", 0, 0},
		{"Request capacity: 10. Refill rate: 0 per 60 seconds.", 10, 0},
		{"Request capacity: 10. Refill rate: 5 per 0 seconds.", 10, 0},
		{"Request capacity: -10. Refill rate: -5 per 60 seconds.", 0, 0},
		{"Request capacity: 99999999999. Refill rate: 5 per 99999999999 seconds.", 0, 0},
		{"Request capacity: 10.5. Refill rate: 5.5 per 60 seconds.", 10, 0},
	} {
		c, r := parseBucketDetail(tc.detail)
		if c != tc.capacity || !near(r, tc.perSecond) {
			t.Errorf("%q: capacity %v, refill %v/s; want %v, %v/s", tc.detail, c, r, tc.capacity, tc.perSecond)
		}
	}
	for v, want := range map[string]float64{"": -1, "0": 0, "500": 500, "-1": -1, "1.5": -1, " 5": -1, "abc": -1, "99999999999": -1} {
		if got := parseStatedHeader(v); got != want {
			t.Errorf("header %q: %v, want %v", v, got, want)
		}
	}
}

// A 429's detail is read without taking its body from the layers above,
// which turn it into the APIError the user sees.
func TestReadFiguresLeavesTheBody(t *testing.T) {
	t.Parallel()
	detail := "Please retry after 12 seconds. Request capacity: 10. Refill rate: 5 per 60 seconds."
	resp := answer(429, "10", "0", "12", detail)
	f := readFigures(resp)
	if f.capacity != 10 || f.remaining != 0 || !near(f.refill, 5.0/60) {
		t.Fatalf("figures %+v", f)
	}
	e := newAPIError(resp, http.MethodGet, "/x", func(s string) string { return s })
	if e.ErrorCode != "RATE_LIMITED_TOKEN_BUCKET" || e.Detail != detail || e.RetryAfter != 12*time.Second {
		t.Fatalf("the error read after the figures: %+v", e)
	}
	if f := readFigures(answer(200, "", "", "", "")); f.capacity != -1 || f.remaining != -1 || f.refill != 0 {
		t.Fatalf("an answer that states nothing: %+v", f)
	}
}

// Once a 429 states the refill rate, the limiter paces by it and the level:
// the refill with the bucket full, refill × (level ÷ capacity)² below, a
// sixteenth when empty; the user's setting stays the ceiling. The level
// read counts the answer's own request as taken: a process alone counts it
// back, one that may share the bucket half of it.
func TestLimiterPacesToTheStatedRefill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, clock := clockedLimiter()
	refill := 5.0 / 60

	exchange(t, l, clock, answer(429, "10", "0", "12", "Please retry after 12 seconds. Request capacity: 10. Refill rate: 5 per 60 seconds."))
	st := l.state()
	if !st.Learned || !near(st.PerSecond, refill*statedFloor) || !st.PausedUntil.Equal(clock.t.Add(12*time.Second)) || st.Limited != 1 {
		t.Fatalf("after the 429: %+v; want %v a second (an empty bucket), paused 12 s", st, refill*statedFloor)
	}
	for _, tc := range []struct {
		remaining string
		want      float64
	}{
		{"10", refill},
		// Five minutes refill the bucket: 5 after one request is others
		// spending it too, and so is 0.
		{"5", refill * 0.55 * 0.55},
		{"0", refill * statedFloor},
		// 9 after one request is this process alone: it counts its own
		// request back, and paces at the refill.
		{"9", refill},
		{"3", refill * 0.35 * 0.35},
	} {
		clock.t = clock.t.Add(5 * time.Minute)
		epoch := let(t, l, clock)
		l.observe(ctx, answer(200, "10", tc.remaining, "", ""), epoch, readFigures(answer(200, "10", tc.remaining, "", "")))
		l.answered(true)
		l.mu.Lock()
		l.paceStated(clock.t)
		l.mu.Unlock()
		if got := l.state().PerSecond; !near(got, tc.want) {
			t.Fatalf("level %s of 10: %v requests a second, want %v", tc.remaining, got, tc.want)
		}
	}
	// The level read is refilled while no answer comes, by the share of
	// the refill a process counts as its own: 24 s later, two refills, of
	// which a fifth; and with no sign of others for ten seconds, the
	// answer's own request counts back whole.
	clock.t = clock.t.Add(24 * time.Second)
	l.mu.Lock()
	l.paceStated(clock.t)
	l.mu.Unlock()
	if got := l.state().PerSecond; !near(got, refill*0.44*0.44) {
		t.Fatalf("24 s after a level of 3: %v, want %v", got, refill*0.44*0.44)
	}
	// No growth from answers: the stated figures decide.
	l.line = []uint64{0} // a request waits in line
	l.admittedAt(clock.t)
	if got := l.state().PerSecond; !near(got, refill*0.44*0.44) {
		t.Fatalf("an answer raised the stated pace to %v", got)
	}

	// A ceiling below the stated pace is the pace.
	c := newRateLimiter("api.test", 0.1)
	c.now = clock.now
	epoch := let(t, c, clock)
	resp := answer(200, "10", "10", "", "")
	c.observe(ctx, resp, epoch, readFigures(resp))
	resp = answer(429, "10", "0", "1", "Request capacity: 10. Refill rate: 60 per 60 seconds.")
	c.observe(ctx, resp, epoch, readFigures(resp))
	c.mu.Lock()
	c.level, c.levelAt = 10, clock.t
	c.paceStated(clock.t)
	c.mu.Unlock()
	if got := c.state().PerSecond; got != 0.1 {
		t.Fatalf("with max_requests_per_second 0.1: %v", got)
	}
}

// A process that has sent more than the level it read, before any answer
// reads the level again, is in debt to the bucket: it paces at the floor,
// and before anything is learned it sends one request at a time. An
// estimate below zero is still an estimate, not a level never stated.
func TestLevelOverspentPacesAtTheFloor(t *testing.T) {
	t.Parallel()
	l, clock := clockedLimiter()
	exchange(t, l, clock, answer(429, "4", "0", "1", "Request capacity: 4. Refill rate: 4 per 1 seconds."))
	clock.t = clock.t.Add(time.Minute)
	exchange(t, l, clock, answer(200, "4", "1", "", ""))
	for _, sent := range []int{2, 3, 6} {
		l.mu.Lock()
		l.sentSince = sent
		l.paceStated(clock.t)
		l.mu.Unlock()
		if got := l.state().PerSecond; !near(got, 4*statedFloor) {
			t.Errorf("%d requests sent after reading a level of 1 of 4: %v requests a second, want the floor, %v", sent, got, 4*statedFloor)
		}
	}

	// The same debt before the refill rate is known: one request at a
	// time, not the whole window.
	s, clock := clockedLimiter()
	s.window = 8
	exchange(t, s, clock, answer(200, "4", "1", "", ""))
	s.mu.Lock()
	s.sentSince = 5
	window := s.slowStartWindow(clock.t)
	s.mu.Unlock()
	if window != 1 {
		t.Fatalf("5 requests sent after reading a level of 1 of 4: a window of %d, want 1", window)
	}
}

// When the API states its bucket's level but not its refill rate, a level
// under the reserve (a quarter of the capacity, for a process past its first
// ten seconds that has seen no sign of others) lowers the rate to what the
// API admitted, before any 429, and the slow start sends no more at once
// than a quarter of the level above the reserve.
func TestLowRemainingSlowsBeforeAny429(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, clock := clockedLimiter()
	// The first answer: 20 of 20 less one.
	epoch := let(t, l, clock)
	clock.t = clock.t.Add(100 * time.Millisecond)
	resp := answer(401, "20", "19", "", "")
	l.observe(ctx, resp, epoch, readFigures(resp))
	l.answered(true)
	// Past its first ten seconds, and with no sign of others, a process
	// spends the bucket as one alone.
	clock.t = clock.t.Add(sharedFor)
	l.mu.Lock()
	window := l.slowStartWindow(clock.t)
	l.mu.Unlock()
	if window != 2 || l.reserve(l.now()) != 5 {
		t.Fatalf("window %d, reserve %v; want 2 (the window after one answer), 5", window, l.reserve(l.now()))
	}
	// Level 13: at most (13-5)/4 = 2 in flight, though the window is 8.
	l.window = 8
	l.mu.Lock()
	l.level, l.levelAt, l.sentSince = 13, clock.t, 0
	window = l.slowStartWindow(clock.t)
	l.mu.Unlock()
	if window != 2 {
		t.Fatalf("window at level 13 of 20: %d, want 2", window)
	}
	for remaining := 18; remaining >= 5; remaining-- {
		epoch := let(t, l, clock)
		clock.t = clock.t.Add(100 * time.Millisecond)
		resp := answer(200, "20", "", "", "")
		resp.Header.Set("RateLimit-Remaining", strconv.Itoa(remaining))
		l.observe(ctx, resp, epoch, readFigures(resp))
		l.answered(true)
		if st := l.state(); st.Learned {
			t.Fatalf("learned at level %d, above the reserve: %+v", remaining, st)
		}
	}
	epoch = let(t, l, clock)
	clock.t = clock.t.Add(100 * time.Millisecond)
	resp = answer(200, "20", "4", "", "")
	l.observe(ctx, resp, epoch, readFigures(resp))
	l.answered(true)
	// 16 answers in the 11.6 s since the first request.
	st := l.state()
	if want := 16 / 11.6 * margin; !st.Learned || st.Limited != 0 || !near(st.PerSecond, want) || !st.PausedUntil.IsZero() {
		t.Fatalf("under the reserve: %+v; want %v a second, learned without a 429 or a pause", st, want)
	}

	// A rate the user set stays until a 429 says otherwise.
	set := newRateLimiter("api.test", 3.8)
	set.now = clock.now
	for range 3 {
		clock.t = clock.t.Add(time.Second)
		epoch := let(t, set, clock)
		resp := answer(200, "20", "0", "", "")
		set.observe(ctx, resp, epoch, readFigures(resp))
		set.answered(true)
	}
	if st := set.state(); st.PerSecond != 3.8 {
		t.Fatalf("max_requests_per_second 3.8 and a level of 0: %+v", st)
	}
}

// A level read as 0, before the refill rate is known, lowers a learned rate
// by a quarter at least, even when the API admitted as much as the rate
// asked: a bucket that holds more than two reads 0 only when what is sent
// outruns its refill. A bucket of two reads 0 after each request of a
// process alone at its refill rate: there the rate falls only to what the
// API admitted, as for any level under the reserve.
func TestEmptyLevelLowersALearnedRateByAQuarter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		capacity int
		want     float64
	}{
		{20, 10 * emptyLevelCut * margin},
		{4, 10 * emptyLevelCut * margin},
		{2, 10 * margin},
	} {
		t.Run(strconv.Itoa(tc.capacity), func(t *testing.T) {
			t.Parallel()
			l, clock := clockedLimiter()
			limit := strconv.Itoa(tc.capacity)
			exchange(t, l, clock, answer(200, limit, "", "", ""))
			// Past its first ten seconds, at a rate of 10 a second learned
			// earlier, the process spends the bucket alone: each answer
			// states one request less, down to what a process alone keeps.
			clock.t = clock.t.Add(sharedFor)
			l.mu.Lock()
			l.learned, l.rate, l.announced, l.lastDecrease = true, 10, 10, clock.t
			l.mu.Unlock()
			keep := l.reserve(clock.t)
			for i := 1; i <= 15; i++ {
				clock.t = clock.t.Add(100 * time.Millisecond)
				remaining := max(float64(tc.capacity-i), keep)
				exchange(t, l, clock, answer(200, limit, strconv.Itoa(int(remaining)), "", ""))
			}
			if st := l.state(); st.PerSecond != 10 || st.Limited != 0 {
				t.Fatalf("above the reserve: %+v, want the rate of 10 a second", st)
			}
			// 15 answers in 1.5 s: the API admitted the rate in full.
			clock.t = clock.t.Add(100 * time.Millisecond)
			exchange(t, l, clock, answer(200, limit, "0", "", ""))
			if st := l.state(); !near(st.PerSecond, tc.want) || st.Limited != 0 || !st.PausedUntil.IsZero() {
				t.Fatalf("a level of 0 of %d: %+v, want %v a second, without a 429 or a pause", tc.capacity, st, tc.want)
			}
		})
	}
}

// Answers that state nothing leave the limiter to learn as it always has:
// no capacity, no refill, the first 429 with Retry-After sets the rate to
// what was admitted.
func TestHeadersAbsentTheLimiterLearns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, clock := clockedLimiter()
	for range 10 {
		epoch := let(t, l, clock)
		clock.t = clock.t.Add(200 * time.Millisecond)
		resp := answer(200, "", "", "", "")
		l.observe(ctx, resp, epoch, readFigures(resp))
		l.answered(true)
	}
	epoch := let(t, l, clock)
	resp := answer(429, "", "", "1", "")
	resp.Body = io.NopCloser(strings.NewReader(`{"error":429,"errorCode":"RATE_LIMITED","detail":"Too many requests."}`))
	l.observe(ctx, resp, epoch, readFigures(resp))
	l.answered(false)
	st := l.state()
	if !st.Learned || st.Limited != 1 || !near(st.PerSecond, 5*margin) || l.capacity != 0 || l.refill != 0 {
		t.Fatalf("after a 429 that states nothing: %+v, capacity %v, refill %v; want %v a second learned", st, l.capacity, l.refill, 5*margin)
	}
}

// After a burst of 429s without Retry-After the stated pace is back within
// 2 minutes, as the learned one is.
func TestStatedPaceRecoversFromABurstOf429sWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, clock := clockedLimiter()
	exchange(t, l, clock, answer(429, "20", "0", "1", "Request capacity: 20. Refill rate: 1200 per 60 seconds."))
	clock.t = clock.t.Add(2 * time.Second)
	for range 20 {
		clock.t = clock.t.Add(200 * time.Millisecond)
		l.limitedAt(ctx, clock.t, l.epoch, 0, false)
	}
	if st := l.state(); st.PerSecond > 2*minRate {
		t.Fatalf("after 20 answers 429 without Retry-After: %+v; want the floor", st)
	}
	// A saturated queue for 2 minutes against a bucket at 10 of 20.
	l.line = []uint64{0} // a request waits in line
	for end := clock.t.Add(2 * time.Minute); clock.t.Before(end); clock.t = clock.t.Add(10 * time.Millisecond) {
		l.mu.Lock()
		epoch, _, _, ok := l.admit(clock.t, clock.t)
		l.mu.Unlock()
		if ok {
			resp := answer(200, "20", "10", "", "")
			l.observe(ctx, resp, epoch, readFigures(resp))
			l.answered(true)
		}
	}
	// The stated pace at half a bucket, with a little of the refill since
	// the last answer.
	if got, want := l.state().PerSecond, 20*(10.5/20)*(10.5/20); got < want || got > want*1.2 {
		t.Fatalf("2 minutes after the burst: %v requests a second, want the stated pace at half a bucket, %v", got, want)
	}
}

// sharedBucket drives limiters on one fake clock against one simulator,
// whose bucket charges every request (challenge legs here): each limiter is
// a provider process with parallelism workers that always have a request
// to send, and every answer arrives latency after its request.
type sharedBucket struct {
	sim         *simulator.Simulator
	clock       *fakeClock
	limiters    []*rateLimiter
	parallelism int
	latency     time.Duration
	// levelOnly strips the 429's detail: a server that states its
	// bucket's level, not its refill rate.
	levelOnly   bool
	total, n429 int
}

type pendingAnswer struct {
	due   time.Time
	l     int
	epoch uint64
	resp  *http.Response
}

func newSharedBucket(processes int, limit simulator.RateLimit, ceiling float64) *sharedBucket {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := &sharedBucket{sim: simulator.New(simulator.Options{RateLimit: &limit, Clock: clock.now}), clock: clock, parallelism: 10, latency: 20 * time.Millisecond}
	for range processes {
		l := newRateLimiter("api.test", ceiling)
		l.now = clock.now
		b.limiters = append(b.limiters, l)
	}
	return b
}

func (b *sharedBucket) run(d time.Duration) {
	ctx := context.Background()
	var pending []pendingAnswer
	inFlight := make([]int, len(b.limiters))
	step := 5 * time.Millisecond
	for end, turn := b.clock.t.Add(d), 0; b.clock.t.Before(end); b.clock.t, turn = b.clock.t.Add(step), turn+1 {
		kept := pending[:0]
		for _, p := range pending {
			if p.due.After(b.clock.t) {
				kept = append(kept, p)
				continue
			}
			l := b.limiters[p.l]
			l.observe(ctx, p.resp, p.epoch, readFigures(p.resp))
			l.answered(p.resp.StatusCode != http.StatusTooManyRequests)
			inFlight[p.l]--
		}
		pending = kept
		for k := range b.limiters {
			i := (k + turn) % len(b.limiters)
			l := b.limiters[i]
			l.line = []uint64{0} // a request waits in line
			for inFlight[i] < b.parallelism {
				l.mu.Lock()
				epoch, _, _, ok := l.admit(b.clock.t, b.clock.t.Add(-step))
				l.mu.Unlock()
				if !ok {
					break
				}
				rec := httptest.NewRecorder()
				b.sim.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/public/v1.0/orgs/60a1b2c3d4e5f6a7b8c9d0e1/liveExport/migrationLink/status", nil))
				resp := rec.Result()
				if b.levelOnly {
					resp.Body = io.NopCloser(strings.NewReader(`{"error":429}`))
				}
				b.total++
				if resp.StatusCode == http.StatusTooManyRequests {
					b.n429++
				}
				inFlight[i]++
				pending = append(pending, pendingAnswer{due: b.clock.t.Add(b.latency), l: i, epoch: epoch, resp: resp})
			}
		}
	}
}

// Provider processes that cannot see each other share one bucket that
// states its figures: each slows as the level falls, and together they
// meet few 429s while the bucket stays in use; one process alone uses
// nearly all of it, even a bucket of two.
func TestProcessesSharingAStatedBucketStayQuiet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		processes int
		limit     simulator.RateLimit
		d         time.Duration
		levelOnly bool
	}{
		{"four, 20 a second, 20 at once", 4, simulator.RateLimit{PerSecond: 20, Burst: 20}, 2 * time.Minute, false},
		{"four, 4 a second, 4 at once", 4, simulator.RateLimit{PerSecond: 4, Burst: 4}, 2 * time.Minute, false},
		{"one, 4 a second, 4 at once", 1, simulator.RateLimit{PerSecond: 4, Burst: 4}, 2 * time.Minute, false},
		{"one, 1 a second, 2 at once", 1, simulator.RateLimit{PerSecond: 1, Burst: 2}, 2 * time.Minute, false},
		{"two, 1 a second, 2 at once", 2, simulator.RateLimit{PerSecond: 1, Burst: 2}, 2 * time.Minute, false},
		{"four, 5 a minute, 10 at once", 4, simulator.RateLimit{PerSecond: 5.0 / 60, Burst: 10}, time.Hour, false},
		{"one, 5 a minute, 10 at once", 1, simulator.RateLimit{PerSecond: 5.0 / 60, Burst: 10}, time.Hour, false},
		{"four, 20 a second, 20 at once, level only", 4, simulator.RateLimit{PerSecond: 20, Burst: 20}, 2 * time.Minute, true},
		{"four, 4 a second, 4 at once, level only", 4, simulator.RateLimit{PerSecond: 4, Burst: 4}, 2 * time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := tc.d
			b := newSharedBucket(tc.processes, tc.limit, 0)
			b.levelOnly = tc.levelOnly
			b.run(d)
			admitted := b.total - b.n429
			most := tc.limit.PerSecond*d.Seconds() + float64(tc.limit.Burst)
			share := float64(b.n429) / float64(b.total)
			t.Logf("%s: %d requests, %d answered 429 (%.1f %%), %d admitted of at most %.0f", tc.name, b.total, b.n429, 100*share, admitted, most)
			// Without the refill rate the rate is learned from the level
			// alone: a bucket of 4 reads 0 to 3, a coarse signal.
			most429 := 0.02
			if tc.levelOnly {
				most429 = 0.05
			}
			if share > most429 {
				t.Errorf("%d of %d requests answered 429 (%.1f %%), want at most %.0f %%", b.n429, b.total, 100*share, 100*most429)
			}
			least := 0.8
			if tc.processes == 1 {
				least = 0.95
			}
			if float64(admitted) < least*most {
				t.Errorf("%d requests admitted, want at least %.0f %% of the %.0f the bucket admits", admitted, 100*least, most)
			}
		})
	}
}

// The figure make bench reports: after 20 answers 429 without Retry-After,
// the pace the API admitted is back within 2 minutes, learned or stated.
func TestRecoveryAfterBurstIsWithinTwoMinutes(t *testing.T) {
	t.Parallel()
	for _, stated := range []bool{false, true} {
		d, pace := RecoveryAfterBurst(20, stated)
		if d > 2*time.Minute || pace < 4 {
			t.Errorf("stated %v: back to %v requests a second after %v; want within 2 minutes", stated, pace, d)
		}
		t.Logf("stated %v: back to %.2f requests a second after %v", stated, pace, d)
	}
}

// A process tells from the stated levels alone whether others spend its
// bucket: alone, the level never falls further than its own requests —
// those sent since the previous answer and those still in flight then —
// explain, whatever order concurrent answers come back in. In its first ten
// seconds, and once it has seen others, it keeps more than half the bucket
// for them and the request after a low level waits its turn; ten seconds
// without a sign of them, it spends the bucket as a process alone does.
func TestSharingIsSeenOnlyWhereOwnRequestsDoNotExplainTheLevel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, clock := clockedLimiter()
	l.window = 8
	read := func(epoch uint64, remaining int) {
		t.Helper()
		clock.t = clock.t.Add(10 * time.Millisecond)
		resp := answer(200, "4", strconv.Itoa(remaining), "", "")
		l.observe(ctx, resp, epoch, readFigures(resp))
		l.answered(true)
	}
	sharing := func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.sharing(clock.t)
	}
	// Starting, a process cannot tell whether others spend the bucket.
	read(let(t, l, clock), 3)
	if !sharing() || l.reserve(clock.t) != 3 {
		t.Fatalf("a process starting: sharing %t, reserve %v; want true, 3", sharing(), l.reserve(clock.t))
	}
	// Alone, one at a time, past its first ten seconds: 3, 2, 1.
	clock.t = clock.t.Add(sharedFor)
	for remaining := 3; remaining >= 1; remaining-- {
		read(let(t, l, clock), remaining)
	}
	// Alone, three at once (past the slow start's window, as after its
	// longest wait), answered out of the order the bucket charged them
	// in: 1 (the last charged) first, then 3, then 2 — refilled to the
	// full bucket between.
	clock.t = clock.t.Add(2 * time.Second)
	var epochs [3]uint64
	for i := range epochs {
		l.mu.Lock()
		epoch, _, _, ok := l.admit(clock.t, clock.t.Add(-windowWait))
		l.mu.Unlock()
		if !ok {
			t.Fatalf("request %d of three at once not let through", i+1)
		}
		epochs[i] = epoch
	}
	e1, e2, e3 := epochs[0], epochs[1], epochs[2]
	read(e3, 1)
	read(e1, 3)
	read(e2, 2)
	if sharing() {
		t.Fatalf("alone, the process took its own requests for others': %+v", l.state())
	}
	if got := l.reserve(clock.t); got != 1 {
		t.Fatalf("reserve alone: %v, want 1 (a quarter of 4)", got)
	}
	// One request of ours, and the level falls from 2 to 0: others spent it.
	clock.t = clock.t.Add(time.Second)
	read(let(t, l, clock), 0)
	if !sharing() {
		t.Fatal("a level of 0 one request after 2 was not seen as others spending the bucket")
	}
	if got := l.reserve(clock.t); got != 3 {
		t.Fatalf("reserve while sharing: %v, want 3 (more than half of 4)", got)
	}
	// That level is under the reserve: the rate falls to what the API
	// admitted, and the next request waits its turn rather than take the
	// new limiter's first token.
	waits := func(what string) {
		t.Helper()
		st := l.state()
		if !st.Learned || st.Limited != 0 {
			t.Fatalf("%s: %+v; want the rate learned without a 429", what, st)
		}
		l.mu.Lock()
		_, delay, _, ok := l.admit(clock.t, clock.t)
		l.mu.Unlock()
		if ok || delay <= 0 {
			t.Fatalf("%s: the next request went at once", what)
		}
	}
	waits("a level of 0 while sharing")
	// A level of 2 of 4 is under it too, once the next turn has come.
	clock.t = clock.t.Add(2 * time.Second)
	read(let(t, l, clock), 2)
	waits("a level of 2 of 4 while sharing")
	clock.t = clock.t.Add(sharedFor)
	if sharing() || l.reserve(clock.t) != 1 {
		t.Fatalf("%v after the last sign of others: still sharing, reserve %v", sharedFor, l.reserve(clock.t))
	}
	// Once the refill rate is known (4 a second here), the bucket also
	// gains what refilled between two answers: 3 after one request and
	// 310 ms is a process alone; 2 after one request and a second, when
	// it should have been full again, is others spending it.
	l.mu.Lock()
	l.refill = 4
	l.mu.Unlock()
	read(let(t, l, clock), 3)
	clock.t = clock.t.Add(300 * time.Millisecond)
	read(let(t, l, clock), 3)
	if sharing() {
		t.Fatal("a bucket refilled as fast as it states was seen as others spending it")
	}
	clock.t = clock.t.Add(time.Second)
	read(let(t, l, clock), 2)
	if !sharing() {
		t.Fatal("a bucket that did not refill as it states was not seen as others spending it")
	}
}
