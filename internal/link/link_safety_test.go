package link_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

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

// writes counts the authenticated calls that change something.
func writes(env *acctest.Env) int {
	n := 0
	for _, r := range []simulator.Route{simulator.RouteCreateLinkToken, simulator.RouteDeleteLinkTokens, simulator.RouteLink, simulator.RouteUnlink} {
		n += env.Sim.Calls(r)
	}
	return n
}

// create_before_destroy on a link would link the organization again before
// unlinking it: the check before linking refuses, with nothing written.
func TestAccMigrationLink_createBeforeDestroyRefused(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	cbd := func(version int) string {
		return env.Config(fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id = %q
}

resource "atlasmig_migration_link" "test" {
  org_id                = %q
  link_token_wo         = atlasmig_link_token.test.link_token
  link_token_wo_version = %d
  lifecycle {
    create_before_destroy = true
  }
}
`, env.AtlasOrgID, env.SourceOrgID, version))
	}
	acctest.Run(t, env, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:           env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: cbd(1)},
			{
				PreConfig:   env.Sim.ResetJournal,
				Config:      cbd(2),
				ExpectError: acctest.ErrorMatching("Organization Already Linked", "create_before_destroy", "terraform import"),
			},
			{
				PreConfig: func() {
					if n := writes(env); n != 0 {
						t.Errorf("%d writes, want 0", n)
					}
				},
				Config:  cbd(1),
				Destroy: true,
			},
		},
	})
}

// A second workspace declaring a link for an organization linked elsewhere
// is refused before the POST, with the import command.
func TestAccMigrationLink_noSilentTakeover(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	otherAtlasOrg := acctest.RandomOrgID()
	other := env.LinkOutOfBand(t, otherAtlasOrg, env.SourceOrgID)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      pairConfig(env, `[]`),
			ExpectError: acctest.ErrorMatching("Organization Already Linked", "terraform import atlasmig_migration_link.<name> "+env.SourceOrgID),
		}},
	})
	if n := env.Sim.Calls(simulator.RouteLink); n != 0 {
		t.Errorf("%d link requests, want 0", n)
	}
	if status, _ := env.Sim.LinkStatus(env.SourceOrgID); status != "SYNCED" {
		t.Errorf("the other workspace's link is %q, want SYNCED", status)
	}
	if got, _ := env.Sim.LinkedAtlasOrg(env.SourceOrgID); got != otherAtlasOrg || !slices.Contains(env.Sim.LinkTokens(otherAtlasOrg), other) {
		t.Error("the other workspace's link or token changed")
	}
}

// A 404 that is not the API's authenticated answer never counts as "already
// gone": destroy against a wrong server fails and keeps the state.
func TestAccMigrationLink_foreignNotFoundIsNotGone(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	wrong := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html><body>Not Found</body></html>"))
	}))
	t.Cleanup(wrong.Close)
	good := pairConfig(env, `[]`)
	om := strings.Index(good, "ops_manager {")
	bad := good[:om] + strings.Replace(good[om:], fmt.Sprintf("base_url    = %q", env.OMBaseURL), fmt.Sprintf("base_url    = %q", wrong.URL), 1)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: good},
			{
				PreConfig:   env.Sim.ResetJournal,
				Config:      bad,
				Destroy:     true,
				ExpectError: acctest.ErrorMatching("Unexpected Answer From Cloud Manager / Ops Manager", "ops_manager.base_url", "Nothing was assumed to be removed"),
			},
			{
				PreConfig: func() {
					if n := writes(env); n != 0 {
						t.Errorf("%d writes, want 0", n)
					}
					if status, linked := env.Sim.LinkStatus(env.SourceOrgID); !linked || status != "SYNCED" {
						t.Errorf("link is linked=%v status=%q after the failed destroy, want SYNCED", linked, status)
					}
				},
				Config: good,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// A base URL with a path is refused at plan time, naming the attribute.
func TestAccProvider_baseURLWithPathRefused(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	cfg := strings.Replace(pairConfig(env, `[]`), fmt.Sprintf("base_url    = %q", env.AtlasBaseURL), fmt.Sprintf("base_url    = %q", env.AtlasBaseURL+"/atlas"), 1)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      cfg,
			PlanOnly:    true,
			ExpectError: acctest.ErrorMatching("atlas.base_url", "has a path (/atlas)"),
		}},
	})
	env.CheckNoCalls(t)
}

// An active migration makes Atlas refuse the token removal: replacing the
// token removes it before unlinking, so the refusal leaves the organization
// linked; once the migration is over the same apply goes through.
func TestAccLinkToken_replaceDuringActiveMigrationKeepsTheLink(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: pairConfig(env, `["203.0.113.7"]`)},
			{
				PreConfig: func() {
					env.Sim.ResetJournal()
					env.Sim.SetActiveMigration(env.AtlasOrgID, "6a1b2c3d4e5f6a7b8c9d0e1f")
				},
				Config:      pairConfig(env, `["198.51.100.7"]`),
				ExpectError: acctest.ErrorMatching("Link Token In Use By An Active Migration", "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"),
			},
			{
				PreConfig: func() {
					if n := env.Sim.Calls(simulator.RouteUnlink); n != 0 {
						t.Errorf("%d unlinks before the refused token removal, want 0", n)
					}
					if status, linked := env.Sim.LinkStatus(env.SourceOrgID); !linked || status != "SYNCED" {
						t.Errorf("link is linked=%v status=%q after the refusal, want SYNCED", linked, status)
					}
					env.Sim.ClearActiveMigration(env.AtlasOrgID)
				},
				Config: pairConfig(env, `["198.51.100.7"]`),
				Check: resource.ComposeTestCheckFunc(
					env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
					env.CheckTokenAccessList(env.AtlasOrgID, []string{"198.51.100.7"}),
				),
			},
		},
	})
}

// A wrong Atlas key fails the plan of a replacement: nothing is unlinked.
func TestAccLinkToken_wrongAtlasKeyRefusedAtPlan(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	good := pairConfig(env, `["203.0.113.7"]`)
	bad := strings.Replace(pairConfig(env, `["198.51.100.7"]`), fmt.Sprintf("private_key = %q", env.AtlasPrivateKey), `private_key = "wrong-atlas-private-key"`, 1)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: good},
			{
				PreConfig:   env.Sim.ResetJournal,
				Config:      bad,
				ExpectError: acctest.ErrorMatching("Atlas Rejected The Credentials", "checked at plan time", "nothing has been changed"),
			},
			{
				PreConfig: func() {
					if n := writes(env); n != 0 {
						t.Errorf("%d writes, want 0", n)
					}
				},
				Config: good,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
			},
		},
	})
}

// A Retry-After longer than the read timeout fails the refresh at once,
// naming the wait, instead of stalling the plan for an hour.
func TestAccMigrationLink_longRetryAfterFailsTheRefreshAtOnce(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: pairConfig(env, `[]`)},
			{
				PreConfig: func() {
					env.Sim.ResetJournal()
					env.Sim.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 1, Status: 429, RetryAfter: "3600"})
				},
				Config:      pairConfig(env, `[]`),
				ExpectError: acctest.ErrorMatching("Asked To Wait Longer Than The Timeout", "1h0m", "Retry-After"),
			},
			{
				PreConfig: func() {
					if n := env.Sim.Calls(simulator.RouteLinkStatus); n != 1 {
						t.Errorf("%d status reads, want 1 (no retry into the deadline)", n)
					}
				},
				Config: pairConfig(env, `[]`),
			},
		},
	})
}

// Under the variant that answers NOT_SYNCED for an organization without a
// link: the data source does not claim a link, import refuses, and a link
// removed behind Terraform's back is linked again.
func TestAccNotSyncedWithoutLink(t *testing.T) {
	env := acctest.NewEnvWith(t, func(o *simulator.Options) { o.StatusWithoutLink = "NOT_SYNCED" })
	never := acctest.RandomOrgID()
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{
				Config: env.Config(fmt.Sprintf(`
data "atlasmig_migration_link" "never" {
  org_id = %q
}
`, never)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.atlasmig_migration_link.never", tfjsonpath.New("linked"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.atlasmig_migration_link.never", tfjsonpath.New("status"), knownvalue.StringExact("NOT_SYNCED")),
				},
			},
			{
				Config: env.Config(fmt.Sprintf(`
resource "atlasmig_migration_link" "imported" {
  org_id     = %q
  link_token = "unused"
}
`, never)),
				ResourceName:  "atlasmig_migration_link.imported",
				ImportState:   true,
				ImportStateId: never,
				ExpectError:   acctest.ErrorMatching("No Usable Link To Import", "NOT_SYNCED"),
			},
			{Config: pairConfig(env, `[]`), Check: env.CheckLinked(env.SourceOrgID, env.AtlasOrgID)},
			{
				PreConfig: func() { env.Sim.RemoveLink(env.SourceOrgID) },
				Config:    pairConfig(env, `[]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionUpdate),
				}},
				Check: env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
			},
		},
	})
}

