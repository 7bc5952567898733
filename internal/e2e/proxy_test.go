package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// connectProxy is a forward proxy that tunnels every CONNECT to target,
// whatever host the client asked for, and counts the tunnels.
func connectProxy(t *testing.T, target string) (string, *atomic.Int32) {
	t.Helper()
	var tunnels atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		upstream, err := net.Dial("tcp", target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		tunnels.Add(1)
		hj, _ := w.(http.Hijacker)
		client, _, err := hj.Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		_, _ = io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { _, _ = io.Copy(upstream, client); upstream.Close() }()
		go func() { _, _ = io.Copy(client, upstream); client.Close() }()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &tunnels
}

// TestHTTPSProxyFromEnvironment reaches an Ops Manager that only the proxy
// can reach (its host name does not resolve), through HTTPS_PROXY, as Go
// does by default; NO_PROXY then bypasses the proxy for that host.
func TestHTTPSProxyFromEnvironment(t *testing.T) {
	t.Parallel()
	sim := simulator.NewServer(t, simulator.Options{
		OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
	}, simulator.ServerOptions{TLS: true})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(sim.URL, "https://"))
	proxyURL, tunnels := connectProxy(t, "127.0.0.1:"+port)
	token := sim.IssueLinkToken(atlasOrg)
	// The simulator's certificate names the loopback host only, so this
	// test skips verification; the proxy path is what it checks.
	base := "https://opsmanager.invalid:" + port
	w := newWorkspace(t, map[string]string{
		"MCLI_OPS_MANAGER_URL": base, "MCLI_PUBLIC_API_KEY": omPub, "MCLI_PRIVATE_API_KEY": omPriv,
		"MCLI_OPS_MANAGER_SKIP_VERIFY": "true", "HTTPS_PROXY": proxyURL, "TF_VAR_token": token,
	})
	w.write("main.tf", fmt.Sprintf(linkOnlyHCL, "", "60a1b2c3d4e5f6a7b8c9d0f6"))
	w.run(true, "apply", "-auto-approve", "-input=false")
	if status, _ := sim.LinkStatus("60a1b2c3d4e5f6a7b8c9d0f6"); status != "SYNCED" {
		t.Fatalf("not linked through the proxy: %q", status)
	}
	if tunnels.Load() == 0 {
		t.Fatal("no request went through HTTPS_PROXY")
	}

	before := tunnels.Load()
	w.env = append(w.env, "NO_PROXY=opsmanager.invalid", "ATLASMIG_MAX_RETRIES=0")
	out := w.run(false, "plan", "-input=false")
	if tunnels.Load() != before {
		t.Fatal("NO_PROXY did not bypass the proxy")
	}
	if !strings.Contains(out, "Cannot Reach Cloud Manager / Ops Manager") {
		t.Fatalf("without the proxy the host must be unreachable:\n%s", out)
	}
}
