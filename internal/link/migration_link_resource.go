package link

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

var (
	_ resource.Resource                     = (*migrationLinkResource)(nil)
	_ resource.ResourceWithConfigure        = (*migrationLinkResource)(nil)
	_ resource.ResourceWithImportState      = (*migrationLinkResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*migrationLinkResource)(nil)
	_ resource.ResourceWithConfigValidators = (*migrationLinkResource)(nil)
)

// Private-state keys of a link.
const (
	// privLink records what the link was made with: the fingerprint of its
	// token and, once known, the token's Atlas organization.
	privLink = "link"
	// privRemovesTokensOf is set in a plan that also removes the tokens of
	// the link's Atlas organization: the link's Delete then removes them
	// first, so a refusal (an active migration, a wrong key) stops the apply
	// before the source organization is unlinked.
	privRemovesTokensOf = "removes_tokens_of"
	// privAccounted holds, with privRemovesTokensOf, the available projects
	// that the plan's links of the organization expose, for the apply's
	// check before the removal (org_exposure.go).
	privAccounted = "accounted"
)

type linkPrivate struct {
	FP       string `json:"fp,omitempty"`
	AtlasOrg string `json:"atlas_org,omitempty"`
	// Memory is what the last refresh saw of the Atlas organization's
	// tokens in this configuration: fingerprint → the source organization
	// linked with it ("" when not known).
	Memory map[string]string `json:"memory,omitempty"`
	// Gen names the provider process that last refreshed or created the
	// link (see orgGuard.gen).
	Gen string `json:"gen,omitempty"`
	// Projects are the available projects that appeared in the Atlas
	// organization's list when the link was made: those its source
	// organization exposes (org_exposure.go). Nil when not known.
	Projects []string `json:"projects"`
	// MemoryProjects is Projects of each pair in Memory, where known.
	MemoryProjects map[string][]string `json:"memory_projects,omitempty"`
}

// Default operation timeouts, shown in the schema's documentation.
const (
	migrationLinkCreateTimeout = 10 * time.Minute
	migrationLinkReadTimeout   = 2 * time.Minute
	migrationLinkUpdateTimeout = 10 * time.Minute
	migrationLinkDeleteTimeout = 5 * time.Minute
)

// NewMigrationLinkResource returns the atlasmig_migration_link resource.
func NewMigrationLinkResource() resource.Resource { return &migrationLinkResource{} }

type migrationLinkResource struct {
	data *shared.ProviderData
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
			"Destroying it unlinks the organization, which stops it syncing with Atlas. When the same apply removes the tokens of the link's Atlas organization, " +
			"or when its token is the organization's only one in the configuration, the link removes the tokens first, so that an Atlas refusal " +
			"(an active live migration, even one started outside Terraform) stops the apply with the organization still linked.",
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
					"`NOT_SYNCED` when it is not (for example after the Atlas side removed the token), or any other value the API returns. " +
					"A status other than `SYNCED` plans a re-link with the configured token.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": shared.PositiveTimeouts(timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: fmt.Sprintf("How long linking may take, including the wait for the status `SYNCED` and any retries (default `%s`).", migrationLinkCreateTimeout),
				ReadDescription:   fmt.Sprintf("How long reading the link status during a refresh may take, retries included (default `%s`).", migrationLinkReadTimeout),
				UpdateDescription: fmt.Sprintf("How long re-linking a link that is not `SYNCED` may take (default `%s`).", migrationLinkUpdateTimeout),
				DeleteDescription: fmt.Sprintf("How long unlinking may take, retries included (default `%s`).", migrationLinkDeleteTimeout),
			})),
		},
	}
}

func (r *migrationLinkResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("link_token"), path.MatchRoot("link_token_wo")),
	}
}

