package link_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/acctest"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

// Resource identities need Terraform 1.12 or later: these tests run on the
// binary acctest.RunNewer finds, and skip without one.

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
					if err := acctest.NoWritesSince(env.Sim); err != nil {
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
