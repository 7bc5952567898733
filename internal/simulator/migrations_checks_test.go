package simulator_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

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
