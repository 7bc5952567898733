package acctest

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

// RunNewer runs a test case that needs a feature of Terraform minVersion or
// later (resource identity: tfcli.IdentityVersion) on the binary tfcli.For
// finds — the suite's own when it is new enough, else ATLASMIG_TERRAFORM_NEXT
// — and skips, saying why, when there is none. It points
// terraform-plugin-testing at that binary through the environment, so it
// never runs in parallel (Go runs it before the parallel tests resume).
func RunNewer(t *testing.T, env *Env, feature, minVersion string, tc resource.TestCase) {
	t.Helper()
	bin, reason := tfcli.For(feature, minVersion)
	if reason != "" {
		t.Skip(reason)
	}
	t.Setenv("TF_ACC_TERRAFORM_PATH", bin.Path)
	// The suite may run on OpenTofu, whose provider address this binary
	// does not need.
	t.Setenv("TF_ACC_PROVIDER_HOST", "")
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "")
	run(t, env, tc)
}
