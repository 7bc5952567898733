package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The rate limiter paces every request to one API — one base URL with one
// set of credentials — in the provider process, whichever resource or data
// source makes it. It sits in the transport chain between authentication
// and the base transport, so digest challenges wait their turn too: they
// reach the server and spend its quota like any other request.
//
// When the API states its bucket — RateLimit-Limit and RateLimit-Remaining
// on its answers, the capacity and refill rate in a 429's detail — the
// limiter paces by those figures (quota.go). What follows is how it learns
// the quota when they are absent, as they may be: Atlas and Cloud/Ops
// Manager answer 429 with Retry-After once a token bucket is empty, and
// need not say how fast it refills. Until the first 429 it starts slowly
// by answers, not by time, as TCP does: the first request to an API goes
// alone, and every answer that is not a 429 doubles how many requests may
// be in flight (1, 2, 4, ...). When the bucket is already empty or nearly
// so, a few requests meet the 429, not every worker, whatever the network's
// round trip; on a fast network the start costs a few round trips and no
// fixed spacing. A 429 with Retry-After pauses every caller until then and
// lowers the rate to what the API admitted since the previous 429 (at least
// one request per Retry-After). The first 429's rate is a guess, from which
// the rate climbs quickly until the next 429; after that, while requests
// queue and the API keeps answering, it climbs gently. A 429 without
// Retry-After (or with 0, or an hour) is a server under load, not a bucket:
// it halves the rate, and the rate climbs back on the clock alone, doubling
// every recoveryDoubling, to where it was before the first such 429 — within
// two minutes from the floor of one request a minute. A team that knows its
// quota sets the rate, which is then the start and the ceiling.
//
// The pace is a spacing, not a token bucket: a request may go once 1/rate
// has passed since the one before it, at the rate of now. A bucket library
// such as golang.org/x/time/rate keeps tokens saved at an earlier rate and
// gives queued callers reservations at the rate of then, so a rate learned
// or stated a moment ago would not reach the requests already waiting; the
// pause, the learning, the order of the line and the wake-up of waiters
// when the rate changes it does not offer.

const (
	// maxWindow bounds the requests in flight before the first 429, once
	// the window has opened that far; no provider process has more.
	maxWindow = 1024
	// unlimitedRate caps the rate a first 429 is estimated from.
	unlimitedRate = 5000.0
	// margin keeps the learned rate just under what the API admitted, so
	// the jitter of request arrival does not meet an empty bucket.
	margin = 0.95
	// growthPerAnswer raises a learned rate by this share of it (of at most
	// growthKnee requests a second) for every answer while requests queue:
	// 1% a second at one request a second, 5% a second from five on.
	growthPerAnswer = 0.01
	growthKnee      = 5.0
	// probeGrowthPerAnswer raises a rate guessed from a single 429 by this
	// many requests a second for every answer while requests queue: at
	// any rate, it grows by half of itself a second.
	probeGrowthPerAnswer = 0.5
	// emptyLevelCut is the most a stated level of 0 leaves of the rate
	// (decrease).
	emptyLevelCut = 0.75
	// estimateWindow bounds how far back the admitted requests are counted.
	estimateWindow = 30 * time.Second
	// maxSharedPause is the longest Retry-After shared by every caller. A
	// longer one (an hour, say) is no bucket refilling: the request that
	// met it fails or waits on its own, as the retry policy decides, and the
	// other callers only slow down.
	maxSharedPause = time.Minute
	// minRate is one request a minute, the finest quota the APIs document.
	minRate = 1.0 / 60
	// windowWait is the longest a request waits for the window to open
	// (an answer that takes longer does not hold the others).
	windowWait = 2 * time.Second
	// recentAnswers is how many admitted answers the estimate remembers.
	recentAnswers = 4096
	// recoveryDoubling is how fast a rate lowered by 429s that were no
	// bucket refilling (no Retry-After) climbs back: it doubles every
	// recoveryDoubling while no such 429 comes, up to the rate it had
	// before them. From the floor (one request a minute) to the fastest
	// rate the limiter estimates takes 19 doublings: about 95 seconds.
	recoveryDoubling = 5 * time.Second
)

