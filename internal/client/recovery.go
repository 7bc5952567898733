package client

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RecoveryAfterBurst measures, on a simulated clock, how long the rate
// limiter takes to come back to the pace the API admitted before a burst
// of n answers 429 without Retry-After (a gateway under load, no bucket
// refilling), while requests queue and every request it lets through is
// answered. The pace before the burst is learned from answers (stated:
// false) or set by a bucket's stated figures, 20 requests at once refilled
// at 20 a second, read at half (stated: true). It returns the simulated
// time to recover and the pace recovered to, in requests a second, or the
// bound of 10 minutes when the pace does not come back. make bench reports
// it; the limiter's tests assert the same bound.
func RecoveryAfterBurst(n int, stated bool) (time.Duration, float64) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newRateLimiter("bench", 0)
	l.now = func() time.Time { return clock }
	respond := func(status int, limit, remaining, retryAfter, detail string) *http.Response {
		h := http.Header{}
		if limit != "" {
			h.Set("RateLimit-Limit", limit)
			h.Set("RateLimit-Remaining", remaining)
		}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		body := `{"error":` + strconv.Itoa(status) + `,"detail":"` + detail + `"}`
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
	}
	send := func(resp *http.Response) bool {
		l.mu.Lock()
		epoch, _, _, ok := l.admit(clock, clock)
		l.mu.Unlock()
		if ok {
			l.observe(ctx, resp, epoch, readFigures(resp))
			l.answered(resp.StatusCode != http.StatusTooManyRequests)
		}
		return ok
	}
	admitted := func() *http.Response {
		if stated {
			return respond(http.StatusOK, "20", "10", "", "")
		}
		return respond(http.StatusOK, "", "", "", "")
	}
	l.firstRequest = clock
	if stated {
		send(respond(http.StatusTooManyRequests, "20", "0", "1", "Request capacity: 20. Refill rate: 1200 per 60 seconds."))
	} else {
		// Learned between two 429s with Retry-After: 5 a second.
		for i := range 10 {
			l.admittedAt(clock.Add(time.Duration(i+1) * 100 * time.Millisecond))
		}
		l.limitedAt(ctx, clock.Add(2*time.Second), l.epoch, time.Second, true)
		for i := range 20 {
			l.admittedAt(clock.Add(3*time.Second + time.Duration(i)*150*time.Millisecond))
		}
		clock = clock.Add(6 * time.Second)
		l.limitedAt(ctx, clock, l.epoch, time.Second, true)
	}
	// A saturated queue at the pace before the burst, for a minute.
	l.line = []uint64{0} // a request waits in line
	const step = 10 * time.Millisecond
	for end := clock.Add(time.Minute); clock.Before(end); clock = clock.Add(step) {
		send(admitted())
	}
	before := l.state().PerSecond
	for range n {
		clock = clock.Add(200 * time.Millisecond)
		l.mu.Lock()
		epoch := l.epoch
		l.mu.Unlock()
		l.limitedAt(ctx, clock, epoch, 0, false)
	}
	start := clock
	for end := clock.Add(10 * time.Minute); clock.Before(end); clock = clock.Add(step) {
		send(admitted())
		if l.state().PerSecond >= before*0.99 {
			return clock.Sub(start), l.state().PerSecond
		}
	}
	return 10 * time.Minute, l.state().PerSecond
}
