package link

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// The plan judges Atlas's list only once it knows the projects of every
// link of the organization it has seen: a token planned before its link
// waits for it, a link whose projects were never seen keeps the judgement
// for the apply, and a project no known link exposes then blocks.
func TestOrgExposureJudgedOnlyWithEveryLinkKnown(t *testing.T) {
	listed := []exposedProject{{ID: "p-a", Name: "a"}, {ID: "p-b", Name: "b"}}

	g := newOrgGuard()
	g.noteAvailable(guardOrg, listed)
	g.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is destroyed", "")
	if v := g.judgeExposure(guardOrg); v.complete || v.blocks() {
		t.Fatalf("a token whose link is not planned yet was judged: %+v", v)
	}
	g.noteLinkProjects(guardOrg, "fpA", []string{"p-a"})
	v := g.judgeExposure(guardOrg)
	if !v.blocks() || len(v.unaccounted) != 1 || v.unaccounted[0].ID != "p-b" {
		t.Fatalf("the other source organization's project does not block: %+v", v)
	}
	if !slices.Equal(v.accounted, []string{"p-a"}) {
		t.Errorf("accounted %v, want [p-a]", v.accounted)
	}

	// The other pair of the configuration accounts for the rest once the
	// plan plans it; what a link remembers of it is enough to know its
	// projects, not to count them.
	g.noteMemoryProjects(guardOrg, map[string][]string{"fpB": {"p-b"}})
	if v := g.judgeExposure(guardOrg); !v.blocks() {
		t.Errorf("a remembered pair the plan does not plan accounts for its projects: %+v", v)
	}
	g.noteLinkProjects(guardOrg, "fpB", nil)
	if v := g.judgeExposure(guardOrg); v.blocks() || !v.complete || len(v.accounted) != 2 {
		t.Errorf("a project of a planned pair blocks: %+v", v)
	}

	unknown := newOrgGuard()
	unknown.noteAvailable(guardOrg, listed)
	unknown.noteLinkProjects(guardOrg, "fpA", nil)
	if v := unknown.judgeExposure(guardOrg); v.complete || v.blocks() {
		t.Errorf("a link whose projects were never seen was judged at plan: %+v", v)
	}
}

// At apply, every operation adds the projects it accounts for, and a project
// that none accounts for is named.
func TestOrgExposureAtApply(t *testing.T) {
	g := newOrgGuard()
	listed := []exposedProject{{ID: "p-a", Name: "a"}, {ID: "p-b", Name: "b"}, {ID: "p-c", Name: "c"}}
	g.noteAccounted(guardOrg, []string{"p-b"})
	got := g.unaccountedAtApply(guardOrg, listed, []string{"p-a"})
	if len(got) != 1 || got[0].ID != "p-c" {
		t.Fatalf("unaccounted %v, want [p-c]", got)
	}
	if msg := exposureConflict(guardOrg, got, false); !strings.Contains(msg, "c (p-c)") || !strings.Contains(msg, "terraform state rm") {
		t.Errorf("the refusal does not name the project and the way out:\n%s", msg)
	}
}

// A token whose creation's answer was lost is claimed once by the plan of
// its replacement.
func TestOrgExposureLostTokenClaimedOnce(t *testing.T) {
	g := newOrgGuard()
	g.noteLostToken(guardOrg)
	if !g.claimLostToken(guardOrg) || g.claimLostToken(guardOrg) {
		t.Error("a lost token is not claimed exactly once")
	}
}

// The links of one Atlas organization take turns, and a link waits for its
// turn no longer than its operation: when its context ends first, the
// error says that nothing was sent and how to go on, and the turn held
// meanwhile stays with its holder until it ends.
func TestLinkWaitsForItsTurnNoLongerThanItsOperation(t *testing.T) {
	t.Parallel()
	r := &migrationLinkResource{data: &shared.ProviderData{Atlas: &client.Atlas{}}}
	guardOf(r.data).registerToken(guardOrg, "fpA", tokenStays, "", "")

	var held diag.Diagnostics
	end, ok := r.attributionTurn(context.Background(), "fpA", "src-1", &held)
	if !ok || held.HasError() {
		t.Fatalf("the first link got no turn: %v", held)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	var waited diag.Diagnostics
	if _, ok := r.attributionTurn(ctx, "fpA", "src-2", &waited); ok {
		t.Fatal("a second link got the turn while the first held it")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the second link waited %v past its 50 ms operation", d)
	}
	if len(waited) != 1 || waited[0].Summary() != "Link Not Made: No Turn Before The Timeout" {
		t.Fatalf("diagnostics %v, want one error about the turn", waited)
	}
	for _, want := range []string{"Source organization src-2 was not linked, and nothing was sent for it", "Atlas organization " + guardOrg, "context deadline exceeded", "timeouts.create"} {
		if !strings.Contains(waited[0].Detail(), want) {
			t.Errorf("the error does not say %q:\n%s", want, waited[0].Detail())
		}
	}

	// Another Atlas organization has a turn of its own.
	guardOf(r.data).registerToken("5f1b2c3d4e5f6a7b8c9d0e2f", "fpB", tokenStays, "", "")
	other, ok := r.attributionTurn(context.Background(), "fpB", "src-3", &held)
	if !ok {
		t.Fatal("a link of another Atlas organization waited for this one's turn")
	}
	other()

	end()
	next, ok := r.attributionTurn(context.Background(), "fpA", "src-2", &held)
	if !ok {
		t.Fatal("no turn after the first link ended its own")
	}
	next()
}