// rateLimiter paces one API. Its methods are safe for concurrent use.
type rateLimiter struct {
	// api names the API in logs: the host, never the credentials.
	api string
	// now is the limiter's clock: time.Now, or a test's fake clock. Waits
	// still sleep on real timers; what the limiter learns and when it
	// recovers are read from this clock.
	now func() time.Time

	mu sync.Mutex
	// rate is the pace in requests a second; +Inf while nothing paces
	// (the slow start bounds the requests in flight instead).
	rate float64
	// ceiling is the user's setting, 0 when the rate is learned.
	ceiling float64
	learned bool
	// probing is set while the rate is a guess: it then climbs quickly
	// until the next 429 gives a sound estimate.
	probing bool
	// announced is the rate waiters were last woken for.
	announced float64
	// inFlight counts the requests let through and not answered yet;
	// window bounds them until the first 429 (or with a ceiling, never).
	inFlight, window int
	// pausedUntil holds every caller until a 429's Retry-After has passed.
	pausedUntil time.Time
	// changed is closed, and replaced, whenever the rate changes much, a
	// pause starts or the first request is answered, so sleeping waiters
	// look again.
	changed chan struct{}
	// epoch counts the decreases; an answer 429 to a request let through
	// before the latest decrease says nothing new about the rate.
	epoch uint64
	// lastDecrease is the time of the latest decrease (zero before it),
	// lastGrowth when the rate last grew (or when the pause ends).
	lastDecrease time.Time
	lastGrowth   time.Time
	firstRequest time.Time
	// admitted holds the times of recent answers other than 429, a ring.
	admitted []time.Time
	next     int
	// line holds the tickets of the requests waiting for a turn, in the
	// order they came; tickets numbers them. The learned rate grows only
	// while a request is in line.
	line    []uint64
	tickets uint64
	// granted counts the requests let through; limited the answers 429.
	granted, limited int
	// recovery is under way when recoverTo > 0: after 429s without
	// Retry-After the rate climbs from recoverFrom (set at recoverSince)
	// back to recoverTo, the rate before the first of them; recoverStart
	// says nothing had been learned then (the slow start resumes).
	recoverTo, recoverFrom float64
	recoverSince           time.Time
	recoverStart           bool

	// What the API states of its bucket (quota.go): its capacity and
	// refill rate (requests a second), 0 while unknown, and its level as
	// last read at levelAt (zero: never), with the requests let through
	// since.
	capacity, refill, level float64
	levelAt                 time.Time
	sentSince               int
	// stated is the level last read as the API stated it, and
	// inFlightAtRead the requests in flight then, that one included;
	// othersSeen is when the level last fell further than this process's
	// own requests explain (zero: never).
	stated         float64
	inFlightAtRead int
	othersSeen     time.Time
	// lastGrant is when the latest request was let through.
	lastGrant time.Time
}

func newRateLimiter(api string, ceiling float64) *rateLimiter {
	l := &rateLimiter{api: api, now: time.Now, changed: make(chan struct{}), rate: math.Inf(1), window: 1}
	l.setCeiling(ceiling)
	return l
}

// setCeiling applies the user's setting: a known quota needs no learning.
func (l *rateLimiter) setCeiling(ceiling float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ceiling == l.ceiling {
		return
	}
	l.ceiling = ceiling
	now := l.now()
	switch {
	case ceiling > 0:
		l.learned = true
		l.lastDecrease, l.lastGrowth, l.announced, l.rate = now, now, ceiling, ceiling
	case !l.learned:
		l.rate = math.Inf(1)
	}
	l.wake()
}

// RateLimitWaitError is a request the limiter did not send: the wait for
// its turn would not fit in what is left of the operation's timeout (it
// then wraps context.DeadlineExceeded), or the operation ended while it
// waited. The API never saw it.
type RateLimitWaitError struct {
	API  string
	Wait time.Duration
	Err  error
}

func (e *RateLimitWaitError) Error() string {
	if e.Wait > 0 {
		return fmt.Sprintf("the rate limit of %s would hold this request %s, beyond the operation's timeout", e.API, e.Wait.Round(time.Millisecond))
	}
	return fmt.Sprintf("waiting for a turn under the rate limit of %s: %v", e.API, e.Err)
}

