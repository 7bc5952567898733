package client_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const (
	groupID       = "65a1b2c3d4e5f6a7b8c9d0e1"
	sourceGroupID = "64f0e1d2c3b4a5968778695a"
	sourcePass    = "source-password-0123456789"
)

// migrationSim is a simulator with a frozen clock, a destination project and
// a linked source project.
func migrationSim(t *testing.T) *simulator.Server {
	t.Helper()
	sim := newSim(t, simulator.Options{
		Migrations: simulator.MigrationOptions{FrozenClock: true, ValidationTime: time.Minute, ReadyAfter: time.Hour, CutoverTime: time.Minute},
		Seed: &simulator.Seed{
			AtlasProjects: []simulator.AtlasProject{{ID: groupID, Name: "dest", OrgID: atlasOrg, Clusters: []simulator.AtlasCluster{{Name: "orders", MongoDBVersion: "7.0.14"}}}},
			Inventory: map[string][]simulator.Project{sourceOrg: {{ProjectID: sourceGroupID, Name: "src", MigrationHosts: []string{"mh-1"},
				Deployments: []simulator.Deployment{{Name: "orders-rs", MongoDBVersion: "7.0.13", FeatureCompatibilityVersion: "7.0", TLSEnabled: true}}}}},
		},
	}, simulator.ServerOptions{})
	if err := sim.Link(sourceOrg, sim.IssueLinkToken(atlasOrg)); err != nil {
		t.Fatal(err)
	}
	return sim
}

func migrationRequest(managed bool) client.MigrationRequest {
	req := client.MigrationRequest{
		Source:         client.MigrationSource{ClusterName: "orders-rs", GroupID: sourceGroupID, ManagedAuthentication: managed, SSL: true},
		Destination:    client.MigrationDestination{ClusterName: "orders", GroupID: groupID, HostnameSchemaType: "PUBLIC"},
		MigrationHosts: []string{"mh-1"},
	}
	if !managed {
		req.Source.Username, req.Source.Password = "migrator", sourcePass
	}
	return req
}