// linkReplaced reports what the attribute plan modifiers decide: a new
// organization, token or token version re-links, except where the state has
// no token (right after an import). The resource-level plan cannot see their
// answer, so it asks the same question.
func linkReplaced(state, plan migrationLinkModel) bool {
	return !state.OrgID.Equal(plan.OrgID) ||
		(!state.LinkToken.IsNull() && !state.LinkToken.Equal(plan.LinkToken)) ||
		(!state.LinkTokenWOVersion.IsNull() && !state.LinkTokenWOVersion.Equal(plan.LinkTokenWOVersion))
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
	r.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan reports missing Cloud/Ops Manager credentials at plan time,
// registers the link with the guard of its Atlas organization's tokens,
// proves the credentials before an unlink, and turns a link that is not
// SYNCED into a planned re-link.
func (r *migrationLinkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.ConfigUnknown {
		return
	}
	om := r.data.OpsManagerClient(&resp.Diagnostics)
	if om == nil {
		return
	}
	p := &linkPlanning{r: r, req: req, resp: resp, om: om, guard: guardOf(r.data)}
	if !p.read(ctx) {
		return
	}
	state, plan := p.state, p.plan
	if !req.Plan.Raw.IsNull() {
		r.data.PlannedLinks().Note(p.priv.AtlasOrg) // read by atlasmig_live_migration's plan
	}
	switch {
	case req.Plan.Raw.IsNull():
		p.register(ctx, state.OrgID.ValueString(), linkDestroyed)
	case req.State.Raw.IsNull():
		p.planNew(ctx)
	case linkReplaced(state, plan):
		p.register(ctx, state.OrgID.ValueString(), linkMoves)
	default:
		p.register(ctx, state.OrgID.ValueString(), linkStays)
		warnNotSynced(ctx, state, resp)
	}
}

// linkPlanning is one plan of a link: what it read, and where it answers.
type linkPlanning struct {
	r           *migrationLinkResource
	req         resource.ModifyPlanRequest
	resp        *resource.ModifyPlanResponse
	om          *client.OpsManager
	guard       *orgGuard
	state, plan migrationLinkModel
	priv        linkPrivate
	// found: the plan came with the link's private state.
	found bool
}

// read reads the state, the plan and the link's private state, completing
// the private state from what the guard knows.
func (p *linkPlanning) read(ctx context.Context) bool {
	req, resp := p.req, p.resp
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &p.state)...)
	}
	if !req.Plan.Raw.IsNull() {
		resp.Diagnostics.Append(req.Plan.Get(ctx, &p.plan)...)
	}
	found, diags := getPrivateJSON(ctx, req.Private, privLink, &p.priv)
	p.found = found
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return false
	}
	if p.priv.FP == "" && !p.state.LinkToken.IsNull() {
		p.priv.FP = fingerprint(p.state.LinkToken.ValueString())
	}
	if !req.State.Raw.IsNull() && p.priv.AtlasOrg == "" {
		p.priv.AtlasOrg = p.guard.atlasOrgOf(p.priv.FP)
	}
	if !req.State.Raw.IsNull() && !req.Plan.Raw.IsNull() {
		// Handed back to the second plan call if Terraform replaces the
		// link (-replace), which then knows what the link was made with.
		resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privLink, p.priv)...)
	}
	return true
}

// register tells the guard what the plan does with the link of orgID, and
// proves a removal safe before the apply sends it.
func (p *linkPlanning) register(ctx context.Context, orgID string, intent linkIntent) {
	req, resp, guard, priv, plan := p.req, p.resp, p.guard, p.priv, p.plan
	memory := priv.Memory
	if len(memory) == 0 {
		memory = guard.memoryOf(priv.AtlasOrg, priv.FP, orgID)
	}
	guard.noteLinkProjects(priv.AtlasOrg, priv.FP, priv.Projects)
	guard.noteMemoryProjects(priv.AtlasOrg, priv.MemoryProjects)
	v := guard.registerLink(orgID, priv.FP, priv.AtlasOrg, intent, memory, priv.Gen)
	if v.conflict != "" {
		resp.Diagnostics.AddError("Removal Would Break Other Links", v.conflict)
	}
	if (intent == linkMoves || intent == linkCreated) && !req.Plan.Raw.IsNull() && v.conflict == "" {
		// A link made with a token the plan knows, so one it keeps.
		if token := configuredToken(ctx, req.Config, plan, &resp.Diagnostics); !token.IsNull() && !token.IsUnknown() {
			if conflict := guard.registerRelink(plan.OrgID.ValueString(), fingerprint(token.ValueString())); conflict != "" {
				resp.Diagnostics.AddError("Removal Would Break Other Links", conflict)
			}
		}
	}
	if intent != linkMoves && intent != linkDestroyed {
		return
	}
	reuseStatusRead(ctx, req.Private, guard, p.om, orgID, time.Now())
	proveOpsManager(ctx, guard, p.om, orgID, &resp.Diagnostics)
	if p.r.data.Atlas == nil {
		warnUnlinkUnseen(&resp.Diagnostics, orgID)
		return
	}
	if v.removeFirst && v.atlasOrg != "" && v.conflict == "" {
		v.removeFirst = p.r.judgeRemoveFirst(ctx, orgID, v.atlasOrg, priv.Projects != nil, resp)
	}
}

