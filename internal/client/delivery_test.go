package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// Ctrl-C while the client waits to retry a POST answered 429: the API
// refused the only request it saw, so the outcome is certain — nothing was
// created.
func TestInterruptedWaitAfterA429IsCertain(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 5, Status: 429, RetryAfter: "30"})
	atlas := atlasClient(t, sim, client.Config{MaxRetries: 3})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for sim.Calls(simulator.RouteCreateLinkToken) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	_, err := atlas.CreateLinkToken(ctx, atlasOrg, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want the interruption, got %v", err)
	}
	if client.IsUncertain(err) {
		t.Fatalf("an interrupted wait after an answer 429 is reported as possibly processed: %v", err)
	}
	if n := sim.Calls(simulator.RouteCreateLinkToken); n != 1 {
		t.Fatalf("%d authenticated token creations, want 1", n)
	}
	if got := sim.LinkTokens(atlasOrg); len(got) != 0 {
		t.Fatalf("%d tokens exist", len(got))
	}
}

// A service-account token that cannot be had means the API request was
// never sent, whatever happened to the token request: a reset, or a
// gateway's 502 or 504 on the token endpoint.
func TestTokenEndpointFailureIsCertain(t *testing.T) {
	t.Parallel()
	for name, fault := range map[string]simulator.Fault{
		"reset": {Count: 100, ResetBeforeProcessing: true},
		"lost":  {Count: 100, ResetAfterProcessing: true},
		"502":   {Count: 100, Status: 502},
		"504":   {Count: 100, Status: 504},
		"500":   {Count: 100, Status: 500},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
			sim.SetFault(simulator.RouteOAuthToken, fault)
			atlas := atlasClient(t, sim, client.Config{ClientID: saID, ClientSecret: saSecret, MaxRetries: 1})
			_, err := atlas.CreateLinkToken(context.Background(), atlasOrg, nil)
			if err == nil {
				t.Fatal("the call succeeded without a token")
			}
			if client.IsUncertain(err) {
				t.Fatalf("a failed token request is reported as a possibly processed write: %v", err)
			}
			if n := sim.Count(simulator.RouteCreateLinkToken); n != 0 {
				t.Fatalf("%d token creations reached the API", n)
			}
			if n := sim.Count(simulator.RouteOAuthToken); n != 2 {
				t.Fatalf("%d token requests, want 2 (one and one retry)", n)
			}
			if !strings.Contains(err.Error(), "token") {
				t.Fatalf("the error does not name the token request: %v", err)
			}
		})
	}
}

// challengeServer answers like the API (a digest challenge, then the
// operation) except where first says otherwise for the n-th unauthenticated
// request; it counts every request.
type challengeServer struct {
	*httptest.Server
	requests, authenticated atomic.Int32
}

func newChallengeServer(t *testing.T, first func(n int, w http.ResponseWriter) bool) *challengeServer {
	t.Helper()
	s := &challengeServer{}
	var mu sync.Mutex
	unauthenticated := 0
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Header.Get("Authorization") == "" {
			mu.Lock()
			unauthenticated++
			n := unauthenticated
			mu.Unlock()
			if first(n, w) {
				return
			}
			w.Header().Set("WWW-Authenticate", `Digest realm="MMS Public API", domain="", nonce="n1", algorithm=MD5, qop="auth", stale=false`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		s.authenticated.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"status":"SYNCED"}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// The digest challenge leg carries no credentials: the API runs nothing for
// it. A write whose challenge leg fails — its connection closed, or a
// challenge the client cannot answer — was not processed, and is replayed
// where a retry helps.
func TestChallengeLegFailureOfAWriteIsCertain(t *testing.T) {
	t.Parallel()
	t.Run("connection closed, then retried", func(t *testing.T) {
		t.Parallel()
		srv := newChallengeServer(t, func(n int, w http.ResponseWriter) bool {
			if n == 1 {
				hangUp(w)
				return true
			}
			return false
		})
		om, _ := client.NewOpsManager(fastRetries(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k", MaxRetries: 2}))
		if _, err := om.Link(context.Background(), sourceOrg, "token-value-123456"); err != nil {
			t.Fatalf("the write was not replayed after its challenge leg failed: %v", err)
		}
		if got, auth := srv.requests.Load(), srv.authenticated.Load(); got != 3 || auth != 1 {
			t.Fatalf("%d requests (%d authenticated), want 3 (1): the closed challenge, then challenge and write", got, auth)
		}
	})
	t.Run("connection closed, no retries", func(t *testing.T) {
		t.Parallel()
		srv := newChallengeServer(t, func(_ int, w http.ResponseWriter) bool { hangUp(w); return true })
		om, _ := client.NewOpsManager(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k", MaxRetries: 0})
		_, err := om.Link(context.Background(), sourceOrg, "token-value-123456")
		if err == nil || client.IsUncertain(err) {
			t.Fatalf("a write whose unauthenticated challenge leg failed is reported as possibly processed: %v", err)
		}
	})
	t.Run("a challenge the client cannot answer", func(t *testing.T) {
		t.Parallel()
		srv := newChallengeServer(t, func(_ int, w http.ResponseWriter) bool {
			w.Header().Set("WWW-Authenticate", `Digest realm="x", nonce="n", unknown="y"`)
			w.WriteHeader(http.StatusUnauthorized)
			return true
		})
		om, _ := client.NewOpsManager(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k", MaxRetries: 0})
		_, err := om.Link(context.Background(), sourceOrg, "token-value-123456")
		if err == nil || client.IsUncertain(err) {
			t.Fatalf("a write never sent with credentials is reported as possibly processed: %v", err)
		}
		if srv.authenticated.Load() != 0 {
			t.Fatal("an authenticated request was sent")
		}
	})
}

// A 5xx on the digest challenge is the API failing, not something else
// answering in its place; the challenge ran nothing, so even a write is
// replayed.
func TestServerErrorOnTheDigestChallenge(t *testing.T) {
	t.Parallel()
	fail := func(limit int) func(int, http.ResponseWriter) bool {
		return func(n int, w http.ResponseWriter) bool {
			if n > limit {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":500,"errorCode":"UNEXPECTED_ERROR","reason":"Internal Server Error","detail":"Unexpected error."}`)
			return true
		}
	}
	t.Run("retried", func(t *testing.T) {
		t.Parallel()
		srv := newChallengeServer(t, fail(1))
		om, _ := client.NewOpsManager(fastRetries(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k", MaxRetries: 2}))
		if _, err := om.Link(context.Background(), sourceOrg, "token-value-123456"); err != nil {
			t.Fatalf("a 500 on the challenge of a write was not retried: %v", err)
		}
		if got, auth := srv.requests.Load(), srv.authenticated.Load(); got != 3 || auth != 1 {
			t.Fatalf("%d requests (%d authenticated), want 3 (1)", got, auth)
		}
	})
	t.Run("reported as a server fault", func(t *testing.T) {
		t.Parallel()
		srv := newChallengeServer(t, fail(100))
		om, _ := client.NewOpsManager(fastRetries(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k", MaxRetries: 1}))
		_, err := om.Link(context.Background(), sourceOrg, "token-value-123456")
		if !client.IsServerError(err) || client.IsForeignAnswer(err) || client.IsUncertain(err) {
			t.Fatalf("server error %v, foreign %v, uncertain %v: want a certain server fault of the API (%v)",
				client.IsServerError(err), client.IsForeignAnswer(err), client.IsUncertain(err), err)
		}
		if got := srv.requests.Load(); got != 2 {
			t.Fatalf("%d requests, want 2 (one and one retry)", got)
		}
	})
}
