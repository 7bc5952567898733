package migration

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
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
	atlas := r.data.AtlasClient(&resp.Diagnostics)
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
	sched := r.data.PollingSettings()

	if !checkBeforeStart(createCtx, r.data, atlas, &plan, &resp.Diagnostics) {
		return
	}
	validationID, ok := validateMigration(ctx, createCtx, atlas, sched, projectID, body, &resp.Diagnostics)
	if !ok {
		return
	}
	plan.ValidationID = types.StringValue(validationID)
	mig := requestStart(createCtx, atlas, projectID, body, &resp.Diagnostics)
	if mig == nil {
		return
	}
	started := &startedMigration{plan: &plan, priv: migrationPrivate{Starting: true}, resp: resp}
	started.follow(ctx, createCtx, atlas, sched, mig)
}

// checkBeforeStart runs the same checks as at plan time, now refusing:
// nothing is started for a migration that cannot work.
func checkBeforeStart(ctx context.Context, data *shared.ProviderData, atlas *client.Atlas, plan *liveMigrationModel, diags *diag.Diagnostics) bool {
	projectID := plan.ProjectID.ValueString()
	in, _ := inputsOf(ctx, plan)
	problems, _, err := checkMigration(ctx, data, atlas, in)
	if err != nil {
		addMigrationAPIError(diags, "check the migration against what Atlas exposes through the link (project "+projectID+")", "project", err)
		return false
	}
	for _, p := range problems {
		diags.AddAttributeError(p.at, "Live Migration Cannot Work", p.text+"\n\nNothing was started in Atlas.")
	}
	return !diags.HasError()
}

// validateMigration asks Atlas to validate the migration and waits for the
// verdict; it returns the validation's id when Atlas accepted it.
func validateMigration(ctx, createCtx context.Context, atlas *client.Atlas, sched shared.Polling, projectID string, body client.MigrationRequest, diags *diag.Diagnostics) (string, bool) {
	validation, err := atlas.ValidateMigration(createCtx, projectID, body)
	if err != nil && client.IsUncertain(err) && createCtx.Err() == nil {
		// A validation starts nothing: when its answer is lost, asking
		// again is safe, and simpler than finding the lost one.
		tflog.Warn(ctx, "validation answer lost; validating again", map[string]any{"project_id": projectID})
		validation, err = atlas.ValidateMigration(createCtx, projectID, body)
	}
	if err != nil {
		addMigrationAPIError(diags, "validate the migration in project "+projectID, "project", err)
		return "", false
	}
	if validation.Status != client.ValidationSuccess && validation.Status != client.ValidationFailed {
		err = shared.Poll(createCtx, sched, validationPace(), "validation "+validation.ID, false, nil, func() (bool, shared.Sighting, error) {
			v, err := atlas.GetValidation(createCtx, projectID, validation.ID)
			if err != nil {
				return false, shared.Sighting{}, err
			}
			validation = v
			return v.Status == client.ValidationSuccess || v.Status == client.ValidationFailed, shared.SawStatus(v.Status), nil
		})
		if err != nil {
			shared.AddAPIError(diags, shared.AtlasSide, "wait for validation "+validation.ID+" of the migration in project "+projectID+" (nothing was started)", err)
			return "", false
		}
	}
	if validation.Status == client.ValidationFailed {
		reason := "Atlas gave no reason."
		if validation.ErrorMessage != nil && *validation.ErrorMessage != "" {
			reason = "Atlas's reason: " + *validation.ErrorMessage
		}
		diags.AddError("Live Migration Validation Failed",
			fmt.Sprintf("Atlas validated the migration into project %s and refused it (validation %s). Nothing was started.\n\n%s\n\n"+
				"Correct the configuration, the migration host or the clusters, then run terraform apply again.", projectID, validation.ID, reason))
		return "", false
	}
	return validation.ID, true
}

// requestStart sends the request that starts the migration; it returns
// nil, with the reason in diags, when Atlas did not start it or its answer
// was lost.
func requestStart(ctx context.Context, atlas *client.Atlas, projectID string, body client.MigrationRequest, diags *diag.Diagnostics) *client.Migration {
	mig, err := atlas.CreateMigration(ctx, projectID, body)
	if err != nil {
		if client.IsUncertain(err) {
			diags.AddError("Live Migration May Have Been Started",
				fmt.Sprintf("The request that starts the migration reached Atlas, but its answer was lost (%s). Atlas may have started it; "+
					"the provider does not send the request again, because Atlas has no API that lists migrations to check for a duplicate.\n\n"+
					"Find the migration in the Atlas UI (project %s, the cluster %s: its migration status shows the migration id), then import it:\n\n  %s\n\n"+
					"If no migration was started, run terraform apply again: if one was, Atlas's validation reports its migration host %s as busy, so no duplicate is started.",
					err, projectID, body.Destination.ClusterName, importCommand(projectID, "<migration_id>"), body.MigrationHosts[0]))
			return nil
		}
		shared.AddAPIError(diags, shared.AtlasSide, "start the migration in project "+projectID, err)
		return nil
	}
	return mig
}