func TestMigrationCallsUseTheDocumentedMediaTypes(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	sim := migrationSim(t)
	atlas := atlasClient(t, sim, client.Config{TraceBodies: true})

	p, err := atlas.GetProject(ctx, groupID)
	if err != nil || p.OrgID != atlasOrg || p.ID != groupID {
		t.Fatalf("project: %+v %v", p, err)
	}
	v, err := atlas.ValidateMigration(ctx, groupID, migrationRequest(false))
	if err != nil || v.Status != client.ValidationPending || v.ID == "" || v.ErrorMessage != nil {
		t.Fatalf("validate: %+v %v", v, err)
	}
	sim.AdvanceClock(time.Minute)
	if v, err = atlas.GetValidation(ctx, groupID, v.ID); err != nil || v.Status != client.ValidationSuccess {
		t.Fatalf("validation: %+v %v", v, err)
	}
	m, err := atlas.CreateMigration(ctx, groupID, migrationRequest(false))
	if err != nil || m.Status != client.MigrationNew || m.ID == "" || len(m.MigrationHosts) != 1 || m.LagTimeSeconds != nil {
		t.Fatalf("create: %+v %v", m, err)
	}
	if err := atlas.Cutover(ctx, groupID, m.ID); !client.IsConflict(err) {
		t.Fatalf("early cutover: %v", err)
	}
	sim.AdvanceClock(time.Hour)
	if m, err = atlas.GetMigration(ctx, groupID, m.ID); err != nil || !m.ReadyForCutover || m.Status != client.MigrationWorking || m.LagTimeSeconds == nil {
		t.Fatalf("ready: %+v %v", m, err)
	}
	if err := atlas.Cutover(ctx, groupID, m.ID); err != nil {
		t.Fatal(err)
	}
	sim.AdvanceClock(time.Minute)
	if m, err = atlas.GetMigration(ctx, groupID, m.ID); err != nil || m.Status != client.MigrationComplete {
		t.Fatalf("complete: %+v %v", m, err)
	}
	if _, err := atlas.GetMigration(ctx, groupID, "0123456789abcdef01234567"); !client.IsNotFound(err) {
		t.Fatalf("unknown migration: %v", err)
	}

	want := map[simulator.Route]string{
		simulator.RouteGetProject: client.AtlasMediaType, simulator.RouteValidateMigration: client.MigrationMediaType,
		simulator.RouteGetValidation: client.AtlasMediaType, simulator.RouteCreateMigration: client.MigrationMediaType,
		simulator.RouteGetMigration: client.AtlasMediaType, simulator.RouteCutover: client.AtlasMediaType,
	}
	seen := map[simulator.Route]bool{}
	for _, r := range sim.Requests() {
		if mt, ok := want[r.Route]; ok && r.Authenticated {
			seen[r.Route] = true
			if r.Accept != mt {
				t.Errorf("%s %s: Accept %q, want %q", r.Method, r.Path, r.Accept, mt)
			}
			if r.Method == "POST" && r.ContentType != mt {
				t.Errorf("%s %s: Content-Type %q, want %q", r.Method, r.Path, r.ContentType, mt)
			}
			if r.Method == "PUT" && r.ContentType != "" {
				t.Errorf("cutover sends a body type %q; it has no body", r.ContentType)
			}
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("routes called: %v", seen)
	}
	if m := sim.Migrations()[0]; !m.PasswordSent {
		t.Fatal("the password did not reach the simulator")
	}
	log := buf.String()
	if strings.Contains(log, sourcePass) {
		t.Fatal("the log reveals the source password")
	}
	if !strings.Contains(log, `\"password\":\"***\"`) {
		t.Fatal("the password key is not shown masked in the request body")
	}
}

func TestMigrationErrorsAndLostCreateAnswer(t *testing.T) {
	sim := migrationSim(t)
	atlas := atlasClient(t, sim, client.Config{})
	ctx := context.Background()
	sim.SetFault(simulator.RouteCreateMigration, simulator.Fault{Count: 1, ResetAfterProcessing: true})
	_, err := atlas.CreateMigration(ctx, groupID, migrationRequest(false))
	if !client.IsUncertain(err) || strings.Contains(err.Error(), sourcePass) {
		t.Fatalf("lost answer: %v", err)
	}
	// Processed once and never replayed.
	if n := sim.Calls(simulator.RouteCreateMigration); n != 1 || len(sim.Migrations()) != 1 {
		t.Fatalf("%d create calls, %d migrations", n, len(sim.Migrations()))
	}
	_, err = atlas.CreateMigration(ctx, groupID, migrationRequest(false))
	apiErr, ok := client.AsAPIError(err)
	if !ok || apiErr.StatusCode != 409 || !strings.Contains(apiErr.Detail, "busy") {
		t.Fatalf("second create: %v", err)
	}
	if _, err := atlas.GetProject(ctx, "0123456789abcdef01234567"); !client.IsNotFound(err) {
		t.Fatalf("unknown project: %v", err)
	}
	// Any 2xx of cutover is success.
	for _, status := range []int{200, 204} {
		sim := newSim(t, simulator.Options{Migrations: simulator.MigrationOptions{FrozenClock: true, CutoverStatus: status}, Seed: &simulator.Seed{
			AtlasProjects: []simulator.AtlasProject{{ID: groupID, OrgID: atlasOrg, Clusters: []simulator.AtlasCluster{{Name: "orders", MongoDBVersion: "7.0.14"}}}},
			Inventory: map[string][]simulator.Project{sourceOrg: {{ProjectID: sourceGroupID, MigrationHosts: []string{"mh-1"},
				Deployments: []simulator.Deployment{{Name: "orders-rs", MongoDBVersion: "7.0.13", TLSEnabled: true}}}}},
		}}, simulator.ServerOptions{})
		_ = sim.Link(sourceOrg, sim.IssueLinkToken(atlasOrg))
		a := atlasClient(t, sim, client.Config{})
		m, err := a.CreateMigration(ctx, groupID, migrationRequest(true))
		if err != nil {
			t.Fatal(err)
		}
		sim.AdvanceClock(time.Hour)
		if err := a.Cutover(ctx, groupID, m.ID); err != nil {
			t.Fatalf("cutover answered %d: %v", status, err)
		}
	}
}
