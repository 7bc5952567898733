package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

var (
	_ resource.Resource                     = (*migrationLinkResource)(nil)
	_ resource.ResourceWithConfigure        = (*migrationLinkResource)(nil)
	_ resource.ResourceWithImportState      = (*migrationLinkResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*migrationLinkResource)(nil)
	_ resource.ResourceWithConfigValidators = (*migrationLinkResource)(nil)
)

// Default operation timeouts, shown in the schema's documentation.
const (
	migrationLinkCreateTimeout = 10 * time.Minute
	migrationLinkDeleteTimeout = 5 * time.Minute
)

// NewMigrationLinkResource returns the atlasmig_migration_link resource.
func NewMigrationLinkResource() resource.Resource { return &migrationLinkResource{} }

type migrationLinkResource struct {
	data *ProviderData
}

type migrationLinkModel struct {
	ID                 types.String   `tfsdk:"id"`
	OrgID              types.String   `tfsdk:"org_id"`
	LinkToken          types.String   `tfsdk:"link_token"`
	LinkTokenWO        types.String   `tfsdk:"link_token_wo"`
	LinkTokenWOVersion types.Int64    `tfsdk:"link_token_wo_version"`
	Status             types.String   `tfsdk:"status"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

func (r *migrationLinkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_migration_link"
}

func (r *migrationLinkResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Links a Cloud Manager or Ops Manager organization (the source) to Atlas with a link token, the first step of a push live migration. " +
			"Destroying it unlinks the organization, which stops it syncing with Atlas.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The source organization id; also the import id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"org_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the source Cloud Manager / Ops Manager organization: 24 lowercase hexadecimal characters. Changing it unlinks the old organization and links the new one.",
				Validators:          []validator.String{orgIDValidator("Cloud Manager / Ops Manager")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"link_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The link token, usually `atlasmig_link_token.<name>.link_token`. Stored in state (as a sensitive value); " +
					"use `link_token_wo` to keep it out of state. Exactly one of `link_token` and `link_token_wo` must be set. " +
					"Changing it re-links the organization; setting it after an import does not.",
				PlanModifiers: []planmodifier.String{replaceUnlessImported()},
				Validators:    []validator.String{linkTokenValidator{}},
			},
			"link_token_wo": schema.StringAttribute{
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{linkTokenValidator{}},
				MarkdownDescription: "The link token as a write-only argument (Terraform 1.11 or later): it is sent to the API and never stored in the plan or the state. " +
					"For tokens that come from another workspace or a secret store. Because Terraform cannot see a change of a write-only value, " +
					"bump `link_token_wo_version` to re-link with a new token.",
			},
			"link_token_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Any number; changing it re-links the organization with the current `link_token_wo`. Requires `link_token_wo`.",
				Validators: []validator.Int64{
					int64validator.AlsoRequires(path.MatchRoot("link_token_wo")),
				},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = !req.StateValue.IsNull()
					},
					"Changing the version re-links the organization, except right after an import.",
					"Changing the version re-links the organization, except right after an import.",
				)},
			},
			"status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The link status the source API reports: `SYNCED` when the organization is connected to Atlas, " +
					"`NOT_SYNCED` when it is not (for example after the Atlas side removed the token), or any other value the API returns.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Delete: true,
				CreateDescription: fmt.Sprintf("How long linking may take, including the wait for the status `SYNCED` and any retries (default `%s`).", migrationLinkCreateTimeout),
				DeleteDescription: fmt.Sprintf("How long unlinking may take, retries included (default `%s`).", migrationLinkDeleteTimeout),
			}),
		},
	}
}

func (r *migrationLinkResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("link_token"), path.MatchRoot("link_token_wo")),
	}
}

// replaceUnlessImported forces replacement when the token changes, except
// when the state has no token at all: after an import the API cannot tell
// which token the link uses, and setting it in configuration is not a change.
func replaceUnlessImported() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull()
		},
		"Changing the token re-links the organization, except right after an import.",
		"Changing the token re-links the organization, except right after an import.",
	)
}

func (r *migrationLinkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan reports missing Cloud/Ops Manager credentials at plan time.
func (r *migrationLinkResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.ConfigUnknown {
		return
	}
	r.data.opsManagerClient(&resp.Diagnostics)
}

func (r *migrationLinkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan migrationLinkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// The write-only token exists only in the configuration.
	var token types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("link_token_wo"), &token)...)
	om := r.data.opsManagerClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if token.IsNull() {
		token = plan.LinkToken
	}
	if token.ValueString() == "" {
		resp.Diagnostics.AddAttributeError(path.Root("link_token"), "Missing Link Token",
			"The link token is empty. Set link_token to atlasmig_link_token.<name>.link_token (or link_token_wo to a token from your secret store).")
		return
	}

	timeout, diags := plan.Timeouts.Create(ctx, migrationLinkCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	orgID := plan.OrgID.ValueString()
	plan.ID = types.StringValue(orgID)
	status, err := om.Link(ctx, orgID, token.ValueString())
	if err != nil {
		if client.IsConflict(err) {
			apiErr, _ := client.AsAPIError(err)
			resp.Diagnostics.AddError("Organization Already Linked",
				fmt.Sprintf("Organization %[1]s already has a migration link. To manage it with Terraform, import it:\n\n"+
					"  terraform import atlasmig_migration_link.<name> %[1]s\n\nor add an import block with id = %[2]q; "+
					"to replace it, unlink the organization first.\n\n%[3]s", orgID, orgID, apiAnswer(apiErr)))
			return
		}
		if !client.IsUncertain(err) {
			addAPIError(&resp.Diagnostics, opsManagerSide, "link organization "+orgID+" to Atlas", err)
			return
		}
		// The link may exist although its answer was lost: ask the API
		// rather than guess, so the organization is never left linked
		// without Terraform knowing.
		tflog.Warn(ctx, "link answer lost; reading the link status", map[string]any{"org_id": orgID})
		status, err = om.LinkStatus(ctx, orgID)
		if err != nil {
			if client.IsNotFound(err) {
				// The API says no link exists, so the interrupted request
				// was not processed and linking again cannot duplicate it.
				status, err = om.Link(ctx, orgID, token.ValueString())
			}
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, opsManagerSide, "link organization "+orgID+" to Atlas after an interrupted request", err)
			return
		}
	}

	if status != client.StatusSynced {
		status, err = waitForSynced(ctx, om, orgID, r.data.linkPoll())
		if err != nil {
			// The link exists: keep it in state (tainted) so nothing is
			// orphaned; the next apply unlinks and links again.
			plan.Status = types.StringValue(status)
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			resp.Diagnostics.AddError("Link Not Synced",
				fmt.Sprintf("Organization %s is linked, but its status did not become SYNCED (last status %q): %s. "+
					"The link is saved as tainted: check the source organization and Atlas, then run terraform apply again to re-link, "+
					"or raise timeouts.create if syncing is only slow.", orgID, status, err))
			return
		}
	}
	plan.Status = types.StringValue(status)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// waitForSynced polls the status until it is SYNCED or the context ends.
func waitForSynced(ctx context.Context, om *client.OpsManager, orgID string, poll LinkPoll) (string, error) {
	wait := poll.Interval
	last := ""
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return last, fmt.Errorf("gave up waiting: %w", ctx.Err())
		case <-timer.C:
		}
		status, err := om.LinkStatus(ctx, orgID)
		if err != nil && !client.IsNotFound(err) {
			return last, err
		}
		if err == nil {
			last = status
		}
		if status == client.StatusSynced {
			return status, nil
		}
		tflog.Debug(ctx, "waiting for the link to sync", map[string]any{"org_id": orgID, "status": status})
		wait = min(wait*2, poll.MaxInterval)
	}
}

func (r *migrationLinkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state migrationLinkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	om := r.data.opsManagerClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	orgID := state.OrgID.ValueString()
	status, err := om.LinkStatus(ctx, orgID)
	if err != nil {
		if client.IsNotFound(err) {
			tflog.Info(ctx, "link no longer exists; removing it from state", map[string]any{"org_id": orgID})
			resp.State.RemoveResource(ctx)
			return
		}
		addAPIError(&resp.Diagnostics, opsManagerSide, "read the link status of organization "+orgID, err)
		return
	}
	if status != client.StatusSynced {
		resp.Diagnostics.AddWarning("Migration Link Not Synced",
			fmt.Sprintf("The link of organization %s reports status %q: the organization is not syncing with Atlas, "+
				"for example because its link token was removed in Atlas. Create a new token and re-link "+
				"(terraform apply -replace on the token resource replaces both), or destroy the link.", orgID, status))
	}
	state.ID = types.StringValue(orgID)
	state.Status = types.StringValue(status)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update records changes that need no API call: a token set after an import,
// a new timeouts block. Every other change forces replacement.
func (r *migrationLinkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state migrationLinkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Status = state.Status
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *migrationLinkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state migrationLinkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	om := r.data.opsManagerClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, migrationLinkDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	orgID := state.OrgID.ValueString()
	if err := om.Unlink(ctx, orgID); err != nil {
		if client.IsNotFound(err) {
			tflog.Info(ctx, "link already removed", map[string]any{"org_id": orgID})
			return
		}
		addAPIError(&resp.Diagnostics, opsManagerSide, "unlink organization "+orgID+" from Atlas", err)
	}
}

// ImportState imports a link by its source organization id. The id is never
// echoed back in errors: a mistaken import id could be a pasted token.
func (r *migrationLinkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !validOrgID(req.ID) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import id must be the source organization id: 24 lowercase hexadecimal characters, such as 5f1b2c3d4e5f6a7b8c9d0e1f "+
				"(the value given has %d characters). For example: terraform import atlasmig_migration_link.<name> <org_id>", len(req.ID)))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("org_id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
