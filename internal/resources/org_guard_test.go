package resources

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const guardOrg = "5f1b2c3d4e5f6a7b8c9d0e1f"

// The conflict is found whichever of the two registrations comes first.
func TestOrgGuardConflictInEitherOrder(t *testing.T) {
	tokenFirst := newOrgGuard()
	tokenFirst.registerToken(guardOrg, "fpB", tokenStays, "")
	if c := tokenFirst.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is replaced"); c != "" {
		t.Fatalf("a removal alone conflicts: %s", c)
	}
	if _, c := tokenFirst.registerLink("src-b", "fpB", "", linkStays); !strings.Contains(c, "source organization src-b stays linked") {
		t.Fatalf("staying link after the removal: %q", c)
	}

	linkFirst := newOrgGuard()
	linkFirst.registerToken(guardOrg, "fpB", tokenStays, "")
	if _, c := linkFirst.registerLink("src-b", "fpB", "", linkStays); c != "" {
		t.Fatalf("a staying link alone conflicts: %s", c)
	}
	if c := linkFirst.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is destroyed"); !strings.Contains(c, "src-b") || !strings.Contains(c, "a link token is destroyed") {
		t.Fatalf("removal after the staying link: %q", c)
	}
}

// Replacing every token, and re-linking every link, is no conflict; nor is
// the second plan call Terraform makes for a replacement (-replace).
func TestOrgGuardRotationIsAllowed(t *testing.T) {
	g := newOrgGuard()
	for _, fp := range []string{"fpA", "fpB"} {
		if c := g.registerToken(guardOrg, fp, tokenStays, ""); c != "" { // first call of -replace
			t.Fatal(c)
		}
	}
	for _, fp := range []string{"fpA", "fpB", "fpA"} { // second calls, one repeated
		if c := g.registerToken(guardOrg, fp, tokenRemoved, "a link token is replaced"); c != "" {
			t.Fatal(c)
		}
	}
	for _, l := range [][2]string{{"src-a", "fpA"}, {"src-b", "fpB"}} {
		org, c := g.registerLink(l[0], l[1], "", linkMoves)
		if c != "" || org != guardOrg {
			t.Fatalf("link %s: org %q conflict %q", l[0], org, c)
		}
	}
	if got := g.removalPlanned(guardOrg); !got {
		t.Fatal("removal not recorded")
	}
}

func TestOrgGuardNewTokenWithRemovalConflicts(t *testing.T) {
	g := newOrgGuard()
	g.registerToken(guardOrg, "", tokenCreated, "")
	if c := g.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is destroyed"); !strings.Contains(c, "created in the same apply") {
		t.Fatalf("got %q", c)
	}
}

// Once the process applies, Terraform plans only what it changes: the
// plan-time rules stand down and the apply-time ones decide.
func TestOrgGuardQuietWhileApplying(t *testing.T) {
	g := newOrgGuard()
	g.startApply()
	g.registerToken(guardOrg, "", tokenCreated, "")
	if c := g.registerToken(guardOrg, "fpA", tokenRemoved, "a link token is destroyed"); c != "" {
		t.Fatalf("conflict while applying: %q", c)
	}
}

func TestOrgGuardRemovesOncePerApply(t *testing.T) {
	g := newOrgGuard()
	calls := 0
	remove := func() error { calls++; return nil }
	for range 3 {
		if _, err := g.removeOnce(guardOrg, "fp", nil, remove); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("%d removals, want 1", calls)
	}

	failing := newOrgGuard()
	boom := errors.New("409")
	if _, err := failing.removeOnce(guardOrg, "fp", nil, func() error { return boom }); !errors.Is(err, boom) {
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
	if _, err := g.removeOnce(guardOrg, "fpOld", nil, func() error { called = true; return nil }); !errors.Is(err, errCreatedBefore) || called {
		t.Fatalf("err %v, called %v", err, called)
	}
}

// A removal waits for the removals of the companion tokens the plan expects
// in the same apply, and refuses when they never start (a targeted plan).
func TestOrgGuardWaitsForCompanions(t *testing.T) {
	g := newOrgGuard()
	g.companionWait = 2 * time.Second
	done := make(chan error, 1)
	go func() {
		_, err := g.removeOnce(guardOrg, "fpA", map[string]string{"fpB": "src-b"}, func() error { return nil })
		done <- err
	}()
	if _, err := g.removeOnce(guardOrg, "fpB", map[string]string{"fpA": "src-a"}, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	lonely := newOrgGuard()
	lonely.companionWait = 50 * time.Millisecond
	_, err := lonely.removeOnce(guardOrg, "fpA", map[string]string{"fpB": "src-b"}, func() error { t.Fatal("removed"); return nil })
	var missing *companionsMissingError
	if !errors.As(err, &missing) || missing.sources[0] != "src-b" {
		t.Fatalf("got %v", err)
	}
}
