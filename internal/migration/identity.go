package migration

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A live migration's resource identity (Terraform 1.12 and later): its
// project and its id, so that an import block can say `identity = { ... }`
// instead of composing an id string. Older Terraform versions and OpenTofu
// ignore it; the string id keeps working everywhere.

var _ resource.ResourceWithIdentity = (*liveMigrationResource)(nil)

type migrationIdentityModel struct {
	ProjectID   types.String `tfsdk:"project_id"`
	MigrationID types.String `tfsdk:"migration_id"`
}

func (r *liveMigrationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"project_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "Id of the destination Atlas project (the `groupId`): 24 lowercase hexadecimal characters."},
		"migration_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "Id Atlas gave the migration: 24 lowercase hexadecimal characters."},
	}}
}

// setMigrationIdentity records a live migration's identity.
func setMigrationIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, projectID, migrationID types.String) diag.Diagnostics {
	if identity == nil || projectID.IsNull() || projectID.IsUnknown() || migrationID.IsNull() || migrationID.IsUnknown() {
		return nil
	}
	return identity.Set(ctx, migrationIdentityModel{ProjectID: projectID, MigrationID: migrationID})
}

// migrationImportID returns the import id of an import by identity,
// <project_id>/<migration_id>, so both ways of importing share one check.
// An import by id string returns req.ID unchanged.
func migrationImportID(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) string {
	if req.ID != "" || req.Identity == nil {
		return req.ID
	}
	var id migrationIdentityModel
	diags.Append(req.Identity.Get(ctx, &id)...)
	if diags.HasError() {
		return ""
	}
	if !idPattern.MatchString(id.ProjectID.ValueString()) || !idPattern.MatchString(id.MigrationID.ValueString()) {
		diags.AddError("Invalid Import Identity",
			fmt.Sprintf("The import identity needs project_id and migration_id, each 24 lowercase hexadecimal characters, such as "+
				"identity = { project_id = \"65a1b2c3d4e5f6a7b8c9d0e1\", migration_id = \"66b2c3d4e5f6a7b8c9d0e1f2\" } "+
				"(the values given have %d and %d characters).", len(id.ProjectID.ValueString()), len(id.MigrationID.ValueString())))
		return ""
	}
	return id.ProjectID.ValueString() + "/" + id.MigrationID.ValueString()
}