// planNew plans a link with no prior state: a new link, or the second plan
// of a replacement, which carries the first one's private state.
func (p *linkPlanning) planNew(ctx context.Context) {
	plan := p.plan
	if p.found && p.priv.FP != "" {
		p.register(ctx, plan.OrgID.ValueString(), linkMoves)
		return
	}
	token := configuredToken(ctx, p.req.Config, plan, &p.resp.Diagnostics)
	if !token.IsUnknown() && !plan.OrgID.IsUnknown() {
		p.priv.FP = fingerprint(token.ValueString())
		p.register(ctx, plan.OrgID.ValueString(), linkCreated)
	}
	if token.IsUnknown() && !plan.OrgID.IsUnknown() && !p.guard.isApplying() {
		// Its token is created in this apply: a link that would be
		// refused is refused before the token is created.
		p.r.refuseLinkedAtPlan(ctx, p.om, plan.OrgID.ValueString(), &p.resp.Diagnostics)
	}
}

// warnNotSynced plans a re-link of a link that is not SYNCED.
func warnNotSynced(ctx context.Context, state migrationLinkModel, resp *resource.ModifyPlanResponse) {
	if state.Status.IsNull() || state.Status.IsUnknown() || state.Status.ValueString() == client.StatusSynced {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
	resp.Diagnostics.AddWarning("Migration Link Not Synced: Re-Link Planned",
		fmt.Sprintf("The link of source organization %s reports status %q: the organization is not syncing with Atlas, most often because its link token "+
			"was removed in Atlas (removing one token removes every token of the Atlas organization). This plan re-links it with the configured token. "+
			"If that token was removed, the re-link fails: then replace the token and re-link in one apply with "+
			"terraform apply -replace='atlasmig_link_token.<name>' (and -replace for every other token of the same Atlas organization).",
			state.OrgID.ValueString(), state.Status.ValueString()))
}

func (r *migrationLinkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data != nil {
		guardOf(r.data).startApply()
	}
	var plan migrationLinkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	token := configuredToken(ctx, req.Config, plan, &resp.Diagnostics)
	om := r.data.OpsManagerClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
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
	resp.Diagnostics.Append(setOrgIdentity(ctx, resp.Identity, plan.OrgID)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privRemovesTokensOf, nil)...)

	// The check below and the link take one turn among the links of the
	// Atlas organization (linkAndAttribute): the check is as fresh as the
	// link, and the requests to the two APIs alternate.
	fp := fingerprint(token.ValueString())
	endTurn, ok := r.attributionTurn(ctx, fp, orgID, &resp.Diagnostics)
	if !ok {
		return
	}
	defer endTurn()
	if !r.mayLink(ctx, om, orgID, fp, &resp.Diagnostics) {
		return
	}

	var status string
	var waitErr error
	projects, linked := r.linkAndAttribute(ctx, fp, func() bool {
		var ok bool
		if status, ok = r.link(ctx, om, orgID, token.ValueString(), &resp.Diagnostics); !ok {
			return false
		}
		if status != client.StatusSynced {
			status, waitErr = waitForSynced(ctx, om, orgID, r.data.PollingSettings())
		}
		return true
	})
	if !linked {
		return
	}
	if waitErr != nil {
		// The link exists: keep it in state (tainted) so nothing is
		// orphaned; the next apply unlinks and links again.
		plan.Status = types.StringValue(status)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.AddError("Link Not Synced",
			fmt.Sprintf("Organization %s is linked, but its status did not become SYNCED (last status %q): %s. "+
				"The link is saved as tainted: check the source organization and Atlas, then run terraform apply again to re-link, "+
				"or raise timeouts.create if syncing is only slow.", orgID, status, waitErr))
		return
	}
	plan.Status = types.StringValue(status)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(r.recordToken(ctx, resp.Private, token.ValueString(), projects)...)
}

// mayLink checks, right before linking, that the organization has no link
// made elsewhere: never take over a link silently, since another workspace
// (or a person) may have linked it, and unlinking it later would stop their
// migrations. A link that does not work (NOT_SYNCED) may be re-linked. fp is
// the fingerprint of the token to link with.
func (r *migrationLinkResource) mayLink(ctx context.Context, om *client.OpsManager, orgID, fp string, diags *diag.Diagnostics) bool {
	switch current, err := r.statusBeforeLink(ctx, om, orgID); {
	case client.IsNotFound(err), errors.Is(err, errUnlinkedHere):
	case err != nil:
		shared.AddAPIError(diags, shared.OpsManagerSide, "check whether organization "+orgID+" is already linked, before linking it", err)
		return false
	case current == client.StatusNotSynced:
		tflog.Info(ctx, "organization has a link that does not sync, or none; linking", map[string]any{"org_id": orgID})
	default:
		diags.AddError("Organization Already Linked", alreadyLinkedAtApply(orgID, current, guardOf(r.data).createdInThisApply(fp)))
		return false
	}
	return true
}

