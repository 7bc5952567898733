package simulator

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// bucket is a token bucket: rate tokens per second, up to burst.
type bucket struct {
	mu       sync.Mutex
	rate     float64
	burst    float64
	tokens   float64
	last     time.Time
	now      func() time.Time
	unstated bool
}

func newBucket(limit RateLimit, now func() time.Time) *bucket {
	burst := float64(max(limit.Burst, 1))
	return &bucket{rate: limit.PerSecond, burst: burst, tokens: burst, last: now(), now: now, unstated: limit.Unstated}
}

// take removes a token, or reports the whole seconds until one is
// available. It also returns the whole tokens left, what RateLimit-Remaining
// states.
func (b *bucket) take() (wait, remaining int, limited bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, int(b.tokens), false
	}
	wait = int(math.Ceil((1 - b.tokens) / b.rate))
	return max(wait, 1), 0, true
}

// refill states the refill rate as Atlas does, a whole number of requests
// per a whole number of seconds: per 60 seconds when the rate is a whole
// number a minute, else per hour (rounded, at least one).
func (b *bucket) refill() (int, int) {
	if perMinute := b.rate * 60; math.Abs(perMinute-math.Round(perMinute)) < 1e-9 && perMinute >= 1 {
		return int(math.Round(perMinute)), 60
	}
	return max(int(math.Round(b.rate*3600)), 1), 3600
}

// limitedDetail is the detail of a 429 from this bucket, in the form the
// documentation shows.
func (b *bucket) limitedDetail(wait int) string {
	n, period := b.refill()
	return fmt.Sprintf("Please retry after %d seconds. Request capacity: %d. Refill rate: %d per %d seconds.", wait, int(b.burst), n, period)
}

// takeToken charges a request to the bucket. It sets the bucket's headers
// on w unless the bucket states nothing, and answers 429 when it is empty;
// it reports whether it did.
func (s *Simulator) takeToken(w http.ResponseWriter) bool {
	s.mu.Lock()
	b := s.bucket
	s.mu.Unlock()
	if b == nil {
		return false
	}
	wait, remaining, limited := b.take()
	if !b.unstated {
		w.Header().Set("RateLimit-Limit", strconv.Itoa(int(b.burst)))
		w.Header().Set("RateLimit-Remaining", strconv.Itoa(remaining))
	}
	if !limited {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(wait))
	if b.unstated {
		writeError(w, http.StatusTooManyRequests, "RATE_LIMITED", "Too many requests: the rate limit of this API was exceeded. Retry after the time the Retry-After header gives.", nil)
	} else {
		writeError(w, http.StatusTooManyRequests, "RATE_LIMITED_TOKEN_BUCKET", b.limitedDetail(wait), nil)
	}
	return true
}

// SetRateLimit replaces the rate limit; nil lifts it.
func (s *Simulator) SetRateLimit(limit *RateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucket = nil
	if limit != nil && limit.PerSecond > 0 {
		s.bucket = newBucket(*limit, s.now)
	}
}
