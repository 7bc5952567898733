package resources

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

var (
	_ action.Action                   = (*cutoverAction)(nil)
	_ action.ActionWithConfigure      = (*cutoverAction)(nil)
	_ action.ActionWithValidateConfig = (*cutoverAction)(nil)
	_ action.ActionWithModifyPlan     = (*cutoverAction)(nil)
)

// NewCutoverAction returns the atlasmig_cutover action (Terraform 1.14 and
// later): the cutover of a live migration as an operation run on purpose,
// with progress shown in Terraform's own output while it waits.
func NewCutoverAction() action.Action { return &cutoverAction{} }

type cutoverAction struct {
	data *ProviderData
}

type cutoverActionModel struct {
	ProjectID   types.String `tfsdk:"project_id"`
	MigrationID types.String `tfsdk:"migration_id"`
	Timeout     types.String `tfsdk:"timeout"`
}

func (a *cutoverAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cutover"
}

func (a *cutoverAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cuts a live migration over (Terraform 1.14 or later): run it on purpose with " +
			"`terraform apply -invoke=action.atlasmig_cutover.<name>`. It waits until Atlas reports the migration ready for cutover " +
			"(bounded by `timeout`), asks Atlas to cut over **once**, and waits for `COMPLETE`, reporting the status, `readyForCutover` " +
			"and `lagTimeSeconds` at every poll. **Irreversible**: stop the application's writes to the source first.\n\n" +
			"Safe to run again: a `COMPLETE` migration succeeds at once and sends nothing; one whose cutover is already under way is only " +
			"awaited, since a cutover is requested only while Atlas reports `readyForCutover = true`; a `FAILED` or `EXPIRED` migration, " +
			"or one Atlas does not know, fails with the reason. When the answer to the cutover request is lost, the migration is read " +
			"back before anything else is sent.",
		Attributes: map[string]schema.Attribute{
			"project_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the destination Atlas project (the `groupId`): 24 lowercase hexadecimal characters.",
				Validators:          []validator.String{idValidator("an Atlas project id")},
			},
			"migration_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the migration, such as `atlasmig_live_migration.<name>.migration_id`: 24 lowercase hexadecimal characters.",
				Validators:          []validator.String{idValidator("a migration id")},
			},
			"timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long the whole cutover may take: waiting until the migration is ready, the cutover request, "+
					"and waiting for `COMPLETE`. A duration such as `30m` or `48h` (default `%s`, like the resource's `timeouts.update`).", shortDuration(cutoverActionDefaultTimeout)),
			},
		},
	}
}

// cutoverActionDefaultTimeout matches the resource's update timeout, which
// bounds the same cutover.
const cutoverActionDefaultTimeout = liveMigrationUpdateTimeout

func (a *cutoverAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the timeout at plan time, whenever it is known.
func (a *cutoverAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var cfg cutoverActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.Timeout.IsNull() || cfg.Timeout.IsUnknown() {
		return
	}
	if _, err := parseActionTimeout(cfg.Timeout.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("timeout"), "Invalid Timeout", err.Error())
	}
}

// shortDuration writes 24h rather than 24h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ModifyPlan reads the migration, when its ids are known, so that a plan
// fails for a migration that cannot be cut over (FAILED, EXPIRED, unknown
// to Atlas) before anything runs. It only reads.
func (a *cutoverAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var cfg cutoverActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || a.data == nil || a.data.ConfigUnknown || a.data.Atlas == nil ||
		cfg.ProjectID.IsUnknown() || cfg.ProjectID.IsNull() || cfg.MigrationID.IsUnknown() || cfg.MigrationID.IsNull() {
		return
	}
	projectID, id := cfg.ProjectID.ValueString(), cfg.MigrationID.ValueString()
	mig, err := a.data.Atlas.GetMigration(ctx, projectID, id)
	switch {
	case client.IsNotFound(err):
		addMigrationAPIError(&resp.Diagnostics, "read migration "+id+" in project "+projectID+" to plan its cutover", "migration", err)
	case err != nil:
		summary, detail := describeAPIError(atlasSide, "read migration "+id+" in project "+projectID+" to plan its cutover", err)
		resp.Diagnostics.AddWarning(summary, detail+"\n\nThe plan goes on; the invocation reads the migration again before anything is sent.")
	default:
		endedBeforeCutover(mig, id, projectID, &resp.Diagnostics)
	}
}

func parseActionTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("timeout must be a positive duration such as \"30m\" or \"48h\" (units: s, m, h); got %q", s)
	}
	return d, nil
}

func (a *cutoverAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg cutoverActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	atlas := a.data.atlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout := cutoverActionDefaultTimeout
	if !cfg.Timeout.IsNull() {
		d, err := parseActionTimeout(cfg.Timeout.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("timeout"), "Invalid Timeout", err.Error())
			return
		}
		timeout = d
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	runCutover(ctx, atlas, a.data.polling(), cfg.ProjectID.ValueString(), cfg.MigrationID.ValueString(), progress, &resp.Diagnostics)
}

// cutUnderWay is how Atlas shows a migration whose cutover was accepted but
// has not finished: WORKING ("stopping replication after the cutover"), no
// longer ready, and no lag, which Atlas reports only before the cutover.
func cutUnderWay(m *client.Migration) bool {
	return m.Status == client.MigrationWorking && !m.ReadyForCutover && m.LagTimeSeconds == nil
}

// runCutover is the action's whole sequence: read, wait until ready, one
// cutover request, wait for COMPLETE, telling progress what it sees. It
// sends the cutover only after a read that reports readyForCutover, so
// running it again never cuts over twice.
//
// The steps repeat those of the resource's cutover (liveMigrationResource.
// cutover) with the same client calls and poll helper; the resource also
// records each step in its state, which an action has none of.
func runCutover(ctx context.Context, atlas *client.Atlas, sched Polling, projectID, id string, progress func(string), diags *diag.Diagnostics) {
	name := "migration " + id + " in project " + projectID
	rerun := "Invoke the action again to keep waiting (raise timeout if the migration is only slow): it requests a cutover only while Atlas reports the migration ready for cutover, so it never cuts over twice."
	mig, err := atlas.GetMigration(ctx, projectID, id)
	if err != nil {
		addMigrationAPIError(diags, "read "+name+" (nothing was sent)", "migration", err)
		return
	}
	progress("Migration " + id + ": " + describeMigration(mig))
	if endedBeforeCutover(mig, id, projectID, diags) {
		return
	}
	if mig.Status == client.MigrationComplete {
		progress("Migration " + id + " is already COMPLETE: it was cut over earlier. Nothing to do, no cutover sent.")
		return
	}
	if !mig.ReadyForCutover {
		if cutUnderWay(mig) {
			progress("Not ready for cutover and no lag reported: the migration is still preparing, or its cutover is already under way. " +
				"Waiting; a cutover is requested only once Atlas reports it ready.")
		} else {
			progress("Waiting until Atlas reports the migration ready for cutover.")
		}
		seen := sawMigration(mig)
		err = poll(ctx, sched, readinessPace(), "migration "+id+" to be ready for cutover", false, &seen, func() (bool, sighting, error) {
			got, err := atlas.GetMigration(ctx, projectID, id)
			if err != nil {
				return false, sighting{}, err
			}
			mig = got
			progress(describeMigration(got))
			switch got.Status {
			case client.MigrationFailed, client.MigrationExpired, client.MigrationComplete:
				return true, sawMigration(got), nil
			}
			return got.ReadyForCutover, sawMigration(got), nil
		})
		if err != nil {
			summary, detail := describeAPIError(atlasSide, "wait for "+name+" to be ready for cutover (the cutover was not requested)", err)
			diags.AddError(summary, detail+"\n\n"+rerun)
			return
		}
		if endedBeforeCutover(mig, id, projectID, diags) {
			return
		}
		if mig.Status == client.MigrationComplete {
			progress("Migration " + id + " is COMPLETE without a cutover from this run: it had been cut over earlier. No cutover sent.")
			return
		}
	}

	progress("Ready for cutover: requesting the cutover (once).")
	if err := atlas.Cutover(ctx, projectID, id); err != nil {
		// A lost answer, or a refusal of a cutover that may already have
		// happened: Atlas's own view decides, never a blind second request.
		got, readErr := atlas.GetMigration(ctx, projectID, id)
		switch {
		case readErr != nil:
			_, detail := describeAPIError(atlasSide, "cut over "+name, err)
			diags.AddError("Cutover Outcome Unknown",
				fmt.Sprintf("%s\n\nThe migration could not be read back afterwards (%v), so whether Atlas cut it over is unknown. "+
					"Check its status (the atlasmig_live_migration data source or the Atlas UI). %s", detail, readErr, rerun))
			return
		case got.Status == client.MigrationComplete || cutUnderWay(got):
			tflog.Info(ctx, "cutover accepted though its answer was an error", map[string]any{"migration_id": id})
			progress("The answer to the cutover request was lost, but Atlas reports the cutover under way: " + describeMigration(got))
		case client.IsUncertain(err) && got.ReadyForCutover:
			// Read back and still ready: the request was not processed.
			progress("The answer to the cutover request was lost and Atlas still reports the migration ready, so the request was not processed: requesting the cutover again.")
			if err := atlas.Cutover(ctx, projectID, id); err != nil {
				addAPIError(diags, atlasSide, "cut over "+name, err)
				return
			}
		default:
			addAPIError(diags, atlasSide, "cut over "+name, err)
			return
		}
		mig = got
	}
	tflog.Info(ctx, "cutover requested", map[string]any{"project_id": projectID, "migration_id": id})
	progress("Cutover requested. Waiting for COMPLETE; the application must now use the destination cluster.")
	if mig.Status != client.MigrationComplete {
		err = poll(ctx, sched, completePace(), "migration "+id+" to complete", false, nil, func() (bool, sighting, error) {
			got, err := atlas.GetMigration(ctx, projectID, id)
			if err != nil {
				return false, sighting{}, err
			}
			mig = got
			progress(describeMigration(got))
			return got.Status == client.MigrationComplete || got.Status == client.MigrationFailed || got.Status == client.MigrationExpired, sawMigration(got), nil
		})
		if err != nil {
			summary, detail := describeAPIError(atlasSide, "wait for "+name+" to complete after its cutover", err)
			diags.AddError(summary, detail+"\n\nThe cutover was requested: the application must now use the destination cluster. "+rerun)
			return
		}
	}
	if mig.Status == client.MigrationFailed || mig.Status == client.MigrationExpired {
		diags.AddError("Live Migration "+titleStatus(mig.Status)+" After Cutover",
			fmt.Sprintf("Migration %s in project %s is %s after its cutover was requested (Atlas sends a failure's reason only by email to the project's owners). "+
				"Check the destination cluster before sending writes to it.", id, projectID, mig.Status))
		return
	}
	progress("Migration " + id + " is COMPLETE: cut over.")
}

// endedBeforeCutover reports a FAILED or EXPIRED migration, which cannot be
// cut over, in the resource's words.
func endedBeforeCutover(m *client.Migration, id, projectID string, diags *diag.Diagnostics) bool {
	var why string
	switch m.Status {
	case client.MigrationFailed:
		why = "FAILED: Atlas stopped it because of an error, whose reason it sends only by email to the project's owners"
	case client.MigrationExpired:
		why = "EXPIRED: it was not cut over within the 120-hour cutover window, so Atlas stopped syncing (nothing was rolled back on the destination)"
	default:
		return false
	}
	diags.AddError("Live Migration "+titleStatus(m.Status),
		fmt.Sprintf("Migration %s in project %s is %s. It cannot be cut over, and nothing was sent. Start a new migration: the atlasmig_live_migration resource "+
			"that manages it plans a replacement on its next plan.", id, projectID, why))
	return true
}
