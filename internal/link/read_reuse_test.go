package link

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A status read proves the source credentials only for its organization, its
// credentials and while it is fresh.
func TestStatusReadProvesOnlyWhenFresh(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	read := statusRead{OrgID: "60a1b2c3d4e5f6a7b8c9d0a1", At: now.Add(-time.Minute).UnixMilli(), Creds: "c1"}
	for _, tc := range []struct {
		name  string
		read  statusRead
		org   string
		creds string
		at    time.Time
		want  bool
	}{
		{"fresh, same organization and credentials", read, read.OrgID, "c1", now, true},
		{"at the bound", read, read.OrgID, "c1", now.Add(proofFreshFor - time.Minute), true},
		{"older than the bound", read, read.OrgID, "c1", now.Add(proofFreshFor), false},
		{"other credentials (a changed or wrong key)", read, read.OrgID, "c2", now, false},
		{"another organization", read, "60a1b2c3d4e5f6a7b8c9d0b2", "c1", now, false},
		{"no credentials recorded", statusRead{OrgID: read.OrgID, At: read.At}, read.OrgID, "", now, false},
		{"read ahead of this clock", statusRead{OrgID: read.OrgID, At: now.Add(time.Minute).UnixMilli(), Creds: "c1"}, read.OrgID, "c1", now, false},
	} {
		if got := tc.read.provesFor(tc.org, tc.creds, tc.at); got != tc.want {
			t.Errorf("%s: provesFor = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// This process's unlink answers the check before linking once, and only for
// a short while.
func TestUnlinkAnswersTheCheckOnceWhileFresh(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	var a answers
	if a.unlinkedRecently("o1", now) {
		t.Error("an organization this process never unlinked counts as unlinked")
	}
	a.noteUnlinked("o1", now)
	if a.unlinkedRecently("o2", now) {
		t.Error("another organization counts as unlinked")
	}
	if !a.unlinkedRecently("o1", now.Add(absenceFreshFor)) {
		t.Error("an unlink within the bound does not answer the check")
	}
	if a.unlinkedRecently("o1", now.Add(time.Second)) {
		t.Error("the unlink answered the check twice")
	}
	a.noteUnlinked("o1", now)
	if a.unlinkedRecently("o1", now.Add(absenceFreshFor+time.Second)) {
		t.Error("an unlink older than the bound answers the check")
	}
}

// Plans of several resources of one organization at the same time share one
// proof.
func TestProveOnceSharesConcurrentProofs(t *testing.T) {
	g := newOrgGuard()
	var calls atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = g.proveOnce("atlas:o1", func() error {
				calls.Add(1)
				<-release
				return nil
			})
		}()
	}
	time.Sleep(50 * time.Millisecond) // let every caller reach proveOnce
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("%d proof reads for one organization, want 1", n)
	}
}
