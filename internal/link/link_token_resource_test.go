package link_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/acctest"
)

func tokenConfig(env *acctest.Env, orgID, ips string) string {
	return env.AtlasOnlyConfig(fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id          = %q
  access_list_ips = %s
}
`, orgID, ips))
}

func TestAccLinkToken_lifecycle(t *testing.T) {
	env := acctest.NewEnv(t)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{
				// Only Atlas credentials are configured: a token needs no
				// Cloud/Ops Manager side.
				Config: tokenConfig(env, env.AtlasOrgID, `["203.0.113.7", "2001:db8::/32"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue("atlasmig_link_token.test", tfjsonpath.New("link_token")),
					plancheck.ExpectSensitiveValue("atlasmig_link_token.test", tfjsonpath.New("link_token")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("atlasmig_link_token.test", tfjsonpath.New("id"), knownvalue.StringExact(env.AtlasOrgID)),
					statecheck.ExpectSensitiveValue("atlasmig_link_token.test", tfjsonpath.New("link_token")),
					statecheck.ExpectKnownValue("atlasmig_link_token.test", tfjsonpath.New("access_list_ips"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("203.0.113.7"), knownvalue.StringExact("2001:db8::/32")})),
				},
				Check: resource.ComposeTestCheckFunc(
					env.CheckTokenIssued("atlasmig_link_token.test", env.AtlasOrgID),
					env.CheckAtlasHeaders(),
				),
			},
			{
				Config: tokenConfig(env, env.AtlasOrgID, `["2001:db8::/32", "203.0.113.7"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

func TestAccLinkToken_unsetAccessListSendsEmptyList(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{{
			Config: env.AtlasOnlyConfig(fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id = %q
}
`, env.AtlasOrgID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("atlasmig_link_token.test", tfjsonpath.New("access_list_ips"), knownvalue.Null()),
			},
			Check: env.CheckTokenAccessList(env.AtlasOrgID, []string{}),
		}},
	})
}

func TestAccLinkToken_orgChangeReplaces(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	other := acctest.RandomOrgID()
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: tokenConfig(env, env.AtlasOrgID, `[]`)},
			{
				Config: tokenConfig(env, other, `[]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					env.CheckTokenCount(env.AtlasOrgID, 0),
					env.CheckTokenCount(other, 1),
				),
			},
		},
	})
}

func TestAccLinkToken_notImportable(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:        tokenConfig(env, env.AtlasOrgID, `[]`),
			ResourceName:  "atlasmig_link_token.test",
			ImportState:   true,
			ImportStateId: env.AtlasOrgID,
			ExpectError:   acctest.ErrorMatching("Link Tokens Cannot Be Imported", "cannot read a link token back"),
		}},
	})
}

func TestAccLinkToken_activeMigrationBlocksDestroy(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	cfg := tokenConfig(env, env.AtlasOrgID, `[]`)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:   func() { env.Sim.SetActiveMigration(env.AtlasOrgID, "6a1b2c3d4e5f6a7b8c9d0e1f") },
				Config:      cfg,
				Destroy:     true,
				ExpectError: acctest.ErrorMatching("Link Token In Use By An Active Migration", "Cut over the migrations", "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"),
			},
			{
				// The refused destroy kept the token in state; once the
				// migration is over, the final destroy succeeds.
				PreConfig: func() { env.Sim.ClearActiveMigration(env.AtlasOrgID) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: env.CheckTokenCount(env.AtlasOrgID, 1),
			},
		},
	})
}

func TestAccLinkToken_invalidInputFailsAtPlan(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"uppercase org id": {tokenConfig(env, "5F1B2C3D4E5F6A7B8C9D0E1F", `[]`), acctest.ErrorMatching("Invalid Organization ID", "org_id", "24 lowercase hexadecimal", `use "5f1b2c3d4e5f6a7b8c9d0e1f"`)},
		"short org id":     {tokenConfig(env, "5f1b", `[]`), acctest.ErrorMatching("org_id", "24 lowercase hexadecimal")},
		"not an address":   {tokenConfig(env, env.AtlasOrgID, `["example.com"]`), acctest.ErrorMatching("access_list_ips", "not a valid IP address")},
		"host bits in CIDR": {tokenConfig(env, env.AtlasOrgID, `["198.51.100.7/24"]`),
			acctest.ErrorMatching("access_list_ips", "198.51.100.0/24")},
		// A timeout of zero or less would end the wait before it starts.
		"zero timeout": {tokenConfig(env, env.AtlasOrgID, "[]\n  timeouts {\n    create = \"0s\"\n  }"),
			acctest.ErrorMatching("Invalid Timeout", "timeouts.create must be a positive duration")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.Run(t, env, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
			env.CheckNoCalls(t)
		})
	}
}
