package simulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// The bucket charges every request that reaches the server, the digest
// challenge included: a burst of 2 admits one digest call, and the next
// call's challenge is refused with 429, Retry-After and the error body the
// facts describe.
func TestRateLimitChargesDigestChallenges(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := start(t, simulator.Options{RateLimit: &simulator.RateLimit{PerSecond: 1, Burst: 2}, Clock: clock.Now})
	path := "/api/public/v1.0/orgs/" + sourceOrg + "/liveExport/migrationLink/status"
	if status, _, _ := call(t, s, omKey, "GET", path, "application/json", "", ""); status != 404 {
		t.Fatalf("first call: %d, want 404 (no link) after its challenge", status)
	}
	status, ct, body := call(t, s, omKey, "GET", path, "application/json", "", "")
	if status != 429 {
		t.Fatalf("second call: %d, want 429: the first call's challenge and request emptied a bucket of 2", status)
	}
	var e struct {
		Error     int    `json:"error"`
		ErrorCode string `json:"errorCode"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error != 429 || e.ErrorCode != "RATE_LIMITED_TOKEN_BUCKET" || ct != "application/json" {
		t.Fatalf("429 answer: %s %q (%v)", ct, body, err)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Status != 401 || reqs[2].Status != 429 || reqs[2].Authenticated {
		t.Fatalf("journal %+v: want challenge, call, refused challenge", reqs)
	}
	clock.Advance(2 * time.Second)
	if status, _, _ := call(t, s, omKey, "GET", path, "application/json", "", ""); status != 404 {
		t.Fatalf("after two seconds: %d, want the call through", status)
	}
}

// rawGet sends one request without credentials (a digest challenge leg,
// charged like any other) and returns the answer's status, headers and
// error body.
func rawGet(t *testing.T, s *simulator.Server) (int, http.Header, apiErrorBody) {
	t.Helper()
	resp, err := http.Get(s.URL + "/api/public/v1.0/orgs/" + sourceOrg + "/liveExport/migrationLink/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e apiErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil && resp.StatusCode == 429 {
		t.Fatalf("429 body: %v", err)
	}
	return resp.StatusCode, resp.Header, e
}

type apiErrorBody struct {
	Error     int    `json:"error"`
	ErrorCode string `json:"errorCode"`
	Detail    string `json:"detail"`
}

// Every answer states the bucket's capacity and level, challenges and 429s
// included, and an empty bucket's 429 gives the capacity and the refill
// rate in the documented form.
func TestRateLimitStatesTheBucketsFigures(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := start(t, simulator.Options{RateLimit: &simulator.RateLimit{PerSecond: 1, Burst: 3}, Clock: clock.Now})
	for i, want := range []string{"2", "1", "0"} {
		status, h, _ := rawGet(t, s)
		if status != 401 || h.Get("RateLimit-Limit") != "3" || h.Get("RateLimit-Remaining") != want {
			t.Fatalf("request %d: %d, RateLimit-Limit %q, RateLimit-Remaining %q; want 401, 3, %s", i+1, status, h.Get("RateLimit-Limit"), h.Get("RateLimit-Remaining"), want)
		}
	}
	status, h, e := rawGet(t, s)
	if status != 429 || h.Get("Retry-After") != "1" || h.Get("RateLimit-Limit") != "3" || h.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("empty bucket: %d %v", status, h)
	}
	if e.Error != 429 || e.ErrorCode != "RATE_LIMITED_TOKEN_BUCKET" || e.Detail != "Please retry after 1 seconds. Request capacity: 3. Refill rate: 60 per 60 seconds." {
		t.Fatalf("429 body: %+v", e)
	}
	clock.Advance(2 * time.Second)
	if status, h, _ := rawGet(t, s); status != 401 || h.Get("RateLimit-Remaining") != "1" {
		t.Fatalf("two seconds later: %d, RateLimit-Remaining %q; want 401, 1 (two refilled, one taken)", status, h.Get("RateLimit-Remaining"))
	}

	// Atlas's documented sample: 10 requests, refilled at 5 a minute.
	slow := start(t, simulator.Options{RateLimit: &simulator.RateLimit{PerSecond: 5.0 / 60, Burst: 10}, Clock: clock.Now})
	for range 10 {
		rawGet(t, slow)
	}
	if status, h, e := rawGet(t, slow); status != 429 || h.Get("Retry-After") != "12" ||
		e.Detail != "Please retry after 12 seconds. Request capacity: 10. Refill rate: 5 per 60 seconds." {
		t.Fatalf("documented bucket: %d %v %+v", status, h, e)
	}
	// A rate that is no whole number a minute is stated per hour.
	odd := start(t, simulator.Options{RateLimit: &simulator.RateLimit{PerSecond: 0.01, Burst: 1}, Clock: clock.Now})
	rawGet(t, odd)
	if _, _, e := rawGet(t, odd); e.Detail != "Please retry after 100 seconds. Request capacity: 1. Refill rate: 36 per 3600 seconds." {
		t.Fatalf("per hour: %+v", e)
	}
}

// A bucket that states nothing sends neither header and answers 429
// RATE_LIMITED with a detail that names no figure; without a bucket no
// answer carries the headers.
func TestRateLimitUnstatedAndNone(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := start(t, simulator.Options{RateLimit: &simulator.RateLimit{PerSecond: 1, Burst: 1, Unstated: true}, Clock: clock.Now})
	if status, h, _ := rawGet(t, s); status != 401 || h.Get("RateLimit-Limit") != "" || h.Get("RateLimit-Remaining") != "" {
		t.Fatalf("unstated: %d %v", status, h)
	}
	status, h, e := rawGet(t, s)
	if status != 429 || h.Get("Retry-After") != "1" || h.Get("RateLimit-Remaining") != "" || e.ErrorCode != "RATE_LIMITED" || strings.Contains(e.Detail, "capacity") {
		t.Fatalf("unstated 429: %d %v %+v", status, h, e)
	}
	none := start(t, simulator.Options{Clock: clock.Now})
	if _, h, _ := rawGet(t, none); h.Get("RateLimit-Limit") != "" || h.Get("RateLimit-Remaining") != "" {
		t.Fatalf("no bucket, yet %v", h)
	}
	// SetRateLimit keeps the choice.
	none.SetRateLimit(&simulator.RateLimit{PerSecond: 1, Burst: 5})
	if _, h, _ := rawGet(t, none); h.Get("RateLimit-Limit") != "5" || h.Get("RateLimit-Remaining") != "4" {
		t.Fatalf("after SetRateLimit: %v", h)
	}
}
