package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// Every leg of a digest call — challenge, reused nonce refused or not,
// fallback — goes through the transport below authentication, where the
// rate limit sits: the limiter sees every request the API's quota charges.
func TestEveryDigestLegGoesThroughTheTransportBelow(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]simulator.Options{
		"reuse accepted": {},
		"reuse refused":  {RefuseNonceReuse: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts.OpsManagerKeys = []simulator.APIKey{{PublicKey: "pub", PrivateKey: "priv-0123"}}
			sim := simulator.NewServer(t, opts, simulator.ServerOptions{})
			var through atomic.Int32
			next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				through.Add(1)
				return http.DefaultTransport.RoundTrip(r)
			})
			dt := newDigestTransport("pub", "priv-0123", next)
			for range 5 {
				req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
					sim.URL+"/api/public/v1.0/orgs/60a1b2c3d4e5f6a7b8c9d0e1/liveExport/migrationLink", strings.NewReader(`{"linkToken":"x"}`))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
				resp, err := dt.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d, want the API's 400 for a token it does not know", resp.StatusCode)
				}
			}
			if n := int(through.Load()); n != sim.Total() || sim.JournalSummary().Authenticated != 5 {
				t.Fatalf("%d requests through the transport below, %d at the server, %d authenticated; want equal counts and 5 calls",
					n, sim.Total(), sim.JournalSummary().Authenticated)
			}
			want := 6 // one challenge, then one request per call
			if opts.RefuseNonceReuse {
				want = 12 // two per call, and two refused reuses
			}
			if sim.Total() != want {
				t.Fatalf("%d requests, want %d", sim.Total(), want)
			}
		})
	}
}

// A stale nonce whose new nonce is refused too (a strict server that saw a
// higher count of it first): the request falls back to the
// challenge-response and succeeds, its body sent in full on every leg.
func TestDigestStaleThenRefusedFallsBack(t *testing.T) {
	t.Parallel()
	var legs []string
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		nonce, nc := between(auth, `nonce="`, `"`), between(auth+",", "nc=", ",")
		legs = append(legs, fmt.Sprintf("%s/%s/%s", nonce, nc, body))
		resp := &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}
		switch {
		case auth == "" && len(legs) == 1:
			resp.Header.Set("WWW-Authenticate", `Digest realm="r", nonce="n1", algorithm=MD5, qop="auth", stale=false`)
		case auth == "":
			resp.Header.Set("WWW-Authenticate", `Digest realm="r", nonce="n3", algorithm=MD5, qop="auth", stale=false`)
		case nonce == "n1" && nc != "00000001":
			resp.Header.Set("WWW-Authenticate", `Digest realm="r", nonce="n2", algorithm=MD5, qop="auth", stale=true`)
		case nonce == "n2":
			resp.Header.Set("WWW-Authenticate", `Digest realm="r", nonce="n4", algorithm=MD5, qop="auth", stale=false`)
		default:
			resp.StatusCode = http.StatusCreated
		}
		return resp, nil
	})
	dt := newDigestTransport("pub", "priv-0123", next)
	for i := range 2 {
		req, err := http.NewRequest(http.MethodPost, "https://api.example.com/api/x", strings.NewReader(`{"a":1}`))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := dt.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("call %d: %v %v", i+1, resp, err)
		}
		_ = resp.Body.Close()
	}
	want := []string{
		`//{"a":1}`, `n1/00000001/{"a":1}`, // challenge-response
		`n1/00000002/{"a":1}`, `n2/00000001/{"a":1}`, // stale, then the new nonce refused
		`//{"a":1}`, `n3/00000001/{"a":1}`, // the challenge-response
	}
	if strings.Join(legs, " ") != strings.Join(want, " ") {
		t.Fatalf("legs %v, want %v", legs, want)
	}
}

func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, to)
	return v
}

// An answer 429 to the first reuse proves nothing (a quota answers before
// the API authenticates): against a server that refuses every reuse
// behind it, concurrent calls still meet at most two refusals.
func TestDigestReuseAnswered429IsNoProof(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var reused, refused, nonces int
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		auth := r.Header.Get("Authorization")
		resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}
		switch {
		case auth == "":
			nonces++
			resp.StatusCode = http.StatusUnauthorized
			resp.Header.Set("WWW-Authenticate", fmt.Sprintf(`Digest realm="r", nonce="n%d", algorithm=MD5, qop="auth", stale=false`, nonces))
		case !strings.Contains(auth, "nc=00000001"):
			reused++
			if reused == 1 {
				resp.StatusCode = http.StatusTooManyRequests
				break
			}
			refused++
			nonces++
			resp.StatusCode = http.StatusUnauthorized
			resp.Header.Set("WWW-Authenticate", fmt.Sprintf(`Digest realm="r", nonce="n%d", algorithm=MD5, qop="auth", stale=false`, nonces))
		}
		return resp, nil
	})
	dt := newDigestTransport("pub", "priv-0123", next)
	call := func() (int, error) {
		req, err := http.NewRequest(http.MethodGet, "https://api.example.com/api/x", nil)
		if err != nil {
			return 0, err
		}
		resp, err := dt.RoundTrip(req)
		if err != nil {
			return 0, err
		}
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}
	for _, want := range []int{http.StatusOK, http.StatusTooManyRequests} {
		if got, err := call(); err != nil || got != want {
			t.Fatalf("%d %v, want %d", got, err, want)
		}
	}
	var g errgroup.Group
	for range 16 {
		g.Go(func() error {
			for range 4 {
				if got, err := call(); err != nil || got != http.StatusOK {
					return fmt.Errorf("%d %v", got, err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if refused > 2 {
		t.Fatalf("%d reuses refused after a 429 to the first one, want at most 2", refused)
	}
}
