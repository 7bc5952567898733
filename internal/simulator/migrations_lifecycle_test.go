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

func TestMigrationJourneyOnASimulatedClock(t *testing.T) {
	t.Parallel()
	s := startMigrations(t, simulator.MigrationOptions{ValidationTime: time.Minute, ReadyAfter: time.Hour, CutoverTime: 10 * time.Minute})

	status, ct, out := call(t, s, atlasKey, "POST", base("/validate"), newType, newType, migrationJSON("orders-rs", "mh-1", "orders"))
	if status != 200 || ct != newType+";charset=utf-8" {
		t.Fatalf("validate: %d %s %s", status, ct, out)
	}
	v := decode(t, out)
	if v["status"] != "PENDING" || v["groupId"] != groupID || v["sourceGroupId"] != sourceGroupID || v["errorMessage"] != nil {
		t.Fatalf("validation: %s", out)
	}
	id := v["_id"].(string)
	s.AdvanceClock(time.Minute)
	status, ct, out = call(t, s, atlasKey, "GET", base("/validate/"+id), atlasType, "", "")
	if status != 200 || ct != atlasType+";charset=utf-8" || decode(t, out)["status"] != "SUCCESS" {
		t.Fatalf("validation status: %d %s %s", status, ct, out)
	}

	status, ct, out = call(t, s, atlasKey, "POST", base(""), newType, newType, migrationJSON("orders-rs", "mh-1", "orders"))
	if status != 201 || ct != newType+";charset=utf-8" {
		t.Fatalf("create: %d %s %s", status, ct, out)
	}
	m := decode(t, out)
	mid := m["_id"].(string)
	if m["status"] != "NEW" || m["readyForCutover"] != false || len(m) != 4 {
		t.Fatalf("a new migration has exactly _id, status, readyForCutover and migrationHosts: %s", out)
	}
	get := func() map[string]any {
		t.Helper()
		status, ct, out := call(t, s, atlasKey, "GET", base("/"+mid), atlasType, "", "")
		if status != 200 || ct != atlasType+";charset=utf-8" {
			t.Fatalf("get: %d %s %s", status, ct, out)
		}
		return decode(t, out)
	}
	// Cutover before readiness is refused.
	if status, _, out := call(t, s, atlasKey, "PUT", base("/"+mid+"/cutover"), atlasType, "", ""); status != 409 || !strings.Contains(out, "not ready") {
		t.Fatalf("early cutover: %d %s", status, out)
	}
	s.AdvanceClock(30 * time.Minute)
	m = get()
	lag1, _ := m["lagTimeSeconds"].(float64)
	if m["status"] != "WORKING" || m["readyForCutover"] != false || lag1 <= 5 {
		t.Fatalf("copying: %v", m)
	}
	s.AdvanceClock(15 * time.Minute)
	if lag2, _ := get()["lagTimeSeconds"].(float64); lag2 >= lag1 {
		t.Fatalf("lag did not fall: %v then %v", lag1, lag2)
	}
	s.AdvanceClock(15 * time.Minute)
	if m = get(); m["readyForCutover"] != true || m["status"] != "WORKING" {
		t.Fatalf("ready: %v", m)
	}
	if got := s.Summary().ActiveMigrations[atlasOrg]; len(got) != 1 || got[0] != groupID {
		t.Fatalf("the state reports active migrations in %v, want [%s]", got, groupID)
	}
	// An active migration blocks the removal of the organization's link.
	if status, _, out := call(t, s, atlasKey, "DELETE", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, "", ""); status != 409 || !strings.Contains(out, groupID) {
		t.Fatalf("token removal during a migration: %d %s", status, out)
	}
	status, _, out = call(t, s, atlasKey, "PUT", base("/"+mid+"/cutover"), atlasType, "", "")
	if status != 202 {
		t.Fatalf("cutover: %d %s", status, out)
	}
	if m = get(); m["status"] != "WORKING" || m["readyForCutover"] != false || m["lagTimeSeconds"] != nil {
		t.Fatalf("after cutover: %v", m)
	}
	if status, _, out := call(t, s, atlasKey, "PUT", base("/"+mid+"/cutover"), atlasType, "", ""); status != 409 || !strings.Contains(out, "already") {
		t.Fatalf("second cutover: %d %s", status, out)
	}
	s.AdvanceClock(10 * time.Minute)
	if m = get(); m["status"] != "COMPLETE" {
		t.Fatalf("complete: %v", m)
	}
	if status, _, _ := call(t, s, atlasKey, "DELETE", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, "", ""); status != 204 {
		t.Fatalf("token removal after the migration: %d", status)
	}
}

