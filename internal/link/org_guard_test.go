package link

import (
	"errors"
	"strings"
	"testing"
)

const guardOrg = "5f1b2c3d4e5f6a7b8c9d0e1f"

// The conflict is found whichever of the two registrations comes first.
func TestOrgGuardConflictInEitherOrder(t *testing.T) {
	tokenFirst := newOrgGuard()
	tokenFirst.registerToken(guardOrg, "fpB", tokenStays, "", "")
	if c := tokenFirst.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is replaced", "").conflict; c != "" {
		t.Fatalf("a removal alone conflicts: %s", c)
	}
	if c := tokenFirst.registerLink("src-b", "fpB", "", linkStays, nil, "").conflict; !strings.Contains(c, "source organization src-b stays linked") {
		t.Fatalf("staying link after the removal: %q", c)
	}

	linkFirst := newOrgGuard()
	linkFirst.registerToken(guardOrg, "fpB", tokenStays, "", "")
	if c := linkFirst.registerLink("src-b", "fpB", "", linkStays, nil, "").conflict; c != "" {
		t.Fatalf("a staying link alone conflicts: %s", c)
	}
	if c := linkFirst.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is destroyed", "").conflict; !strings.Contains(c, "src-b") || !strings.Contains(c, "a link token is destroyed") {
		t.Fatalf("removal after the staying link: %q", c)
	}
}

// Replacing every token, and re-linking every link, is no conflict; nor is
// the second plan call Terraform makes for a replacement (-replace).
func TestOrgGuardRotationIsAllowed(t *testing.T) {
	g := newOrgGuard()
	for _, fp := range []string{"fpA", "fpB"} {
		if c := g.registerToken(guardOrg, fp, tokenStays, "", "").conflict; c != "" { // first call of -replace
			t.Fatal(c)
		}
	}
	for _, fp := range []string{"fpA", "fpB", "fpA"} { // second calls, one repeated
		if c := g.registerToken(guardOrg, fp, tokenRemoved, "a link token is replaced", "").conflict; c != "" {
			t.Fatal(c)
		}
	}
	for _, l := range [][2]string{{"src-a", "fpA"}, {"src-b", "fpB"}} {
		v := g.registerLink(l[0], l[1], "", linkMoves, nil, "")
		if v.conflict != "" || v.atlasOrg != guardOrg || !v.removeFirst {
			t.Fatalf("link %s: %+v", l[0], v)
		}
	}
}

func TestOrgGuardNewTokenWithRemovalConflicts(t *testing.T) {
	g := newOrgGuard()
	g.registerToken(guardOrg, "", tokenCreated, "", "")
	if c := g.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is destroyed", "").conflict; !strings.Contains(c, "created in the same apply") {
		t.Fatalf("got %q", c)
	}
}

// Once the process applies, Terraform plans only what it changes: the
// plan-time rules stand down and the apply-time ones decide.
func TestOrgGuardQuietWhileApplying(t *testing.T) {
	g := newOrgGuard()
	g.startApply()
	g.registerToken(guardOrg, "", tokenCreated, "", "")
	if c := g.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is destroyed", "").conflict; c != "" {
		t.Fatalf("conflict while applying: %q", c)
	}
}

