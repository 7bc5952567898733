package link_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/acctest"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

func ptr[T any](v T) *T { return &v }

func TestAccAvailableProjects_everyField(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	env.Sim.SetInventory(env.SourceOrgID, []simulator.Project{{
		ProjectID:      "61b2c3d4e5f6a7b8c9d0e1f2",
		Name:           "payments",
		MigrationHosts: []string{"mh-1.example.internal", "mh-2.example.internal"},
		Deployments: []simulator.Deployment{
			{
				Name: "payments-rs", ClusterID: ptr("62c3d4e5f6a7b8c9d0e1f2a3"), MongoDBVersion: "7.0.14", FeatureCompatibilityVersion: "7.0",
				Managed: true, TLSEnabled: true, AgentVersion: ptr("107.0.10"), DBSizeBytes: ptr[int64](53687091200), OplogSizeMB: ptr[int64](51200),
			},
			{Name: "ledger", MongoDBVersion: "6.0.19", FeatureCompatibilityVersion: "6.0", Sharded: true, ShardsSize: ptr[int64](3)},
		},
	}})
	config := pairConfig(env, `[]`) + fmt.Sprintf(`
data "atlasmig_available_projects" "test" {
  org_id     = %q
  depends_on = [atlasmig_migration_link.test]
}
`, env.AtlasOrgID)
	projects := tfjsonpath.New("projects")
	dep := func(i int) tfjsonpath.Path { return projects.AtSliceIndex(0).AtMapKey("deployments").AtSliceIndex(i) }
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.atlasmig_available_projects.test", tfjsonpath.New("id"), knownvalue.StringExact(env.AtlasOrgID)),
				statecheck.ExpectKnownValue("data.atlasmig_available_projects.test", projects, knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue("data.atlasmig_available_projects.test", projects.AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"project_id":      knownvalue.StringExact("61b2c3d4e5f6a7b8c9d0e1f2"),
					"name":            knownvalue.StringExact("payments"),
					"migration_hosts": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("mh-1.example.internal"), knownvalue.StringExact("mh-2.example.internal")}),
				})),
				statecheck.ExpectKnownValue("data.atlasmig_available_projects.test", dep(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"name":                          knownvalue.StringExact("payments-rs"),
					"cluster_id":                    knownvalue.StringExact("62c3d4e5f6a7b8c9d0e1f2a3"),
					"mongodb_version":               knownvalue.StringExact("7.0.14"),
					"feature_compatibility_version": knownvalue.StringExact("7.0"),
					"managed":                       knownvalue.Bool(true),
					"sharded":                       knownvalue.Bool(false),
					"tls_enabled":                   knownvalue.Bool(true),
					"agent_version":                 knownvalue.StringExact("107.0.10"),
					"db_size_bytes":                 knownvalue.Int64Exact(53687091200),
					"oplog_size_mb":                 knownvalue.Int64Exact(51200),
					"shards_size":                   knownvalue.Null(),
				})),
				statecheck.ExpectKnownValue("data.atlasmig_available_projects.test", dep(1), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"name":                          knownvalue.StringExact("ledger"),
					"cluster_id":                    knownvalue.Null(),
					"mongodb_version":               knownvalue.StringExact("6.0.19"),
					"feature_compatibility_version": knownvalue.StringExact("6.0"),
					"managed":                       knownvalue.Bool(false),
					"sharded":                       knownvalue.Bool(true),
					"tls_enabled":                   knownvalue.Bool(false),
					"agent_version":                 knownvalue.Null(),
					"db_size_bytes":                 knownvalue.Null(),
					"oplog_size_mb":                 knownvalue.Null(),
					"shards_size":                   knownvalue.Int64Exact(3),
				})),
			},
		}},
	})
}

func TestAccAvailableProjects_emptyInventory(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.AtlasOnlyConfig(fmt.Sprintf(`
data "atlasmig_available_projects" "test" {
  org_id = %q
}
`, env.AtlasOrgID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.atlasmig_available_projects.test", tfjsonpath.New("projects"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

func TestAccMigrationLinkDataSource_linkedAndNot(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	other := acctest.RandomOrgID()
	config := pairConfig(env, `[]`) + fmt.Sprintf(`
data "atlasmig_migration_link" "linked" {
  org_id     = %q
  depends_on = [atlasmig_migration_link.test]
}

data "atlasmig_migration_link" "unlinked" {
  org_id = %q
}

check "link_is_healthy" {
  assert {
    condition     = data.atlasmig_migration_link.linked.linked && data.atlasmig_migration_link.linked.status == "SYNCED"
    error_message = "not linked"
  }
}

# A check that fails would only warn; this output turns the same condition
# into a value the test can assert.
output "healthy" {
  value = data.atlasmig_migration_link.linked.linked && !data.atlasmig_migration_link.unlinked.linked
}
`, env.SourceOrgID, other)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.atlasmig_migration_link.linked", tfjsonpath.New("linked"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.atlasmig_migration_link.linked", tfjsonpath.New("status"), knownvalue.StringExact("SYNCED")),
				statecheck.ExpectKnownValue("data.atlasmig_migration_link.unlinked", tfjsonpath.New("linked"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.atlasmig_migration_link.unlinked", tfjsonpath.New("status"), knownvalue.Null()),
				statecheck.ExpectKnownOutputValue("healthy", knownvalue.Bool(true)),
			},
		}},
	})
}
