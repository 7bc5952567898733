package link

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
	_ datasource.DataSource              = (*migrationLinkDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*migrationLinkDataSource)(nil)
)

// NewMigrationLinkDataSource returns the atlasmig_migration_link data source.
func NewMigrationLinkDataSource() datasource.DataSource { return &migrationLinkDataSource{} }

type migrationLinkDataSource struct {
	data *shared.ProviderData
}

type migrationLinkDataModel struct {
	ID     types.String `tfsdk:"id"`
	OrgID  types.String `tfsdk:"org_id"`
	Status types.String `tfsdk:"status"`
	Linked types.Bool   `tfsdk:"linked"`
}

func (d *migrationLinkDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_migration_link"
}

func (d *migrationLinkDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the migration link status of a Cloud Manager / Ops Manager organization without managing it — for `check` blocks, " +
			"preconditions and workspaces that do not own the link. An organization without a link reads as `linked = false` instead of failing the run.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The source organization id."},
			"org_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the source Cloud Manager / Ops Manager organization: 24 lowercase hexadecimal characters.",
				Validators:          []validator.String{orgIDValidator("Cloud Manager / Ops Manager")},
			},
			"status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The status the API reports: `SYNCED`, `NOT_SYNCED` or any other value it returns; " +
					"null when the organization has no link.",
			},
			"linked": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the organization has a link at all: true for `SYNCED` (or any status other than `NOT_SYNCED`), false when the API answers 404. " +
					"Null, with a warning, for `NOT_SYNCED`, which means a link that does not sync or, on some servers, no link at all: the API does not tell which.",
			},
		},
	}
}

func (d *migrationLinkDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *migrationLinkDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model migrationLinkDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	om := d.data.OpsManagerClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	orgID := model.OrgID.ValueString()
	model.ID = types.StringValue(orgID)
	ctx, cancel := context.WithTimeout(ctx, dataSourceReadTimeout)
	defer cancel()
	status, err := om.LinkStatus(ctx, orgID)
	switch {
	case err == nil && status == client.StatusNotSynced:
		// Documented for a link that does not work; some servers answer
		// it for an organization with no link at all. Say so rather than
		// guess.
		model.Status, model.Linked = types.StringValue(status), types.BoolNull()
		resp.Diagnostics.AddWarning("Link Existence Unknown",
			fmt.Sprintf("Source organization %s reports the link status NOT_SYNCED, which means a link that does not sync (for example after its token was removed in Atlas) "+
				"or, on some servers, no link at all: linked is null because the API does not tell which. Either way the organization is not syncing with Atlas.", orgID))
	case err == nil:
		model.Status, model.Linked = types.StringValue(status), types.BoolValue(true)
	case client.IsNotFound(err):
		model.Status, model.Linked = types.StringNull(), types.BoolValue(false)
	default:
		shared.AddAPIError(&resp.Diagnostics, shared.OpsManagerSide, "read the link status of organization "+orgID, err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
