// Package resources holds the atlasmig resources and data sources: one file
// per kind, each with its schema, model, operations and diagnostics.
package resources

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// ProviderData is what the provider hands to every resource and data source:
// one client per side, built once per provider configuration so that every
// resource shares its connections and its service-account token.
type ProviderData struct {
	Atlas      *client.Atlas
	OpsManager *client.OpsManager

	// AtlasMissing and OpsManagerMissing explain why a side has no client.
	AtlasMissing      string
	OpsManagerMissing string

	// ConfigUnknown is set while the provider configuration depends on
	// values known only after apply; clients are then built on a later call.
	ConfigUnknown bool

	// Polling configures every wait (see Polling).
	Polling Polling
	// SourceBaseURL is the Cloud Manager / Ops Manager base URL, which
	// names the source in diagnostics.
	SourceBaseURL string
	// SourceIsOpsManager says the source is an Ops Manager rather than
	// Cloud Manager, as the provider configuration resolved it
	// (ops_manager.kind, or its guess from the base URL).
	SourceIsOpsManager bool

	guardOnce sync.Once
	guard     *orgGuard
	linksOnce sync.Once
	links     *plannedLinks
	// answersOnce and answersCache: see read_reuse.go.
	answersOnce  sync.Once
	answersCache *answers
	// sharedOnce and shared: see shared_reads.go.
	sharedOnce sync.Once
	shared     *sharedReads
	// seenOnce and seen: see healthyMigrationsInto.
	seenOnce sync.Once
	seen     *migrationsSeen
}

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

func (d *ProviderData) migrationsSeen() *migrationsSeen {
	d.seenOnce.Do(func() { d.seen = &migrationsSeen{byTo: map[migrationDestination]map[string]seenMigration{}} })
	return d.seen
}

// rememberMigration records what a read of a migration into the cluster of
// project said of it. A nil ProviderData or an unknown cluster (an import
// whose configuration is not written yet) records nothing.
func (d *ProviderData) rememberMigration(projectID, cluster string, m seenMigration) {
	if d == nil || cluster == "" || m.ID == "" {
		return
	}
	seen := d.migrationsSeen()
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
func (d *ProviderData) healthyMigrationsInto(projectID, cluster string) []seenMigration {
	if d == nil {
		return nil
	}
	seen := d.migrationsSeen()
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

// orgGuard returns the guard shared by every resource of this provider
// instance. Terraform configures a provider instance once per plan and once
// per apply, so each holds a fresh guard.
func (d *ProviderData) orgGuard() *orgGuard {
	d.guardOnce.Do(func() { d.guard = newOrgGuard() })
	return d.guard
}

// providerData converts what Configure received into *ProviderData, reporting
// a provider defect when the type is unexpected. A nil result with no
// diagnostic means the provider is not configured yet (validation phase).
func providerData(raw any, diags *diag.Diagnostics) *ProviderData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*ProviderData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *resources.ProviderData, got %T. This is a defect in the provider; please report it.", raw))
		return nil
	}
	return data
}

// atlasClient returns the Atlas client or explains what to configure.
func (d *ProviderData) atlasClient(diags *diag.Diagnostics) *client.Atlas {
	if d == nil || d.ConfigUnknown {
		diags.AddError("Provider Not Configured",
			"The atlasmig provider configuration depends on values that are not known yet. Make the provider configuration known at plan time (for example, from variables) and run again.")
		return nil
	}
	if d.Atlas == nil {
		diags.AddError("Missing Atlas Credentials", d.AtlasMissing)
	}
	return d.Atlas
}

// opsManagerClient returns the Cloud/Ops Manager client or explains what to
// configure.
func (d *ProviderData) opsManagerClient(diags *diag.Diagnostics) *client.OpsManager {
	if d == nil || d.ConfigUnknown {
		diags.AddError("Provider Not Configured",
			"The atlasmig provider configuration depends on values that are not known yet. Make the provider configuration known at plan time (for example, from variables) and run again.")
		return nil
	}
	if d.OpsManager == nil {
		diags.AddError("Missing Cloud Manager / Ops Manager Credentials", d.OpsManagerMissing)
	}
	return d.OpsManager
}