// Writing the same addresses differently is no change that matters: an
// in-place update with no API call, never a new token.
func TestAccLinkToken_accessListComparedByMeaning(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	var before string
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{
				Config: pairConfig(env, `["203.0.113.7", "2001:DB8::7"]`),
				Check:  acctest.CaptureAttribute("atlasmig_link_token.test", "link_token", &before),
			},
			{
				PreConfig: env.Sim.ResetJournal,
				Config:    pairConfig(env, `["203.0.113.7/32", "2001:db8::7/128"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error {
						if n := writes(env); n != 0 {
							return fmt.Errorf("%d writes for a cosmetic edit, want 0", n)
						}
						return nil
					},
					resource.TestCheckResourceAttrPtr("atlasmig_link_token.test", "link_token", &before),
				),
			},
		},
	})
}

// One token and three links complete against 2 requests per second with a
// burst of 2: retries wait beyond Retry-After, with growth and jitter, so the
// refilled requests are not all spent on digest challenges. (Waiting exactly
// Retry-After livelocks even one link; make bench runs eight.)
func TestAccRateLimitedApplyCompletes(t *testing.T) {
	env := acctest.NewEnvWith(t, func(o *simulator.Options) {
		o.RateLimit = &simulator.RateLimit{PerSecond: 2, Burst: 2}
	})
	var orgs []string
	for range 3 {
		orgs = append(orgs, fmt.Sprintf("%q", acctest.RandomOrgID()))
	}
	cfg := strings.Replace(env.Config(fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id = %q
}

resource "atlasmig_migration_link" "src" {
  count      = 3
  org_id     = [%s][count.index]
  link_token = atlasmig_link_token.test.link_token
}
`, env.AtlasOrgID, strings.Join(orgs, ", "))), "max_retries = 2", "max_retries = 20", 1)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: func(*terraform.State) error {
				// The destroy that follows needs no rate limit.
				defer env.Sim.SetRateLimit(nil)
				sum := env.Sim.JournalSummary()
				t.Logf("under 2 requests/s with a burst of 2: %d requests, %d authenticated, by status %v", sum.Total, sum.Authenticated, sum.ByStatus)
				if n := env.Sim.LinkCount(); n != 3 {
					return fmt.Errorf("%d links, want 3", n)
				}
				// Each write was made once: retries never duplicated one.
				if n := env.Sim.Calls(simulator.RouteLink); n != 3 {
					return fmt.Errorf("%d authenticated link requests, want 3", n)
				}
				if n := env.Sim.Calls(simulator.RouteCreateLinkToken); n != 1 {
					return fmt.Errorf("%d authenticated token requests, want 1", n)
				}
				return nil
			},
		}},
	})
}