// startedMigration is a migration Create started: the state and the private
// state it is saved with after every step, so that nothing is orphaned.
type startedMigration struct {
	plan *liveMigrationModel
	priv migrationPrivate
	resp *resource.CreateResponse
}

func (s *startedMigration) save(ctx context.Context) {
	s.resp.Diagnostics.Append(s.resp.State.Set(ctx, s.plan)...)
	s.resp.Diagnostics.Append(writeMigrationPrivate(ctx, s.resp.Private, s.priv)...)
	// The planned private state came with the plan; the object in
	// the state was not planned from a prior one.
	s.resp.Diagnostics.Append(s.resp.Private.SetKey(ctx, privPlannedFrom, nil)...)
}

// follow saves the migration Atlas started, waits until it has left NEW and,
// with cutover = true, cuts it over. What is left undone is recorded, and an
// apply after terraform untaint continues.
func (s *startedMigration) follow(ctx, createCtx context.Context, atlas *client.Atlas, sched shared.Polling, mig *client.Migration) {
	plan, resp := s.plan, s.resp
	projectID := plan.ProjectID.ValueString()
	plan.MigrationID = types.StringValue(mig.ID)
	plan.ID = types.StringValue(projectID + "/" + mig.ID)
	plan.apply(mig)
	s.save(ctx)
	resp.Diagnostics.Append(setMigrationIdentity(ctx, resp.Identity, plan.ProjectID, plan.MigrationID)...)
	tflog.Info(ctx, "live migration started", map[string]any{"project_id": projectID, "migration_id": mig.ID})

	if mig.Status == client.MigrationNew || mig.Status == "" {
		var err error
		mig, err = awaitStart(createCtx, atlas, sched, projectID, mig.ID, mig)
		plan.apply(mig)
		if err != nil {
			s.save(ctx)
			summary, detail := describeWait("migration "+mig.ID+" to start", "timeouts.create", mig, err)
			next := "It has not started yet, and the apply stopped waiting for it."
			if plan.Cutover.ValueBool() {
				next += " Its cutover (cutover = true) was not requested."
			}
			resp.Diagnostics.AddError(summary, detail+"\n\n"+keptAfterCreate(mig.ID, projectID, next))
			return
		}
	}
	s.priv.Starting = false
	s.save(ctx)
	if mig.Status == client.MigrationFailed || mig.Status == client.MigrationExpired {
		resp.Diagnostics.AddError("Live Migration "+titleStatus(mig.Status),
			fmt.Sprintf("Migration %s in project %s was started and is now %s (Atlas sends the reason only by email to the project's owners). "+
				"It is saved in state as tainted: the next terraform apply validates and starts a new one.", mig.ID, projectID, mig.Status))
		return
	}
	if plan.Cutover.ValueBool() {
		s.cutOver(ctx, atlas, sched, mig)
	}
}

// cutOver cuts over the migration Create started with cutover = true.
func (s *startedMigration) cutOver(ctx context.Context, atlas *client.Atlas, sched shared.Polling, mig *client.Migration) {
	plan, resp := s.plan, s.resp
	projectID := plan.ProjectID.ValueString()
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
			s.save(ctx)
		},
		requested:    func() { s.priv.CutoverRequested = true },
		advice:       createAdvice(mig.ID, projectID),
		afterFailure: ownCutoverKept,
	}
	run.run(cutCtx, mig)
}

// createAdvice ends the errors of a create that started migration id and
// then failed to cut it over.
func createAdvice(id, projectID string) func(cutoverRequest) string {
	return func(r cutoverRequest) string {
		switch r {
		case requested:
			return keptAfterCreate(id, projectID, "Its cutover was requested and Atlas accepted it, but it is not COMPLETE yet: the application must now use the destination cluster.")
		case requestUnknown:
			return keptAfterCreate(id, projectID, "Its cutover was requested, but whether Atlas accepted it is unknown: until Atlas reports the migration's status, treat the cutover as under way.")
		}
		return keptAfterCreate(id, projectID, "Its cutover was not requested.")
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
