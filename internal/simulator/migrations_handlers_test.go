package simulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

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
