package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

func TestParseFlags(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	_ = os.WriteFile(state, []byte(`{"inventory":{"60a1b2c3d4e5f6a7b8c9d0e1":[{"projectId":"p","name":"n"}]}}`), 0o600)
	c, err := parseFlags([]string{"-atlas-public-key", "ap", "-atlas-private-key", "ak", "-rate-limit", "20", "-latency", "100ms",
		"-state", state, "-fault", "link:429x2,retry-after=1", "-fault", "createLinkToken:reset-after", "-status-without-link", "NOT_SYNCED",
		"-atlas-client-id", "id", "-atlas-client-secret", "s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if k := c.opts.AtlasKeys[0]; k.PublicKey != "ap" || k.PrivateKey != "ak" || c.opts.OpsManagerKeys[0].PrivateKey == "" {
		t.Fatalf("keys: %+v %+v", c.opts.AtlasKeys, c.opts.OpsManagerKeys)
	}
	if c.opts.RateLimit.PerSecond != 20 || c.opts.RateLimit.Burst != 20 || c.opts.RateLimit.Unstated || c.opts.Latency != 100*time.Millisecond || c.opts.StatusWithoutLink != "NOT_SYNCED" {
		t.Fatalf("options: %+v", c.opts)
	}
	if len(c.opts.Seed.Inventory["60a1b2c3d4e5f6a7b8c9d0e1"]) != 1 || len(c.faults) != 2 || c.faults[simulator.RouteLink].Count != 2 {
		t.Fatalf("seed/faults: %+v %+v", c.opts.Seed, c.faults)
	}
	if c.opts.AtlasServiceAccounts[0].ClientID != "id" {
		t.Fatal("service account")
	}
	if c.opts.NonceTTL != simulator.DefaultNonceTTL || c.opts.NonceCountWindow != simulator.DefaultNonceCountWindow || c.opts.RefuseNonceReuse {
		t.Fatalf("nonce defaults: %v %d %t", c.opts.NonceTTL, c.opts.NonceCountWindow, c.opts.RefuseNonceReuse)
	}
	c, err = parseFlags([]string{"-nonce-ttl", "30s", "-nonce-count-window", "1", "-refuse-nonce-reuse"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.NonceTTL != 30*time.Second || c.opts.NonceCountWindow != 1 || !c.opts.RefuseNonceReuse {
		t.Fatalf("nonce flags: %v %d %t", c.opts.NonceTTL, c.opts.NonceCountWindow, c.opts.RefuseNonceReuse)
	}
	unstated, err := parseFlags([]string{"-rate-limit", "4", "-burst", "8", "-rate-limit-headers=false"}, io.Discard)
	if err != nil || *unstated.opts.RateLimit != (simulator.RateLimit{PerSecond: 4, Burst: 8, Unstated: true}) {
		t.Fatalf("-rate-limit-headers=false: %+v %v", unstated.opts.RateLimit, err)
	}
	for _, bad := range [][]string{{"-fault", "nope:1"}, {"-atlas-client-id", "x"}, {"-ca-cert-out", "x"}, {"-status-without-link", "maybe"}, {"extra"},
		{"-nonce-ttl", "0s"}, {"-nonce-count-window", "0"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestRunPrintsEnvironmentAndServes(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	ca := filepath.Join(dir, "ca.pem")
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-tls", "-ca-cert-out", ca, "-ready-file", ready, "-om-public-key", "op", "-om-private-key", "ok"}, &out, io.Discard)
	}()
	var url []byte
	for i := 0; i < 100 && len(url) == 0; i++ {
		time.Sleep(20 * time.Millisecond)
		url, _ = os.ReadFile(ready)
	}
	if !strings.HasPrefix(string(url), "https://127.0.0.1:") {
		t.Fatalf("ready file: %q", url)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"export MONGODB_ATLAS_BASE_URL='" + string(url) + "'",
		"export MCLI_OPS_MANAGER_URL='" + string(url) + "'",
		"export MCLI_PUBLIC_API_KEY='op'",
		"export MCLI_PRIVATE_API_KEY='ok'",
		"export MONGODB_ATLAS_PUBLIC_KEY=",
		"export MCLI_OPS_MANAGER_CA_CERTIFICATE='" + ca + "'",
		"export ATLASMIG_ATLAS_CA_CERT_FILE='" + ca + "'",
		"export ATLASMIG_OPS_MANAGER_KIND='cloud_manager'",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "ATLASMIG_SIMULATOR_CLOCK_SPEED") {
		t.Errorf("a real-time clock exports a clock speed:\n%s", out.String())
	}
	if _, err := os.Stat(ca); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"-addr", "0.0.0.0:0"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("non-loopback address: %v", err)
	}
}

// -h names every fault route with its request, and documents the control
// API's bodies.
func TestHelpListsRoutesAndControlAPI(t *testing.T) {
	var help bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &help); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	for _, r := range simulator.Routes() {
		if routeEndpoints[r] == "" || !strings.Contains(help.String(), string(r)+" ") {
			t.Errorf("-h does not list route %s with its request", r)
		}
		if _, _, err := simulator.ParseFault(string(r) + ":503"); err != nil {
			t.Errorf("listed route %s is not a fault route: %v", r, err)
		}
	}
	for _, want := range []string{"reset-before", "reset-after", "POST /_sim/faults", `"route": "link"`, "POST /_sim/inventory", "GET  /_sim/requests", "-ready-file"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("-h lacks %q", want)
		}
	}
}

// TestPrintEnvClockSpeed exports the clock speed the provider's waits must
// follow only for a clock faster than real time: the provider refuses a
// speed below 1, and a frozen clock moves only when told to.
func TestPrintEnvClockSpeed(t *testing.T) {
	for _, c := range []struct {
		flag, want string
	}{
		{"60", "export ATLASMIG_SIMULATOR_CLOCK_SPEED='60'\n"},
		{"2.5", "export ATLASMIG_SIMULATOR_CLOCK_SPEED='2.5'\n"},
		{"1", ""},
		{"0.5", ""},
		{"0", ""},
	} {
		cfg, err := parseFlags([]string{"-clock-speed", c.flag}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		printEnv(&out, &simulator.Server{URL: "http://127.0.0.1:1"}, cfg)
		got := ""
		if i := strings.Index(out.String(), "export ATLASMIG_SIMULATOR_CLOCK_SPEED="); i >= 0 {
			got = out.String()[i:]
			got = got[:strings.IndexByte(got, '\n')+1]
		}
		if got != c.want {
			t.Errorf("-clock-speed %s: got %q, want %q", c.flag, got, c.want)
		}
		if !strings.Contains(out.String(), "export ATLASMIG_OPS_MANAGER_KIND='cloud_manager'\n") {
			t.Errorf("-clock-speed %s: no kind:\n%s", c.flag, out.String())
		}
	}
}
