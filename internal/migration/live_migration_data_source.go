package migration

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

var (
	_ datasource.DataSource              = (*liveMigrationDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*liveMigrationDataSource)(nil)
)

// NewLiveMigrationDataSource returns the atlasmig_live_migration data source.
func NewLiveMigrationDataSource() datasource.DataSource { return &liveMigrationDataSource{} }

type liveMigrationDataSource struct {
	data *shared.ProviderData
}

type liveMigrationDataModel struct {
	ID              types.String `tfsdk:"id"`
	ProjectID       types.String `tfsdk:"project_id"`
	MigrationID     types.String `tfsdk:"migration_id"`
	Status          types.String `tfsdk:"status"`
	ReadyForCutover types.Bool   `tfsdk:"ready_for_cutover"`
	LagTimeSeconds  types.Int64  `tfsdk:"lag_time_seconds"`
	MigrationHosts  types.List   `tfsdk:"migration_hosts"`
}

func (d *liveMigrationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_live_migration"
}

func (d *liveMigrationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a push live migration without managing it — for `check` blocks, dashboards and pipelines that wait elsewhere. " +
			"Atlas returns only the fields below: no source, destination, timestamps, expiry or failure reason.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "`<project_id>/<migration_id>`."},
			"project_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "Id of the destination Atlas project: 24 lowercase hexadecimal characters.",
				Validators: []validator.String{idValidator("an Atlas project id")},
			},
			"migration_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "Id of the migration: 24 lowercase hexadecimal characters.",
				Validators: []validator.String{idValidator("a migration id")},
			},
			"status":            schema.StringAttribute{Computed: true, MarkdownDescription: "`NEW`, `WORKING`, `COMPLETE`, `FAILED`, `EXPIRED`, or null when Atlas sends none or does not list the migration (answers 404; a warning says so), so a `check` block can report it."},
			"ready_for_cutover": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the migration can be cut over now."},
			"lag_time_seconds":  schema.Int64Attribute{Computed: true, MarkdownDescription: "Replication lag while active and before the cutover; null otherwise."},
			"migration_hosts":   schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The migration's migration hosts."},
		},
	}
}

func (d *liveMigrationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *liveMigrationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model liveMigrationDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	atlas := d.data.AtlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	projectID, id := model.ProjectID.ValueString(), model.MigrationID.ValueString()
	mig, err := atlas.GetMigration(ctx, projectID, id)
	if client.IsNotFound(err) {
		// For check blocks and dashboards: a migration Atlas does not
		// list is a null status they can test, not a failed plan.
		resp.Diagnostics.AddWarning("Atlas Does Not List Live Migration",
			fmt.Sprintf("Atlas answered 404 for migration %s in project %s: the migration does not exist, Atlas no longer lists it (it keeps records for a time it does not document), "+
				"or the project id is wrong. status is null.", id, projectID))
		model.ID = types.StringValue(projectID + "/" + id)
		model.Status, model.ReadyForCutover, model.LagTimeSeconds = types.StringNull(), types.BoolValue(false), types.Int64Null()
		model.MigrationHosts = types.ListValueMust(types.StringType, nil)
		resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
		return
	}
	if err != nil {
		addMigrationAPIError(&resp.Diagnostics, "read migration "+id+" in project "+projectID, "migration", err)
		return
	}
	var m liveMigrationModel
	m.apply(mig)
	model.ID = types.StringValue(projectID + "/" + id)
	model.Status, model.ReadyForCutover, model.LagTimeSeconds, model.MigrationHosts = m.Status, m.ReadyForCutover, m.LagTimeSeconds, m.MigrationHosts
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
