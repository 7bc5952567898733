package migration

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
		warnBeforeDestroy(ctx, req, resp)
		return
	}
	var plan liveMigrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if r.data != nil && !r.data.ConfigUnknown {
		r.data.AtlasClient(&resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		r.planNewMigration(ctx, req, &plan, resp)
		return
	}
	prior, ok := readPriorMigration(ctx, req, resp)
	if !ok {
		return
	}
	replaced := planReplacement(ctx, req, &plan, &prior.state, resp)
	switch {
	case (prior.status == client.MigrationFailed || prior.status == client.MigrationExpired) && !replaced:
		planAfterFailure(ctx, &plan, prior, resp)
	case replaced:
		warnReplacement(ctx, &plan, prior, resp)
	default:
		planSameMigration(ctx, &plan, prior, resp)
	}
}

// warnBeforeDestroy warns, in the plan of a destroy, that an active
// migration cannot be destroyed, or that its cutover is under way.
func warnBeforeDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
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
}

// planNewMigration plans a migration that has no prior state: a new one, or
// the second plan of a replacement.
func (r *liveMigrationResource) planNewMigration(ctx context.Context, req resource.ModifyPlanRequest, plan *liveMigrationModel, resp *resource.ModifyPlanResponse) {
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
	if r.refuseTaintedReplacement(ctx, req, plan, resp) {
		return
	}
	if plan.Cutover.ValueBool() {
		resp.Diagnostics.AddWarning("Migration Will Be Cut Over In This Apply",
			"cutover = true on a new migration: the apply creates it, waits until it is ready and cuts over at once (the maintenance-window mode). "+
				"The application must stop writing to the source before the cutover; set cutover = false to cut over later in a reviewed change.")
	}
	r.warnAtPlan(ctx, plan, resp)
}

// priorMigration is what the plan of an existing migration knows of it.
type priorMigration struct {
	state         liveMigrationModel
	priv          migrationPrivate
	status        string
	id, projectID string
	// cutOver: a cutover was requested, or Atlas reports COMPLETE.
	cutOver bool
}

// readPriorMigration reads the prior state and private state of an existing
// migration, and records in the plan's private state which migration the
// plan starts from.
func readPriorMigration(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) (priorMigration, bool) {
	var state liveMigrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return priorMigration{}, false
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privUnannouncedReplace, nil)...)
	from, _ := json.Marshal(state.MigrationID.ValueString())
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privPlannedFrom, from)...)
	priv, diags := readMigrationPrivate(ctx, req.Private, &state)
	resp.Diagnostics.Append(diags...)
	status := state.Status.ValueString()
	return priorMigration{
		state: state, priv: priv, status: status,
		id: state.MigrationID.ValueString(), projectID: state.ProjectID.ValueString(),
		cutOver: priv.CutoverRequested || status == client.MigrationComplete,
	}, true
}

// planReplacement adds the changed attributes that replace the migration to
// the plan's RequiresReplace, and reports whether the plan replaces it.
func planReplacement(ctx context.Context, req resource.ModifyPlanRequest, plan, state *liveMigrationModel, resp *resource.ModifyPlanResponse) bool {
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
	return len(resp.RequiresReplace) > 0 || !plan.ProjectID.Equal(state.ProjectID) ||
		(!state.MigrationHost.IsNull() && !plan.MigrationHost.Equal(state.MigrationHost))
}

