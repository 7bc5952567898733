package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

var (
	_ resource.Resource                = (*linkTokenResource)(nil)
	_ resource.ResourceWithConfigure   = (*linkTokenResource)(nil)
	_ resource.ResourceWithImportState = (*linkTokenResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*linkTokenResource)(nil)
)

// Default operation timeouts, shown in the schema's documentation.
const (
	linkTokenCreateTimeout = 5 * time.Minute
	linkTokenDeleteTimeout = 5 * time.Minute
)

// NewLinkTokenResource returns the atlasmig_link_token resource.
func NewLinkTokenResource() resource.Resource { return &linkTokenResource{} }

type linkTokenResource struct {
	data *ProviderData
}

type linkTokenModel struct {
	ID            types.String   `tfsdk:"id"`
	OrgID         types.String   `tfsdk:"org_id"`
	AccessListIPs types.Set      `tfsdk:"access_list_ips"`
	LinkToken     types.String   `tfsdk:"link_token"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

func (r *linkTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_link_token"
}

func (r *linkTokenResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Creates a **link token** in the destination Atlas organization: the secret a Cloud Manager or Ops Manager organization " +
			"presents to link itself to Atlas for push live migrations (see `atlasmig_migration_link`).\n\n" +
			"The token embeds an Atlas API key whose IP access list is `access_list_ips`. Atlas cannot return a token after it is created, " +
			"so the token is kept in Terraform state (as a sensitive value): protect the state accordingly.\n\n" +
			"Destroying this resource removes **all** link tokens of the Atlas organization, and with them the organization's link: " +
			"the Atlas API has no per-token removal.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Atlas organization id (a link token has no id of its own).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"org_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the destination Atlas organization: 24 lowercase hexadecimal characters. Changing it creates a new token (and removes the old organization's tokens).",
				Validators:          []validator.String{orgIDValidator("Atlas")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"access_list_ips": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "IPv4/IPv6 addresses or CIDR blocks allowed to use the API key inside the token. " +
					"Ops Manager's external addresses must be listed here; Cloud Manager's are known to Atlas. Unset sends an empty list. " +
					"Changing it creates a new token.",
				Validators:    []validator.Set{setvalidator.ValueStringsAre(ipOrCIDRValidator{})},
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"link_token": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "The link token. Pass it to `atlasmig_migration_link.link_token` (or its write-only `link_token_wo`). Known after apply and stable afterwards.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Delete: true,
				CreateDescription: fmt.Sprintf("How long creating the token may take, retries included (default `%s`).", linkTokenCreateTimeout),
				DeleteDescription: fmt.Sprintf("How long removing the tokens may take, retries included (default `%s`).", linkTokenDeleteTimeout),
			}),
		},
	}
}

func (r *linkTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan reports missing Atlas credentials at plan time rather than in
// the middle of an apply.
func (r *linkTokenResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.ConfigUnknown {
		return
	}
	r.data.atlasClient(&resp.Diagnostics)
}

func (r *linkTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan linkTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	atlas := r.data.atlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	timeout, diags := plan.Timeouts.Create(ctx, linkTokenCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ips := make([]string, 0, len(plan.AccessListIPs.Elements()))
	resp.Diagnostics.Append(plan.AccessListIPs.ElementsAs(ctx, &ips, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	orgID := plan.OrgID.ValueString()
	token, err := atlas.CreateLinkToken(ctx, orgID, ips)
	plan.ID = types.StringValue(orgID)
	if err != nil {
		if client.IsUncertain(err) {
			// The token may exist in Atlas although its value is lost: Atlas
			// cannot return it again. Saving the resource without a token
			// lets Terraform taint it, so the next apply removes the
			// organization's tokens and creates exactly one new token.
			plan.LinkToken = types.StringNull()
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			resp.Diagnostics.AddError("Link Token Outcome Unknown",
				fmt.Sprintf("The request to create a link token for Atlas organization %s may have succeeded, but its answer was lost (%s). "+
					"Atlas cannot return a token after it is created, so the resource has been saved as tainted: run terraform apply again, "+
					"and Terraform removes the organization's link tokens and creates a new one.", orgID, err))
			return
		}
		addAPIError(&resp.Diagnostics, atlasSide, "create a link token for Atlas organization "+orgID, err)
		return
	}
	plan.LinkToken = types.StringValue(token)
	tflog.Debug(ctx, "created link token", map[string]any{"org_id": orgID, "access_list_ips": len(ips)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read keeps the state as it is: the Atlas API has no way to read a link token
// back, or even to tell whether one exists.
func (r *linkTokenResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Update only ever changes the timeouts block: every other attribute forces
// replacement.
func (r *linkTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan linkTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *linkTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state linkTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	atlas := r.data.atlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, linkTokenDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	orgID := state.OrgID.ValueString()
	err := atlas.DeleteLinkTokens(ctx, orgID)
	switch {
	case err == nil:
	case client.IsNotFound(err):
		tflog.Info(ctx, "link tokens already removed", map[string]any{"org_id": orgID})
	case client.IsConflict(err):
		apiErr, _ := client.AsAPIError(err)
		resp.Diagnostics.AddError("Link Token In Use By An Active Migration",
			fmt.Sprintf("Atlas refuses to remove the link tokens of organization %s while a live migration is active. "+
				"Cut over or cancel the migrations it names, then run terraform destroy again. The token stays in Terraform state until then.\n\n%s",
				orgID, apiAnswer(apiErr)))
	default:
		addAPIError(&resp.Diagnostics, atlasSide, "remove the link tokens of Atlas organization "+orgID, err)
	}
}

func (r *linkTokenResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Link Tokens Cannot Be Imported",
		"The Atlas Admin API cannot read a link token back after it is created, so there is nothing to import. "+
			"Declare an atlasmig_link_token and run terraform apply to create a new token; if the organization already has one, "+
			"creating a new token is safe, and removing the resource later removes all of the organization's tokens.")
}