// link links the organization with the token and returns the status the API
// answered. A lost answer is never guessed at: the status is read, and the
// organization linked again only when the API says it has no link.
func (r *migrationLinkResource) link(ctx context.Context, om *client.OpsManager, orgID, token string, diags *diag.Diagnostics) (string, bool) {
	status, err := om.Link(ctx, orgID, token)
	if err == nil {
		return status, true
	}
	if client.IsConflict(err) {
		apiErr, _ := client.AsAPIError(err)
		diags.AddError("Organization Already Linked",
			fmt.Sprintf("Organization %[1]s already has a migration link, and the API refused to link it again. To manage it with Terraform, import it:\n\n"+
				"  terraform import atlasmig_migration_link.<name> %[1]s\n\nor add an import block with id = %[2]q; "+
				"to replace it, unlink the organization first.\n\n%[3]s", orgID, orgID, shared.APIAnswer(apiErr)))
		return "", false
	}
	if !client.IsUncertain(err) {
		addLinkError(diags, "link organization "+orgID+" to Atlas", err)
		return "", false
	}
	// The link may exist although its answer was lost: ask the API rather
	// than guess, so the organization is never left linked without
	// Terraform knowing.
	tflog.Warn(ctx, "link answer lost; reading the link status", map[string]any{"org_id": orgID})
	status, err = om.LinkStatus(ctx, orgID)
	if client.IsNotFound(err) {
		// The API says no link exists, so the interrupted request was not
		// processed and linking again cannot duplicate it.
		status, err = om.Link(ctx, orgID, token)
	}
	if err != nil {
		shared.AddAPIError(diags, shared.OpsManagerSide, "link organization "+orgID+" to Atlas after an interrupted request", err)
		return "", false
	}
	return status, true
}

// refuseLinkedAtPlan refuses, at plan, a new link of a source organization
// that is already linked: the apply would refuse it too (a takeover is never
// silent), after creating the token it was to use.
func (r *migrationLinkResource) refuseLinkedAtPlan(ctx context.Context, om *client.OpsManager, orgID string, diags *diag.Diagnostics) {
	ctx, cancel := context.WithTimeout(ctx, proofTimeout)
	defer cancel()
	status, err := om.LinkStatus(ctx, orgID)
	switch {
	case client.IsNotFound(err):
	case err != nil:
		shared.AddAPIError(diags, shared.OpsManagerSide, "check whether organization "+orgID+" is already linked (at plan, before creating the token it is to be linked with; nothing has been changed)", err)
	case status != client.StatusNotSynced:
		diags.AddError("Organization Already Linked",
			fmt.Sprintf("Source organization %[1]s already has a migration link with status %[2]q, made outside this configuration: "+
				"by another workspace, the Atlas CLI or the UI. Linking it again would take that link over silently, and destroying this resource later would unlink it, "+
				"so this plan stops here. Nothing has been changed: no link token was created, and the organization is still linked as before. "+
				"The source API does not say which Atlas organization it is linked to.\n\n"+
				"To manage that link here, import it:\n\n  terraform import atlasmig_migration_link.<name> %[1]s\n\n"+
				"or add an import block with id = %[1]q. To link it with this configuration's token instead, unlink it where it was linked first.", orgID, status))
	}
}

