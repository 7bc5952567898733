package shared

import (
	"fmt"
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

	linksOnce sync.Once
	links     *PlannedLinks

	// stateMu and state: see State.
	stateMu sync.Mutex
	state   map[any]any
}

// State returns what a room keeps for the life of this provider instance
// under key, built by build on first use. Terraform configures a provider
// instance once per plan and once per apply, so each holds fresh state. A
// room keys its state with a type of its own that no other room can name,
// so this package knows nothing of what the rooms keep. A nil ProviderData
// (the provider is not configured yet) keeps nothing: State returns nil.
func State[T any](d *ProviderData, key any, build func() *T) *T {
	if d == nil {
		return nil
	}
	d.stateMu.Lock()
	defer d.stateMu.Unlock()
	if v, ok := d.state[key].(*T); ok {
		return v
	}
	if d.state == nil {
		d.state = map[any]any{}
	}
	v := build()
	d.state[key] = v
	return v
}

// ProviderDataFrom converts what Configure received into *ProviderData,
// reporting a provider defect when the type is unexpected. A nil result with
// no diagnostic means the provider is not configured yet (validation phase).
func ProviderDataFrom(raw any, diags *diag.Diagnostics) *ProviderData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*ProviderData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *shared.ProviderData, got %T. This is a defect in the provider; please report it.", raw))
		return nil
	}
	return data
}

// AtlasClient returns the Atlas client or explains what to configure.
func (d *ProviderData) AtlasClient(diags *diag.Diagnostics) *client.Atlas {
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

// OpsManagerClient returns the Cloud/Ops Manager client or explains what to
// configure.
func (d *ProviderData) OpsManagerClient(diags *diag.Diagnostics) *client.OpsManager {
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
