package migration

import (
	"slices"
	"strings"
	"sync"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// migrationsSeen is what this provider process read of live migrations: for
// each destination (project and cluster), the migrations Atlas reported and
// their last status.
//
// Terraform taints a migration whose create returned an error, refreshes the
// tainted object in the plan's own provider process, and then plans its
// replacement as a create with no prior state: the create's plan learns from
// here that a healthy migration into its destination cluster was just read,
// and refuses to start a second one.
type migrationsSeen struct {
	mu   sync.Mutex
	byTo map[migrationDestination]map[string]seenMigration // by migration id
}

// migrationDestination names a destination cluster.
type migrationDestination struct {
	projectID, cluster string
}

// seenMigration is one migration read into a destination: its last status,
// and whether its cutover was requested.
type seenMigration struct {
	ID, Status string
	CutOver    bool
}

// seenKey keys the migrations seen in the provider instance's state.
type seenKey struct{}

func migrationsSeenBy(d *shared.ProviderData) *migrationsSeen {
	return shared.State(d, seenKey{}, func() *migrationsSeen {
		return &migrationsSeen{byTo: map[migrationDestination]map[string]seenMigration{}}
	})
}

// rememberMigration records what a read of a migration into the cluster of
// project said of it. A nil ProviderData or an unknown cluster (an import
// whose configuration is not written yet) records nothing.
func rememberMigration(d *shared.ProviderData, projectID, cluster string, m seenMigration) {
	if d == nil || cluster == "" || m.ID == "" {
		return
	}
	seen := migrationsSeenBy(d)
	seen.mu.Lock()
	defer seen.mu.Unlock()
	to := migrationDestination{projectID, cluster}
	if seen.byTo[to] == nil {
		seen.byTo[to] = map[string]seenMigration{}
	}
	seen.byTo[to][m.ID] = m
}

// healthyMigrationsInto returns the migrations into the cluster of project
// that this process read and that must not be replaced on the provider's own:
// those that had not FAILED or EXPIRED, and those whose cutover was requested
// (the application may already write to the cluster), by id.
func healthyMigrationsInto(d *shared.ProviderData, projectID, cluster string) []seenMigration {
	if d == nil {
		return nil
	}
	seen := migrationsSeenBy(d)
	seen.mu.Lock()
	defer seen.mu.Unlock()
	var out []seenMigration
	for _, m := range seen.byTo[migrationDestination{projectID, cluster}] {
		if m.CutOver || (m.Status != client.MigrationFailed && m.Status != client.MigrationExpired) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b seenMigration) int { return strings.Compare(a.ID, b.ID) })
	return out
}
