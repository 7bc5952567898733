package link

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identities (Terraform 1.12 and later): what names each resource
// in its API, so that an import block can say `identity = { ... }` instead
// of composing an id string. Older Terraform versions and OpenTofu ignore
// them; the string ids keep working everywhere.

var (
	_ resource.ResourceWithIdentity = (*linkTokenResource)(nil)
	_ resource.ResourceWithIdentity = (*migrationLinkResource)(nil)
)

type orgIdentityModel struct {
	OrgID types.String `tfsdk:"org_id"`
}

func (r *linkTokenResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"org_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "Id of the Atlas organization whose link token this is (24 lowercase hexadecimal characters). Link tokens cannot be imported: Atlas cannot read one back."},
	}}
}

func (r *migrationLinkResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"org_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "Id of the source Cloud Manager / Ops Manager organization that is linked (24 lowercase hexadecimal characters)."},
	}}
}

// setOrgIdentity records the identity of a resource named by an
// organization; a nil identity (a Terraform without identities) is left
// alone.
func setOrgIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, orgID types.String) diag.Diagnostics {
	if identity == nil || orgID.IsNull() || orgID.IsUnknown() {
		return nil
	}
	return identity.Set(ctx, orgIdentityModel{OrgID: orgID})
}

// orgImportID returns the import id of an import by identity: the
// identity's org_id. An import by id string returns req.ID unchanged.
func orgImportID(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) string {
	if req.ID != "" || req.Identity == nil {
		return req.ID
	}
	var id orgIdentityModel
	diags.Append(req.Identity.Get(ctx, &id)...)
	return id.OrgID.ValueString()
}