// planAfterFailure plans the replacement of a FAILED or EXPIRED migration
// that was never cut over, and only warns about one that was.
func planAfterFailure(ctx context.Context, plan *liveMigrationModel, prior priorMigration, resp *resource.ModifyPlanResponse) {
	status, id, projectID := prior.status, prior.id, prior.projectID
	if prior.cutOver {
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
}

// warnReplacement refuses a new migration into the cluster a migration was
// cut over into, and warns about a replacement that cuts over at once or
// that meets an active migration.
func warnReplacement(ctx context.Context, plan *liveMigrationModel, prior priorMigration, resp *resource.ModifyPlanResponse) {
	state, status, id, projectID, cutOver := prior.state, prior.status, prior.id, prior.projectID, prior.cutOver
	if cutOver && sameDestination(ctx, plan, &state) && !plansForDestroy() {
		resp.Diagnostics.AddAttributeError(path.Root("destination").AtName("cluster_name"), "New Migration Into A Cut-Over Cluster Refused",
			fmt.Sprintf("This change replaces migration %s, which was cut over (Atlas reports %s), with a new migration into the same destination: "+
				"cluster %s of project %s. The application now uses that cluster, and a new migration copies the source over it. Nothing was planned.\n\n"+
				"Undo the change to keep the migration as it is, or change the destination to migrate into another cluster. "+
				"To migrate into %s again on purpose, ask for the replacement by name, with the configuration the migration was started with:\n\n"+
				"  terraform apply -replace=atlasmig_live_migration.<name>\n\n"+
				"(the address is in the `with` line of this error). Terraform does not tell the provider that a replacement was asked for by name, "+
				"so a plan whose configuration change replaces this migration is refused even with -replace: to start the new migration with changed settings, "+
				"remove this one from the state first (terraform state rm; for a cut-over migration that is all a destroy does, and Atlas keeps its record), "+
				"then apply."+destroyNote,
				id, orDefault(status, "no status"), plan.destinationCluster(ctx), plan.ProjectID.ValueString(), plan.destinationCluster(ctx)))
		return
	}
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
}

// planSameMigration plans an existing migration kept as it is: a cutover
// set back to false, and an apply that continues what an earlier one left
// unfinished.
func planSameMigration(ctx context.Context, plan *liveMigrationModel, prior priorMigration, resp *resource.ModifyPlanResponse) {
	state, priv, status, id, projectID, cutOver := prior.state, prior.priv, prior.status, prior.id, prior.projectID, prior.cutOver
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
	continueApply(ctx, plan, prior, resp)
}

// continueApply marks the status and the readiness unknown, with a warning,
// when the apply continues what an earlier one left unfinished: a cutover
// still completing, a cutover not yet requested, a start still awaited.
func continueApply(ctx context.Context, plan *liveMigrationModel, prior priorMigration, resp *resource.ModifyPlanResponse) {
	state, priv, status, id, projectID, cutOver := prior.state, prior.priv, prior.status, prior.id, prior.projectID, prior.cutOver
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

// destroyNote ends a plan refusal: terraform destroy plans the configuration
// first, and the refusal does not apply to it (see plansForDestroy).
const destroyNote = "\n\nterraform destroy is not refused for this. Where the provider cannot tell that the plan is a destroy's " +
	"(other systems than Linux), run terraform destroy -refresh=false."

// sameDestination reports a plan whose migration goes into the cluster the
// prior one went into. After an import the prior cluster is not known: any
// cluster of the same project may be it.
func sameDestination(ctx context.Context, plan, state *liveMigrationModel) bool {
	cluster := plan.destinationCluster(ctx)
	if cluster == "" || plan.ProjectID.IsUnknown() || !plan.ProjectID.Equal(state.ProjectID) {
		return false
	}
	prior := state.destinationCluster(ctx)
	return prior == "" || prior == cluster
}

// refuseTaintedReplacement refuses a create, planned without a prior state,
// into a destination cluster for which this provider process has just read
// a healthy migration: the replacement of a tainted object, whose create
// ended with an error after Atlas had started the migration.
func (r *liveMigrationResource) refuseTaintedReplacement(ctx context.Context, req resource.ModifyPlanRequest, plan *liveMigrationModel, resp *resource.ModifyPlanResponse) bool {
	if req.Private != nil {
		if from, _ := req.Private.GetKey(ctx, privPlannedFrom); len(from) > 0 {
			// The first plan of this replacement saw the migration it
			// replaces and judged it.
			return false
		}
	}
	cluster := plan.destinationCluster(ctx)
	if cluster == "" || plan.ProjectID.IsUnknown() {
		return false
	}
	projectID := plan.ProjectID.ValueString()
	seen := healthyMigrationsInto(r.data, projectID, cluster)
	if len(seen) == 0 || plansForDestroy() {
		return false
	}
	m := seen[0]
	why := fmt.Sprintf("which Atlas reports %s. The migration is healthy, and a second one into the same cluster would copy the source over it", orDefault(m.Status, "without status"))
	next := "The apply continues where the failed one stopped: it waits for the start and, with cutover = true, waits until the migration is ready and cuts it over. " +
		"It starts nothing new and sends no request twice."
	switch {
	case m.Status == client.MigrationFailed || m.Status == client.MigrationExpired:
		why = fmt.Sprintf("which is %s after its cutover was requested. The application may already write to the cluster, which a new migration would overwrite", m.Status)
		next = "The plan then warns and starts nothing; to start a new migration on purpose, run terraform apply -replace=atlasmig_live_migration.<name>."
	case m.Status == client.MigrationComplete:
		next = "Atlas reports it COMPLETE: the apply records it and sends nothing."
	case m.CutOver:
		next = "Its cutover was requested: the apply waits for COMPLETE and sends nothing."
	}
	resp.Diagnostics.AddAttributeError(path.Root("destination").AtName("cluster_name"), "Healthy Live Migration Would Be Replaced",
		fmt.Sprintf("Terraform plans to start a new migration into cluster %s of project %s in place of migration %s, %s. "+
			"The object in the state is tainted because the apply that started the migration ended with an error (or terraform taint marked it); "+
			"if instead another resource of this configuration manages that migration, one cluster takes one migration at a time. Nothing was planned.\n\n"+
			"Keep the migration: remove the taint, then apply again (the address is in the `with` line of this error; terraform state list shows it too).\n\n"+
			"  terraform untaint atlasmig_live_migration.<name>\n  terraform apply\n\n%s"+destroyNote,
			cluster, projectID, m.ID, why, next))
	return true
}
