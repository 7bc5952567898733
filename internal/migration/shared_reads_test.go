package migration

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// TestFleetPreflightAsksOncePerProjectAndOrganization checks forty
// migrations into one destination project the way a fleet's plan does, all
// at once and then again: the project and its organization's available
// projects are read once, not forty times.
func TestFleetPreflightAsksOncePerProjectAndOrganization(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	d := &shared.ProviderData{}
	in := migrationInputs{tGroup, tSource, "orders-rs", "mh-1", true}
	var checks errgroup.Group
	for range 40 {
		checks.Go(func() error {
			problems, _, err := checkMigration(context.Background(), d, atlas, in)
			if err == nil && len(problems) > 0 {
				err = errors.New(problems[0].text)
			}
			return err
		})
	}
	if err := checks.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := checkMigration(context.Background(), d, atlas, in); err != nil {
		t.Fatal(err)
	}
	if p, a := sim.Calls(simulator.RouteGetProject), sim.Calls(simulator.RouteAvailableProjects); p != 1 || a != 1 {
		t.Fatalf("41 checks read the project %d times and the available projects %d times, want 1 and 1", p, a)
	}
	// Another provider process shares nothing.
	if _, _, err := checkMigration(context.Background(), &shared.ProviderData{}, atlas, in); err != nil {
		t.Fatal(err)
	}
	if a := sim.Calls(simulator.RouteAvailableProjects); a != 2 {
		t.Fatalf("a second process read the available projects %d times in all, want 2", a)
	}
}

// TestPreflightProblemIsReadFresh: an answer kept from a moment ago says the
// source project is not exposed; the organization was linked since. The
// check reads again before it reports the problem, and finds none.
func TestPreflightProblemIsReadFresh(t *testing.T) {
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:  []simulator.APIKey{{PublicKey: "p", PrivateKey: "k"}},
		Migrations: simulator.MigrationOptions{FrozenClock: true, ReadyAfter: time.Hour},
		Seed: &simulator.Seed{
			AtlasProjects: []simulator.AtlasProject{{ID: tGroup, OrgID: tAtlasOrg, Clusters: []simulator.AtlasCluster{{Name: "orders", MongoDBVersion: "7.0.14"}}}},
			Inventory: map[string][]simulator.Project{tSourceOrg: {{ProjectID: tSource, Name: "shop", MigrationHosts: []string{"mh-1"},
				Deployments: []simulator.Deployment{{Name: "orders-rs", MongoDBVersion: "7.0.13", TLSEnabled: true}}}}},
		},
	}, simulator.ServerOptions{})
	atlas, err := client.NewAtlas(client.Config{BaseURL: sim.URL, PublicKey: "p", PrivateKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	d := &shared.ProviderData{}
	in := migrationInputs{tGroup, tSource, "orders-rs", "mh-1", true}
	problems, _, err := checkMigration(context.Background(), d, atlas, in)
	if err != nil || len(problems) != 1 || problems[0].unlinkedOrg != tAtlasOrg {
		t.Fatalf("before the link: problems %v, err %v; want the unlinked organization", problems, err)
	}
	if err := sim.Link(tSourceOrg, sim.IssueLinkToken(tAtlasOrg)); err != nil {
		t.Fatal(err)
	}
	before := sim.Calls(simulator.RouteAvailableProjects)
	problems, _, err = checkMigration(context.Background(), d, atlas, in)
	if err != nil || len(problems) != 0 {
		t.Fatalf("after the link: problems %v, err %v; want none (the kept answer is read again before a problem is reported)", problems, err)
	}
	if n := sim.Calls(simulator.RouteAvailableProjects) - before; n != 1 {
		t.Fatalf("%d reads of the available projects after the link, want 1 (the fresh one)", n)
	}
}

// directReads asks Atlas every time: the pre-flight checks without the
// shared answers.
type directReads struct{ atlas *client.Atlas }

func (r directReads) project(ctx context.Context, id string) (*client.Project, error) {
	return r.atlas.GetProject(ctx, id)
}

func (r directReads) available(ctx context.Context, orgID string) ([]client.AvailableProject, error) {
	return r.atlas.ListAvailableProjects(ctx, orgID)
}

// TestSharedReadKeepsADeadline: a shared read belongs to no single asker, but
// it is bounded all the same: it carries the deadline of the asker that
// started it, and it is cancelled as soon as every asker has left, instead of
// running on for minutes after them.
func TestSharedReadKeepsADeadline(t *testing.T) {
	t.Parallel()
	s := &sharedReads{}
	type seen struct {
		deadline time.Time
		has      bool
		ended    error
	}
	started, done := make(chan struct{}), make(chan seen, 1)
	read := func(ctx context.Context) (any, error) {
		d, ok := ctx.Deadline()
		close(started)
		select {
		case <-ctx.Done():
			done <- seen{d, ok, ctx.Err()}
			return nil, ctx.Err()
		case <-time.After(time.Minute):
			done <- seen{d, ok, nil}
			return "late", nil
		}
	}
	deadline := time.Now().Add(time.Hour)
	first, cancelFirst := context.WithDeadline(context.Background(), deadline)
	second, cancelSecond := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, err := s.get(first, "k", false, read); errs <- err }()
	<-started
	go func() { _, err := s.get(second, "k", false, read); errs <- err }()
	waitForAskers(t, s, "k", 2)
	// Both askers leave; the read must end with them.
	cancelFirst()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("the first asker got %v", err)
	}
	cancelSecond()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("the second asker got %v", err)
	}
	var got seen
	select {
	case got = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the shared read still runs after every asker left")
	}
	if !got.has || !got.deadline.Equal(deadline) {
		t.Fatalf("the shared read's deadline is %v (set: %v), want the first asker's %v", got.deadline, got.has, deadline)
	}
	if got.ended == nil {
		t.Fatal("the shared read was not cancelled")
	}
}

