// Package e2e drives the built provider binary with the real terraform CLI,
// exactly as a user's pipeline does: a CLI configuration with dev_overrides,
// the simulator as the API, and terraform's own logging. It is where the
// claims that span processes are proven, such as "no secret in any log".
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/secretscan"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

// requiredProviders opens every configuration of these tests: the
// provider's address, which the CLI configuration's dev_overrides maps to the
// binary built for the package.
const requiredProviders = `
terraform {
  required_providers {
    atlasmig = {
      source = "atlasmig/atlasmig"
    }
  }
}
`

// providerDir holds the provider binary built once for the whole package.
var providerDir string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if _, err := exec.LookPath("terraform"); err != nil && os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		fmt.Fprintln(os.Stderr, "e2e: terraform not found on PATH; run `make test`, which explains how to get it")
		return 1
	}
	// `make test` builds the provider once for every package and script.
	if dir := os.Getenv("ATLASMIG_PROVIDER_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "terraform-provider-atlasmig")); err == nil {
			providerDir = dir
			return m.Run()
		}
	}
	dir, err := os.MkdirTemp("", "atlasmig-e2e-provider-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-atlasmig"), ".")
	build.Dir = root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the provider failed:", err)
		return 1
	}
	providerDir = dir
	return m.Run()
}

func terraformPath() string {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, _ := exec.LookPath("terraform")
	return p
}

// workspace is one terraform working directory with its own CLI
// configuration, environment and TRACE log.
type workspace struct {
	t       *testing.T
	dir     string
	logPath string
	env     []string
	// bin is the terraform binary; empty for the suite's own.
	bin string
	// output collects everything terraform printed, for the leak scan.
	output bytes.Buffer
}

func newWorkspace(t *testing.T, env map[string]string) *workspace {
	t.Helper()
	dir := t.TempDir()
	rc := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(rc, []byte(tfcli.DevOverrides(providerDir)), 0o600); err != nil {
		t.Fatal(err)
	}
	w := &workspace{t: t, dir: dir, logPath: filepath.Join(dir, "terraform.log")}
	// A minimal, explicit environment: nothing of the developer's own
	// MongoDB variables reaches the provider.
	w.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"TF_CLI_CONFIG_FILE=" + rc,
		"TF_LOG=TRACE",
		"TF_LOG_PATH=" + w.logPath,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.env = append(w.env, k+"="+env[k])
	}
	return w
}

func (w *workspace) write(name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// run runs terraform with args and returns its combined output; wantOK says
// whether it must succeed.
func (w *workspace) run(wantOK bool, args ...string) string {
	w.t.Helper()
	out, code := w.runCode(args...)
	if wantOK && code != 0 {
		w.t.Fatalf("terraform %s failed: exit status %d\n%s", strings.Join(args, " "), code, out)
	}
	if !wantOK && code == 0 {
		w.t.Fatalf("terraform %s succeeded, expected a failure\n%s", strings.Join(args, " "), out)
	}
	return out
}

// runCode runs terraform with args and returns its combined output and exit
// code, for commands such as plan -detailed-exitcode.
func (w *workspace) runCode(args ...string) (string, int) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := w.bin
	if bin == "" {
		bin = terraformPath()
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{args[0], "-no-color"}, args[1:]...)...)
	cmd.Dir, cmd.Env = w.dir, w.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	// go test -v shows where a test's time goes.
	w.t.Logf("terraform %s took %.1fs", strings.Join(args, " "), time.Since(start).Seconds())
	w.output.Write(out)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return string(out), exitErr.ExitCode()
	}
	if err != nil {
		w.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return string(out), 0
}

func (w *workspace) read(name string) string {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, name))
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

// reportLeaks fails the test for each leak, naming the secret, never its
// value.
func reportLeaks(t *testing.T, leaks []secretscan.Leak) {
	t.Helper()
	for _, l := range leaks {
		t.Errorf("%s appears in %s, line %d", l.Secret, l.Where, l.Line)
	}
}
