package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

var (
	_ datasource.DataSource              = (*availableProjectsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*availableProjectsDataSource)(nil)
)

// NewAvailableProjectsDataSource returns the atlasmig_available_projects data source.
func NewAvailableProjectsDataSource() datasource.DataSource { return &availableProjectsDataSource{} }

type availableProjectsDataSource struct {
	data *ProviderData
}

type availableProjectsModel struct {
	ID       types.String `tfsdk:"id"`
	OrgID    types.String `tfsdk:"org_id"`
	Projects types.List   `tfsdk:"projects"`
}

var (
	deploymentAttrTypes = map[string]attr.Type{
		"name":                          types.StringType,
		"cluster_id":                    types.StringType,
		"mongodb_version":               types.StringType,
		"feature_compatibility_version": types.StringType,
		"managed":                       types.BoolType,
		"sharded":                       types.BoolType,
		"tls_enabled":                   types.BoolType,
		"agent_version":                 types.StringType,
		"db_size_bytes":                 types.Int64Type,
		"oplog_size_mb":                 types.Int64Type,
		"shards_size":                   types.Int64Type,
	}
	projectAttrTypes = map[string]attr.Type{
		"project_id":      types.StringType,
		"name":            types.StringType,
		"migration_hosts": types.ListType{ElemType: types.StringType},
		"deployments":     types.ListType{ElemType: types.ObjectType{AttrTypes: deploymentAttrTypes}},
	}
)

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
	d.data = providerData(req.ProviderData, &resp.Diagnostics)
}

func (d *availableProjectsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model availableProjectsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	atlas := d.data.atlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	orgID := model.OrgID.ValueString()
	ctx, cancel := context.WithTimeout(ctx, dataSourceReadTimeout)
	defer cancel()
	projects, err := atlas.ListAvailableProjects(ctx, orgID)
	if err != nil {
		addAPIError(&resp.Diagnostics, atlasSide, "list the available projects of Atlas organization "+orgID, err)
		return
	}
	model.ID = types.StringValue(orgID)
	model.Projects = projectsValue(projects, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// projectsValue converts the API's projects into the schema's list, keeping
// the API's omissions as nulls.
func projectsValue(projects []client.AvailableProject, diags *diag.Diagnostics) types.List {
	projectType := types.ObjectType{AttrTypes: projectAttrTypes}
	deploymentType := types.ObjectType{AttrTypes: deploymentAttrTypes}
	items := make([]attr.Value, 0, len(projects))
	for _, p := range projects {
		deployments := make([]attr.Value, 0, len(p.Deployments))
		for _, dep := range p.Deployments {
			obj, d := types.ObjectValue(deploymentAttrTypes, map[string]attr.Value{
				"name":                          types.StringValue(dep.Name),
				"cluster_id":                    types.StringPointerValue(dep.ClusterID),
				"mongodb_version":               types.StringValue(dep.MongoDBVersion),
				"feature_compatibility_version": types.StringValue(dep.FeatureCompatibilityVersion),
				"managed":                       types.BoolValue(dep.Managed),
				"sharded":                       types.BoolValue(dep.Sharded),
				"tls_enabled":                   types.BoolValue(dep.TLSEnabled),
				"agent_version":                 types.StringPointerValue(dep.AgentVersion),
				"db_size_bytes":                 types.Int64PointerValue(dep.DBSizeBytes),
				"oplog_size_mb":                 types.Int64PointerValue(dep.OplogSizeMB),
				"shards_size":                   types.Int64PointerValue(dep.ShardsSize),
			})
			diags.Append(d...)
			deployments = append(deployments, obj)
		}
		hosts := make([]attr.Value, 0, len(p.MigrationHosts))
		for _, h := range p.MigrationHosts {
			hosts = append(hosts, types.StringValue(h))
		}
		hostList, d := types.ListValue(types.StringType, hosts)
		diags.Append(d...)
		depList, d := types.ListValue(deploymentType, deployments)
		diags.Append(d...)
		obj, d := types.ObjectValue(projectAttrTypes, map[string]attr.Value{
			"project_id":      types.StringValue(p.ProjectID),
			"name":            types.StringValue(p.Name),
			"migration_hosts": hostList,
			"deployments":     depList,
		})
		diags.Append(d...)
		items = append(items, obj)
	}
	list, d := types.ListValue(projectType, items)
	diags.Append(d...)
	return list
}
