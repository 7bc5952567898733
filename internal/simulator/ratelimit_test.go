package simulator_test

import (
	"encoding/json"
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
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error != 429 || e.ErrorCode != "RATE_LIMITED" || ct != "application/json" {
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
