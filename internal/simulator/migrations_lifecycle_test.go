package simulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const (
	groupID       = "65a1b2c3d4e5f6a7b8c9d0e1"
	sourceGroupID = "64f0e1d2c3b4a5968778695a"
	newType       = "application/vnd.atlas.2024-05-30+json"
)

// startMigrations starts a simulator with a frozen clock, a destination
// project in atlasOrg and a source project linked to it.
func startMigrations(t *testing.T, mo simulator.MigrationOptions) *simulator.Server {
	t.Helper()
	mo.FrozenClock = true
	s := start(t, simulator.Options{Migrations: mo, Seed: &simulator.Seed{
		AtlasProjects: []simulator.AtlasProject{{ID: groupID, Name: "dest", OrgID: atlasOrg, Clusters: []simulator.AtlasCluster{
			{Name: "orders", MongoDBVersion: "7.0.14"}, {Name: "old", MongoDBVersion: "6.0.19"}, {Name: "sharded", MongoDBVersion: "7.0.14", Sharded: true},
		}}},
		Inventory: map[string][]simulator.Project{sourceOrg: {{
			ProjectID: sourceGroupID, Name: "src", MigrationHosts: []string{"mh-1", "mh-2"},
			Deployments: []simulator.Deployment{
				{Name: "orders-rs", MongoDBVersion: "7.0.13", FeatureCompatibilityVersion: "7.0", TLSEnabled: true},
				{Name: "plain-rs", MongoDBVersion: "7.0.13", FeatureCompatibilityVersion: "7.0"},
			},
		}}},
	}})
	if err := s.Link(sourceOrg, s.IssueLinkToken(atlasOrg)); err != nil {
		t.Fatal(err)
	}
	return s
}

func migrationJSON(cluster, host, dest string) string {
	return fmt.Sprintf(`{"source":{"clusterName":%q,"groupId":%q,"managedAuthentication":true,"ssl":true},`+
		`"destination":{"clusterName":%q,"groupId":%q,"hostnameSchemaType":"PUBLIC"},"migrationHosts":[%q],"dropDestinationData":false}`,
		cluster, sourceGroupID, dest, groupID, host)
}

func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return v
}

func base(id string) string { return "/api/atlas/v2/groups/" + groupID + "/liveMigrations" + id }

func TestBusyHostExpiryAndFailure(t *testing.T) {
	t.Parallel()
	s := startMigrations(t, simulator.MigrationOptions{ReadyAfter: time.Hour})
	create := func(host string) (int, string) {
		status, _, out := call(t, s, atlasKey, "POST", base(""), newType, newType, migrationJSON("orders-rs", host, "orders"))
		return status, out
	}
	status, out := create("mh-1")
	if status != 201 {
		t.Fatalf("create: %d %s", status, out)
	}
	first := decode(t, out)["_id"].(string)
	status, _, out = call(t, s, atlasKey, "POST", base("/validate"), newType, newType, migrationJSON("orders-rs", "mh-1", "orders"))
	id := decode(t, out)["_id"].(string)
	s.AdvanceClock(3 * time.Second)
	_, _, out = call(t, s, atlasKey, "GET", base("/validate/"+id), atlasType, "", "")
	if !strings.Contains(out, "Migration host mh-1 is busy") {
		t.Fatalf("busy host validation: %d %s", status, out)
	}
	if status, out := create("mh-1"); status != 409 || !strings.Contains(out, "busy") {
		t.Fatalf("busy host create: %d %s", status, out)
	}
	// The cutover window lapses 120 h after readiness.
	s.AdvanceClock(time.Hour + 120*time.Hour)
	if m, _ := s.Migration(first); m.Status != "EXPIRED" || m.ReadyForCutover || m.LagTimeSeconds != nil {
		t.Fatalf("expired: %+v", m)
	}
	if status, _, out := call(t, s, atlasKey, "PUT", base("/"+first+"/cutover"), atlasType, "", ""); status != 409 || !strings.Contains(out, "EXPIRED") {
		t.Fatalf("cutover of an expired migration: %d %s", status, out)
	}
	status, out = create("mh-1")
	if status != 201 {
		t.Fatalf("host free again after expiry: %d %s", status, out)
	}
	second := decode(t, out)["_id"].(string)
	// Failure on demand through the control API.
	resp, err := http.Post(s.URL+"/_sim/migrations/"+second+"/fail", "application/json", nil)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("fail: %v %v", resp, err)
	}
	if m, _ := s.Migration(second); m.Status != "FAILED" {
		t.Fatalf("failed: %+v", m)
	}
	if err := s.ExpireMigration(second); err == nil {
		t.Fatal("a FAILED migration cannot expire")
	}
	// A record Atlas no longer keeps reads as 404.
	resp, err = http.Post(s.URL+"/_sim/migrations/"+second+"/forget", "application/json", nil)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("forget: %v %v", resp, err)
	}
	if status, _, _ := call(t, s, atlasKey, "GET", base("/"+second), atlasType, "", ""); status != 404 {
		t.Fatalf("forgotten migration: %d", status)
	}
}
