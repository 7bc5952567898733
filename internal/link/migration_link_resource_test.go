package link_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/acctest"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// pairConfig declares a token and a link that uses it.
func pairConfig(env *acctest.Env, ips string) string {
	return env.Config(fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id          = %q
  access_list_ips = %s
}

resource "atlasmig_migration_link" "test" {
  org_id     = %q
  link_token = atlasmig_link_token.test.link_token
}
`, env.AtlasOrgID, ips, env.SourceOrgID))
}

func TestAccMigrationLink_pairLifecycle(t *testing.T) {
	env := acctest.NewEnv(t)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{
				Config: pairConfig(env, `["203.0.113.7"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionCreate),
					plancheck.ExpectSensitiveValue("atlasmig_link_token.test", tfjsonpath.New("link_token")),
					plancheck.ExpectSensitiveValue("atlasmig_migration_link.test", tfjsonpath.New("link_token")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("atlasmig_migration_link.test", tfjsonpath.New("status"), knownvalue.StringExact("SYNCED")),
					statecheck.ExpectKnownValue("atlasmig_migration_link.test", tfjsonpath.New("id"), knownvalue.StringExact(env.SourceOrgID)),
					statecheck.ExpectSensitiveValue("atlasmig_migration_link.test", tfjsonpath.New("link_token")),
					statecheck.CompareValuePairs("atlasmig_migration_link.test", tfjsonpath.New("link_token"),
						"atlasmig_link_token.test", tfjsonpath.New("link_token"), compare.ValuesSame()),
				},
				Check: resource.ComposeTestCheckFunc(
					env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
				),
			},
			{
				// Nothing changed: the refresh reads the link status, and
				// the plan is empty.
				Config: pairConfig(env, `["203.0.113.7"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

func TestAccMigrationLink_replacedWithItsToken(t *testing.T) {
	env := acctest.NewEnv(t)
	var firstToken string
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{
				Config: pairConfig(env, `["203.0.113.7"]`),
				Check:  acctest.CaptureAttribute("atlasmig_link_token.test", "link_token", &firstToken),
			},
			{
				// A new access list needs a new token, and the link must
				// be re-made with it.
				Config: pairConfig(env, `["203.0.113.7", "198.51.100.0/24"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					acctest.CheckAttributeChanged("atlasmig_link_token.test", "link_token", &firstToken),
					env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
					env.CheckTokenCount(env.AtlasOrgID, 1),
				),
			},
		},
	})
}

func TestAccMigrationLink_orgChangeRelinks(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	other := acctest.RandomOrgID()
	cfg := func(source string) string {
		return env.Config(fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id = %q
}

resource "atlasmig_migration_link" "test" {
  org_id     = %q
  link_token = atlasmig_link_token.test.link_token
}
`, env.AtlasOrgID, source))
	}
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: cfg(env.SourceOrgID), Check: env.CheckLinked(env.SourceOrgID, env.AtlasOrgID)},
			{
				Config: cfg(other),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					env.CheckNotLinked(env.SourceOrgID),
					env.CheckLinked(other, env.AtlasOrgID),
				),
			},
		},
	})
}

func TestAccMigrationLink_driftRelinks(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: pairConfig(env, `[]`)},
			{
				// Someone unlinks the organization by hand: the refresh
				// notices, and the next apply links it again.
				PreConfig: func() { env.Sim.RemoveLink(env.SourceOrgID) },
				Config:    pairConfig(env, `[]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionNoop),
				}},
				Check: env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
			},
		},
	})
}

