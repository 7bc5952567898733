package migration

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// ownCutoverKept ends the error for a migration that failed after the
// resource requested its cutover.
const ownCutoverKept = " The provider never replaces a migration whose cutover was requested on its own."

// Update cuts over when the plan asks for it (cutover going from false to
// true, or a create that stopped before its cutover), continues the waits
// an earlier apply left unfinished, and records every other change
// (timeouts, password_wo_version, configuration written after an import,
// cutover = false after a cutover) without an API call.
func (r *liveMigrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state liveMigrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setMigrationIdentity(ctx, resp.Identity, state.ProjectID, state.MigrationID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	priv, diags := readMigrationPrivate(ctx, req.Private, &state)
	resp.Diagnostics.Append(diags...)
	plan.ID, plan.MigrationID, plan.ValidationID = state.ID, state.MigrationID, state.ValidationID
	plan.Status, plan.ReadyForCutover, plan.LagTimeSeconds, plan.MigrationHosts = state.Status, state.ReadyForCutover, state.LagTimeSeconds, state.MigrationHosts
	status := state.Status.ValueString()
	projectID, id := state.ProjectID.ValueString(), state.MigrationID.ValueString()
	save := func(m *client.Migration) {
		if m != nil {
			plan.apply(m)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(writeMigrationPrivate(ctx, resp.Private, priv)...)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privPlannedFrom, nil)...)
	}
	cutOver := priv.CutoverRequested || status == client.MigrationComplete
	waitsComplete := cutOver && plan.Cutover.ValueBool() && activeMigration(status)
	waitsStart := !cutOver && !plan.Cutover.ValueBool() && priv.Starting && (status == client.MigrationNew || status == "")
	if cutOver {
		priv.CutoverRequested = true
		if !plan.Cutover.ValueBool() && state.Cutover.ValueBool() {
			resp.Diagnostics.AddAttributeWarning(path.Root("cutover"), "Cutover Cannot Be Undone",
				fmt.Sprintf("Migration %s in project %s stays cut over: cutover = false is recorded in the state only, nothing was sent to Atlas.", id, projectID))
		}
	}
	if (cutOver || !plan.Cutover.ValueBool()) && !waitsComplete && !waitsStart {
		save(nil)
		return
	}
	atlas := r.data.AtlasClient(&resp.Diagnostics)
	timeout, diags := plan.Timeouts.Update(ctx, liveMigrationUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run := cutover{
		atlas: atlas, sched: r.data.PollingSettings(), projectID: projectID, id: id, diags: &resp.Diagnostics, timeout: "timeouts.update",
		save: save,
		requested: func() {
			priv.CutoverRequested = true
			plan.Cutover = types.BoolValue(true)
		},
		advice:       updateAdvice,
		afterFailure: ownCutoverKept,
	}
	switch {
	case waitsComplete:
		save(nil)
		run.awaitComplete(ctx, true)
	case waitsStart:
		save(nil)
		continueStart(ctx, run, &priv)
	default:
		// Until Atlas accepts the cutover, the state says it has not
		// happened, whatever fails first.
		plan.Cutover = types.BoolValue(false)
		save(nil)
		run.run(ctx, nil)
	}
}

// updateAdvice ends the error of an update whose cutover stopped short.
func updateAdvice(r cutoverRequest) string {
	if r == requested {
		return "The cutover was requested and is recorded (cutover = true): the application must now use the destination cluster. " +
			"Run terraform apply again to keep waiting for COMPLETE; it sends no other request."
	}
	return "Run terraform apply again to keep waiting (raise timeouts.update if the migration is only slow)."
}

// continueStart waits, as an earlier apply did, until the migration has
// left NEW, and saves what it read.
func continueStart(ctx context.Context, run cutover, priv *migrationPrivate) {
	mig, err := awaitStart(ctx, run.atlas, run.sched, run.projectID, run.id, nil)
	if err == nil {
		priv.Starting = false
	}
	run.save(mig)
	if err != nil {
		summary, detail := describeWait("migration "+run.id+" to start", "timeouts.update", mig, err)
		run.diags.AddError(summary, detail+"\n\nThe migration is kept in state; run terraform apply again to keep waiting.")
	}
}
