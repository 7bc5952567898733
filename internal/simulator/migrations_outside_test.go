package simulator_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

func TestMigrationStartedAndCutOverOutsideTerraform(t *testing.T) {
	s := startMigrations(t, simulator.MigrationOptions{})
	if _, err := s.StartMigration(simulator.OutsideMigration{GroupID: groupID, SourceGroupID: sourceGroupID, SourceCluster: "orders-rs", DestinationCluster: "orders", MigrationHost: "mh-9"}); err == nil ||
		!strings.Contains(err.Error(), "mh-9 is not a migration host") {
		t.Fatalf("an unknown host: %v", err)
	}
	id, err := s.StartMigration(simulator.OutsideMigration{GroupID: groupID, SourceGroupID: sourceGroupID, SourceCluster: "orders-rs", DestinationCluster: "orders", MigrationHost: "mh-1"})
	if err != nil {
		t.Fatal(err)
	}
	// The API sees it like any other, and it occupies its host.
	status, _, body := call(t, s, atlasKey, "GET", base("/"+id), atlasType, "", "")
	if status != 200 || decode(t, body)["status"] != "NEW" {
		t.Fatalf("%d %s", status, body)
	}
	if _, err := s.StartMigration(simulator.OutsideMigration{GroupID: groupID, SourceGroupID: sourceGroupID, SourceCluster: "orders-rs", DestinationCluster: "orders", MigrationHost: "mh-1"}); err == nil ||
		!strings.Contains(err.Error(), "busy") {
		t.Fatalf("a busy host: %v", err)
	}
	if err := s.CutoverMigration(id); err == nil || !strings.Contains(err.Error(), "not ready") {
		t.Fatalf("cutover before ready: %v", err)
	}
	s.AdvanceClock(time.Hour)
	if err := s.CutoverMigration(id); err != nil {
		t.Fatal(err)
	}
	s.AdvanceClock(time.Hour)
	if m, _ := s.Migration(id); m.Status != simulator.StatusComplete || !m.CutoverRequested {
		t.Fatalf("%+v", m)
	}
}

func TestOutsideMigrationControlAPI(t *testing.T) {
	s := startMigrations(t, simulator.MigrationOptions{})
	post := func(path, body string) (int, string) {
		t.Helper()
		resp, err := http.Post(s.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post("/_sim/migrations", `{"groupId":"`+groupID+`","sourceGroupId":"`+sourceGroupID+`","sourceClusterName":"orders-rs","destinationClusterName":"orders","migrationHost":"mh-2"}`)
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	id, _ := decode(t, body)["id"].(string)
	if status, body := post("/_sim/migrations/"+id+"/cutover", ""); status != http.StatusConflict || !strings.Contains(body, "not ready") {
		t.Fatalf("%d %s", status, body)
	}
	s.AdvanceClock(time.Hour)
	if status, body := post("/_sim/migrations/"+id+"/cutover", ""); status != http.StatusNoContent {
		t.Fatalf("%d %s", status, body)
	}
	if status, _ := post("/_sim/migrations", `{`); status != http.StatusBadRequest {
		t.Fatalf("a malformed body: %d", status)
	}
}

// A migration started outside the API's callers makes the removal of its
// Atlas organization's link tokens answer 409, naming its project, as any
// active migration does; it keeps running in Atlas after its source
// organization is unlinked, and once it is cut over and complete the
// removal works.
func TestOutsideMigrationRefusesTokenRemovalUntilItEnds(t *testing.T) {
	s := startMigrations(t, simulator.MigrationOptions{})
	id, err := s.StartMigration(simulator.OutsideMigration{GroupID: groupID, SourceGroupID: sourceGroupID, SourceCluster: "orders-rs", DestinationCluster: "orders", MigrationHost: "mh-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.RemoveLink(sourceOrg) {
		t.Fatal("the source organization was not linked")
	}
	if m, _ := s.Migration(id); m.Status != simulator.StatusNew {
		t.Fatalf("after the unlink the migration is %s, want it still running", m.Status)
	}
	deleteTokens := func() (int, string) {
		status, _, out := call(t, s, atlasKey, "DELETE", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, "", "")
		return status, out
	}
	if status, out := deleteTokens(); status != 409 || !strings.Contains(out, "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK") || !strings.Contains(out, groupID) {
		t.Fatalf("got %d %s", status, out)
	}
	if n := len(s.LinkTokens(atlasOrg)); n != 1 {
		t.Fatalf("%d tokens after the refused removal, want 1", n)
	}
	s.AdvanceClock(time.Hour)
	if err := s.CutoverMigration(id); err != nil {
		t.Fatal(err)
	}
	s.AdvanceClock(time.Hour)
	if status, out := deleteTokens(); status != 204 {
		t.Fatalf("after the migration completed: %d %s", status, out)
	}
}
