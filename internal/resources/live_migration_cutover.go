package resources

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// cutoverRun is one cutover: wait until the migration is ready, ask for the
// cutover once, wait for COMPLETE, saving the state after each step so a
// failure leaves an accurate record.
type cutoverRun struct {
	atlas *client.Atlas
	m     *liveMigrationModel
	diags *diag.Diagnostics
	// save copies what Atlas said (when not nil) into m and saves the state.
	save func(*client.Migration)
	// requested is called once Atlas accepted the cutover.
	requested func()
	// advice tells what the next apply does, knowing whether the cutover
	// was requested.
	advice func(requested bool) string
	sched  Polling
}

// cutover runs the whole cutover. last is what was read last, so the wait
// does not read it again; it is nil when nothing was read.
func (c *cutoverRun) cutover(ctx context.Context, last *client.Migration) {
	atlas, m, diags := c.atlas, c.m, c.diags
	projectID, id := m.ProjectID.ValueString(), m.MigrationID.ValueString()
	mig := last
	read := func() (bool, sighting, error) {
		got, err := atlas.GetMigration(ctx, projectID, id)
		if err != nil {
			return false, sighting{}, err
		}
		mig = got
		if got.Status == client.MigrationFailed || got.Status == client.MigrationExpired {
			return true, sawMigration(got), nil
		}
		return got.ReadyForCutover || got.Status == client.MigrationComplete, sawMigration(got), nil
	}
	var err error
	if last == nil || !last.ReadyForCutover {
		var seen *sighting
		if last != nil {
			s := sawMigration(last)
			seen = &s
		}
		err = poll(ctx, c.sched, readinessPace(), "migration "+id+" to be ready for cutover", last == nil, seen, read)
	}
	if err != nil {
		c.save(mig)
		if errors.Is(err, context.DeadlineExceeded) && mig != nil {
			lag := "Atlas reports no lag yet"
			if mig.LagTimeSeconds != nil {
				lag = fmt.Sprintf("its replication lag is %d s", *mig.LagTimeSeconds)
			}
			diags.AddError("Live Migration Not Ready For Cutover Yet",
				fmt.Sprintf("Migration %s in project %s is not ready for cutover yet: Atlas reports %s, and %s. The wait ended when the operation's timeout ran out "+
					"(timeouts.update bounds the cutover); the cutover was not requested. Atlas sets readyForCutover once the destination is nearly in sync.\n\n%s",
					id, projectID, describeMigration(mig), lag, c.advice(false)))
			return
		}
		summary, detail := describeAPIError(atlasSide, "wait for migration "+id+" to be ready for cutover (the cutover was not requested)", err)
		diags.AddError(summary, detail+"\n\n"+c.advice(false))
		return
	}
	if mig.Status == client.MigrationFailed || mig.Status == client.MigrationExpired {
		c.save(mig)
		diags.AddError("Live Migration "+titleStatus(mig.Status),
			fmt.Sprintf("Migration %s in project %s is %s, so it cannot be cut over. The next plan replaces it with a new migration.", id, projectID, mig.Status))
		return
	}
	if mig.Status != client.MigrationComplete {
		if err := atlas.Cutover(ctx, projectID, id); err != nil {
			// A lost answer, or a refusal of a cutover that may already
			// have happened: Atlas's own view decides.
			got, readErr := atlas.GetMigration(ctx, projectID, id)
			switch {
			case readErr != nil:
				addAPIError(diags, atlasSide, "cut over migration "+id+" in project "+projectID, err)
				c.save(nil)
				return
			case client.IsUncertain(err) && got.ReadyForCutover:
				// Still ready: the request was not processed. Send it once more.
				if err := atlas.Cutover(ctx, projectID, id); err != nil {
					addAPIError(diags, atlasSide, "cut over migration "+id+" in project "+projectID, err)
					c.save(got)
					return
				}
			case got.Status == client.MigrationComplete || (got.Status == client.MigrationWorking && !got.ReadyForCutover && got.LagTimeSeconds == nil):
				tflog.Info(ctx, "cutover already under way", map[string]any{"migration_id": id})
			default:
				addAPIError(diags, atlasSide, "cut over migration "+id+" in project "+projectID, err)
				c.save(got)
				return
			}
			mig = got
		}
		tflog.Info(ctx, "cutover requested", map[string]any{"project_id": projectID, "migration_id": id})
	}
	c.requested()
	c.save(mig)
	if mig.Status == client.MigrationComplete {
		return
	}
	c.waitComplete(ctx, false)
}

