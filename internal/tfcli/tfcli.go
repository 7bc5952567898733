// Package tfcli identifies the command-line program the tests drive:
// Terraform or OpenTofu, and its version, so that tests can skip what the
// binary does not support instead of failing.
package tfcli

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"

	goversion "github.com/hashicorp/go-version"
)

// The products a version line names.
const (
	Terraform = "Terraform"
	OpenTofu  = "OpenTofu"
)

// Binary is a Terraform-compatible program.
type Binary struct {
	Path    string
	Product string
	Version *goversion.Version
}

var versionLine = regexp.MustCompile(`^(Terraform|OpenTofu) v(\d+\.\d+\.\d+\S*)`)

// ParseVersion reads the first line of `terraform version` or `tofu
// version`: "Terraform v1.11.4" or "OpenTofu v1.6.3".
func ParseVersion(output string) (Binary, error) {
	m := versionLine.FindStringSubmatch(output)
	if m == nil {
		return Binary{}, fmt.Errorf("the version output does not begin with \"Terraform vX.Y.Z\" or \"OpenTofu vX.Y.Z\": %.80q", output)
	}
	v, err := goversion.NewVersion(m[2])
	if err != nil {
		return Binary{}, fmt.Errorf("version %q: %w", m[2], err)
	}
	return Binary{Product: m[1], Version: v}, nil
}

// Identify runs path's version command and parses it.
func Identify(path string) (Binary, error) {
	cmd := exec.Command(path, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return Binary{}, fmt.Errorf("%s version: %w", path, err)
	}
	b, err := ParseVersion(string(out))
	b.Path = path
	return b, err
}

// AtLeast reports whether the binary's version is v or later.
func (b Binary) AtLeast(v string) bool {
	return b.Version != nil && !b.Version.LessThan(goversion.Must(goversion.NewVersion(v)))
}

// WriteOnly reports whether the binary supports write-only arguments and
// ephemeral variables: Terraform 1.11 and OpenTofu 1.11 both added them.
func (b Binary) WriteOnly() bool { return b.AtLeast("1.11.0") }

func (b Binary) String() string {
	if b.Version == nil {
		return b.Product
	}
	return b.Product + " " + b.Version.String()
}

// DevOverrides is a CLI configuration whose dev_overrides point the
// provider source address atlasmig/atlasmig at dir, where a built
// terraform-provider-atlasmig lives: the binary then needs no init and
// downloads nothing. scripts/provider-dir.sh writes the same file for the
// shell scripts.
func DevOverrides(dir string) string {
	return fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"atlasmig/atlasmig\" = %q\n  }\n  direct {}\n}\n", dir)
}
