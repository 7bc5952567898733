package migration_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/acctest"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

// Resource identities need Terraform 1.12 or later: these tests run on the
// binary acctest.RunNewer finds, and skip without one.

func TestAccIdentity_liveMigration(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	cfg := env.AtlasOnlyConfig(w.config(migrationConfig{}))
	var id string
	acctest.RunNewer(t, env, "resource identity", tfcli.IdentityVersion, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(migAddress, map[string]knownvalue.Check{
						"project_id":   knownvalue.StringExact(w.projectID),
						"migration_id": knownvalue.StringRegexp(regexp.MustCompile(`^[a-f0-9]{24}$`)),
					}),
				},
				Check: acctest.CaptureAttribute(migAddress, "migration_id", &id),
			},
			{
				PreConfig:       env.Sim.ResetJournal,
				Config:          cfg,
				ResourceName:    migAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				// Atlas does not return source and destination: the
				// configuration is recorded in place after the import.
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					if err := acctest.NoWritesSince(env.Sim); err != nil {
						t.Error(err)
					}
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValueMatchesState(migAddress, tfjsonpath.New("migration_id")),
				},
			},
			{
				// The migration cannot be destroyed while it runs: cut it
				// over so the test case can end.
				Config: env.AtlasOnlyConfig(w.config(migrationConfig{cutover: true})),
			},
		},
	})
	if len(w.migrations()) != 1 || w.migrations()[0].ID != id {
		t.Fatalf("migrations %+v, want only %s", w.migrations(), id)
	}
}