// alreadyLinkedAtApply explains a link refused at apply because the
// organization is linked already: linked after the plan checked, or by the
// object this one replaces under create_before_destroy.
func alreadyLinkedAtApply(orgID, status string, tokenCreatedHere bool) string {
	token := ""
	if tokenCreatedHere {
		token = " The link token it was to be linked with was created earlier in this apply and is unused: it stays in Terraform state, and in Atlas, " +
			"until it is removed from the configuration or replaced."
	}
	return fmt.Sprintf("Source organization %[1]s already has a migration link with status %[2]q, so it was not linked again: it is still linked as before. "+
		"Linking it again would take that link over silently, and destroying this resource later would unlink it. "+
		"The link was made outside this resource: by another workspace, the Atlas CLI or the UI, "+
		"or by the object this one replaces, when it has lifecycle { create_before_destroy = true }. "+
		"The source API does not say which Atlas organization it is linked to.%[3]s\n\n"+
		"To manage that link here, import it:\n\n  terraform import atlasmig_migration_link.<name> %[1]s\n\n"+
		"or add an import block with id = %[1]q. To link it anew, unlink it where it was linked first.\n\n"+
		"If the atlasmig_link_token or the atlasmig_migration_link has lifecycle { create_before_destroy = true }: create_before_destroy cannot work with link tokens, "+
		"because the Atlas API removes link tokens only organization-wide, so removing the old token would take the new one with it. Remove the setting from both, "+
		"then rotate as the guide's *Rotating a token* describes: terraform apply -replace='atlasmig_link_token.<name>' for every token of the Atlas organization.",
		orgID, status, token)
}

// attributionTurn waits for the turn of a link among the links of its
// Atlas organization in this process, when that organization is known and
// Atlas is configured, and returns the function that ends the turn. A link
// lists the organization's available projects before and after it links
// (linkAndAttribute) within its turn, so that one link never counts
// another's projects. A link waits no longer than its operation: when the
// context ends first, the error says so in diags, nothing was sent, and
// ok is false.
func (r *migrationLinkResource) attributionTurn(ctx context.Context, fp, orgID string, diags *diag.Diagnostics) (end func(), ok bool) {
	guard := guardOf(r.data)
	atlasOrg := guard.atlasOrgOf(fp)
	if r.data.Atlas == nil || atlasOrg == "" {
		return func() {}, true
	}
	end, err := takeTurn(ctx, guard.attributionTurn(atlasOrg))
	if err != nil {
		diags.AddError("Link Not Made: No Turn Before The Timeout",
			fmt.Sprintf("Source organization %s was not linked, and nothing was sent for it: the links of Atlas organization %s take turns in this provider process "+
				"(each checks the link status, lists the organization's available projects, links and lists them again), and this operation ended while "+
				"the links ahead of it took theirs (%v). Run terraform apply again to link it, or raise timeouts.create (timeouts.update for a re-link) "+
				"when many organizations link to one Atlas organization in one apply.", orgID, atlasOrg, err))
		return nil, false
	}
	return end, true
}