func (e *RateLimitWaitError) Unwrap() error { return e.Err }

func (e *RateLimitWaitError) delivery() delivery { return notSent }

// wait blocks until the request may be sent and returns the epoch it was
// let through in. Requests take their turns in the order they came: only
// the first in line may take a token, so under a tight quota no request
// waits behind others that came after it (a cutover behind the polls of
// the migrations that became ready later). The first in line holds no
// reservation: it takes a token when one is there and otherwise sleeps
// until the next one is due, and wakes early when the rate changes — so a
// rate learned a moment ago applies to every request still queued, not only
// to those that arrive after it.
func (l *rateLimiter) wait(ctx context.Context) (uint64, error) {
	since := l.now()
	l.mu.Lock()
	l.tickets++
	ticket := l.tickets
	l.line = append(l.line, ticket)
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.leaveLine(ticket)
		l.mu.Unlock()
	}()
	for logged := false; ; {
		var (
			epoch          uint64
			delay          time.Duration
			windowFull, ok bool
		)
		l.mu.Lock()
		now := l.now()
		first := l.line[0] == ticket
		if first {
			epoch, delay, windowFull, ok = l.admit(now, since)
		}
		changed := l.changed
		l.mu.Unlock()
		if ok {
			return epoch, nil
		}
		// The others in line wait for the first to go.
		var timeout <-chan time.Time
		if first {
			// An answer usually opens the window long before its bound;
			// a turn after the operation's deadline is as good as passed:
			// callers that wait for something until their deadline see it
			// so.
			if deadline, has := ctx.Deadline(); has && !windowFull && deadline.Before(now.Add(delay)) {
				return 0, &RateLimitWaitError{API: l.api, Wait: delay, Err: context.DeadlineExceeded}
			}
			if !logged && delay >= time.Second {
				logged = true
				tflog.Debug(ctx, "waiting for a turn under the API's rate limit", map[string]any{"api": l.api, "wait_ms": delay.Milliseconds()})
			}
			timeout = time.After(delay)
		}
		select {
		case <-timeout:
		case <-changed:
		case <-ctx.Done():
			return 0, &RateLimitWaitError{API: l.api, Err: ctx.Err()}
		}
	}
}

// leaveLine takes a request out of the line and, when it was first, lets
// the next one look; l.mu is held.
func (l *rateLimiter) leaveLine(ticket uint64) {
	for i, t := range l.line {
		if t == ticket {
			l.line = append(l.line[:i], l.line[i+1:]...)
			if i == 0 && len(l.line) > 0 {
				l.wake()
			}
			return
		}
	}
}

// admit lets a request through at now, waiting since since, or says how
// long it should sleep before it looks again and whether it waits for the
// window to open; l.mu is held.
func (l *rateLimiter) admit(now, since time.Time) (epoch uint64, delay time.Duration, windowFull, ok bool) {
	if l.firstRequest.IsZero() {
		l.firstRequest = now
	}
	l.recover(now)
	l.paceStated(now)
	let := func() (uint64, time.Duration, bool, bool) {
		l.inFlight++
		l.granted++
		l.sentSince++
		l.lastGrant = now
		return l.epoch, 0, false, true
	}
	delay = l.pausedUntil.Sub(now)
	if delay > 0 {
		return 0, delay, false, false
	}
	if !l.learned {
		if l.inFlight < l.slowStartWindow(now) || now.Sub(since) >= windowWait {
			return let()
		}
		// The window opens with the next answer.
		return 0, since.Add(windowWait).Sub(now), true, false
	}
	due := l.lastGrant.Add(time.Duration(float64(time.Second) / l.rate))
	if !now.Before(due) {
		return let()
	}
	// While the rate recovers, or the stated bucket refills, the request
	// may be due sooner: look again then.
	delay = due.Sub(now)
	if l.refill > 0 {
		delay = min(delay, time.Duration(float64(time.Second)/l.refill))
	}
	if l.recoverTo > 0 {
		delay = min(delay, recoveryDoubling)
	}
	return 0, delay + time.Microsecond, false, false
}

