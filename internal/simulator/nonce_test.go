package simulator_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const statusPath = "/api/public/v1.0/orgs/" + sourceOrg + "/liveExport/migrationLink/status"

// answer sends one request to the status endpoint answering nonce with the
// count nc, and returns the status and the challenge of a 401.
func answer(t *testing.T, s *simulator.Server, password, nonce string, nc int) (int, string) {
	t.Helper()
	ncHex := fmt.Sprintf("%08x", nc)
	cnonce := fmt.Sprintf("c%d", nc)
	ha1 := md5hex(omKey.PublicKey + ":" + simulator.Realm + ":" + password)
	ha2 := md5hex("GET:" + statusPath)
	resp := md5hex(strings.Join([]string{ha1, nonce, ncHex, cnonce, "auth", ha2}, ":"))
	req, _ := http.NewRequest(http.MethodGet, s.URL+statusPath, nil)
	req.Header.Set("Authorization", fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm="MD5", qop=auth, nc=%s, cnonce="%s"`,
		omKey.PublicKey, simulator.Realm, nonce, statusPath, resp, ncHex, cnonce))
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	return r.StatusCode, r.Header.Get("WWW-Authenticate")
}

// A nonce serves growing counts; a count seen before is a replay, refused
// without stale; counts may arrive out of order within the window, and
// one the window has left behind is refused.
func TestNonceCountsAndReplay(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{NonceCountWindow: 8})
	nonce := freshNonce(t, s.URL+statusPath)
	for _, step := range []struct {
		nc     int
		status int
		why    string
	}{
		{1, 404, "first use"},
		{2, 404, "next count"},
		{2, 401, "replayed count"},
		{5, 404, "a count that overtook 3 and 4"},
		{3, 404, "an overtaken count, within the window"},
		{3, 401, "the overtaken count replayed"},
		{20, 404, "a count far ahead"},
		{12, 401, "a count the window has left behind (20 - 8)"},
		{13, 404, "the oldest count still in the window"},
		{0, 401, "count 0"},
	} {
		status, chal := answer(t, s, omKey.PrivateKey, nonce, step.nc)
		if status != step.status {
			t.Fatalf("%s (nc %d): %d, want %d", step.why, step.nc, status, step.status)
		}
		if status == 401 && !strings.HasSuffix(chal, "stale=false") {
			t.Fatalf("%s: challenge %q, want stale=false", step.why, chal)
		}
	}
}

// The default window keeps a count overtaken by a thousand others.
func TestNonceCountDefaultWindow(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	nonce := freshNonce(t, s.URL+statusPath)
	if status, _ := answer(t, s, omKey.PrivateKey, nonce, 1+simulator.DefaultNonceCountWindow); status != 404 {
		t.Fatalf("count %d: %d", 1+simulator.DefaultNonceCountWindow, status)
	}
	if status, _ := answer(t, s, omKey.PrivateKey, nonce, 2); status != 404 {
		t.Fatalf("count 2, inside the default window: %d", status)
	}
	if status, _ := answer(t, s, omKey.PrivateKey, nonce, 1); status != 401 {
		t.Fatalf("count 1, the window's width behind: %d", status)
	}
}

// An expired nonce with a valid digest is stale, also once the simulator
// has forgotten it; with a wrong password it is refused without stale
// (RFC 7616: stale only for a digest that proves the password).
func TestExpiredNonceIsStale(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := start(t, simulator.Options{NonceTTL: 3 * time.Minute, Clock: clock.Now})
	nonce := freshNonce(t, s.URL+statusPath)
	if status, _ := answer(t, s, omKey.PrivateKey, nonce, 1); status != 404 {
		t.Fatalf("fresh nonce: %d", status)
	}
	clock.Advance(2 * time.Minute)
	if status, _ := answer(t, s, omKey.PrivateKey, nonce, 2); status != 404 {
		t.Fatalf("nonce within its lifetime: %d", status)
	}
	clock.Advance(90 * time.Second)
	status, chal := answer(t, s, omKey.PrivateKey, nonce, 3)
	if status != 401 || !strings.HasSuffix(chal, "stale=true") {
		t.Fatalf("expired nonce: %d %q, want 401 stale=true", status, chal)
	}
	if newNonce := strings.Split(strings.Split(chal, `nonce="`)[1], `"`)[0]; newNonce == nonce {
		t.Fatal("the stale answer repeats the expired nonce")
	}
	if status, chal := answer(t, s, "wrong", nonce, 4); status != 401 || !strings.HasSuffix(chal, "stale=false") {
		t.Fatalf("expired nonce, wrong password: %d %q, want stale=false", status, chal)
	}
	// Issuing a nonce forgets the expired ones; the old nonce still
	// reads as stale, since it says when it was issued.
	_ = freshNonce(t, s.URL+statusPath)
	if status, chal := answer(t, s, omKey.PrivateKey, nonce, 5); status != 401 || !strings.HasSuffix(chal, "stale=true") {
		t.Fatalf("forgotten expired nonce: %d %q, want stale=true", status, chal)
	}
	// A nonce the simulator never issued is refused, not stale.
	forged := strings.Repeat("0", len(nonce))
	if status, chal := answer(t, s, omKey.PrivateKey, forged, 1); status != 401 || !strings.HasSuffix(chal, "stale=false") {
		t.Fatalf("forged nonce: %d %q", status, chal)
	}
}

// RefuseNonceReuse: every nonce serves one request.
func TestRefuseNonceReuse(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{RefuseNonceReuse: true})
	nonce := freshNonce(t, s.URL+statusPath)
	if status, _ := answer(t, s, omKey.PrivateKey, nonce, 1); status != 404 {
		t.Fatalf("first use: %d", status)
	}
	if status, chal := answer(t, s, omKey.PrivateKey, nonce, 2); status != 401 || !strings.HasSuffix(chal, "stale=false") {
		t.Fatalf("reuse: %d %q, want 401 stale=false", status, chal)
	}
	other := freshNonce(t, s.URL+statusPath)
	if status, _ := answer(t, s, omKey.PrivateKey, other, 7); status != 401 {
		t.Fatalf("a first use with count 7: %d, want 401", status)
	}
}

// A request reset in front of the API leaves its count unspent; the
// journal records each digest response's nonce and count.
func TestResetBeforeProcessingReleasesTheCount(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	s.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 1, ResetBeforeProcessing: true})
	nonce := freshNonce(t, s.URL+statusPath)
	ncHex := "00000001"
	ha1 := md5hex(omKey.PublicKey + ":" + simulator.Realm + ":" + omKey.PrivateKey)
	resp := md5hex(strings.Join([]string{ha1, nonce, ncHex, "c1", "auth", md5hex("GET:" + statusPath)}, ":"))
	req, _ := http.NewRequest(http.MethodGet, s.URL+statusPath, nil)
	req.Header.Set("Authorization", fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", qop=auth, nc=%s, cnonce="c1"`,
		omKey.PublicKey, simulator.Realm, nonce, statusPath, resp, ncHex))
	if r, err := http.DefaultClient.Do(req); err == nil {
		r.Body.Close()
		t.Fatal("the fault did not reset the connection")
	}
	if status, _ := answer(t, s, omKey.PrivateKey, nonce, 1); status != 404 {
		t.Fatalf("the count of a reset request: %d, want it accepted", status)
	}
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if last.Nonce != nonce || last.NonceCount != 1 || last.CNonce != "c1" {
		t.Fatalf("journal: %+v", last)
	}
	// The journal names the client address each request came from.
	if host, port, err := net.SplitHostPort(last.Client); err != nil || host != "127.0.0.1" || port == "" {
		t.Fatalf("journal client %q: want this test's loopback address", last.Client)
	}
}