func TestMigrationMediaTypesFollowTheFacts(t *testing.T) {
	t.Parallel()
	s := startMigrations(t, simulator.MigrationOptions{})
	body := migrationJSON("orders-rs", "mh-1", "orders")
	for _, c := range []struct {
		method, path, accept, ct, body string
		want                           int
	}{
		{"GET", "/api/atlas/v2/groups/" + groupID, atlasType, "", "", 200},
		{"GET", "/api/atlas/v2/groups/" + groupID, newType, "", "", 406},
		{"POST", base("/validate"), "application/json", "application/json", body, 406},
		{"POST", base("/validate"), newType, atlasType, body, 415},
		{"GET", base("/validate/" + groupID), newType, "", "", 406},
		{"GET", base("/" + groupID), newType, "", "", 406},
		{"PUT", base("/" + groupID + "/cutover"), newType, "", "", 406},
		{"POST", base(""), "application/vnd.atlas.2023-02-01+json", "application/vnd.atlas.2023-02-01+json", body, 406},
		// The 2024-05-30 body names dropEnabled dropDestinationData.
		{"POST", base(""), atlasType, atlasType, body, 400},
		{"POST", base(""), newType, newType, strings.Replace(body, "dropDestinationData", "dropEnabled", 1), 400},
		{"GET", "/api/atlas/v2/groups/" + atlasOrg, atlasType, "", "", 404},
		{"GET", "/api/atlas/v2/groups/xyz", atlasType, "", "", 400},
	} {
		status, ct, out := call(t, s, atlasKey, c.method, c.path, c.accept, c.ct, c.body)
		if status != c.want {
			t.Errorf("%s %s (Accept %s): %d %s, want %d", c.method, c.path, c.accept, status, out, c.want)
		}
		if status >= 400 && ct != "application/json" {
			t.Errorf("%s %s: error content type %q", c.method, c.path, ct)
		}
	}
	// The deprecated version still works, with the deprecated field name,
	// and says it is deprecated.
	old := strings.Replace(body, "dropDestinationData", "dropEnabled", 1)
	status, _, out := call(t, s, atlasKey, "POST", base("/validate"), atlasType, atlasType, old)
	if status != 200 || decode(t, out)["status"] != "PENDING" {
		t.Fatalf("validate with 2023-01-01: %d %s", status, out)
	}
	status, _, out = call(t, s, atlasKey, "GET", "/api/atlas/v2/groups/"+groupID, atlasType, "", "")
	if p := decode(t, out); status != 200 || p["orgId"] != atlasOrg || p["id"] != groupID {
		t.Fatalf("project: %d %s", status, out)
	}
}

