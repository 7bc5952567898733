package client

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// FuzzBucketFigures: whatever RateLimit-Limit, RateLimit-Remaining and 429
// body a server sends, the figures read are whole numbers within bounds or
// absent, the body reaches the layers above unchanged, and the pace set from
// them is a positive, finite rate.
func FuzzBucketFigures(f *testing.F) {
	f.Add("10", "0", []byte(`{"error":429,"errorCode":"RATE_LIMITED_TOKEN_BUCKET","detail":"Please retry after 55 seconds. Request capacity: 10. Refill rate: 5 per 60 seconds."}`))
	f.Add("500", "499", []byte(`{"detail":"Request capacity: 0. Refill rate: 1 per 1 second."}`))
	f.Add("", "", []byte(`{"error":429,"errorCode":"RATE_LIMITED","detail":"Too many requests."}`))
	f.Add("-1", "1e3", []byte(`{"detail":"Refill rate: 4294967295 per 1 seconds. Request capacity: 4294967295."}`))
	f.Add("3", "7", []byte(`not json`))
	f.Fuzz(func(t *testing.T, limit, remaining string, body []byte) {
		for _, v := range []string{limit, remaining} {
			n := parseStatedHeader(v)
			if n == -1 {
				continue
			}
			if n < 0 || n > maxStated || n != math.Trunc(n) {
				t.Fatalf("header %q read as %v", v, n)
			}
			if u, err := strconv.ParseUint(v, 10, 64); err != nil || float64(u) != n {
				t.Fatalf("header %q read as %v, which is not its number", v, n)
			}
		}
		capacity, perSecond := parseBucketDetail(string(body))
		if capacity < 0 || capacity > maxStated || capacity != math.Trunc(capacity) {
			t.Fatalf("capacity %v from %q", capacity, body)
		}
		if perSecond < 0 || perSecond > maxStated || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
			t.Fatalf("refill %v a second from %q", perSecond, body)
		}

		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
		resp.Header.Set("RateLimit-Limit", limit)
		resp.Header.Set("RateLimit-Remaining", remaining)
		resp.Header.Set("Retry-After", "1")
		fig := readFigures(resp)
		if rest, err := io.ReadAll(resp.Body); err != nil || !bytes.Equal(rest, body) {
			t.Fatalf("the body after reading the figures: %q, %v; want %q", rest, err, body)
		}
		if fig.refill < 0 || (fig.capacity < 0 && fig.capacity != -1) || (fig.remaining < 0 && fig.remaining != -1) {
			t.Fatalf("figures %+v", fig)
		}

		l := newRateLimiter("api.test", 0)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		l.now = func() time.Time { return now }
		l.mu.Lock()
		epoch, _, _, ok := l.admit(now, now)
		l.mu.Unlock()
		if !ok {
			t.Fatal("the first request was held")
		}
		l.observe(context.Background(), resp, epoch, fig)
		l.answered(false)
		for _, later := range []time.Duration{0, time.Second, time.Hour} {
			l.mu.Lock()
			l.paceStated(now.Add(later))
			r := l.rate
			l.mu.Unlock()
			if math.IsNaN(r) || r <= 0 {
				t.Fatalf("rate %v after figures %+v", r, fig)
			}
		}
	})
}