// A link given its token write-only cannot see the token change: replacing
// the token without bumping link_token_wo_version would leave it with a dead
// token, so the plan is refused; with the bump, both are replaced together.
func TestAccLinkToken_writeOnlyLinkNeedsAVersionBump(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	cfg := func(ips string, version int) string {
		return env.Config(fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id          = %q
  access_list_ips = %s
}

resource "atlasmig_migration_link" "test" {
  org_id                = %q
  link_token_wo         = atlasmig_link_token.test.link_token
  link_token_wo_version = %d
}
`, env.AtlasOrgID, ips, env.SourceOrgID, version))
	}
	acctest.Run(t, env, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:           env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: cfg(`["203.0.113.7"]`, 1)},
			{
				PreConfig:   env.Sim.ResetJournal,
				Config:      cfg(`["198.51.100.7"]`, 1),
				ExpectError: acctest.ErrorMatching("Removal Would Break Other Links", "link_token_wo_version"),
			},
			{
				PreConfig: func() {
					if n := writes(env); n != 0 {
						t.Errorf("%d writes before the refusal, want 0", n)
					}
				},
				Config: cfg(`["198.51.100.7"]`, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionReplace),
					plancheck.ExpectResourceAction("atlasmig_migration_link.test", plancheck.ResourceActionReplace),
				}},
				Check: resource.ComposeTestCheckFunc(
					env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
					env.CheckTokenAccessList(env.AtlasOrgID, []string{"198.51.100.7"}),
				),
			},
		},
	})
}
