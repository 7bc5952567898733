package link

import (
	"slices"
	"strings"
	"testing"
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
