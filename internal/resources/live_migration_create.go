package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// Create checks the migration against what the link exposes, validates it,
// starts it and waits until it has left NEW, then, with cutover = true, cuts
// it over. Once Atlas has started it, whatever stops the apply short of what
// the configuration asks is an error, so the apply exits non-zero; the
// migration is saved first, with its id. Terraform then taints it, and the
// next plan refuses to replace a healthy one (refuseTaintedReplacement):
// after terraform untaint, the next apply continues it.
func (r *liveMigrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan liveMigrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var passwordWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("source").AtName("password_wo"), &passwordWO)...)
	atlas := r.data.atlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	body, diags := plan.request(ctx, passwordWO.ValueString())
	resp.Diagnostics.Append(diags...)
	createTimeout, diags := plan.Timeouts.Create(ctx, liveMigrationCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	createCtx, cancel := context.WithTimeout(ctx, createTimeout)
	defer cancel()
	projectID := plan.ProjectID.ValueString()
	sched := r.data.polling()

	// The same checks as at plan time, now refusing: nothing is started
	// for a migration that cannot work.
	in, _ := inputsOf(ctx, &plan)
	problems, _, err := checkMigration(createCtx, r.data, atlas, in)
	if err != nil {
		addMigrationAPIError(&resp.Diagnostics, "check the migration against what Atlas exposes through the link (project "+projectID+")", "project", err)
		return
	}
	for _, p := range problems {
		resp.Diagnostics.AddAttributeError(p.at, "Live Migration Cannot Work", p.text+"\n\nNothing was started in Atlas.")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	validation, err := atlas.ValidateMigration(createCtx, projectID, body)
	if err != nil && client.IsUncertain(err) && createCtx.Err() == nil {
		// A validation starts nothing: when its answer is lost, asking
		// again is safe, and simpler than finding the lost one.
		tflog.Warn(ctx, "validation answer lost; validating again", map[string]any{"project_id": projectID})
		validation, err = atlas.ValidateMigration(createCtx, projectID, body)
	}
	if err != nil {
		addMigrationAPIError(&resp.Diagnostics, "validate the migration in project "+projectID, "project", err)
		return
	}
	if validation.Status != client.ValidationSuccess && validation.Status != client.ValidationFailed {
		err = poll(createCtx, sched, validationPace(), "validation "+validation.ID, false, nil, func() (bool, sighting, error) {
			v, err := atlas.GetValidation(createCtx, projectID, validation.ID)
			if err != nil {
				return false, sighting{}, err
			}
			validation = v
			return v.Status == client.ValidationSuccess || v.Status == client.ValidationFailed, sawStatus(v.Status), nil
		})
		if err != nil {
			addAPIError(&resp.Diagnostics, atlasSide, "wait for validation "+validation.ID+" of the migration in project "+projectID+" (nothing was started)", err)
			return
		}
	}
	if validation.Status == client.ValidationFailed {
		reason := "Atlas gave no reason."
		if validation.ErrorMessage != nil && *validation.ErrorMessage != "" {
			reason = "Atlas's reason: " + *validation.ErrorMessage
		}
		resp.Diagnostics.AddError("Live Migration Validation Failed",
			fmt.Sprintf("Atlas validated the migration into project %s and refused it (validation %s). Nothing was started.\n\n%s\n\n"+
				"Correct the configuration, the migration host or the clusters, then run terraform apply again.", projectID, validation.ID, reason))
		return
	}
	plan.ValidationID = types.StringValue(validation.ID)

	mig, err := atlas.CreateMigration(createCtx, projectID, body)
	if err != nil {
		if client.IsUncertain(err) {
			resp.Diagnostics.AddError("Live Migration May Have Been Started",
				fmt.Sprintf("The request that starts the migration reached Atlas, but its answer was lost (%s). Atlas may have started it; "+
					"the provider does not send the request again, because Atlas has no API that lists migrations to check for a duplicate.\n\n"+
					"Find the migration in the Atlas UI (project %s, the cluster %s: its migration status shows the migration id), then import it:\n\n  %s\n\n"+
					"If no migration was started, run terraform apply again: if one was, Atlas's validation reports its migration host %s as busy, so no duplicate is started.",
					err, projectID, body.Destination.ClusterName, importCommand(projectID, "<migration_id>"), body.MigrationHosts[0]))
			return
		}
		addAPIError(&resp.Diagnostics, atlasSide, "start the migration in project "+projectID, err)
		return
	}
	// Saved at once: from here on, nothing is orphaned. What is left
	// undone is recorded, and an apply after terraform untaint continues.
	plan.MigrationID = types.StringValue(mig.ID)
	plan.ID = types.StringValue(projectID + "/" + mig.ID)
	plan.apply(mig)
	priv := migrationPrivate{Starting: true}
	save := func() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(writeMigrationPrivate(ctx, resp.Private, priv)...)
		// The planned private state came with the plan; the object in
		// the state was not planned from a prior one.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privPlannedFrom, nil)...)
	}
	save()
	resp.Diagnostics.Append(setMigrationIdentity(ctx, resp.Identity, plan.ProjectID, plan.MigrationID)...)
	tflog.Info(ctx, "live migration started", map[string]any{"project_id": projectID, "migration_id": mig.ID})
	kept := func(next string) string { return keptAfterCreate(mig.ID, projectID, next) }

	if mig.Status == client.MigrationNew || mig.Status == "" {
		mig, err = awaitStart(createCtx, atlas, sched, projectID, mig.ID, mig)
		plan.apply(mig)
		if err != nil {
			save()
			summary, detail := describeWait("migration "+mig.ID+" to start", "timeouts.create", mig, err)
			next := "It has not started yet, and the apply stopped waiting for it."
			if plan.Cutover.ValueBool() {
				next += " Its cutover (cutover = true) was not requested."
			}
			resp.Diagnostics.AddError(summary, detail+"\n\n"+kept(next))
			return
		}
	}
	priv.Starting = false
	save()
	if mig.Status == client.MigrationFailed || mig.Status == client.MigrationExpired {
		resp.Diagnostics.AddError("Live Migration "+titleStatus(mig.Status),
			fmt.Sprintf("Migration %s in project %s was started and is now %s (Atlas sends the reason only by email to the project's owners). "+
				"It is saved in state as tainted: the next terraform apply validates and starts a new one.", mig.ID, projectID, mig.Status))
		return
	}

	if plan.Cutover.ValueBool() {
		updateTimeout, diags := plan.Timeouts.Update(ctx, liveMigrationUpdateTimeout)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		cutCtx, cancelCut := context.WithTimeout(ctx, updateTimeout)
		defer cancelCut()
		// The state keeps cutover = true, as configured; whether Atlas
		// accepted the cutover is recorded in private state.
		run := cutover{
			atlas: atlas, sched: sched, projectID: projectID, id: mig.ID, diags: &resp.Diagnostics, timeout: "timeouts.update",
			save: func(m *client.Migration) {
				if m != nil {
					plan.apply(m)
				}
				save()
			},
			requested: func() { priv.CutoverRequested = true },
			advice: func(requested bool) string {
				if requested {
					return kept("Its cutover was requested and Atlas accepted it, but it is not COMPLETE yet: the application must now use the destination cluster.")
				}
				return kept("Its cutover was not requested.")
			},
			afterFailure: ownCutoverKept,
		}
		run.run(cutCtx, mig)
	}
}

// keptAfterCreate ends the error of a create that started migration id and
// then stopped short: what was done, what was not (next), and the way to
// continue without a second migration.
func keptAfterCreate(id, projectID, next string) string {
	return fmt.Sprintf("Migration %s was started in project %s and is saved in the state with its id; Terraform marks it tainted because this apply "+
		"ended with an error. %s\n\nThe provider refuses to replace a healthy migration: the next plan fails until the taint is removed. "+
		"To continue this migration, remove the taint and apply again (the address is in the `with` line of this error):\n\n"+
		"  terraform untaint atlasmig_live_migration.<name>\n  terraform apply\n\n"+
		"That apply continues from where this one stopped and starts no other migration.", id, projectID, next)
}
