package migration

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

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
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
	data *shared.ProviderData
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
	a.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
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
	if !validActionIDs(cfg, &resp.Diagnostics) {
		return
	}
	projectID, id := cfg.ProjectID.ValueString(), cfg.MigrationID.ValueString()
	mig, err := a.data.Atlas.GetMigration(ctx, projectID, id)
	switch {
	case client.IsNotFound(err):
		addMigrationAPIError(&resp.Diagnostics, "read migration "+id+" in project "+projectID+" to plan its cutover", "migration", err)
	case err != nil:
		summary, detail := shared.DescribeAPIError(shared.AtlasSide, "read migration "+id+" in project "+projectID+" to plan its cutover", err)
		resp.Diagnostics.AddWarning(summary, detail+"\n\nThe plan goes on; the invocation reads the migration again before anything is sent.")
	default:
		endedBeforeCutover(mig, id, projectID, &resp.Diagnostics)
	}
}

// validActionIDs checks the ids the way the schema's validators do. Terraform
// validates an action's configuration before it knows values that come from
// variables or other objects, and does not validate it again once they are
// known: the plan and the invocation check again, so that a malformed id is
// never sent to Atlas.
func validActionIDs(cfg cutoverActionModel, diags *diag.Diagnostics) bool {
	ok := true
	for _, id := range []struct {
		name, what string
		value      types.String
	}{{"project_id", "an Atlas project id", cfg.ProjectID}, {"migration_id", "a migration id", cfg.MigrationID}} {
		if id.value.IsNull() || id.value.IsUnknown() || idPattern.MatchString(id.value.ValueString()) {
			continue
		}
		ok = false
		diags.AddAttributeError(path.Root(id.name), "Invalid Attribute Value Match",
			fmt.Sprintf("Attribute %s must be %s: 24 lowercase hexadecimal characters (for example 65a1b2c3d4e5f6a7b8c9d0e1), got: %q. Nothing was sent to Atlas.",
				id.name, id.what, id.value.ValueString()))
	}
	return ok
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
	atlas := a.data.AtlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() || !validActionIDs(cfg, &resp.Diagnostics) {
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
	run := actionCutover(atlas, a.data.PollingSettings(), cfg.ProjectID.ValueString(), cfg.MigrationID.ValueString(), &resp.Diagnostics)
	run.progress = progress
	run.run(ctx, nil)
}

// actionCutover is the cutover sequence as the action runs it: no state to
// record, and every failure is fixed by invoking the action again.
func actionCutover(atlas *client.Atlas, sched shared.Polling, projectID, id string, diags *diag.Diagnostics) *cutover {
	rerun := "Invoke the action again to keep waiting (raise timeout if the migration is only slow): it requests a cutover only while Atlas reports the migration ready for cutover, so it never cuts over twice."
	return &cutover{
		atlas: atlas, sched: sched, projectID: projectID, id: id, diags: diags, timeout: "the action's timeout",
		advice: func(r cutoverRequest) string {
			if r == requested {
				return "The cutover was requested: the application must now use the destination cluster. " + rerun
			}
			return rerun
		},
	}
}
