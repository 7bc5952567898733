package resources

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// TestFleetPreflightAsksOncePerProjectAndOrganization checks forty
// migrations into one destination project the way a fleet's plan does, all
// at once and then again: the project and its organization's available
// projects are read once, not forty times.
func TestFleetPreflightAsksOncePerProjectAndOrganization(t *testing.T) {
	sim, atlas := migrationSim(t, 0)
	d := &ProviderData{}
	in := migrationInputs{tGroup, tSource, "orders-rs", "mh-1", true}
	var checks errgroup.Group
	for range 40 {
		checks.Go(func() error {
			problems, _, err := d.checkMigration(context.Background(), atlas, in)
			if err == nil && len(problems) > 0 {
				err = errors.New(problems[0].text)
			}
			return err
		})
	}
	if err := checks.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.checkMigration(context.Background(), atlas, in); err != nil {
		t.Fatal(err)
	}
	if p, a := sim.Calls(simulator.RouteGetProject), sim.Calls(simulator.RouteAvailableProjects); p != 1 || a != 1 {
		t.Fatalf("41 checks read the project %d times and the available projects %d times, want 1 and 1", p, a)
	}
	// Another provider process shares nothing.
	if _, _, err := (&ProviderData{}).checkMigration(context.Background(), atlas, in); err != nil {
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
	d := &ProviderData{}
	in := migrationInputs{tGroup, tSource, "orders-rs", "mh-1", true}
	problems, _, err := d.checkMigration(context.Background(), atlas, in)
	if err != nil || len(problems) != 1 || problems[0].unlinkedOrg != tAtlasOrg {
		t.Fatalf("before the link: problems %v, err %v; want the unlinked organization", problems, err)
	}
	if err := sim.Link(tSourceOrg, sim.IssueLinkToken(tAtlasOrg)); err != nil {
		t.Fatal(err)
	}
	before := sim.Calls(simulator.RouteAvailableProjects)
	problems, _, err = d.checkMigration(context.Background(), atlas, in)
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
