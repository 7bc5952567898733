package link

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// dataSourceReadTimeout bounds a data source's read, retries included, so a
// long Retry-After fails a plan at once instead of stalling it.
const dataSourceReadTimeout = 2 * time.Minute

// proofTimeout bounds a plan-time credential check, so a plan never hangs on
// an API that does not answer.
const proofTimeout = 2 * time.Minute

// proveAtlas checks, with a read-only call, that the Atlas credentials may
// act on the organization before a plan removes its tokens: a wrong key
// then fails the plan instead of the apply, after the links were unlinked.
// The call is the list of available projects, which the plan then compares
// with the projects of its links (judgeExposure).
func proveAtlas(ctx context.Context, guard *orgGuard, atlas *client.Atlas, orgID string, diags *diag.Diagnostics) {
	err := guard.proveOnce(atlasProofKey(orgID), func() error {
		ctx, cancel := context.WithTimeout(ctx, proofTimeout)
		defer cancel()
		projects, err := atlas.ListAvailableProjects(ctx, orgID)
		if err == nil {
			// The plan's check of what the organization's tokens expose
			// (org_exposure.go) reads this answer.
			guard.noteAvailable(orgID, exposedProjects(projects))
		}
		return err
	})
	if err != nil {
		shared.AddAPIError(diags, shared.AtlasSide, "verify the Atlas credentials for organization "+orgID+
			" (checked at plan time with a read-only call, because this plan removes its link tokens; nothing has been changed)", err)
	}
}

// proveOpsManager is proveAtlas for the source side, before a plan unlinks or
// re-links a source organization. A 404 (no link) still proves the
// credentials.
func proveOpsManager(ctx context.Context, guard *orgGuard, om *client.OpsManager, orgID string, diags *diag.Diagnostics) {
	err := guard.proveOnce(omProofKey(orgID), func() error {
		ctx, cancel := context.WithTimeout(ctx, proofTimeout)
		defer cancel()
		_, err := om.LinkStatus(ctx, orgID)
		if client.IsNotFound(err) {
			return nil
		}
		return err
	})
	if err != nil {
		shared.AddAPIError(diags, shared.OpsManagerSide, "verify the Cloud Manager / Ops Manager credentials for organization "+orgID+
			" (checked at plan time with a read-only call, because this plan unlinks or re-links it; nothing has been changed)", err)
	}
}

// omProofKey names the proof of the source credentials for an organization.
func omProofKey(orgID string) string { return "om:" + orgID }

// atlasProofKey names the proof of the Atlas credentials for an organization.
func atlasProofKey(orgID string) string { return "atlas:" + orgID }

// errCreatedBefore refuses a removal that would take a token created earlier
// in the same apply with it.
var errCreatedBefore = errors.New("a token of the organization was created earlier in this apply")

// errStillLinked refuses a removal while other links use the organization's
// tokens.
var errStillLinked = errors.New("source organizations are still linked through the organization's tokens")

// exposedProjects converts the API's projects into the names a refusal gives.
func exposedProjects(projects []client.AvailableProject) []exposedProject {
	out := make([]exposedProject, len(projects))
	for i, p := range projects {
		out[i] = exposedProject{ID: p.ProjectID, Name: p.Name}
	}
	return out
}