// takeTurn waits until turn, a channel of one, is free or ctx ends, and
// returns the function that frees it.
func takeTurn(ctx context.Context, turn chan struct{}) (func(), error) {
	select {
	case turn <- struct{}{}:
		return func() { <-turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// linkAndAttribute runs link (which links the organization and reports
// whether it did) between two lists of the Atlas organization's available
// projects, and returns the projects that appeared: those the source
// organization exposes (org_exposure.go). The caller holds the link's turn
// (attributionTurn). Nil when the Atlas organization, the Atlas credentials
// or a list is missing: the link is made all the same.
func (r *migrationLinkResource) linkAndAttribute(ctx context.Context, fp string, link func() bool) ([]string, bool) {
	guard := guardOf(r.data)
	atlasOrg := guard.atlasOrgOf(fp)
	if r.data.Atlas == nil || atlasOrg == "" {
		return nil, link()
	}
	before, errBefore := r.data.Atlas.ListAvailableProjects(ctx, atlasOrg)
	if !link() {
		return nil, false
	}
	after, errAfter := r.data.Atlas.ListAvailableProjects(ctx, atlasOrg)
	if err := errors.Join(errBefore, errAfter); err != nil {
		tflog.Warn(ctx, "could not list the available projects around the link; its projects stay unknown", map[string]any{"org_id": atlasOrg, "error": err.Error()})
		return nil, true
	}
	seen := map[string]bool{}
	for _, p := range before {
		seen[p.ProjectID] = true
	}
	appeared := []string{}
	for _, p := range after {
		if !seen[p.ProjectID] {
			appeared = append(appeared, p.ProjectID)
		}
	}
	guard.noteLinkProjects(atlasOrg, fp, appeared)
	return appeared, true
}

// configuredToken returns the token to link with: the write-only
// link_token_wo, which exists only in the configuration, or link_token.
func configuredToken(ctx context.Context, config tfsdk.Config, plan migrationLinkModel, diags *diag.Diagnostics) types.String {
	var token types.String
	diags.Append(config.GetAttribute(ctx, path.Root("link_token_wo"), &token)...)
	if token.IsNull() {
		return plan.LinkToken
	}
	return token
}

// recordToken keeps the fingerprint of the token a link was made with, and
// the token's Atlas organization when this provider instance knows it, so
// later plans can tell which organization's tokens the link depends on.
// projects are those the link was seen to expose (nil when not known).
func (r *migrationLinkResource) recordToken(ctx context.Context, p privateStateWriter, token string, projects []string) diag.Diagnostics {
	guard := guardOf(r.data)
	fp := fingerprint(token)
	org := guard.atlasOrgOf(fp)
	// No memory yet: an apply sees only the objects it changes, so it cannot
	// tell whether other pairs share the organization. The next refresh
	// fills it.
	return setPrivateJSON(ctx, p, privLink, linkPrivate{FP: fp, AtlasOrg: org, Gen: guard.gen, Projects: projects})
}

// addLinkError explains a failed link; a token the API refuses is most often
// one removed in Atlas, which only a new token repairs.
func addLinkError(diags *diag.Diagnostics, action string, err error) {
	summary, detail := shared.DescribeAPIError(shared.OpsManagerSide, action, err)
	if apiErr, ok := client.AsAPIError(err); ok && apiErr.StatusCode == 400 {
		for _, f := range apiErr.Fields {
			if f.Field == "linkToken" {
				summary = "Link Token Refused"
				detail += "\n\nThe link token is no longer valid: it was most likely removed in Atlas (removing one token removes every token of the Atlas organization). " +
					"Create a new token and re-link in one apply: terraform apply -replace='atlasmig_link_token.<name>' (and -replace for every other token of the same Atlas organization)."
				break
			}
		}
	}
	diags.AddError(summary, detail)
}

func (r *migrationLinkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state migrationLinkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setOrgIdentity(ctx, resp.Identity, state.OrgID)...)
	om := r.data.OpsManagerClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, migrationLinkReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	orgID := state.OrgID.ValueString()
	guard := guardOf(r.data)
	guard.sawRefresh()
	var priv linkPrivate
	_, diags = getPrivateJSON(ctx, req.Private, privLink, &priv)
	resp.Diagnostics.Append(diags...)
	if priv.FP == "" && !state.LinkToken.IsNull() {
		priv.FP = fingerprint(state.LinkToken.ValueString())
	}
	// Tell the links refreshed at the same time which source organization
	// uses this token, and what it exposes, before waiting for the API.
	guard.registerLink(orgID, priv.FP, "", linkCreated, nil, "")
	guard.noteLinkProjects(cmp.Or(guard.atlasOrgOf(priv.FP), priv.AtlasOrg), priv.FP, priv.Projects)
	status, err := om.LinkStatus(ctx, orgID)
	if err != nil {
		if client.IsNotFound(err) {
			tflog.Info(ctx, "link no longer exists; removing it from state", map[string]any{"org_id": orgID})
			resp.State.RemoveResource(ctx)
			return
		}
		shared.AddAPIError(&resp.Diagnostics, shared.OpsManagerSide, "read the link status of organization "+orgID, err)
		return
	}
	// The read proved the source credentials for this organization, for a
	// plan in this process and, through private state, in the next one.
	guardOf(r.data).markProved(omProofKey(orgID))
	resp.Diagnostics.Append(recordStatusRead(ctx, resp.Private, om, orgID, time.Now())...)
	state.ID = types.StringValue(orgID)
	state.Status = types.StringValue(status)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)

	// Learn the Atlas organization of the link's token, and refresh the
	// memory of the organization's tokens: Terraform refreshes every token
	// before the links that refer to it. The source organization of a
	// token is kept from the last refresh when this one has not seen it.
	if org := guard.atlasOrgOf(priv.FP); priv.FP != "" && org != "" {
		memory := guard.memoryOf(org, priv.FP, orgID)
		if _, same := priv.Memory[priv.FP]; same && len(memory) == 1 {
			// A refresh that saw no other token of the organization may be
			// a targeted one: keep what a wider one saw, until the token
			// changes (a rotation renews every token).
			for fp, source := range priv.Memory {
				memory[fp] = source
			}
		}
		for fp, source := range memory {
			if source == "" {
				memory[fp] = priv.Memory[fp]
			}
		}
		priv.AtlasOrg = org
		priv.Memory = memory
		priv.MemoryProjects = guard.memoryProjectsOf(memory, priv.MemoryProjects)
	}
	if priv.FP != "" {
		priv.Gen = guard.gen
		resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privLink, priv)...)
	}
}

