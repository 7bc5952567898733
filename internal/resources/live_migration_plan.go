package resources

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// ModifyPlan announces every migration the apply will start or cut over,
// plans the replacement of a FAILED or EXPIRED migration that was never cut
// over, keeps an import free of replacements, continues what an earlier
// apply left unfinished, and warns — by reading, never writing — when a new
// migration cannot work. It never returns an error for an existing
// migration: Terraform plans the configuration before every destroy, so an
// error here would block destroying it.
func (r *liveMigrationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		var state liveMigrationModel
		if req.State.Raw.IsNull() {
			return
		}
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		priv, diags := readMigrationPrivate(ctx, req.Private, &state)
		resp.Diagnostics.Append(diags...)
		switch status := state.Status.ValueString(); {
		case activeMigration(status) && priv.CutoverRequested:
			resp.Diagnostics.AddWarning("Live Migration Cutover Under Way", cutoverUnderWayDestroyMessage(state))
		case activeMigration(status):
			resp.Diagnostics.AddWarning("Active Live Migration Cannot Be Destroyed", activeDestroyMessage(state))
		}
		return
	}
	var plan liveMigrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if r.data != nil && !r.data.ConfigUnknown {
		r.data.atlasClient(&resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		// Terraform drops the warnings of the second plan of a replacement:
		// the first one, which sees the prior state, announces it. A
		// replacement that first plan could not see (-replace,
		// replace_triggered_by) cannot be announced, so it may not cut over.
		if plan.Cutover.ValueBool() && req.Private != nil {
			if raw, _ := req.Private.GetKey(ctx, privUnannouncedReplace); len(raw) > 0 {
				var old string
				_ = json.Unmarshal(raw, &old)
				resp.Diagnostics.AddAttributeError(path.Root("cutover"), "Replacement Would Cut Over Unannounced",
					fmt.Sprintf("This plan replaces migration %s (terraform apply -replace or replace_triggered_by) while cutover = true: the new migration would be "+
						"created and cut over in the same apply, and Terraform shows no warning for such a replacement. Nothing was started. "+
						"Set cutover = false for the replacement, then cut the new migration over in a later, reviewed change.", old))
				return
			}
		}
		if plan.Cutover.ValueBool() {
			resp.Diagnostics.AddWarning("Migration Will Be Cut Over In This Apply",
				"cutover = true on a new migration: the apply creates it, waits until it is ready and cuts over at once (the maintenance-window mode). "+
					"The application must stop writing to the source before the cutover; set cutover = false to cut over later in a reviewed change.")
		}
		r.warnAtPlan(ctx, &plan, resp)
		return
	}

	var state liveMigrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privUnannouncedReplace, nil)...)
	priv, diags := readMigrationPrivate(ctx, req.Private, &state)
	resp.Diagnostics.Append(diags...)
	status := state.Status.ValueString()
	cutOver := priv.CutoverRequested || status == client.MigrationComplete
	id, projectID := state.MigrationID.ValueString(), state.ProjectID.ValueString()

	// After an import the state knows neither source, destination nor the
	// options: writing them in the configuration records them.
	imported := state.Source.IsNull()
	if !imported {
		for _, name := range replacingSourceAttributes {
			p := path.Root("source").AtName(name)
			var planned, prior attr.Value
			resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, p, &planned)...)
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, p, &prior)...)
			if planned != nil && prior != nil && !planned.Equal(prior) {
				resp.RequiresReplace = append(resp.RequiresReplace, p)
			}
		}
		if !plan.Destination.Equal(state.Destination) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("destination"))
		}
		if !plan.DropDestinationData.Equal(state.DropDestinationData) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("drop_destination_data"))
		}
		if !plan.Sharding.Equal(state.Sharding) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("sharding"))
		}
	}
	// project_id and migration_host replace through their own plan
	// modifiers, whose verdict this method does not see.
	replaced := len(resp.RequiresReplace) > 0 || !plan.ProjectID.Equal(state.ProjectID) ||
		(!state.MigrationHost.IsNull() && !plan.MigrationHost.Equal(state.MigrationHost))

	if (status == client.MigrationFailed || status == client.MigrationExpired) && !replaced {
		if cutOver {
			// A cutover was requested: the application may already write
			// to the destination, which a new migration would overwrite.
			resp.Diagnostics.AddWarning("Live Migration "+titleStatus(status)+" After Its Cutover",
				fmt.Sprintf("Migration %s in project %s is %s after its cutover was requested (Atlas sends a failure's reason only by email to the project's owners). "+
					"Check the destination cluster before sending writes to it. The provider does not start a new migration on its own: the application may already "+
					"write to the destination, which a new migration would overwrite. To start one, run terraform apply -replace on this resource.", id, projectID, status))
			return
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
		what := "FAILED: Atlas stopped it because of an error, whose reason it sends only by email to the project's owners"
		if status == client.MigrationExpired {
			what = "EXPIRED: it was not cut over within the 120-hour cutover window, so Atlas stopped syncing (nothing was rolled back on the destination)"
		}
		next := "The new migration waits for a cutover: set cutover = true in a reviewed change when the application can stop writing."
		if plan.Cutover.ValueBool() {
			next = "cutover is true, so the new migration will be cut over as soon as it is ready: the application must stop writing to the source first, or set cutover = false."
		}
		resp.Diagnostics.AddWarning("Live Migration "+titleStatus(status)+": A New One Is Planned",
			fmt.Sprintf("Migration %s in project %s is %s. This plan replaces it with a new migration (validated and created again); the old record stays in Atlas. %s",
				id, projectID, what, next))
		return
	}
	if replaced {
		if plan.Cutover.ValueBool() {
			over := ""
			if cutOver {
				over = fmt.Sprintf(" Migration %s was cut over: the application writes to the destination cluster, and the new migration copies the source over it.", id)
			}
			resp.Diagnostics.AddWarning("New Migration Will Be Cut Over In This Apply",
				fmt.Sprintf("This plan replaces migration %s in project %s with a new migration, and cutover = true: the apply creates the new migration, "+
					"waits until it is ready and cuts it over at once.%s Set cutover = false to start the new migration without cutting it over, "+
					"then cut it over in a later, reviewed change.", id, projectID, over))
		}
		if activeMigration(status) {
			resp.Diagnostics.AddWarning("Replacing An Active Live Migration Will Fail",
				"This change starts a new migration, which first destroys the current one; but "+activeDestroyMessage(state))
		}
		return
	}

	// The same migration from here on. Should Terraform replace it all the
	// same (-replace), the second plan learns that this one announced
	// nothing.
	if plan.Cutover.ValueBool() {
		raw, _ := json.Marshal(id)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privUnannouncedReplace, raw)...)
	}
	if cutOver && !plan.Cutover.IsUnknown() && !plan.Cutover.ValueBool() {
		switch {
		case state.Cutover.ValueBool():
			resp.Diagnostics.AddAttributeWarning(path.Root("cutover"), "Cutover Cannot Be Undone",
				fmt.Sprintf("Migration %s in project %s has been cut over, and a cutover cannot be undone: this plan changes cutover to false in the state only. "+
					"The apply sends nothing to Atlas, the migration stays cut over, and no new migration is started. "+
					"Keep cutover = true to keep the configuration true to Atlas; to migrate again, change the destination (a new migration is planned) "+
					"or declare a new atlasmig_live_migration. A destroy, or removing the resource, is never refused for this.", id, projectID))
		case activeMigration(status):
			resp.Diagnostics.AddWarning("Live Migration Cutover Under Way",
				fmt.Sprintf("Migration %s in project %s is being cut over: its cutover was requested %s, and Atlas reports %s, no longer ready for cutover and "+
					"without replication lag: it is stopping replication after the cutover. The application must now use the destination cluster. "+
					"This plan sends nothing to Atlas for it, and it cannot be destroyed until Atlas reports COMPLETE (Atlas has no API to cancel a migration). "+
					"Setting cutover = true records the cutover: that apply waits for COMPLETE and sends nothing.",
					id, projectID, requestedBy(priv), orDefault(status, "no status")))
		}
		// A COMPLETE migration cut over elsewhere while the configuration
		// keeps cutover = false is the atlasmig_cutover action's documented
		// workflow, which Atlas cannot tell from the Atlas UI's: the state
		// records COMPLETE, and nothing is said.
		return
	}
	continueWith := func(summary, detail string) {
		for _, name := range []string{"status", "ready_for_cutover", "lag_time_seconds"} {
			var v attr.Value = types.StringUnknown()
			switch name {
			case "ready_for_cutover":
				v = types.BoolUnknown()
			case "lag_time_seconds":
				v = types.Int64Unknown()
			}
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
		}
		resp.Diagnostics.AddWarning(summary, detail)
	}
	switch {
	case cutOver && activeMigration(status) && plan.Cutover.ValueBool():
		continueWith("Live Migration Cutover Still Completing",
			fmt.Sprintf("The cutover of migration %s in project %s was requested %s, and Atlas reports %s: it is stopping replication after the cutover. "+
				"The apply waits for COMPLETE (bounded by timeouts.update); it sends no request and starts nothing.", id, projectID, requestedBy(priv), orDefault(status, "no status")))
	case !cutOver && state.Cutover.ValueBool() && plan.Cutover.ValueBool() && activeMigration(status):
		continueWith("Migration Will Be Cut Over In This Apply",
			fmt.Sprintf("Migration %s in project %s was created with cutover = true, and the apply that created it stopped before the cutover (Atlas reports %s). "+
				"This apply continues: it waits until the migration is ready and cuts it over. The application must stop writing to the source first; "+
				"set cutover = false to cut over later in a reviewed change.", id, projectID, orDefault(status, "no status")))
	case priv.Starting && (status == client.MigrationNew || status == ""):
		continueWith("Live Migration Still Starting",
			fmt.Sprintf("Migration %s in project %s was created and Atlas reports %s: the apply continues waiting for it to start, and starts nothing new.",
				id, projectID, orDefault(status, "no status")))
	}
}

// requestedBy says who requested a cutover, as far as the provider knows.
func requestedBy(priv migrationPrivate) string {
	if priv.CutoverElsewhere {
		return "outside this configuration (the Atlas UI, the atlasmig_cutover action, another workspace)"
	}
	return "by an earlier apply"
}