// answered ends a request's time in flight, after observe; an answer that
// is not a 429 doubles the window, and a waiter looks again.
func (l *rateLimiter) answered(admitted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	if admitted && l.window < maxWindow {
		l.window *= 2
	}
	if len(l.line) > 0 {
		l.wake()
	}
}

// slowStartWindow bounds the requests in flight before anything is
// learned: the window, and when the API states its bucket's level, a
// quarter of what is above the reserve — other processes may be spending
// the same level. l.mu is held.
func (l *rateLimiter) slowStartWindow(now time.Time) int {
	level, ok := l.estimatedLevel(now)
	if !ok {
		return l.window
	}
	return min(l.window, max(int((level-l.reserve(now))/4), 1))
}

// observe learns from an answer to a request let through in epoch, and
// what the answer states of the bucket.
func (l *rateLimiter) observe(ctx context.Context, resp *http.Response, epoch uint64, f bucketFigures) {
	now := l.now()
	l.mu.Lock()
	l.record(now, f)
	// A level under the reserve, when the refill rate is not stated, is a
	// bucket about to be empty: the rate falls as a 429 would lower it.
	// A rate the user set is trusted until a 429 says otherwise.
	// The bucket needs a moment to show a lower rate: a second between
	// two such decreases.
	low := l.refill == 0 && l.ceiling == 0 && l.capacity > 0 && f.remaining >= 0 && f.remaining < l.reserve(now) &&
		resp.StatusCode != http.StatusTooManyRequests && epoch >= l.epoch && !now.Before(l.lastDecrease.Add(time.Second))
	l.mu.Unlock()
	retryAfter, hasRetryAfter := parseRetryAfter(resp.Header.Get("Retry-After"))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		l.limitedAt(ctx, now, epoch, retryAfter, hasRetryAfter)
	case resp.StatusCode == http.StatusServiceUnavailable && hasRetryAfter:
		// Unavailable for a while: hold every caller, but the quota is
		// not the cause, so the rate stays.
		if retryAfter > 0 && retryAfter <= maxSharedPause {
			l.mu.Lock()
			l.pauseUntil(now.Add(retryAfter))
			l.mu.Unlock()
		}
	default:
		l.admittedAt(now)
		if low {
			l.mu.Lock()
			l.decrease(ctx, now, true, 0)
			l.mu.Unlock()
		}
	}
}

// pauseUntil holds every caller until t; l.mu is held.
func (l *rateLimiter) pauseUntil(t time.Time) {
	if t.After(l.pausedUntil) {
		l.pausedUntil = t
		l.wake()
	}
}

// limitedAt handles an answer 429: pause every caller until Retry-After and,
// unless the request left before the latest decrease, lower the rate to
// what the API admitted since then.
func (l *rateLimiter) limitedAt(ctx context.Context, now time.Time, epoch uint64, retryAfter time.Duration, hasRetryAfter bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limited++
	// Only a Retry-After of a second to a minute is a bucket refilling:
	// without one, or with "0", the retry policy backs off the request on
	// its own and the others only slow down.
	pause := retryAfter
	shared := hasRetryAfter && pause > 0 && pause <= maxSharedPause
	if shared {
		l.pauseUntil(now.Add(pause))
	}
	if epoch < l.epoch {
		return
	}
	if shared && l.paceStated(now) {
		// The API stated its refill rate: nothing to estimate.
		l.epoch++
		l.lastDecrease = now
		tflog.Info(ctx, "the API answered 429: every request to it waits for the bucket to refill at the rate it states", map[string]any{
			"api":                 l.api,
			"requests_per_second": math.Round(l.rate*100) / 100,
			"pause_ms":            pause.Milliseconds(),
		})
		return
	}
	l.decrease(ctx, now, shared, pause)
}

