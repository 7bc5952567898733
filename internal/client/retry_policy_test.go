package client

import (
	"net/http"
	"testing"
	"time"
)

// Under a token bucket, waiting exactly Retry-After hands the single refilled
// request to the digest challenge and starves the authenticated request: the
// wait must go beyond Retry-After, grow with the attempt, and be jittered.
func TestRetryWaitGoesBeyondRetryAfterWithGrowthAndJitter(t *testing.T) {
	t.Parallel()
	p := &retryTransport{maxRetries: 10, waitMin: 100 * time.Millisecond, waitMax: 30 * time.Second}
	const retryAfter = time.Second
	seen := map[time.Duration]bool{}
	var maxFirst, maxFifth time.Duration
	for range 200 {
		first, ok := p.statusWait(http.StatusTooManyRequests, retryAfter, true, false, 1)
		fifth, _ := p.statusWait(http.StatusTooManyRequests, retryAfter, true, false, 5)
		if !ok {
			t.Fatal("a 429 must be retried")
		}
		if first < retryAfter+p.waitMin || fifth < retryAfter+p.waitMin {
			t.Fatalf("waits %s and %s do not go beyond Retry-After %s plus the minimum back-off", first, fifth, retryAfter)
		}
		if fifth > retryAfter+p.waitMin*retryAfterSpread {
			t.Fatalf("fifth wait %s exceeds its ceiling", fifth)
		}
		seen[fifth] = true
		maxFirst, maxFifth = max(maxFirst, first), max(maxFifth, fifth)
	}
	if maxFirst > retryAfter+p.waitMin {
		t.Fatalf("first wait reached %s; its ceiling is Retry-After plus %s", maxFirst, p.waitMin)
	}
	if maxFifth <= retryAfter+p.waitMin<<2 {
		t.Fatalf("the fifth wait never exceeded %s in 200 draws: no growth", retryAfter+p.waitMin<<2)
	}
	if len(seen) < 50 {
		t.Fatalf("only %d distinct waits in 200 draws: no jitter", len(seen))
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