func TestValidationFailuresSayWhichRuleFailed(t *testing.T) {
	t.Parallel()
	s := startMigrations(t, simulator.MigrationOptions{ValidationTime: time.Second})
	other := "66a1b2c3d4e5f6a7b8c9d0e1"
	for name, c := range map[string]struct{ body, want string }{
		"host":        {migrationJSON("orders-rs", "mh-9", "orders"), "Migration host mh-9 is not a migration host of source project " + sourceGroupID + " (its migration hosts: mh-1, mh-2)"},
		"source":      {migrationJSON("nope", "mh-1", "orders"), "Source cluster nope was not found in source project " + sourceGroupID + " (its deployments: orders-rs, plain-rs)"},
		"destination": {migrationJSON("orders-rs", "mh-1", "nope"), "Destination cluster nope was not found"},
		"series":      {migrationJSON("orders-rs", "mh-1", "old"), "same release series"},
		"tls":         {migrationJSON("plain-rs", "mh-1", "orders"), "ssl is true but the cluster has TLS disabled"},
		"project":     {strings.Replace(migrationJSON("orders-rs", "mh-1", "orders"), sourceGroupID, other, 1), "Source project " + other + " is not available"},
		"credentials": {strings.Replace(migrationJSON("orders-rs", "mh-1", "orders"), `"managedAuthentication":true`, `"managedAuthentication":false`, 1), "a username and a password are required"},
	} {
		status, _, out := call(t, s, atlasKey, "POST", base("/validate"), newType, newType, c.body)
		if status != 200 {
			t.Fatalf("%s: %d %s", name, status, out)
		}
		id := decode(t, out)["_id"].(string)
		s.AdvanceClock(time.Second)
		_, _, out = call(t, s, atlasKey, "GET", base("/validate/"+id), atlasType, "", "")
		v := decode(t, out)
		if v["status"] != "FAILED" || !strings.Contains(fmt.Sprint(v["errorMessage"]), c.want) {
			t.Errorf("%s: %s, want FAILED with %q", name, out, c.want)
		}
		// Create refuses what validation fails, and creates nothing.
		if status, _, out := call(t, s, atlasKey, "POST", base(""), newType, newType, c.body); status != 400 || !strings.Contains(out, c.want) {
			t.Errorf("%s: create %d %s", name, status, out)
		}
	}
	if n := len(s.Migrations()); n != 0 {
		t.Fatalf("%d migrations created by refused requests", n)
	}
	// An unlinked source organization exposes nothing.
	s.RemoveLinkTokens(atlasOrg)
	status, _, out := call(t, s, atlasKey, "POST", base(""), newType, newType, migrationJSON("orders-rs", "mh-1", "orders"))
	if status != 400 || !strings.Contains(out, "no SYNCED live migration link") {
		t.Fatalf("without a link: %d %s", status, out)
	}
	// Malformed bodies answer 400 at once, naming the field, never the password.
	bad := strings.Replace(migrationJSON("orders-rs", "mh-1", "orders"), `"username"`, `"x"`, 1)
	bad = strings.Replace(bad, `"migrationHosts":["mh-1"]`, `"migrationHosts":["mh-1","mh-2"]`, 1)
	if status, _, out := call(t, s, atlasKey, "POST", base("/validate"), newType, newType, bad); status != 400 || !strings.Contains(out, "migrationHosts") {
		t.Fatalf("two hosts: %d %s", status, out)
	}
	withPassword := strings.Replace(migrationJSON("orders-rs", "mh-1", "orders"), `"ssl":true`, `"ssl":true,"username":"u","password":"hunter2-secret"`, 1)
	if status, _, out := call(t, s, atlasKey, "POST", base("/validate"), newType, newType, withPassword); status != 400 || strings.Contains(out, "hunter2") || !strings.Contains(out, "managedAuthentication") {
		t.Fatalf("managed authentication with a password: %d %s", status, out)
	}
}

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

func TestClockControlAPIAndTickPerRead(t *testing.T) {
	t.Parallel()
	s := startMigrations(t, simulator.MigrationOptions{ReadyAfter: 10 * time.Minute, TickPerRead: time.Minute})
	before := s.Now()
	resp, err := http.Post(s.URL+"/_sim/clock", "application/json", strings.NewReader(`{"advance":"90m"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("clock: %v %v", resp, err)
	}
	if d := s.Now().Sub(before); d != 90*time.Minute {
		t.Fatalf("advanced %s", d)
	}
	_, _, out := call(t, s, atlasKey, "POST", base(""), newType, newType, migrationJSON("orders-rs", "mh-2", "orders"))
	id := decode(t, out)["_id"].(string)
	reads := 0
	for {
		reads++
		_, _, out := call(t, s, atlasKey, "GET", base("/"+id), atlasType, "", "")
		if decode(t, out)["readyForCutover"] == true {
			break
		}
		if reads > 20 {
			t.Fatal("never ready")
		}
	}
	if reads != 10 {
		t.Fatalf("ready after %d reads of one simulated minute each, want 10", reads)
	}
	resp, _ = http.Get(s.URL + "/_sim/migrations")
	var list []simulator.MigrationInfo
	_ = json.NewDecoder(resp.Body).Decode(&list)
	if len(list) != 1 || list[0].ID != id || !list[0].ReadyForCutover {
		t.Fatalf("control API migrations: %+v", list)
	}
}