// decrease lowers the rate after an empty bucket (a 429 with Retry-After,
// or a stated level at the reserve), to what the API admitted since the
// latest decrease, or after a 429 that is no bucket, by half. l.mu is
// held.
func (l *rateLimiter) decrease(ctx context.Context, now time.Time, shared bool, pause time.Duration) {
	current, wasPaced := min(l.rate, unlimitedRate), l.learned
	// Between two 429s the bucket went from empty to empty: what it
	// admitted in between is what it refilled. Retry-After, whole seconds
	// rounded up, says the refill is at least one request per Retry-After.
	// A 429 that is no bucket halves the rate.
	estimate := current / 2
	if shared {
		estimate = minRate
		if pause > 0 {
			estimate = 1 / pause.Seconds()
		}
		if admitted, span := l.admittedSince(now); admitted > 0 {
			estimate = math.Max(estimate, float64(admitted)/span.Seconds())
		}
		// A level read as 0 says more: what this process and any other
		// spending the bucket sent outran the refill, and the next
		// request may meet the 429. The rate then falls by a quarter at
		// least, as TCP narrows its window at a loss. In a bucket of two, a
		// process alone at the refill rate reads 0 after each request:
		// there it is no sign of too much.
		if pause == 0 && l.stated == 0 && l.capacity > 2 {
			estimate = math.Min(estimate, current*emptyLevelCut)
		}
	}
	// The first 429 gives a guess: the count before it includes the
	// bucket's initial burst, or misses what others took from it. From
	// that guess the rate climbs quickly until the next 429, which ends
	// the probe with an estimate between two empty buckets.
	l.probing = l.lastDecrease.IsZero()
	next := math.Max(math.Min(estimate, current)*margin, minRate)
	if l.ceiling > 0 {
		next = math.Min(next, l.ceiling)
	}
	// A 429 without Retry-After says the server is busy, not how fast a
	// bucket refills: the rate it lowers comes back on its own (recover).
	// A bucket's 429 gives a sound estimate, which ends any recovery.
	switch {
	case shared:
		l.recoverTo = 0
	case l.recoverTo == 0:
		// A rate under the ceiling comes back to the ceiling.
		l.recoverTo, l.recoverStart = max(current, l.ceiling), !l.learned
	}
	l.recoverFrom, l.recoverSince = next, now
	// After a 429 the next request goes once the pause ends. After a low
	// level it waits its turn at the lower rate, unless nothing paced the
	// requests before and no room is kept for others (a bucket of two).
	if !shared || pause > 0 || (!wasPaced && !l.keepsRoom(now)) {
		l.lastGrant = time.Time{}
	}
	l.rate, l.learned = next, true
	l.epoch++
	l.lastDecrease, l.announced = now, next
	l.lastGrowth = now
	if shared {
		l.lastGrowth = now.Add(pause)
	}
	l.wake()
	tflog.Info(ctx, "the API's bucket is empty or nearly so: every request to it now waits its turn at a lower rate", map[string]any{
		"api":                 l.api,
		"requests_per_second": math.Round(next*100) / 100,
		"pause_ms":            pause.Milliseconds(),
	})
}

// admittedSince counts the answers other than 429 since the latest decrease
// (or the first request), at most estimateWindow back, over a span of at
// least a second; l.mu is held.
func (l *rateLimiter) admittedSince(now time.Time) (int, time.Duration) {
	from := l.firstRequest
	if l.lastDecrease.After(from) {
		from = l.lastDecrease
	}
	if w := now.Add(-estimateWindow); w.After(from) {
		from = w
	}
	n := 0
	for _, t := range l.admitted {
		if t.After(from) {
			n++
		}
	}
	return n, max(now.Sub(from), time.Second)
}

// admittedAt records an answer other than 429 and raises the rate: quickly
// before the first 429, gently after it and only while requests queue — a
// rate nobody waits for proves nothing.
func (l *rateLimiter) admittedAt(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.admitted) < recentAnswers {
		l.admitted = append(l.admitted, now)
	} else {
		l.admitted[l.next] = now
		l.next = (l.next + 1) % recentAnswers
	}
	l.recover(now)
	// The window grows with the answers (answered); a stated refill rate
	// needs no growth.
	if !l.learned || l.refill > 0 || !now.After(l.lastGrowth) {
		return
	}
	l.lastGrowth = now
	if len(l.line) == 0 {
		return
	}
	// Each answer adds a share of the rate, up to a knee: a slow quota
	// climbs by a share of a request a second each second, gently, since
	// every request beyond it meets a 429; a fast one, whose estimate may
	// have been a share of a bucket others were emptying too, climbs by a
	// few percent a second. A guess, and a rate under a stated level at
	// half the capacity or more, double about every second and a half,
	// whatever the rate.
	growth := growthPerAnswer * min(l.rate, growthKnee)
	if level, ok := l.estimatedLevel(now); l.probing || (ok && level >= l.capacity/2) {
		growth = probeGrowthPerAnswer
	}
	l.raise(l.rate + growth)
}