func TestOrgGuardRemovesOncePerApply(t *testing.T) {
	g := newOrgGuard()
	calls := 0
	remove := func() error { calls++; return nil }
	for range 3 {
		if _, err := g.removeOnce(guardOrg, remove); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("%d removals, want 1", calls)
	}

	failing := newOrgGuard()
	boom := errors.New("409")
	if _, err := failing.removeOnce(guardOrg, func() error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if failing.removedBefore(guardOrg) {
		t.Fatal("a failed removal counts as done")
	}
}

func TestOrgGuardRefusesRemovalAfterCreate(t *testing.T) {
	g := newOrgGuard()
	g.markCreated(guardOrg, "fpNew")
	called := false
	if _, err := g.removeOnce(guardOrg, func() error { called = true; return nil }); !errors.Is(err, errCreatedBefore) || called {
		t.Fatalf("err %v, called %v", err, called)
	}
}

// A destroy plan plans each link before its token. Terraform refreshes a
// token targeted by terraform destroy -target without its links, so their
// last refresh differs from the token's: the removal is refused, naming the
// pairs the links remember (a source organization without projects too). In
// a full destroy everything was refreshed in one process: no refusal,
// whatever the order of the other pairs, and the plan covers them.
func TestOrgGuardTargetedDestroyRefusedFromMemory(t *testing.T) {
	memory := map[string]string{"fpA": "src-a", "fpB": "src-b", "fpC": ""}

	targeted := newOrgGuard()
	if v := targeted.registerLink("src-c", "fpC", guardOrg, linkDestroyed, memory, "old"); v.conflict != "" || v.removeFirst {
		t.Fatalf("the link of a remembered multi-pair organization: %+v", v)
	}
	c := targeted.registerToken(guardOrg, "fpC", tokenRemoved, "a link token is destroyed", "new").conflict
	for _, want := range []string{"src-a", "src-b", "terraform destroy without -target"} {
		if !strings.Contains(c, want) {
			t.Errorf("the refusal does not name %q: %q", want, c)
		}
	}

	full := newOrgGuard()
	full.registerLink("src-c", "fpC", guardOrg, linkDestroyed, memory, "g")
	if v := full.registerToken(guardOrg, "fpC", tokenRemoved, "a link token is destroyed", "g"); v.conflict != "" || !v.covered {
		t.Fatalf("full destroy, token planned before the other links: %+v", v)
	}
	for _, l := range [][2]string{{"src-a", "fpA"}, {"src-b", "fpB"}} {
		if v := full.registerLink(l[0], l[1], guardOrg, linkDestroyed, memory, "g"); v.conflict != "" || !v.removeFirst {
			t.Fatalf("%+v", v)
		}
	}

	normal := newOrgGuard()
	normal.sawRefresh()
	normal.registerLink("src-c", "fpC", guardOrg, linkDestroyed, memory, "old")
	if v := normal.registerToken(guardOrg, "fpC", tokenRemoved, "a link token is destroyed", "new"); v.conflict != "" || v.covered {
		t.Fatalf("a normal plan decides nothing from the memory: %+v", v)
	}
}

// The only pair of its organization removes the organization's tokens before
// unlinking, whether its token is planned before or after it; a destroyed
// link whose token stays is refused in either order.
func TestOrgGuardOnlyPairRemovesFirstInEitherOrder(t *testing.T) {
	memory := map[string]string{"fpA": "src-a"}
	linkFirst := newOrgGuard()
	if v := linkFirst.registerLink("src-a", "fpA", guardOrg, linkDestroyed, memory, ""); !v.removeFirst || v.conflict != "" {
		t.Fatalf("link first: %+v", v)
	}
	if v := linkFirst.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is destroyed", ""); v.conflict != "" {
		t.Fatal(v.conflict)
	}
	tokenFirst := newOrgGuard()
	tokenFirst.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is destroyed", "")
	if v := tokenFirst.registerLink("src-a", "fpA", guardOrg, linkDestroyed, memory, ""); !v.removeFirst || v.conflict != "" {
		t.Fatalf("token first: %+v", v)
	}

	keptAfter := newOrgGuard()
	keptAfter.registerLink("src-a", "fpA", guardOrg, linkDestroyed, memory, "")
	if c := keptAfter.registerToken(guardOrg, "fpA", tokenStays, "", "").conflict; !strings.Contains(c, "keeps the atlasmig_link_token") {
		t.Fatalf("token kept after: %q", c)
	}
	keptBefore := newOrgGuard()
	keptBefore.registerToken(guardOrg, "fpA", tokenStays, "", "")
	if c := keptBefore.registerLink("src-a", "fpA", guardOrg, linkDestroyed, memory, "").conflict; !strings.Contains(c, "keeps the atlasmig_link_token") {
		t.Fatalf("token kept before: %q", c)
	}
}

// A link made with a token the plan keeps, while the plan removes that
// token's organization's tokens (the apply after a failed
// create_before_destroy replacement), conflicts in either order; a link made
// with a token the plan replaces (unknown at plan) is never registered.
func TestOrgGuardRelinkWithKeptTokenInEitherOrder(t *testing.T) {
	linkFirst := newOrgGuard()
	linkFirst.registerToken(guardOrg, "fpNew", tokenStays, "", "")
	if c := linkFirst.registerRelink("src-a", "fpNew"); c != "" {
		t.Fatalf("a relink alone conflicts: %s", c)
	}
	if c := linkFirst.registerToken(guardOrg, "fpOld", tokenRemoved, "a link token is destroyed", "").conflict; !strings.Contains(c, "src-a") || !strings.Contains(c, "create_before_destroy") {
		t.Fatalf("removal after the relink: %q", c)
	}

	removalFirst := newOrgGuard()
	removalFirst.registerToken(guardOrg, "fpNew", tokenStays, "", "")
	removalFirst.registerToken(guardOrg, "fpOld", tokenRemoved, "a link token is destroyed", "")
	if c := removalFirst.registerRelink("src-a", "fpNew"); !strings.Contains(c, "src-a") {
		t.Fatalf("relink after the removal: %q", c)
	}
	// A token of an unknown organization, or one the plan removes, is no
	// conflict.
	if c := removalFirst.registerRelink("src-b", "fpElsewhere"); c != "" {
		t.Fatalf("a token of an unknown organization: %s", c)
	}
	if c := removalFirst.registerRelink("src-c", "fpOld"); c != "" {
		t.Fatalf("the removed token itself: %s", c)
	}
}
