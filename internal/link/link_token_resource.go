package link

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
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
	data *shared.ProviderData
}

type linkTokenModel struct {
	ID            types.String    `tfsdk:"id"`
	OrgID         types.String    `tfsdk:"org_id"`
	AccessListIPs accessListValue `tfsdk:"access_list_ips"`
	LinkToken     types.String    `tfsdk:"link_token"`
	// RotationTriggers replaces the token whenever its strings change.
	RotationTriggers types.Map      `tfsdk:"rotation_triggers"`
	Timeouts         timeouts.Value `tfsdk:"timeouts"`
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
			"A rotation is a replacement: change `rotation_triggers` (or `access_list_ips`) of every token of the organization in one apply, " +
			"or run `terraform apply -replace` for each.\n\n" +
			"Destroying or replacing this resource removes **all** link tokens of the Atlas organization, and with them the links of every source organization " +
			"that used one: the Atlas API has no per-token removal. The provider therefore refuses, at plan time and before anything is changed, a plan that " +
			"would remove the tokens of an organization while another token or link of it stays, including a `terraform destroy -target` of one of several pairs " +
			"(the links remember the organization's pairs from their last refresh), and any removal while Atlas lists projects that no link of this configuration exposes " +
			"(source organizations linked from another workspace; asked at plan and again right before the removal); replace all tokens of the organization together instead " +
			"(see the guide's chapters on several source organizations and on rotating a token). `lifecycle { create_before_destroy = true }` on a link that uses the token " +
			"cannot work: the old token's removal would take the new one with it (the guide says what happens and how to rotate instead).",
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
				CustomType: newAccessListType(),
				Optional:   true,
				MarkdownDescription: "IPv4/IPv6 addresses or CIDR blocks allowed to use the API key inside the token. " +
					"Ops Manager's external addresses must be listed here; Cloud Manager's are known to Atlas. Unset sends an empty list. " +
					"Changing the addresses creates a new token (which removes every token of the organization: see the guide); writing the same addresses differently, " +
					"such as `203.0.113.7` or `203.0.113.7/32`, or IPv6 in another case, changes nothing. `0.0.0.0/0` and `::/0` draw a warning.",
				Validators:    []validator.Set{setvalidator.ValueStringsAre(ipOrCIDRValidator{})},
				PlanModifiers: []planmodifier.Set{replaceUnlessSameAccessList()},
			},
			"rotation_triggers": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Arbitrary strings, in the manner of the `random` provider's `keepers`: any change of them creates a new token " +
					"(for example `{ rotated = \"2026-12\" }`), as `terraform apply -replace` does, with the same rules: the change removes every token of the " +
					"Atlas organization, so change the triggers of every token of the organization in the same apply (for example through one shared value). " +
					"An empty map is the same as none.",
				PlanModifiers: []planmodifier.Map{replaceWhenTriggersChange()},
			},
			"link_token": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "The link token. Pass it to `atlasmig_migration_link.link_token` (or its write-only `link_token_wo`). Known after apply and stable afterwards.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": shared.PositiveTimeouts(timeouts.Block(ctx, timeouts.Opts{Create: true, Delete: true,
				CreateDescription: fmt.Sprintf("How long creating the token may take, retries included (default `%s`).", linkTokenCreateTimeout),
				DeleteDescription: fmt.Sprintf("How long removing the tokens may take, retries included (default `%s`).", linkTokenDeleteTimeout),
			})),
		},
	}
}

func (r *linkTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

// privReplacing is the private-state key under which the first plan of an
// existing token records the token's organization and fingerprint. When
// Terraform replaces the token (an argument change, -replace or taint), it
// plans the new object again from a null state and hands this back, which is
// how the second call knows that a token is removed.
const privReplacing = "replacing"

// privGen names the provider process that last refreshed or created the
// token (see orgGuard.gen).
const privGen = "refreshed_in"

// privRemoval carries what the plan saw of a token's removal to its Delete.
const privRemoval = "removal"

// removalPrivate is what the plan recorded about a token it removes.
type removalPrivate struct {
	// Accounted holds the available projects that the plan's links of the
	// organization expose: the apply's check before the removal takes them
	// as this apply's own (org_exposure.go).
	Accounted []string `json:"accounted,omitempty"`
}

type replacingMarker struct {
	OrgID string `json:"org"`
	FP    string `json:"fp"`
}

// ModifyPlan reports missing Atlas credentials at plan time rather than in
// the middle of an apply, and guards the organization's other links: a plan
// that removes (destroys or replaces) a token must cover every token and link
// of its Atlas organization, and must first prove that the Atlas credentials
// work.
func (r *linkTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.ConfigUnknown {
		return
	}
	atlas := r.data.AtlasClient(&resp.Diagnostics)
	if atlas == nil {
		return
	}
	guard := guardOf(r.data)
	var state, plan linkTokenModel
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if !req.Plan.Raw.IsNull() {
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		resp.Diagnostics.Append(warnOpenAccessList(plan.AccessListIPs.SetValue)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	var gen string
	getPrivateJSON(ctx, req.Private, privGen, &gen)
	removal := func(orgID, fp, why string) {
		v := guard.registerToken(orgID, fp, tokenRemoved, why, gen)
		if v.conflict != "" {
			resp.Diagnostics.AddError("Removal Would Break Other Links", v.conflict)
			return
		}
		proveAtlas(ctx, guard, atlas, orgID, &resp.Diagnostics)
		exposure := guard.judgeExposure(orgID)
		if exposure.blocks() && !guard.isApplying() {
			resp.Diagnostics.AddError("Removal Would Break Other Links", exposureConflict(orgID, exposure.unaccounted, true))
			return
		}
		if resp.Private != nil {
			resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privRemoval, removalPrivate{Accounted: exposure.accounted})...)
		}
	}

	switch {
	case req.Plan.Raw.IsNull():
		removal(state.OrgID.ValueString(), fingerprint(state.LinkToken.ValueString()), "a link token is destroyed")
	case req.State.Raw.IsNull():
		var marker replacingMarker
		if found, diags := getPrivateJSON(ctx, req.Private, privReplacing, &marker); found && !diags.HasError() {
			removal(marker.OrgID, marker.FP, "a link token is replaced")
			if marker.OrgID == plan.OrgID.ValueString() {
				return
			}
		}
		if plan.OrgID.IsUnknown() {
			return
		}
		if guard.claimLostToken(plan.OrgID.ValueString()) {
			// Terraform plans the replacement of a tainted token as a new
			// object, with neither its prior state nor its private state;
			// the refresh just before saw the token whose creation's answer
			// was lost. Replacing it removes the organization's tokens.
			removal(plan.OrgID.ValueString(), "", lostTokenRemoval)
			return
		}
		if v := guard.registerToken(plan.OrgID.ValueString(), "", tokenCreated, "", ""); v.conflict != "" {
			resp.Diagnostics.AddError("Removal Would Break Other Links", v.conflict)
		}
	default:
		orgID, fp := state.OrgID.ValueString(), fingerprint(state.LinkToken.ValueString())
		resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privReplacing, replacingMarker{OrgID: orgID, FP: fp})...)
		// The resource-level plan cannot see the attribute plan modifiers'
		// answer, so it asks their question again.
		if !state.OrgID.Equal(plan.OrgID) || !sameAccessList(state.AccessListIPs.SetValue, plan.AccessListIPs.SetValue) ||
			triggersChange(state.RotationTriggers, plan.RotationTriggers) {
			removal(orgID, fp, "a link token is replaced")
			return
		}
		if v := guard.registerToken(orgID, fp, tokenStays, "", ""); v.conflict != "" {
			resp.Diagnostics.AddError("Removal Would Break Other Links", v.conflict)
		}
	}
}