// TestSharedReadSurvivesOneAskerLeaving: one asker's cancellation does not
// fail the others: the read goes on while one of them is left.
func TestSharedReadSurvivesOneAskerLeaving(t *testing.T) {
	t.Parallel()
	s := &sharedReads{}
	started, release := make(chan struct{}), make(chan struct{})
	var reads atomic.Int32
	read := func(ctx context.Context) (any, error) {
		if reads.Add(1) == 1 {
			close(started)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-release:
			return "answer", nil
		}
	}
	first, cancelFirst := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() { _, err := s.get(first, "k", false, read); firstErr <- err }()
	<-started
	secondVal := make(chan any, 1)
	go func() { v, _ := s.get(context.Background(), "k", false, read); secondVal <- v }()
	// The second asker joins, then the first leaves.
	waitForAskers(t, s, "k", 2)
	cancelFirst()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("the first asker got %v", err)
	}
	close(release)
	if v := <-secondVal; v != "answer" {
		t.Fatalf("the remaining asker got %v", v)
	}
	if n := reads.Load(); n > 2 {
		t.Fatalf("%d reads", n)
	}
}

// waitForAskers waits until n askers share the read of key.
func waitForAskers(t *testing.T, s *sharedReads, key string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		s.mu.Lock()
		f := s.flights[key]
		joined := f != nil && f.askers == n
		s.mu.Unlock()
		if joined {
			return
		}
	}
	t.Fatalf("%d askers never shared the read of %s", n, key)
}

// TestSharedReadErrorIsTheAnswer: a read that fails on its own (an API
// error, not a cancellation) is the answer for its askers; it is not asked
// again.
func TestSharedReadErrorIsTheAnswer(t *testing.T) {
	t.Parallel()
	s := &sharedReads{}
	var reads atomic.Int32
	_, err := s.get(context.Background(), "k", false, func(context.Context) (any, error) {
		reads.Add(1)
		return nil, errors.New("429 Too Many Requests")
	})
	if err == nil || reads.Load() != 1 {
		t.Fatalf("error %v after %d reads, want the read's error after 1", err, reads.Load())
	}
}