func TestAccMigrationLink_tokenRemovedBehindTheBack(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: pairConfig(env, `[]`)},
			{
				// The Atlas side removes the token: the link reports
				// NOT_SYNCED, which is drift with a planned action (not a
				// mere warning); the re-link fails on the dead token and
				// names the command that repairs it.
				PreConfig: func() { env.Sim.RemoveLinkTokens(env.AtlasOrgID) },
				Config:    pairConfig(env, `[]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue("atlasmig_migration_link.test", tfjsonpath.New("status")),
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionNoop),
				}},
				ExpectError: acctest.ErrorMatching("Link Token Refused", "terraform apply -replace='atlasmig_link_token.<name>'"),
			},
			{
				// The repair the message names: a new token, and the link
				// re-linked with it in the same apply.
				Config: pairConfig(env, `[]`),
				Taint:  []string{"atlasmig_link_token.test"},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionReplace),
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("atlasmig_migration_link.test", tfjsonpath.New("status"), knownvalue.StringExact("SYNCED")),
				},
				Check: env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
			},
		},
	})
}

func TestAccMigrationLink_importThenEmptyPlan(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	token := env.LinkOutOfBand(t, env.AtlasOrgID, env.SourceOrgID)
	linkOnly := env.Config(fmt.Sprintf(`
resource "atlasmig_migration_link" "test" {
  org_id     = %q
  link_token = %q
}
`, env.SourceOrgID, token))
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNotLinkedAfterDestroy(env.SourceOrgID),
		Steps: []resource.TestStep{
			{
				Config:             linkOnly,
				ResourceName:       "atlasmig_migration_link.test",
				ImportState:        true,
				ImportStateId:      env.SourceOrgID,
				ImportStatePersist: true,
				// An import cannot know the token: ImportedStatus checks
				// every attribute an import can know, and that link_token
				// is empty.
				ImportStateCheck: acctest.ImportedStatus(env.SourceOrgID, "SYNCED"),
			},
			{
				// Setting the token after an import is not a change of
				// token: no replacement, no API call.
				Config: linkOnly,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionUpdate),
				}},
				Check: env.CheckCallCount("link", 0),
			},
			{
				Config: linkOnly,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

func TestAccMigrationLink_importBlock(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	token := env.LinkOutOfBand(t, env.AtlasOrgID, env.SourceOrgID)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			// terraform-plugin-testing adds the import block and plans:
			// the link is imported, and setting the token it cannot read
			// back is an in-place update, never a replacement.
			Config: env.Config(fmt.Sprintf(`
resource "atlasmig_migration_link" "test" {
  org_id     = %q
  link_token = %q
}
`, env.SourceOrgID, token)),
			ResourceName:       "atlasmig_migration_link.test",
			ImportState:        true,
			ImportStateKind:    resource.ImportBlockWithID,
			ImportStateId:      env.SourceOrgID,
			ExpectNonEmptyPlan: true,
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue("atlasmig_migration_link.test", tfjsonpath.New("status"), knownvalue.StringExact("SYNCED")),
				plancheck.ExpectKnownValue("atlasmig_migration_link.test", tfjsonpath.New("id"), knownvalue.StringExact(env.SourceOrgID)),
				plancheck.ExpectSensitiveValue("atlasmig_migration_link.test", tfjsonpath.New("link_token")),
			}},
		}},
	})
	if n := env.Sim.Calls("link"); n != 0 {
		t.Errorf("%d link calls; importing must not link again", n)
	}
	if n := env.Sim.Calls("linkStatus"); n == 0 {
		t.Error("the import never read the link status")
	}
}

func TestAccMigrationLink_invalidImportID(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.Config(fmt.Sprintf(`
resource "atlasmig_migration_link" "test" {
  org_id     = %q
  link_token = "x"
}
`, env.SourceOrgID)),
			ResourceName:  "atlasmig_migration_link.test",
			ImportState:   true,
			ImportStateId: "eyJvcmdJZCI6ImFiYyJ9",
			ExpectError:   acctest.ErrorMatching("Invalid Import ID", "24 lowercase hexadecimal", "20 characters"),
		}},
	})
}

func TestAccMigrationLink_tokenArgumentsValidatedAtPlan(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	cases := map[string]struct {
		body string
		want []string
		// Configurations that set link_token_wo need write-only support.
		versions []tfversion.TerraformVersionCheck
	}{
		"neither token": {`org_id = %q`, []string{"link_token", "link_token_wo"}, nil},
		"both tokens": {`org_id = %q
  link_token    = "a"
  link_token_wo = "b"`, []string{"link_token", "link_token_wo"}, []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}},
		"empty token known at plan": {`org_id = %q
  link_token = ""`, []string{"Empty Link Token", "atlasmig_link_token.<name>.link_token"}, nil},
		"version without write-only token": {`org_id = %q
  link_token            = "a"
  link_token_wo_version = 1`, []string{"link_token_wo_version", "link_token_wo"}, nil},
		// A timeout of zero or less would end the wait before it starts.
		"zero timeout": {`org_id = %q
  link_token = "a"
  timeouts {
    create = "0s"
  }`, []string{"Invalid Timeout", "timeouts.create must be a positive duration"}, nil},
		"negative timeout": {`org_id = %q
  link_token = "a"
  timeouts {
    delete = "-1m"
  }`, []string{"Invalid Timeout", "timeouts.delete must be a positive duration"}, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.Run(t, env, resource.TestCase{
				TerraformVersionChecks: tc.versions,
				Steps: []resource.TestStep{{
					Config:      env.Config(fmt.Sprintf("resource \"atlasmig_migration_link\" \"test\" {\n  "+tc.body+"\n}\n", env.SourceOrgID)),
					PlanOnly:    true,
					ExpectError: acctest.ErrorMatching(tc.want...),
				}},
			})
			env.CheckNoCalls(t)
		})
	}
}

// A change of rotation_triggers replaces the token, and the link is re-made
// with the new one, as a change of the addresses does: one organization-wide
// removal, one new token. An empty map where there was none, or the same
// triggers again, changes nothing.
func TestAccMigrationLink_rotationTriggersRotate(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	cfg := func(triggers string) string {
		return env.Config(fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id          = %q
  access_list_ips = ["203.0.113.7"]
  %s
}

resource "atlasmig_migration_link" "test" {
  org_id     = %q
  link_token = atlasmig_link_token.test.link_token
}
`, env.AtlasOrgID, triggers, env.SourceOrgID))
	}
	var first string
	wantCalls := func(want map[simulator.Route]int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			for route, n := range want {
				if got := env.Sim.Calls(route); got != n {
					return fmt.Errorf("%d %s calls, want %d", got, route, n)
				}
			}
			return nil
		}
	}
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: cfg(""), Check: acctest.CaptureAttribute("atlasmig_link_token.test", "link_token", &first)},
			{
				PreConfig: env.Sim.ResetJournal,
				Config:    cfg(`rotation_triggers = {}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeTestCheckFunc(
					wantCalls(map[simulator.Route]int{simulator.RouteDeleteLinkTokens: 0, simulator.RouteCreateLinkToken: 0, simulator.RouteLink: 0}),
					resource.TestCheckResourceAttrPtr("atlasmig_link_token.test", "link_token", &first),
				),
			},
			{
				PreConfig: env.Sim.ResetJournal,
				Config:    cfg(`rotation_triggers = { rotated = "2026-12" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					acctest.CheckAttributeChanged("atlasmig_link_token.test", "link_token", &first),
					env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
					env.CheckTokenCount(env.AtlasOrgID, 1),
					wantCalls(map[simulator.Route]int{simulator.RouteDeleteLinkTokens: 1, simulator.RouteCreateLinkToken: 1, simulator.RouteLink: 1}),
				),
			},
			{
				Config: cfg(`rotation_triggers = { rotated = "2026-12" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}
