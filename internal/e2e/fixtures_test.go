package e2e

import (
	"fmt"
	"maps"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// shop describes the world most migration tests start from: the Atlas
// project migGroup in atlasOrg with its clusters, and the source project
// "shop" of sourceOrg with its migration hosts and one replica set per
// source deployment (MongoDB 7.0, TLS).
type shop struct {
	clusters    []string // destination clusters
	hosts       []string // migration hosts
	deployments []string // source replica sets
	opts        simulator.MigrationOptions
}

// linkedShop starts a simulator holding the shop, with sourceOrg already
// linked to atlasOrg, and returns it with the environment that points the
// provider's Atlas side at it (plus extra variables).
func linkedShop(t *testing.T, s shop, extra map[string]string) (*simulator.Server, map[string]string) {
	t.Helper()
	clusters := make([]simulator.AtlasCluster, len(s.clusters))
	for i, c := range s.clusters {
		clusters[i] = simulator.AtlasCluster{Name: c, MongoDBVersion: "7.0.14"}
	}
	deployments := make([]simulator.Deployment, len(s.deployments))
	for i, d := range s.deployments {
		deployments[i] = simulator.Deployment{Name: d, MongoDBVersion: "7.0.13", TLSEnabled: true}
	}
	opts := simulator.Options{
		AtlasKeys:  []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		Migrations: s.opts,
		Seed: &simulator.Seed{
			AtlasProjects: []simulator.AtlasProject{{ID: migGroup, OrgID: atlasOrg, Clusters: clusters}},
			Inventory: map[string][]simulator.Project{sourceOrg: {{ProjectID: migSource, Name: "shop", MigrationHosts: s.hosts,
				Deployments: deployments}}},
		},
	}
	sim := simulator.NewServer(t, opts, simulator.ServerOptions{})
	if err := sim.Link(sourceOrg, sim.IssueLinkToken(atlasOrg)); err != nil {
		t.Fatal(err)
	}
	return sim, atlasEnv(sim.URL, extra)
}

// atlasEnv points the provider's Atlas side at the simulator at url, with
// the test keys, plus extra variables (which win).
func atlasEnv(url string, extra map[string]string) map[string]string {
	env := map[string]string{
		"MONGODB_ATLAS_BASE_URL": url, "MONGODB_ATLAS_PUBLIC_KEY": atlasPub, "MONGODB_ATLAS_PRIVATE_KEY": atlasPriv,
	}
	maps.Copy(env, extra)
	return env
}

// bothSidesEnv points both sides of the provider at the simulator at url,
// with the test keys; the simulator plays Cloud Manager. extra variables win.
func bothSidesEnv(url string, extra map[string]string) map[string]string {
	env := atlasEnv(url, map[string]string{
		"MCLI_OPS_MANAGER_URL": url, "MCLI_PUBLIC_API_KEY": omPub, "MCLI_PRIVATE_API_KEY": omPriv,
		"ATLASMIG_OPS_MANAGER_KIND": "cloud_manager",
	})
	maps.Copy(env, extra)
	return env
}

// ordersMigration is the resource block of the shop's migration: orders-rs
// into the Atlas cluster destination through mh-1, with extra lines (each
// ending in a newline) inside the block.
func ordersMigration(destination, extra string) string {
	return fmt.Sprintf(`
resource "atlasmig_live_migration" "orders" {
  project_id = %q
  source {
    project_id   = %q
    cluster_name = "orders-rs"
  }
  destination {
    cluster_name = %q
  }
  migration_host = "mh-1"
%s}
`, migGroup, migSource, destination, extra)
}
