package link

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

var (
	_ datasource.DataSource              = (*availableProjectsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*availableProjectsDataSource)(nil)
)

// NewAvailableProjectsDataSource returns the atlasmig_available_projects data source.
func NewAvailableProjectsDataSource() datasource.DataSource { return &availableProjectsDataSource{} }

type availableProjectsDataSource struct {
	data *shared.ProviderData
}

type availableProjectsModel struct {
	ID       types.String   `tfsdk:"id"`
	OrgID    types.String   `tfsdk:"org_id"`
	Projects []projectModel `tfsdk:"projects"`
}

type projectModel struct {
	ProjectID      types.String      `tfsdk:"project_id"`
	Name           types.String      `tfsdk:"name"`
	MigrationHosts []string          `tfsdk:"migration_hosts"`
	Deployments    []deploymentModel `tfsdk:"deployments"`
}

type deploymentModel struct {
	Name                        types.String `tfsdk:"name"`
	ClusterID                   types.String `tfsdk:"cluster_id"`
	MongoDBVersion              types.String `tfsdk:"mongodb_version"`
	FeatureCompatibilityVersion types.String `tfsdk:"feature_compatibility_version"`
	Managed                     types.Bool   `tfsdk:"managed"`
	Sharded                     types.Bool   `tfsdk:"sharded"`
	TLSEnabled                  types.Bool   `tfsdk:"tls_enabled"`
	AgentVersion                types.String `tfsdk:"agent_version"`
	DBSizeBytes                 types.Int64  `tfsdk:"db_size_bytes"`
	OplogSizeMB                 types.Int64  `tfsdk:"oplog_size_mb"`
	ShardsSize                  types.Int64  `tfsdk:"shards_size"`
}

func (d *availableProjectsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_available_projects"
}

func (d *availableProjectsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Cloud Manager / Ops Manager projects and deployments that the migration links of an Atlas organization expose: " +
			"what can be migrated, and to which migration hosts. Only projects of source organizations linked with a live token of this Atlas organization appear.",
		Attributes: map[string]schema.Attribute{
			"id": str("The Atlas organization id."),
			"org_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the destination Atlas organization (the one that issued the link token): 24 lowercase hexadecimal characters.",
				Validators:          []validator.String{orgIDValidator("Atlas")},
			},
			"projects": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The available projects, in the order the API returns them; empty when nothing is linked.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"project_id": str("Id of the source project."),
					"name":       str("Name of the source project."),
					"migration_hosts": schema.ListAttribute{
						Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Hostnames of the migration hosts available to this project's migrations.",
					},
					"deployments": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "The project's deployments that can be migrated.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"name":                          str("Name of the deployment."),
							"cluster_id":                    str("Id of the cluster; null when the API omits it."),
							"mongodb_version":               str("MongoDB version the deployment runs."),
							"feature_compatibility_version": str("Feature compatibility version of the deployment."),
							"managed":                       schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether automation manages the deployment."},
							"sharded":                       schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the deployment is a sharded cluster."},
							"tls_enabled":                   schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the deployment requires TLS."},
							"agent_version":                 str("Version of the agent; null when the API omits it."),
							"db_size_bytes":                 schema.Int64Attribute{Computed: true, MarkdownDescription: "Size of the data in bytes; null when the API omits it."},
							"oplog_size_mb":                 schema.Int64Attribute{Computed: true, MarkdownDescription: "Oplog size in MB; null when the API omits it."},
							"shards_size":                   schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of shards; null when the API omits it or the deployment is not sharded."},
						}},
					},
				}},
			},
		},
	}
}

func (d *availableProjectsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *availableProjectsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model availableProjectsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	atlas := d.data.AtlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	orgID := model.OrgID.ValueString()
	ctx, cancel := context.WithTimeout(ctx, dataSourceReadTimeout)
	defer cancel()
	projects, err := atlas.ListAvailableProjects(ctx, orgID)
	if err != nil {
		shared.AddAPIError(&resp.Diagnostics, shared.AtlasSide, "list the available projects of Atlas organization "+orgID, err)
		return
	}
	// The read proves the Atlas credentials for the organization to a plan
	// of this process that removes its tokens (see read_reuse.go), and is
	// the list that plan compares with its links' projects.
	guardOf(d.data).markProved(atlasProofKey(orgID))
	guardOf(d.data).noteAvailable(orgID, exposedProjects(projects))
	model.ID = types.StringValue(orgID)
	model.Projects = projectModels(projects)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// projectModels converts the API's projects into the schema's models,
// keeping the API's omissions as nulls and empty lists as empty lists.
func projectModels(projects []client.AvailableProject) []projectModel {
	out := make([]projectModel, 0, len(projects))
	for _, p := range projects {
		deployments := make([]deploymentModel, 0, len(p.Deployments))
		for _, dep := range p.Deployments {
			deployments = append(deployments, deploymentModel{
				Name:                        types.StringValue(dep.Name),
				ClusterID:                   types.StringPointerValue(dep.ClusterID),
				MongoDBVersion:              types.StringValue(dep.MongoDBVersion),
				FeatureCompatibilityVersion: types.StringValue(dep.FeatureCompatibilityVersion),
				Managed:                     types.BoolValue(dep.Managed),
				Sharded:                     types.BoolValue(dep.Sharded),
				TLSEnabled:                  types.BoolValue(dep.TLSEnabled),
				AgentVersion:                types.StringPointerValue(dep.AgentVersion),
				DBSizeBytes:                 types.Int64PointerValue(dep.DBSizeBytes),
				OplogSizeMB:                 types.Int64PointerValue(dep.OplogSizeMB),
				ShardsSize:                  types.Int64PointerValue(dep.ShardsSize),
			})
		}
		out = append(out, projectModel{
			ProjectID:      types.StringValue(p.ProjectID),
			Name:           types.StringValue(p.Name),
			MigrationHosts: append(make([]string, 0, len(p.MigrationHosts)), p.MigrationHosts...),
			Deployments:    deployments,
		})
	}
	return out
}
