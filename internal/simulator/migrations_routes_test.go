package simulator_test

import (
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

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
