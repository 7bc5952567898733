package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/secretscan"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

// TestProviderWritesOnlyTheLogsTerraformKeeps applies and destroys a token
// and a link (and reads the link's data source) with the provider's
// standard error captured before Terraform reads it: a wrapper script stands
// in for the binary. Terraform keeps a provider's log lines only at the
// level TF_LOG_PROVIDER or TF_LOG names: with neither set the provider
// writes no log line at all, at TF_LOG=INFO none below INFO, and at
// TF_LOG=TRACE the protocol and framework traces are all there, as before.
func TestProviderWritesOnlyTheLogsTerraformKeeps(t *testing.T) {
	hcl := fmt.Sprintf(pairHCL, atlasOrg, sourceOrg, sourceOrg)
	for _, c := range []struct {
		name string
		env  map[string]string
		// most is the most verbose level allowed; empty: no line at all.
		most string
		// wantTrace asks for the framework's per-request trace.
		wantTrace bool
		// wantInfo asks for the provider's own INFO line of the destroy.
		wantInfo bool
	}{
		{name: "TF_LOG unset"},
		{name: "TF_LOG_PATH alone", env: map[string]string{"TF_LOG_PATH": "terraform.log"}},
		{name: "TF_LOG=INFO", env: map[string]string{"TF_LOG": "INFO"}, most: "info", wantInfo: true},
		{name: "TF_LOG=TRACE, TF_LOG_PROVIDER=WARN", env: map[string]string{"TF_LOG": "TRACE", "TF_LOG_PROVIDER": "WARN"}, most: "warn"},
		{name: "TF_LOG=TRACE", env: map[string]string{"TF_LOG": "TRACE"}, most: "trace", wantTrace: true, wantInfo: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			sim := simulator.NewServer(t, simulator.Options{
				AtlasKeys:      []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
				OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
			}, simulator.ServerOptions{})
			w := newWorkspace(t, bothSidesEnv(sim.URL, nil))
			stderr := captureProviderStderr(t, w)
			w.env = withoutLogVariables(w.env)
			for k, v := range c.env {
				w.env = append(w.env, k+"="+v)
			}
			w.write("main.tf", hcl)
			w.run(true, "apply", "-auto-approve", "-input=false")
			w.run(true, "destroy", "-auto-approve", "-input=false")

			lines, levels := logLevels(t, stderr)
			rank := map[string]int{"": 0, "error": 1, "warn": 2, "info": 3, "debug": 4, "trace": 5}
			for level, n := range levels {
				if rank[level] > rank[c.most] || rank[level] == 0 {
					t.Errorf("%d log lines at %q; the most verbose Terraform keeps here is %q", n, level, c.most)
				}
			}
			if c.most == "" && lines != 0 {
				t.Errorf("the provider wrote %d lines that Terraform drops", lines)
			}
			if got := levels["trace"] > 0; got != c.wantTrace {
				t.Errorf("trace lines written: %t, want %t (%d lines)", got, c.wantTrace, lines)
			}
			raw, _ := os.ReadFile(stderr)
			if got := strings.Contains(string(raw), `"@level":"info","@message":"link tokens already removed earlier in this apply"`); got != c.wantInfo {
				t.Errorf("the provider's INFO line about the token removal written: %t, want %t", got, c.wantInfo)
			}
			reportLeaks(t, secretscan.Find("the provider's standard error", string(raw), secretsOf(sim, true)))
		})
	}
}

// captureProviderStderr points w's CLI configuration at a wrapper that runs
// the provider binary with its standard error appended to a file, and
// returns the file's path.
func captureProviderStderr(t *testing.T, w *workspace) string {
	t.Helper()
	dir := t.TempDir()
	stderr := filepath.Join(dir, "provider.stderr")
	script := fmt.Sprintf("#!/bin/sh\nexec %q \"$@\" 2>>%q\n", filepath.Join(providerDir, "terraform-provider-atlasmig"), stderr)
	if err := os.WriteFile(filepath.Join(dir, "terraform-provider-atlasmig"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, ".terraformrc"), []byte(tfcli.DevOverrides(dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	return stderr
}

// withoutLogVariables drops Terraform's log settings from env.
func withoutLogVariables(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "TF_LOG") {
			out = append(out, kv)
		}
	}
	return out
}

// pluginHostLines are the two lines go-plugin, which hosts every provider
// process, logs once at its start, before any provider code runs.
var pluginHostLines = map[string]bool{"configuring server automatic mTLS": true, "plugin address": true}

// logLevels counts the lines of a provider's standard error, other than
// go-plugin's start-up lines, and, for the JSON log lines among them, how
// many there are of each level; a line that is not a JSON log line counts
// under "".
func logLevels(t *testing.T, path string) (int, map[string]int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	levels := map[string]int{}
	lines := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var entry struct {
			Level   string `json:"@level"`
			Message string `json:"@message"`
		}
		if json.Unmarshal([]byte(line), &entry) != nil {
			entry.Level = ""
		} else if pluginHostLines[entry.Message] {
			continue
		}
		lines++
		levels[entry.Level]++
	}
	return lines, levels
}
