package tfcli

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// EnvNext names a newer Terraform binary for the tests of features the
// suite's own binary may lack: resource identity (Terraform 1.12) and
// actions (Terraform 1.14). OpenTofu has neither yet. It has no default:
// where a newer build lives differs from one machine to the next.
const EnvNext = "ATLASMIG_TERRAFORM_NEXT"

// Feature versions.
const (
	IdentityVersion = "1.12.0"
	ActionsVersion  = "1.14.0"
)

// Main returns the binary the suite runs: TF_ACC_TERRAFORM_PATH, else the
// first terraform on PATH.
func Main() string {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, _ := exec.LookPath("terraform")
	return p
}

// For returns a Terraform binary at version minVersion or later for a
// feature: the suite's own binary when it qualifies, otherwise the one EnvNext
// names. When none qualifies it returns the reason to skip, naming the
// binaries it tried and how to provide one.
func For(feature, minVersion string) (Binary, string) {
	var seen []string
	try := func(path string) (Binary, bool) {
		if path == "" {
			return Binary{}, false
		}
		b, err := Identify(path)
		switch {
		case err != nil:
			seen = append(seen, fmt.Sprintf("%s (%v)", path, err))
			return Binary{}, false
		case b.Product != Terraform || !b.AtLeast(minVersion):
			seen = append(seen, fmt.Sprintf("%s is %s", path, b))
			return Binary{}, false
		}
		return b, true
	}
	if b, ok := try(Main()); ok {
		return b, ""
	}
	switch next := os.Getenv(EnvNext); {
	case next == "":
		seen = append(seen, EnvNext+" is not set")
	case !exists(next):
		seen = append(seen, next+" ("+EnvNext+") does not exist")
	default:
		if b, ok := try(next); ok {
			return b, ""
		}
	}
	return Binary{}, fmt.Sprintf("%s needs Terraform %s or later (OpenTofu has none yet): %s. Set %s to a newer Terraform "+
		"(the README says how to build one)", feature, minVersion, strings.Join(seen, "; "), EnvNext)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
