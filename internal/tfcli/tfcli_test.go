package tfcli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

func TestParseVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		output, product, version string
		writeOnly                bool
	}{
		{"Terraform v1.11.4\non linux_amd64\n", tfcli.Terraform, "1.11.4", true},
		{"Terraform v1.6.6\non linux_amd64\n\nYour version of Terraform is out of date!", tfcli.Terraform, "1.6.6", false},
		{"OpenTofu v1.6.3\non linux_amd64\n", tfcli.OpenTofu, "1.6.3", false},
		{"OpenTofu v1.12.6\non darwin_arm64\n", tfcli.OpenTofu, "1.12.6", true},
		{"Terraform v1.12.0-beta1\non linux_amd64\n", tfcli.Terraform, "1.12.0-beta1", true},
	}
	for _, tc := range cases {
		b, err := tfcli.ParseVersion(tc.output)
		if err != nil {
			t.Fatalf("%q: %v", tc.output, err)
		}
		if b.Product != tc.product || b.Version.Original() != tc.version || b.WriteOnly() != tc.writeOnly {
			t.Errorf("%q: got %s (write-only %t), want %s %s (write-only %t)", tc.output, b, b.WriteOnly(), tc.product, tc.version, tc.writeOnly)
		}
	}
	for _, bad := range []string{"", "terraform 1.11.4", "Tofu v1.6.0", "Terraform vX"} {
		if _, err := tfcli.ParseVersion(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// fakeBinary writes a script that answers `version` like the named product.
func fakeBinary(t *testing.T, versionLine string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tf")
	script := "#!/bin/sh\nif [ \"$1\" = version ]; then printf '%s\\non linux_amd64\\n' '" + versionLine + "'; exit 0; fi\necho \"unexpected: $*\" >&2\nexit 3\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIdentifyRunsTheBinary(t *testing.T) {
	t.Parallel()
	b, err := tfcli.Identify(fakeBinary(t, "OpenTofu v1.9.1"))
	if err != nil || b.Product != tfcli.OpenTofu || b.Version.String() != "1.9.1" {
		t.Fatalf("%v, %v", b, err)
	}
}

// repoRoot is where the scripts live.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// The scripts behind `make test TERRAFORM=...` read the same version line:
// OpenTofu gets the provider address it accepts, and every binary is passed
// to terraform-plugin-testing by absolute path.
func TestScriptsDetectTheBinary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line, want string
	}{
		{"Terraform v1.6.6", "Terraform|1.6.6|PATH||"},
		{"OpenTofu v1.6.3", "OpenTofu|1.6.3|PATH|registry.opentofu.org|hashicorp"},
	} {
		bin := fakeBinary(t, tc.line)
		cmd := exec.Command("bash", "-c", `source scripts/terraform.sh && echo "$TF_PRODUCT|$TF_VERSION|$TF_ACC_TERRAFORM_PATH|${TF_ACC_PROVIDER_HOST:-}|${TF_ACC_PROVIDER_NAMESPACE:-}"`)
		cmd.Dir = repoRoot(t)
		cmd.Env = append(cleanEnv(), "TERRAFORM="+bin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.line, err, out)
		}
		if got, want := strings.TrimSpace(string(out)), strings.Replace(tc.want, "PATH", bin, 1); got != want {
			t.Errorf("%s: got %q, want %q", tc.line, got, want)
		}
	}
}

// The docs check needs the schema of Terraform 1.14 or later (the suite's
// binary or ATLASMIG_TERRAFORM_NEXT); without one it is skipped with the
// reason, and make test stays green.
func TestDocsCheckSkipsWhereItCannotRun(t *testing.T) {
	t.Parallel()
	const reason = "the docs are generated from the schema of Terraform 1.14.0 or later"
	for line, reason := range map[string]string{
		"OpenTofu v1.8.0":   reason + " (it holds the atlasmig_cutover action and the resource identities); ",
		"Terraform v1.6.6":  reason,
		"Terraform v1.11.4": "is Terraform 1.11.4 and ATLASMIG_TERRAFORM_NEXT (/nonexistent/terraform) is not such a binary",
	} {
		cmd := exec.Command("scripts/check-docs.sh")
		cmd.Dir = repoRoot(t)
		cmd.Env = append(cleanEnv(), "TERRAFORM="+fakeBinary(t, line), "ATLASMIG_TERRAFORM_NEXT=/nonexistent/terraform")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "docs check skipped: ") || !strings.Contains(string(out), reason) {
			t.Errorf("%s: %v\n%s", line, err, out)
		}
	}
}

