package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Under a token bucket, every client refused in the same second is told the
// same Retry-After: the wait must go beyond it, grow with the attempt, and be
// jittered from the first retry on, or processes refused together come back
// together.
func TestRetryWaitGoesBeyondRetryAfterWithGrowthAndJitter(t *testing.T) {
	t.Parallel()
	p := &retryTransport{maxRetries: 10, waitMin: 100 * time.Millisecond, waitMax: 30 * time.Second}
	const retryAfter = time.Second
	firsts, fifths := map[time.Duration]bool{}, map[time.Duration]bool{}
	var maxFirst, maxFifth time.Duration
	for range 200 {
		first, ok := p.statusWait(http.StatusTooManyRequests, retryAfter, true, false, 1)
		fifth, _ := p.statusWait(http.StatusTooManyRequests, retryAfter, true, false, 5)
		if !ok {
			t.Fatal("a 429 must be retried")
		}
		if first < retryAfter+p.waitMin/4 || fifth < retryAfter+p.waitMin/4 {
			t.Fatalf("waits %s and %s do not go beyond Retry-After %s plus a quarter of the minimum back-off", first, fifth, retryAfter)
		}
		if fifth > retryAfter+p.waitMin*retryAfterSpread {
			t.Fatalf("fifth wait %s exceeds its ceiling", fifth)
		}
		firsts[first], fifths[fifth] = true, true
		maxFirst, maxFifth = max(maxFirst, first), max(maxFifth, fifth)
	}
	if maxFirst > retryAfter+p.waitMin {
		t.Fatalf("first wait reached %s; its ceiling is Retry-After plus %s", maxFirst, p.waitMin)
	}
	if maxFifth <= retryAfter+p.waitMin<<2 {
		t.Fatalf("the fifth wait never exceeded %s in 200 draws: no growth", retryAfter+p.waitMin<<2)
	}
	if len(firsts) < 50 || len(fifths) < 50 {
		t.Fatalf("%d distinct first waits and %d fifth waits in 200 draws: no jitter", len(firsts), len(fifths))
	}
}

func TestRetryWaitRules(t *testing.T) {
	t.Parallel()
	p := &retryTransport{maxRetries: 3, waitMin: time.Millisecond, waitMax: 2 * time.Millisecond}
	cases := []struct {
		status        int
		hasRetryAfter bool
		idempotent    bool
		want          bool
	}{
		{429, false, false, true},
		{503, false, true, true},
		{503, false, false, false},
		{503, true, false, true},
		{502, false, true, true},
		{502, false, false, false},
		{504, false, false, false},
		{500, false, true, true},
		{500, false, false, false},
		{501, false, true, false},
		{404, false, true, false},
	}
	for _, tc := range cases {
		if _, got := p.statusWait(tc.status, 0, tc.hasRetryAfter, tc.idempotent, 1); got != tc.want {
			t.Errorf("status %d (Retry-After %v, idempotent %v): retry = %v, want %v", tc.status, tc.hasRetryAfter, tc.idempotent, got, tc.want)
		}
	}
}

// An operation that ends (Ctrl-C) while a retryable answer comes back ends
// as it would while waiting to retry: an error that says it was
// interrupted, not the API's 429.
func TestOperationEndedAsARetryableAnswerCameIsInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := 0
	p := &retryTransport{maxRetries: 3, waitMin: time.Millisecond, waitMax: 2 * time.Millisecond,
		next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent++
			cancel()
			return &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"120"}}, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
		})}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://atlas.test/api/atlas/v2/orgs/o/liveMigrations/linkTokens", nil)
	resp, err := p.RoundTrip(req)
	if resp != nil || !errors.Is(err, context.Canceled) || sent != 1 {
		t.Fatalf("answer %v, error %v, %d sent; want no answer, context.Canceled, 1 sent", resp, err, sent)
	}
	if d := deliveryOf(err); d != answered {
		t.Fatalf("delivery %v, want answered (the 429 proves the operation did not run)", d)
	}
}