// waitComplete waits for COMPLETE after the cutover was requested; with
// immediate, it reads the migration before the first wait.
func (c *cutoverRun) waitComplete(ctx context.Context, immediate bool) {
	projectID, id := c.m.ProjectID.ValueString(), c.m.MigrationID.ValueString()
	var mig *client.Migration
	err := poll(ctx, c.sched, completePace(), "migration "+id+" to complete", immediate, nil, func() (bool, sighting, error) {
		got, err := c.atlas.GetMigration(ctx, projectID, id)
		if err != nil {
			return false, sighting{}, err
		}
		mig = got
		return got.Status == client.MigrationComplete || got.Status == client.MigrationFailed || got.Status == client.MigrationExpired, sawMigration(got), nil
	})
	c.save(mig)
	if err != nil {
		summary, detail := describeWait("migration "+id+" to complete after its cutover", "timeouts.update", mig, err)
		c.diags.AddError(summary, detail+"\n\n"+c.advice(true))
		return
	}
	if mig.Status == client.MigrationFailed || mig.Status == client.MigrationExpired {
		c.diags.AddError("Live Migration "+titleStatus(mig.Status)+" After Cutover",
			fmt.Sprintf("Migration %s in project %s is %s after its cutover was requested (Atlas sends a failure's reason only by email to the project's owners). "+
				"Check the destination cluster before sending writes to it. The provider never replaces a migration whose cutover was requested on its own.", id, projectID, mig.Status))
	}
}

// describeWait explains a wait for a migration that did not end: when the
// operation's timeout ran out, the migration is simply not there yet, and
// the message says what Atlas reported last; any other failure is the API's.
func describeWait(what, timeout string, last *client.Migration, err error) (string, string) {
	if errors.Is(err, context.DeadlineExceeded) && last != nil {
		return "Live Migration Still In Progress",
			fmt.Sprintf("Gave up waiting for %s when %s ran out: Atlas last reported %s. Nothing is wrong with the migration or the API; it only needs more time.",
				what, timeout, describeMigration(last))
	}
	return describeAPIError(atlasSide, "wait for "+what, err)
}

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
	atlas := r.data.atlasClient(&resp.Diagnostics)
	timeout, diags := plan.Timeouts.Update(ctx, liveMigrationUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run := cutoverRun{
		atlas: atlas, m: &plan, diags: &resp.Diagnostics, save: save, sched: r.data.polling(),
		requested: func() {
			priv.CutoverRequested = true
			plan.Cutover = types.BoolValue(true)
		},
		advice: func(requested bool) string {
			if requested {
				return "The cutover was requested and is recorded (cutover = true): the application must now use the destination cluster. " +
					"Run terraform apply again to keep waiting for COMPLETE; it sends no other request."
			}
			return "Run terraform apply again to keep waiting (raise timeouts.update if the migration is only slow)."
		},
	}
	switch {
	case waitsComplete:
		save(nil)
		run.waitComplete(ctx, true)
	case waitsStart:
		save(nil)
		var mig *client.Migration
		err := poll(ctx, run.sched, readinessPace(), "migration "+id+" to start", true, nil, func() (bool, sighting, error) {
			m, err := atlas.GetMigration(ctx, projectID, id)
			if err != nil {
				return false, sighting{}, err
			}
			mig = m
			return started(m), sawMigration(m), nil
		})
		if err == nil {
			priv.Starting = false
		}
		save(mig)
		if err != nil {
			summary, detail := describeWait("migration "+id+" to start", "timeouts.update", mig, err)
			resp.Diagnostics.AddError(summary, detail+"\n\nThe migration is kept in state; run terraform apply again to keep waiting.")
		}
	default:
		// Until Atlas accepts the cutover, the state says it has not
		// happened, whatever fails first.
		plan.Cutover = types.BoolValue(false)
		save(nil)
		run.cutover(ctx, nil)
	}
}