// Update re-links a link that is not SYNCED (the plan then has an unknown
// status), and otherwise records changes that need no API call: a token set
// after an import, a new timeouts block. Every other change forces
// replacement.
func (r *migrationLinkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data != nil {
		guardOf(r.data).startApply()
	}
	var plan, state migrationLinkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setOrgIdentity(ctx, resp.Identity, state.OrgID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Status.IsUnknown() {
		plan.Status = state.Status
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}

	token := configuredToken(ctx, req.Config, plan, &resp.Diagnostics)
	om := r.data.OpsManagerClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	orgID := plan.OrgID.ValueString()
	if token.ValueString() == "" {
		resp.Diagnostics.AddError("Cannot Re-Link Without A Token",
			fmt.Sprintf("The link of organization %s is not SYNCED and must be re-linked, but no token is configured (after an import, set link_token or link_token_wo). "+
				"Set it, or create a new token with an atlasmig_link_token, then run terraform apply again.", orgID))
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, migrationLinkUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	fp := fingerprint(token.ValueString())
	endTurn, ok := r.attributionTurn(ctx, fp, orgID, &resp.Diagnostics)
	if !ok {
		return
	}
	defer endTurn()
	var status string
	projects, linked := r.linkAndAttribute(ctx, fp, func() bool {
		var err error
		if status, err = om.Link(ctx, orgID, token.ValueString()); err != nil {
			addLinkError(&resp.Diagnostics, "re-link organization "+orgID+" to Atlas", err)
			return false
		}
		if status != client.StatusSynced {
			if status, err = waitForSynced(ctx, om, orgID, r.data.PollingSettings()); err != nil {
				shared.AddAPIError(&resp.Diagnostics, shared.OpsManagerSide, fmt.Sprintf("see organization %s reach the status SYNCED after re-linking it (last status %q)", orgID, status), err)
				return false
			}
		}
		return true
	})
	if !linked {
		return
	}
	plan.Status = types.StringValue(status)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(r.recordToken(ctx, resp.Private, token.ValueString(), projects)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privRemovesTokensOf, nil)...)
}

func (r *migrationLinkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data != nil {
		guardOf(r.data).startApply()
	}
	var state migrationLinkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	om := r.data.OpsManagerClient(&resp.Diagnostics)
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

	// When the same apply removes the tokens of the link's Atlas
	// organization, remove them first: if Atlas refuses (an active
	// migration, a wrong key), the apply stops with the organization still
	// linked instead of unlinked.
	guard := guardOf(r.data)
	var priv linkPrivate
	_, _ = getPrivateJSON(ctx, req.Private, privLink, &priv)
	if priv.AtlasOrg == "" {
		priv.AtlasOrg = guard.atlasOrgOf(priv.FP)
	}
	var atlasOrg string
	if found, _ := getPrivateJSON(ctx, req.Private, privRemovesTokensOf, &atlasOrg); found && atlasOrg != "" && r.data.Atlas != nil {
		var accounted []string
		_, _ = getPrivateJSON(ctx, req.Private, privAccounted, &accounted)
		guard.noteAccounted(atlasOrg, accounted)
		if !removeOrgTokens(ctx, guard, r.data.Atlas, atlasOrg, append(accounted, priv.Projects...), state.OrgID.ValueString(), &resp.Diagnostics) {
			return
		}
	}

	orgID := state.OrgID.ValueString()
	if err := om.Unlink(ctx, orgID); err != nil && !client.IsNotFound(err) {
		shared.AddAPIError(&resp.Diagnostics, shared.OpsManagerSide, "unlink organization "+orgID+" from Atlas", err)
		return
	} else if err != nil {
		tflog.Info(ctx, "link already removed", map[string]any{"org_id": orgID})
		answersOf(r.data).noteUnlinked(orgID, time.Now())
		return
	}
	answersOf(r.data).noteUnlinked(orgID, time.Now())
	// What the organization exposed is this apply's own from now on, and a
	// later refusal to remove the organization's tokens in this apply says
	// that this organization was unlinked.
	guard.noteAccounted(priv.AtlasOrg, priv.Projects)
	guard.markUnlinked(priv.AtlasOrg, orgID)
}

// judgeRemoveFirst decides, at plan, whether the Delete of a link that
// unlinks removes its Atlas organization's tokens first, and records what
// the apply needs for it. The removal must not stop a source organization
// this plan does not unlink (org_exposure.go): when the plan removes the
// organization's tokens anyway, that is a refusal; when only this link's
// Delete would (its token is not in the plan), the link is unlinked and the
// tokens stay for the organizations linked with them. A link whose own
// projects are not known (made before the provider kept them, or imported)
// unlinks first: the removal after it, by its token, then sees Atlas's list
// without them.
func (r *migrationLinkResource) judgeRemoveFirst(ctx context.Context, sourceOrgID, atlasOrg string, ownKnown bool, resp *resource.ModifyPlanResponse) bool {
	guard := guardOf(r.data)
	proveAtlas(ctx, guard, r.data.Atlas, atlasOrg, &resp.Diagnostics)
	exposure := guard.judgeExposure(atlasOrg)
	if !ownKnown && !exposure.blocks() {
		tflog.Info(ctx, "the link's projects are not known: it unlinks before the organization's tokens are removed", map[string]any{"org_id": sourceOrgID})
		return false
	}
	if exposure.blocks() && !guard.isApplying() {
		if guard.removesTokens(atlasOrg) {
			resp.Diagnostics.AddError("Removal Would Break Other Links", exposureConflict(atlasOrg, exposure.unaccounted, true))
			return false
		}
		names := make([]string, len(exposure.unaccounted))
		for i, p := range exposure.unaccounted {
			names[i] = p.String()
		}
		resp.Diagnostics.AddWarning("Link Tokens Kept For Other Source Organizations",
			fmt.Sprintf("This plan unlinks source organization %s without removing the link tokens of Atlas organization %s first: Atlas lists projects "+
				"that no link this configuration removes exposes (%s), so other source organizations are linked with tokens of it, and the tokens stay for them. "+
				"The configuration that unlinks the last source organization removes the tokens. Without that removal first, Atlas cannot refuse this unlink "+
				"during an active live migration: make sure no migration of this source organization is running.", sourceOrgID, atlasOrg, strings.Join(names, ", ")))
		return false
	}
	if resp.Private != nil {
		resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privRemovesTokensOf, atlasOrg)...)
		resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privAccounted, exposure.accounted)...)
	}
	return true
}

