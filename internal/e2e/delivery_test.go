package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const tokenOnlyHCL = requiredProviders + `
resource "atlasmig_link_token" "this" {
  org_id = %q
}
`

// "Outcome unknown" only when the request may have reached the API. A token
// create that was never sent fails as an ordinary error: nothing is saved in
// state (no tainted token for the next apply to replace by removing the
// organization's tokens), and nothing says it may have been created.
func TestTokenCreateNeverSentIsNoUnknownOutcome(t *testing.T) {
	t.Parallel()
	t.Run("the service-account token endpoint fails", func(t *testing.T) {
		t.Parallel()
		sim := startSim(t)
		sim.SetFault(simulator.RouteOAuthToken, simulator.Fault{Count: 1000, ResetBeforeProcessing: true})
		w := newWorkspace(t, map[string]string{
			"MONGODB_ATLAS_BASE_URL": sim.URL, "MONGODB_ATLAS_CLIENT_ID": atlasSAID, "MONGODB_ATLAS_CLIENT_SECRET": atlasSASec,
			"ATLASMIG_MAX_RETRIES": "1",
		})
		w.write("main.tf", fmt.Sprintf(tokenOnlyHCL, atlasOrg))
		out, code := w.runCode("apply", "-auto-approve", "-input=false")
		if code == 0 {
			t.Fatalf("the apply succeeded without a token:\n%s", out)
		}
		mustSay(t, out, "service-account token")
		mustNotSay(t, out, "Outcome Unknown", "may have succeeded", "tainted")
		if n := sim.Count(simulator.RouteCreateLinkToken); n != 0 {
			t.Fatalf("%d token creations reached Atlas", n)
		}
		if list := w.stateList(); strings.Contains(list, "atlasmig_link_token") {
			t.Fatalf("a token that was never created is in state:\n%s", list)
		}
	})
	t.Run("Ctrl-C while waiting to retry after a 429", func(t *testing.T) {
		t.Parallel()
		sim := startSim(t)
		// Retry-After fits in the create's timeout (5 minutes): the
		// provider waits for it, and is interrupted while it waits.
		sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1000, Status: 429, RetryAfter: "120"})
		w := newWorkspace(t, atlasEnv(sim.URL, nil))
		w.write("main.tf", fmt.Sprintf(tokenOnlyHCL, atlasOrg))
		out, code := w.runInterrupted(func() bool { return sim.Calls(simulator.RouteCreateLinkToken) >= 1 }, "apply", "-auto-approve", "-input=false")
		if code == 0 {
			t.Fatalf("the interrupted apply succeeded:\n%s", out)
		}
		mustSay(t, out, "Interrupt received", "Operation Interrupted")
		mustNotSay(t, out, "Outcome Unknown", "may have succeeded", "tainted")
		if n := sim.Calls(simulator.RouteCreateLinkToken); n != 1 {
			t.Fatalf("%d token creations reached Atlas, want the one answered 429", n)
		}
		if got := sim.LinkTokens(atlasOrg); len(got) != 0 {
			t.Fatalf("%d tokens exist", len(got))
		}
		if list := w.stateList(); strings.Contains(list, "atlasmig_link_token") {
			t.Fatalf("a token that was never created is in state:\n%s", list)
		}
	})
}