// removeOrgTokens removes every link token of an Atlas organization, once per
// apply: the first removal takes every token the organization had, so later
// ones have nothing left to do. A removal after a token of the organization
// was created in the same apply (create_before_destroy) would remove the new
// token too, and is refused. It reports whether the tokens are gone.
//
// Right before the removal it asks Atlas again which projects the
// organization's tokens expose, and refuses while one is not accounted for
// by this apply: accounted holds the projects the plan and the operation
// account for (its link's, those of the plan's links), to which every other
// operation of this apply adds its own (org_exposure.go). A project not
// accounted for belongs to a source organization this apply does not unlink
// (another workspace, a targeted plan, a link made outside Terraform).
//
// beforeUnlink names the source organization that a link's Delete unlinks
// once the tokens are gone ("" for a token's Delete), so that a refusal can
// say that the organization is still linked.
func removeOrgTokens(ctx context.Context, guard *orgGuard, atlas *client.Atlas, orgID string, accounted []string, beforeUnlink string, diags *diag.Diagnostics) bool {
	var live []exposedProject
	skipped, err := guard.removeOnce(orgID, func() error {
		projects, err := atlas.ListAvailableProjects(ctx, orgID)
		if err != nil {
			return err
		}
		if live = guard.unaccountedAtApply(orgID, exposedProjects(projects), accounted); len(live) > 0 {
			return errStillLinked
		}
		err = atlas.DeleteLinkTokens(ctx, orgID)
		if client.IsNotFound(err) {
			tflog.Info(ctx, "link tokens already removed", map[string]any{"org_id": orgID})
			return nil
		}
		return err
	})
	kept := "The token was kept, in Atlas and in Terraform state."
	stay := "The link tokens, and the links, stay in Terraform state until then."
	if gone := guard.unlinkedBefore(orgID); beforeUnlink == "" && len(gone) > 0 {
		// A destroy plan plans each link before its token, so the links of
		// an organization with several pairs cannot know that the tokens go
		// too, and they unlink first.
		kept = fmt.Sprintf("The token was kept, in Atlas and in Terraform state, but source organization(s) %s were unlinked earlier in this apply, before Atlas refused, "+
			"and their links are no longer in Terraform state.", strings.Join(gone, ", "))
		stay = "The link tokens stay in Terraform state and still work: terraform apply links those organizations again with them meanwhile, and a later terraform destroy finishes the removal."
	}
	if beforeUnlink != "" {
		kept = fmt.Sprintf("Nothing was changed: source organization %s is still linked, and every token of the organization was kept.", beforeUnlink)
		if gone := guard.unlinkedBefore(orgID); len(gone) > 0 {
			kept = fmt.Sprintf("Source organization %s is still linked, and every token of the organization was kept, but source organization(s) %s were unlinked earlier in this apply, "+
				"before Atlas refused, and their links are no longer in Terraform state.", beforeUnlink, strings.Join(gone, ", "))
			stay = "The link tokens stay in Terraform state and still work: terraform apply links those organizations again with them meanwhile, and a later terraform destroy finishes the removal."
		}
	}
	switch {
	case err == nil:
		if skipped {
			tflog.Info(ctx, "link tokens already removed earlier in this apply", map[string]any{"org_id": orgID})
		}
		return true
	case errors.Is(err, errStillLinked):
		diags.AddError("Removal Would Break Other Links",
			strings.Replace(exposureConflict(orgID, live, false), "Nothing has been changed.", kept, 1))
	case errors.Is(err, errCreatedBefore):
		diags.AddError("Link Token Removal Refused",
			fmt.Sprintf("Removing the old link token of Atlas organization %s now would also remove the token created for it earlier in this apply: "+
				"the Atlas API removes link tokens only organization-wide. %s\n\n"+
				"Remove lifecycle { create_before_destroy = true } from the atlasmig_link_token, then replace the organization's tokens together "+
				"(terraform apply -replace='atlasmig_link_token.<name>' for each of them), as the guide's *Rotating a token* describes: "+
				"the old tokens are removed first and every link is re-linked with a new one. The token created earlier in this apply stays in Terraform state, unused, until then.", orgID, kept))
	case client.IsConflict(err):
		apiErr, _ := client.AsAPIError(err)
		diags.AddError("Link Token In Use By An Active Migration",
			fmt.Sprintf("Atlas refuses to remove the link tokens of organization %s while a live migration is active in the project(s) it names below; "+
				"it may be one this configuration does not manage (started in the Atlas UI, the Atlas CLI or another workspace). %s%s\n\n"+
				"Cut over the migrations Atlas names (or wait until they expire), then run terraform again. %s\n\n%s",
				orgID, kept, availableProjectsSentence(ctx, atlas, orgID), stay, shared.APIAnswer(apiErr)))
	default:
		shared.AddAPIError(diags, shared.AtlasSide, "remove the link tokens of Atlas organization "+orgID, err)
	}
	return false
}

// availableProjectsSentence names the source projects Atlas lists for the
// organization, for a refusal that asks the user to act on them; it says
// nothing when the list cannot be read.
func availableProjectsSentence(ctx context.Context, atlas *client.Atlas, orgID string) string {
	projects, err := atlas.ListAvailableProjects(ctx, orgID)
	if err != nil || len(projects) == 0 {
		return ""
	}
	names := make([]string, 0, len(projects))
	for _, p := range projects {
		names = append(names, fmt.Sprintf("%s (%s)", p.Name, p.ProjectID))
	}
	return " Atlas lists these source projects as available through the organization's links: " + strings.Join(names, ", ") + "."
}

// privateState is what the framework's private state offers in every
// request and response.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateStateWriter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// getPrivateJSON decodes a private-state value into v and reports whether the
// key was there.
func getPrivateJSON(ctx context.Context, p privateState, key string, v any) (bool, diag.Diagnostics) {
	if p == nil {
		return false, nil
	}
	raw, diags := p.GetKey(ctx, key)
	if diags.HasError() || len(raw) == 0 {
		return false, diags
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, nil
	}
	return true, diags
}

func setPrivateJSON(ctx context.Context, p privateStateWriter, key string, v any) diag.Diagnostics {
	raw, err := json.Marshal(v)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Internal Error", "Could not encode private state: "+err.Error())
		return diags
	}
	return p.SetKey(ctx, key, raw)
}

// warnOpenAccessList warns when the token's API key would accept every
// address.
func warnOpenAccessList(set types.Set) diag.Diagnostics {
	var diags diag.Diagnostics
	if set.IsNull() || set.IsUnknown() {
		return diags
	}
	for _, v := range set.Elements() {
		e, ok := v.(types.String)
		if !ok || e.IsUnknown() || e.IsNull() {
			continue
		}
		if isOpenToAll(e.ValueString()) {
			diags.AddAttributeWarning(path.Root("access_list_ips"), "Access List Open To Every Address",
				fmt.Sprintf("%s lets the API key inside the link token be used from any address. The token is a high-value secret: "+
					"list only the addresses of your Ops Manager hosts (Cloud Manager's are known to Atlas; for Cloud Manager, an empty list is enough).", e.ValueString()))
		}
	}
	return diags
}

// setStrings returns the known strings of a set. It walks the elements
// directly: the framework's reflection (ElementsAs) locates each element of
// a set by value, which is quadratic and takes seconds for access lists of
// thousands of entries.
func setStrings(set types.Set) []string {
	out := make([]string, 0, len(set.Elements()))
	for _, v := range set.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	return out
}
