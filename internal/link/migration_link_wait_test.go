package link

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// statusServer answers the status endpoint with the given statuses in turn;
// an empty string answers 404.
func statusServer(t *testing.T, statuses ...string) (*client.OpsManager, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Challenge like the API, so a 404 is an authenticated answer.
		if r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", `Digest realm="MMS Public API", domain="", nonce="n", algorithm=MD5, qop="auth", stale=false`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		i := int(calls.Add(1)) - 1
		status := statuses[min(i, len(statuses)-1)]
		w.Header().Set("Content-Type", "application/json")
		if status == "" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":404,"errorCode":"RESOURCE_NOT_FOUND"}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"` + status + `"}`))
	}))
	t.Cleanup(srv.Close)
	om, err := client.NewOpsManager(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	return om, &calls
}

var fastPolling = shared.Polling{Scale: 0.0005}

func TestWaitForSyncedPollsUntilSynced(t *testing.T) {
	t.Parallel()
	om, calls := statusServer(t, "NOT_SYNCED", "", "SYNCING", "SYNCED")
	status, err := waitForSynced(context.Background(), om, "60a1b2c3d4e5f6a7b8c9d0e1", fastPolling)
	if err != nil || status != client.StatusSynced {
		t.Fatalf("got %q, %v", status, err)
	}
	if calls.Load() != 4 {
		t.Fatalf("%d status reads, want 4", calls.Load())
	}
}

func TestWaitForSyncedIsBoundedByTheTimeout(t *testing.T) {
	t.Parallel()
	om, calls := statusServer(t, "NOT_SYNCED")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	status, err := waitForSynced(ctx, om, "60a1b2c3d4e5f6a7b8c9d0e1", fastPolling)
	if !errors.Is(err, context.DeadlineExceeded) || status != "NOT_SYNCED" || calls.Load() == 0 {
		t.Fatalf("got %q, %v after %d reads", status, err, calls.Load())
	}
}
