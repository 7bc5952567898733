package e2e

import (
	"net/http"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// digestLegCounts counts the authenticated calls, the digest challenge legs
// (requests without credentials) and the reused nonces refused (digest
// responses answered 401) in the simulator's journal.
func digestLegCounts(sim *simulator.Server) (calls, challenges, refused int) {
	for _, r := range sim.Requests() {
		switch {
		case r.Authenticated:
			calls++
		case r.Auth == "none":
			challenges++
		case r.Auth == "digest" && r.Status == http.StatusUnauthorized:
			refused++
		}
	}
	return calls, challenges, refused
}

// Each provider process pays one digest challenge per API it calls, then
// answers the kept nonce: an apply of three pairs makes its 18 calls in 21
// requests — its plan reads the source side only (one challenge), its apply
// calls both sides (two).
func TestApplyAnswersTheKeptNonce(t *testing.T) {
	t.Parallel()
	sim, w := newReuseWorkspace(t, omPriv)
	w.write("main.tf", separatePairs(3))
	w.run(true, "apply", "-auto-approve", "-input=false")
	calls, challenges, refused := digestLegCounts(sim)
	if calls != 18 || refused != 0 || challenges != 3 || sim.Total() != calls+challenges {
		t.Fatalf("apply: %d calls, %d challenges, %d refused nonces, %d requests; want 18 calls, 3 challenges, none refused, nothing else",
			calls, challenges, refused, sim.Total())
	}
}

// A server that refuses every reused nonce: apply and destroy succeed and
// make the same calls as against one that accepts them, each call once;
// every call pays the challenge-response, and each provider process stops
// reusing after at most two refused nonces: at most 4 in an apply (its plan
// and its apply call the API), 6 in a destroy (its refresh, its plan and
// its apply). A process with few calls may end with fewer: its workers
// that waited for a refused probe take the challenge-response, and none
// may be left for a second probe. The floor is the two of the apply's
// process, whose calls outnumber them.
func TestApplyDestroyWithNonceReuseRefused(t *testing.T) {
	t.Parallel()
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:        []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys:   []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
		RefuseNonceReuse: true,
	}, simulator.ServerOptions{})
	w := newReuseWorkspaceFor(t, sim, omPriv)
	w.write("main.tf", separatePairs(3))
	w.run(true, "apply", "-auto-approve", "-input=false")
	wantCalls(t, sim, "apply", map[simulator.Route]int{
		simulator.RouteCreateLinkToken: 3, simulator.RouteLinkStatus: 6, simulator.RouteLink: 3, simulator.RouteAvailableProjects: 6,
	})
	calls, challenges, refused := digestLegCounts(sim)
	if calls != 18 || challenges != calls || refused < 2 || refused > 4 || sim.Total() != 2*calls+refused {
		t.Errorf("apply: %d calls, %d challenges, %d refused nonces, %d requests; want 18 calls with a challenge each, 2 to 4 refused nonces, nothing else",
			calls, challenges, refused, sim.Total())
	}

	sim.ResetJournal()
	w.run(true, "destroy", "-auto-approve", "-input=false")
	wantCalls(t, sim, "destroy", map[simulator.Route]int{
		simulator.RouteLinkStatus: 3, simulator.RouteAvailableProjects: 6, simulator.RouteDeleteLinkTokens: 3, simulator.RouteUnlink: 3,
	})
	calls, challenges, refused = digestLegCounts(sim)
	if calls != 15 || challenges != calls || refused < 2 || refused > 6 || sim.Total() != 2*calls+refused {
		t.Errorf("destroy: %d calls, %d challenges, %d refused nonces, %d requests; want 15 calls with a challenge each, 2 to 6 refused nonces, nothing else",
			calls, challenges, refused, sim.Total())
	}
	if n := len(sim.AllLinkTokens()) + sim.LinkCount(); n != 0 {
		t.Errorf("%d tokens and links left after destroy", n)
	}
}
