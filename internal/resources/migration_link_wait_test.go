package resources

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
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

func fastPolling(t *testing.T) {
	t.Helper()
	interval, maxInterval := linkPollInterval, linkPollMaxInterval
	linkPollInterval, linkPollMaxInterval = time.Millisecond, 4*time.Millisecond
	t.Cleanup(func() { linkPollInterval, linkPollMaxInterval = interval, maxInterval })
}

func TestWaitForSyncedPollsUntilSynced(t *testing.T) {
	fastPolling(t)
	om, calls := statusServer(t, "NOT_SYNCED", "", "SYNCING", "SYNCED")
	status, err := waitForSynced(context.Background(), om, "60a1b2c3d4e5f6a7b8c9d0e1")
	if err != nil || status != StatusSynced {
		t.Fatalf("got %q, %v", status, err)
	}
	if calls.Load() != 4 {
		t.Fatalf("%d status reads, want 4", calls.Load())
	}
}

func TestWaitForSyncedIsBoundedByTheTimeout(t *testing.T) {
	fastPolling(t)
	om, _ := statusServer(t, "NOT_SYNCED")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	status, err := waitForSynced(ctx, om, "60a1b2c3d4e5f6a7b8c9d0e1")
	if err == nil || status != "NOT_SYNCED" || time.Since(start) > time.Second {
		t.Fatalf("got %q, %v after %s", status, err, time.Since(start))
	}
}
