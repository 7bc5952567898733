package client

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

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