func (r *linkTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data != nil {
		guardOf(r.data).startApply()
	}
	var plan linkTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	atlas := r.data.AtlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	timeout, diags := plan.Timeouts.Create(ctx, linkTokenCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ips := setStrings(plan.AccessListIPs.SetValue)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	orgID := plan.OrgID.ValueString()
	resp.Diagnostics.Append(setOrgIdentity(ctx, resp.Identity, plan.OrgID)...)
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
					"Atlas cannot return a token after it is created, so the resource has been saved as tainted: run terraform apply again, and it replaces the token. "+
					"Replacing it removes every link token of the organization (the Atlas API has no other way to remove the token that may exist): "+
					"when other source organizations are linked with tokens of it, that plan refuses and names them, and the way on is to replace "+
					"every token of the organization in that apply (terraform apply -replace='atlasmig_link_token.<name>' for each of the others).", orgID, err))
			return
		}
		shared.AddAPIError(&resp.Diagnostics, shared.AtlasSide, "create a link token for Atlas organization "+orgID, err)
		return
	}
	plan.LinkToken = types.StringValue(token)
	guardOf(r.data).markCreated(orgID, fingerprint(token))
	tflog.Debug(ctx, "created link token", map[string]any{"org_id": orgID, "access_list_ips": len(ips)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	for _, key := range []string{privReplacing, privRemoval} {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, key, nil)...)
	}
	resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privGen, guardOf(r.data).gen)...)
}

// Read keeps the state as it is: the Atlas API has no way to read a link token
// back, or even to tell whether one exists. It tells the organization guard
// which organization the token belongs to, for the links refreshed after it,
// and records the identity, which a state written by an older Terraform lacks.
func (r *linkTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state linkTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setOrgIdentity(ctx, resp.Identity, state.OrgID)...)
	if r.data == nil {
		return
	}
	guard := guardOf(r.data)
	guard.sawRefresh()
	guard.seeToken(state.OrgID.ValueString(), fingerprint(state.LinkToken.ValueString()))
	if state.LinkToken.IsNull() && !state.OrgID.IsNull() {
		// Only a create whose answer was lost saves a token without its
		// value, tainted: Terraform replaces it in this plan.
		guard.noteLostToken(state.OrgID.ValueString())
	}
	resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privGen, guard.gen)...)
}

// Update only ever changes the timeouts block: every other attribute forces
// replacement.
func (r *linkTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data != nil {
		guardOf(r.data).startApply()
	}
	var plan linkTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setOrgIdentity(ctx, resp.Identity, plan.OrgID)...)
}

func (r *linkTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data != nil {
		guardOf(r.data).startApply()
	}
	var state linkTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	atlas := r.data.AtlasClient(&resp.Diagnostics)
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

	var removal removalPrivate
	_, diags = getPrivateJSON(ctx, req.Private, privRemoval, &removal)
	resp.Diagnostics.Append(diags...)
	guardOf(r.data).noteAccounted(state.OrgID.ValueString(), removal.Accounted)
	removeOrgTokens(ctx, guardOf(r.data), atlas, state.OrgID.ValueString(), removal.Accounted, "", &resp.Diagnostics)
}

func (r *linkTokenResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Link Tokens Cannot Be Imported",
		"The Atlas Admin API cannot read a link token back after it is created, so there is nothing to import. "+
			"Declare an atlasmig_link_token and run terraform apply to create a new token; if the organization already has one, "+
			"creating a new token is safe, and removing the resource later removes all of the organization's tokens.")
}
