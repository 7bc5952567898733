package simulator_test

import (
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// A migration started outside the API's callers refuses the removal of the
// Atlas organization's tokens with 409, naming its project, even after its
// source organization was unlinked; the unlink breaks it.
func TestOutsideMigrationRefusesTokenRemoval(t *testing.T) {
	s := start(t, simulator.Options{})
	const atlasOrg, source, project = "5f1b2c3d4e5f6a7b8c9d0e1f", "60a1b2c3d4e5f6a7b8c9d0e1", "6b1b2c3d4e5f6a7b8c9d0f01"
	if err := s.StartMigrationOutsideTerraform(source, project); err == nil {
		t.Fatal("a migration of an unlinked organization started")
	}
	if err := s.Link(source, s.IssueLinkToken(atlasOrg)); err != nil {
		t.Fatal(err)
	}
	if err := s.StartMigrationOutsideTerraform(source, project); err != nil {
		t.Fatal(err)
	}
	if !s.RemoveLink(source) || !s.OutsideMigrationBroken(source) {
		t.Fatal("unlinking did not break the migration")
	}
	status, _, out := call(t, s, atlasKey, "DELETE", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, "", "")
	if status != 409 || !strings.Contains(out, "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK") || !strings.Contains(out, project) {
		t.Fatalf("got %d %s", status, out)
	}
	s.EndMigrationOutsideTerraform(source)
	if status, _, _ := call(t, s, atlasKey, "DELETE", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, "", ""); status != 204 {
		t.Fatalf("after the migration ended: %d", status)
	}
}