// Without ATLASMIG_TERRAFORM_NEXT the docs check uses only the suite's
// binary, and says the variable is not set.
func TestDocsCheckWithoutNextSaysItIsNotSet(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("scripts/check-docs.sh")
	cmd.Dir = repoRoot(t)
	var env []string
	for _, kv := range cleanEnv() {
		if !strings.HasPrefix(kv, tfcli.EnvNext+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "TERRAFORM="+fakeBinary(t, "Terraform v1.11.4"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "docs check skipped: ") || !strings.Contains(string(out), "is Terraform 1.11.4 and ATLASMIG_TERRAFORM_NEXT is not set") {
		t.Errorf("%v\n%s", err, out)
	}
}

func TestMissingBinaryIsExplained(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("scripts/check-terraform.sh")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(cleanEnv(), "TERRAFORM=/nonexistent/terraform")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "make test TERRAFORM=/absolute/path/to/terraform-or-tofu") {
		t.Fatalf("%v\n%s", err, out)
	}
}

// cleanEnv is the environment without what the scripts set themselves.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_ACC_") && !strings.HasPrefix(kv, "TERRAFORM=") && !strings.HasPrefix(kv, "TF_PRODUCT=") && !strings.HasPrefix(kv, "TF_VERSION=") {
			env = append(env, kv)
		}
	}
	return env
}

// The newer-feature tests take the suite's binary when it is new enough,
// else ATLASMIG_TERRAFORM_NEXT, and otherwise say why they skip.
func TestForFindsANewEnoughTerraform(t *testing.T) {
	old, next, tofu := fakeBinary(t, "Terraform v1.11.4"), fakeBinary(t, "Terraform v1.15.0"), fakeBinary(t, "OpenTofu v1.9.1")
	t.Setenv("TF_ACC_TERRAFORM_PATH", old)
	t.Setenv(tfcli.EnvNext, next)
	if b, why := tfcli.For("actions", tfcli.ActionsVersion); why != "" || b.Path != next {
		t.Fatalf("got %v %q, want %s", b, why, next)
	}
	t.Setenv("TF_ACC_TERRAFORM_PATH", next)
	t.Setenv(tfcli.EnvNext, old)
	if b, why := tfcli.For("actions", tfcli.ActionsVersion); why != "" || b.Path != next {
		t.Fatalf("the suite's own binary qualifies: got %v %q", b, why)
	}
	t.Setenv("TF_ACC_TERRAFORM_PATH", tofu)
	_, why := tfcli.For("the atlasmig_cutover action", tfcli.ActionsVersion)
	for _, want := range []string{"the atlasmig_cutover action needs Terraform 1.14.0 or later", tofu + " is OpenTofu 1.9.1", old + " is Terraform 1.11.4", "Set ATLASMIG_TERRAFORM_NEXT"} {
		if !strings.Contains(why, want) {
			t.Errorf("reason %q lacks %q", why, want)
		}
	}
	t.Setenv(tfcli.EnvNext, "/nonexistent/terraform")
	if _, why := tfcli.For("identity", tfcli.IdentityVersion); !strings.Contains(why, "/nonexistent/terraform (ATLASMIG_TERRAFORM_NEXT) does not exist") {
		t.Errorf("reason %q", why)
	}
}

// ATLASMIG_TERRAFORM_NEXT has no default: unset, only the suite's own binary
// is tried, and the reason to skip says the variable is not set.
func TestForWithoutNextTriesOnlyTheSuitesBinary(t *testing.T) {
	old, next := fakeBinary(t, "Terraform v1.11.4"), fakeBinary(t, "Terraform v1.15.0")
	t.Setenv("TF_ACC_TERRAFORM_PATH", old)
	t.Setenv(tfcli.EnvNext, "")
	b, why := tfcli.For("identity", tfcli.IdentityVersion)
	if b.Path != "" {
		t.Fatalf("found %v without %s", b, tfcli.EnvNext)
	}
	for _, want := range []string{old + " is Terraform 1.11.4", "ATLASMIG_TERRAFORM_NEXT is not set", "Set ATLASMIG_TERRAFORM_NEXT"} {
		if !strings.Contains(why, want) {
			t.Errorf("reason %q lacks %q", why, want)
		}
	}
	t.Setenv("TF_ACC_TERRAFORM_PATH", next)
	if b, why := tfcli.For("identity", tfcli.IdentityVersion); why != "" || b.Path != next {
		t.Fatalf("the suite's own binary qualifies: got %v %q", b, why)
	}
}