// warnUnlinkUnseen says, in a plan that unlinks a source organization
// without Atlas credentials (a workspace that holds the link only), that the
// provider cannot see the organization's live migrations.
func warnUnlinkUnseen(diags *diag.Diagnostics, sourceOrgID string) {
	diags.AddWarning("Live Migrations Not Checked",
		fmt.Sprintf("This plan unlinks source organization %s, and this configuration has no Atlas credentials, so the provider cannot see its live migrations. "+
			"Atlas refuses to remove link tokens while a migration is active, but this unlink removes no token, so nothing refuses it: "+
			"it stops the organization syncing with Atlas, migrations included. Make sure no migration of this organization is running "+
			"(ask whoever holds the Atlas side, or look in Atlas) before applying.", sourceOrgID))
}

// ImportState imports a link by its source organization id. The id is never
// echoed back in errors: a mistaken import id could be a pasted token.
func (r *migrationLinkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	req.ID = orgImportID(ctx, req, &resp.Diagnostics)
	if !validOrgID(req.ID) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import id must be the source organization id: 24 lowercase hexadecimal characters, such as 5f1b2c3d4e5f6a7b8c9d0e1f "+
				"(the value given has %d characters). For example: terraform import atlasmig_migration_link.<name> <org_id>", len(req.ID)))
		return
	}
	om := r.data.OpsManagerClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// Only a working link can be imported: a NOT_SYNCED answer may mean a
	// broken link or, on some servers, no link at all.
	ctx, cancel := context.WithTimeout(ctx, migrationLinkReadTimeout)
	defer cancel()
	status, err := om.LinkStatus(ctx, req.ID)
	switch {
	case client.IsNotFound(err):
		resp.Diagnostics.AddError("No Link To Import",
			fmt.Sprintf("Source organization %s has no migration link. Declare the atlasmig_migration_link without importing it, and terraform apply links it.", req.ID))
		return
	case err != nil:
		shared.AddAPIError(&resp.Diagnostics, shared.OpsManagerSide, "read the link status of organization "+req.ID+" to import it", err)
		return
	case status != client.StatusSynced:
		resp.Diagnostics.AddError("No Usable Link To Import",
			fmt.Sprintf("Source organization %s reports the link status %q, which the API also answers for an organization with no working link, "+
				"so there is nothing usable to import. Declare the atlasmig_migration_link (with a new token) without importing it: terraform apply links it.", req.ID, status))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("org_id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("status"), status)...)
	resp.Diagnostics.Append(setOrgIdentity(ctx, resp.Identity, types.StringValue(req.ID))...)
}