// recover raises a rate lowered by 429s without Retry-After: it doubles every
// recoveryDoubling since the latest of them, until it is back where it was
// before the first — or, when nothing had been learned then, until the slow
// start resumes. It needs no answers: one request a minute would otherwise
// take as many minutes to climb back as it takes answers. l.mu is held.
func (l *rateLimiter) recover(now time.Time) {
	if l.recoverTo == 0 || !now.After(l.recoverSince) {
		return
	}
	next := l.recoverFrom * math.Exp2(float64(now.Sub(l.recoverSince))/float64(recoveryDoubling))
	if next < l.recoverTo {
		l.raise(next)
		return
	}
	next, l.recoverTo = l.recoverTo, 0
	if l.recoverStart {
		l.learned, l.rate, l.announced = false, math.Inf(1), 0
		l.wake()
		return
	}
	l.raise(next)
}

// raise sets a higher rate, at most the ceiling; l.mu is held.
func (l *rateLimiter) raise(next float64) {
	if l.ceiling > 0 {
		next = min(next, l.ceiling)
	}
	if next > l.rate {
		l.rate = next
		l.announce()
	}
}

// announce wakes the waiters, so they use the rate, once it has moved by a
// tenth either way since they last heard; l.mu is held.
func (l *rateLimiter) announce() {
	if l.rate >= l.announced*1.1 || l.rate <= l.announced/1.1 {
		l.announced = l.rate
		l.wake()
	}
}

// rateState is a snapshot of a limiter, for tests and logs.
type rateState struct {
	PerSecond   float64
	Learned     bool
	PausedUntil time.Time
	Granted     int
	Limited     int
}

func (l *rateLimiter) state() rateState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return rateState{PerSecond: l.rate, Learned: l.learned, PausedUntil: l.pausedUntil, Granted: l.granted, Limited: l.limited}
}

// rateLimitTransport lets each request through its API's limiter and tells
// the limiter how the API answered.
type rateLimitTransport struct {
	next    http.RoundTripper
	limiter *rateLimiter
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	epoch, err := t.limiter.wait(req.Context())
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		t.limiter.observe(req.Context(), resp, epoch, readFigures(resp))
	}
	t.limiter.answered(err == nil && resp.StatusCode != http.StatusTooManyRequests)
	return resp, err
}

// limiters holds one limiter per API and credentials in the process, so
// every resource and data source — and every provider configuration that
// uses the same key — share what the API has taught.
var limiters = struct {
	sync.Mutex
	m map[string]*rateLimiter
}{m: map[string]*rateLimiter{}}

// sharedLimiter returns the limiter of an API for a set of credentials,
// keyed by a digest of them so the registry holds no secret.
func sharedLimiter(baseURL, host string, cfg Config) *rateLimiter {
	sum := sha256.Sum256([]byte(cfg.PublicKey + "\x00" + cfg.PrivateKey + "\x00" + cfg.ClientID + "\x00" + cfg.ClientSecret))
	key := baseURL + "\x00" + hex.EncodeToString(sum[:])
	limiters.Lock()
	defer limiters.Unlock()
	l, ok := limiters.m[key]
	if !ok {
		l = newRateLimiter(host, cfg.MaxRequestsPerSecond)
		limiters.m[key] = l
		return l
	}
	l.setCeiling(cfg.MaxRequestsPerSecond)
	return l
}

// isRateLimitWait reports whether err is a request the limiter never sent.
func isRateLimitWait(err error) bool {
	var w *RateLimitWaitError
	return errors.As(err, &w)
}
