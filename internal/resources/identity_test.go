package resources_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/acctest"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

// Resource identities need Terraform 1.12 or later: these tests run on the
// binary acctest.RunNewer finds, and skip without one.

// noWritesSince fails when the simulator received a request that changes
// something since its journal was last reset.
func noWritesSince(sim *simulator.Server) error {
	for _, r := range sim.Requests() {
		if r.Authenticated && r.Method != http.MethodGet {
			return fmt.Errorf("the import sent %s %s", r.Method, r.Path)
		}
	}
	return nil
}

func TestAccIdentity_linkTokenAndLink(t *testing.T) {
	env := acctest.NewEnv(t)
	acctest.RunNewer(t, env, "resource identity", tfcli.IdentityVersion, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{
				Config: pairConfig(env, `["203.0.113.7"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("atlasmig_link_token.test", map[string]knownvalue.Check{"org_id": knownvalue.StringExact(env.AtlasOrgID)}),
					statecheck.ExpectIdentity("atlasmig_migration_link.test", map[string]knownvalue.Check{"org_id": knownvalue.StringExact(env.SourceOrgID)}),
				},
			},
			{
				// An import block with the identity of the link: the
				// planned import has the same identity, and after it
				// only the token (which an import cannot know) is
				// recorded in place.
				PreConfig:          env.Sim.ResetJournal,
				Config:             pairConfig(env, `["203.0.113.7"]`),
				ResourceName:       "atlasmig_migration_link.test",
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithResourceIdentity,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					if err := noWritesSince(env.Sim); err != nil {
						t.Error(err)
					}
				},
				Config: pairConfig(env, `["203.0.113.7"]`),
			},
		},
	})
}

func TestAccIdentity_linkTokenImportByIdentityIsRefused(t *testing.T) {
	env := acctest.NewEnv(t)
	acctest.RunNewer(t, env, "resource identity", tfcli.IdentityVersion, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.AtlasOnlyConfig(fmt.Sprintf(`
import {
  to       = atlasmig_link_token.test
  identity = { org_id = %q }
}

resource "atlasmig_link_token" "test" {
  org_id          = %q
  access_list_ips = []
}
`, env.AtlasOrgID, env.AtlasOrgID)),
			ExpectError: regexp.MustCompile(`Link Tokens Cannot Be Imported`),
		}},
	})
}

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
					if err := noWritesSince(env.Sim); err != nil {
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
