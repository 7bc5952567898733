package migration

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

var (
	_ resource.Resource                   = (*liveMigrationResource)(nil)
	_ resource.ResourceWithConfigure      = (*liveMigrationResource)(nil)
	_ resource.ResourceWithImportState    = (*liveMigrationResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*liveMigrationResource)(nil)
	_ resource.ResourceWithValidateConfig = (*liveMigrationResource)(nil)
)

// Default operation timeouts, shown in the schema's documentation.
const (
	liveMigrationCreateTimeout = time.Hour
	liveMigrationUpdateTimeout = 24 * time.Hour
)

// idPattern is the format of Atlas project, migration and validation ids.
var idPattern = regexp.MustCompile(`^[a-f0-9]{24}$`)

func idValidator(what string) validator.String {
	return stringvalidator.RegexMatches(idPattern, "must be "+what+": 24 lowercase hexadecimal characters (for example 65a1b2c3d4e5f6a7b8c9d0e1)")
}

// NewLiveMigrationResource returns the atlasmig_live_migration resource.
func NewLiveMigrationResource() resource.Resource { return &liveMigrationResource{} }

type liveMigrationResource struct {
	data *shared.ProviderData
}

type liveMigrationModel struct {
	ID                  types.String   `tfsdk:"id"`
	ProjectID           types.String   `tfsdk:"project_id"`
	Source              types.Object   `tfsdk:"source"`
	Destination         types.Object   `tfsdk:"destination"`
	MigrationHost       types.String   `tfsdk:"migration_host"`
	DropDestinationData types.Bool     `tfsdk:"drop_destination_data"`
	Sharding            types.Object   `tfsdk:"sharding"`
	Cutover             types.Bool     `tfsdk:"cutover"`
	MigrationID         types.String   `tfsdk:"migration_id"`
	ValidationID        types.String   `tfsdk:"validation_id"`
	Status              types.String   `tfsdk:"status"`
	ReadyForCutover     types.Bool     `tfsdk:"ready_for_cutover"`
	LagTimeSeconds      types.Int64    `tfsdk:"lag_time_seconds"`
	MigrationHosts      types.List     `tfsdk:"migration_hosts"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

type liveMigrationSourceModel struct {
	ProjectID             types.String `tfsdk:"project_id"`
	ClusterName           types.String `tfsdk:"cluster_name"`
	ManagedAuthentication types.Bool   `tfsdk:"managed_authentication"`
	SSL                   types.Bool   `tfsdk:"ssl"`
	CACertificatePath     types.String `tfsdk:"ca_certificate_path"`
	Username              types.String `tfsdk:"username"`
	Password              types.String `tfsdk:"password"`
	PasswordWO            types.String `tfsdk:"password_wo"`
	PasswordWOVersion     types.Int64  `tfsdk:"password_wo_version"`
}

type liveMigrationDestinationModel struct {
	ClusterName        types.String `tfsdk:"cluster_name"`
	HostnameSchemaType types.String `tfsdk:"hostname_schema_type"`
	PrivateLinkID      types.String `tfsdk:"private_link_id"`
}

type liveMigrationShardingModel struct {
	CreateSupportingIndexes types.Bool                        `tfsdk:"create_supporting_indexes"`
	Entry                   []liveMigrationShardingEntryModel `tfsdk:"entry"`
}

type liveMigrationShardingEntryModel struct {
	Database   types.String   `tfsdk:"database"`
	Collection types.String   `tfsdk:"collection"`
	Key        []types.String `tfsdk:"key"`
}

// replacingSourceAttributes are the source attributes whose change starts a
// new migration; password_wo is never in state and password_wo_version only
// records a new write-only password.
var replacingSourceAttributes = []string{"project_id", "cluster_name", "managed_authentication", "ssl", "ca_certificate_path", "username", "password"}

func (r *liveMigrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_live_migration"
}

func (r *liveMigrationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computedString := func(desc string, keep bool) schema.StringAttribute {
		a := schema.StringAttribute{Computed: true, MarkdownDescription: desc}
		if keep {
			a.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
		}
		return a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A push live migration of one Cloud Manager (or Ops Manager) deployment into an Atlas cluster, through an existing migration link: " +
			"validated, started and awaited on create; cut over, in a reviewed change, by setting `cutover = true`. " +
			"Atlas has no API to cancel or delete a migration: destroying one that is still `NEW` or `WORKING` fails, see the guide. " +
			"Once started, a migration is saved in state at once; a timeout, an API error or Ctrl-C afterwards ends the apply with an error, and the plan " +
			"refuses to replace a healthy migration whose create failed: `terraform untaint` it, and the next apply continues it.",
		Attributes: map[string]schema.Attribute{
			"id": computedString("`<project_id>/<migration_id>`; also the import id.", true),
			"project_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the destination Atlas project (the `groupId`): 24 lowercase hexadecimal characters. Changing it starts a new migration.",
				Validators:          []validator.String{idValidator("an Atlas project id")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"migration_host": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Host name of the migration host: a MongoDB Agent dedicated to migrations in the source project. " +
					"One host serves one migration at a time. Atlas takes a list of exactly one. Changing it starts a new migration.",
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"drop_destination_data": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Whether Atlas drops the destination cluster's data before migrating (default `false`). Changing it starts a new migration.",
			},
			"cutover": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Set to `true`, in a reviewed change, to cut over: the apply waits until the migration is ready for cutover " +
					"(bounded by `timeouts.update`), asks Atlas to cut over once, and waits for `COMPLETE`. **Irreversible**: stop the application's writes " +
					"to the source first. Setting it back to `false` on the same migration warns at plan time and is recorded in the state only: nothing is " +
					"sent to Atlas, and the migration stays cut over (a plan error would block `terraform destroy`, which plans the configuration first). " +
					"A new migration declared with `cutover = true` is created and cut over in one apply (the maintenance-window mode); every plan that will " +
					"cut a new migration over, including a replacement, says so with a warning, and `cutover = false` alongside a replacing change starts the " +
					"new migration without a cutover. A migration whose cutover was requested is never replaced by the provider on its own.",
			},
			"migration_id":      computedString("Id Atlas gave the migration.", true),
			"validation_id":     computedString("Id of the validation that preceded the creation; null after an import.", true),
			"status":            computedString("Status Atlas reports: `NEW`, `WORKING`, `COMPLETE`, `FAILED` or `EXPIRED` (any other value is passed through).", false),
			"ready_for_cutover": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the migration is nearly in sync and can be cut over; the 120-hour cutover window runs from the moment it becomes true."},
			"lag_time_seconds":  schema.Int64Attribute{Computed: true, MarkdownDescription: "Replication lag Atlas reports while the migration is active and before its cutover; null otherwise."},
			"migration_hosts": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Migration hosts Atlas reports for the migration. A cutover does not change them, so a cutover plan shows them unchanged.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"source": schema.SingleNestedBlock{
				MarkdownDescription: "The source deployment in Cloud Manager / Ops Manager (required). Atlas does not return it: after an import, " +
					"writing it in the configuration records it without starting a new migration.",
				Validators: []validator.Object{objectvalidator.IsRequired()},
				Attributes: map[string]schema.Attribute{
					"project_id": schema.StringAttribute{
						Optional:            true, // Required inside the block; enforced by ValidateConfig.
						MarkdownDescription: "**Required.** Id of the Cloud Manager / Ops Manager project (the source `groupId`) holding the deployment: 24 lowercase hexadecimal characters.",
						Validators:          []validator.String{idValidator("a Cloud Manager / Ops Manager project id")},
					},
					"cluster_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "**Required.** Name of the source deployment, as listed by `atlasmig_available_projects`.",
					},
					"managed_authentication": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(true),
						MarkdownDescription: "Whether the source uses automation-managed authentication (default `true`). When `false`, `username` and one of `password` / `password_wo` are required.",
					},
					"ssl": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(true),
						MarkdownDescription: "Whether the source deployment uses TLS (default `true`); must match the deployment's `tls_enabled`.",
					},
					"ca_certificate_path": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Path of the CA certificate file **on the migration host** that signs the source's TLS certificate.",
					},
					"username": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "User name for a source without managed authentication.",
					},
					"password": schema.StringAttribute{
						Optional: true, Sensitive: true,
						MarkdownDescription: "Password for a source without managed authentication, kept in state as a sensitive value. Prefer `password_wo`.",
					},
					"password_wo": schema.StringAttribute{
						Optional: true, Sensitive: true, WriteOnly: true,
						MarkdownDescription: "Password as a write-only argument (Terraform 1.11 or later): sent to Atlas on creation, never stored in plan or state.",
					},
					"password_wo_version": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: "Any number, recorded with `password_wo`. Atlas cannot change the password of an existing migration, " +
							"so changing it starts nothing: the new password is used by the next migration this resource creates.",
					},
				},
			},
			"destination": schema.SingleNestedBlock{
				MarkdownDescription: "The destination Atlas cluster (required). Atlas does not return it: after an import, writing it in the configuration records it without starting a new migration.",
				Validators:          []validator.Object{objectvalidator.IsRequired()},
				Attributes: map[string]schema.Attribute{
					"cluster_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "**Required.** Name of the destination cluster in the Atlas project.",
					},
					"hostname_schema_type": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString("PUBLIC"),
						MarkdownDescription: "How the migration host reaches the destination: `PUBLIC` (default), `PRIVATE_LINK` or `VPC_PEERING`.",
						Validators:          []validator.String{stringvalidator.OneOf("PUBLIC", "PRIVATE_LINK", "VPC_PEERING")},
					},
					"private_link_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Id of the private endpoint, only with `hostname_schema_type = \"PRIVATE_LINK\"` (its exact form is undocumented).",
					},
				},
			},
			"sharding": schema.SingleNestedBlock{
				MarkdownDescription: "Collections to shard when migrating a replica set into a sharded cluster (only that topology).",
				Attributes: map[string]schema.Attribute{
					"create_supporting_indexes": schema.BoolAttribute{
						Optional:            true,
						MarkdownDescription: "Whether Atlas creates the indexes that support the shard keys (default `false`).",
					},
				},
				Blocks: map[string]schema.Block{
					"entry": schema.ListNestedBlock{
						MarkdownDescription: "One collection to shard.",
						NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
							"database":   schema.StringAttribute{Required: true, MarkdownDescription: "Database name."},
							"collection": schema.StringAttribute{Required: true, MarkdownDescription: "Collection name."},
							"key": schema.ListAttribute{
								Required: true, ElementType: types.StringType,
								MarkdownDescription: "Shard key fields, in order; each is sent as `{\"<field>\": 1}`.",
								Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
							},
						}},
					},
				},
			},
			"timeouts": shared.PositiveTimeouts(timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true,
				CreateDescription: fmt.Sprintf("How long validation and the start of the migration may take: a positive duration (default `%s`).", liveMigrationCreateTimeout),
				UpdateDescription: fmt.Sprintf("How long a cutover may take: waiting until the migration is ready, the cutover request, and waiting for `COMPLETE`; a positive duration (default `%s`). "+
					"Also bounds the cutover of a migration created with `cutover = true`, and the wait for a cutover under way that was requested elsewhere.", liveMigrationUpdateTimeout),
			})),
		},
	}
}

func (r *liveMigrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ProviderDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the rules between attributes that the schema cannot
// express, whenever the values are known.
func (r *liveMigrationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg liveMigrationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	src := path.Root("source")
	if !cfg.Source.IsNull() && !cfg.Source.IsUnknown() {
		var s liveMigrationSourceModel
		resp.Diagnostics.Append(cfg.Source.As(ctx, &s, basetypes.ObjectAsOptions{})...)
		if resp.Diagnostics.HasError() {
			return
		}
		if s.ProjectID.IsNull() {
			resp.Diagnostics.AddAttributeError(src.AtName("project_id"), "Missing Source Project", "source.project_id is required: the Cloud Manager / Ops Manager project (groupId) that holds the deployment.")
		}
		if s.ClusterName.IsNull() {
			resp.Diagnostics.AddAttributeError(src.AtName("cluster_name"), "Missing Source Cluster", "source.cluster_name is required: the name of the source deployment.")
		}
		hasPassword := !s.Password.IsNull() || !s.PasswordWO.IsNull()
		if !s.Password.IsNull() && !s.PasswordWO.IsNull() {
			resp.Diagnostics.AddAttributeError(src.AtName("password_wo"), "Conflicting Passwords", "Set only one of source.password and source.password_wo.")
		}
		if !s.PasswordWOVersion.IsNull() && s.PasswordWO.IsNull() && !s.PasswordWO.IsUnknown() {
			resp.Diagnostics.AddAttributeError(src.AtName("password_wo_version"), "Version Without Password", "source.password_wo_version is set without source.password_wo.")
		}
		if !s.ManagedAuthentication.IsUnknown() {
			managed := s.ManagedAuthentication.IsNull() || s.ManagedAuthentication.ValueBool()
			switch {
			case managed && (!s.Username.IsNull() || hasPassword):
				resp.Diagnostics.AddAttributeError(src.AtName("managed_authentication"), "Credentials With Managed Authentication",
					"With managed_authentication = true (the default), Atlas uses the automation-managed credentials: remove source.username and the password, or set managed_authentication = false.")
			case !managed && (s.Username.IsNull() || (!hasPassword && !s.Password.IsUnknown() && !s.PasswordWO.IsUnknown())):
				resp.Diagnostics.AddAttributeError(src.AtName("managed_authentication"), "Missing Source Credentials",
					"With managed_authentication = false, source.username and one of source.password or source.password_wo are required.")
			}
		}
	}
	if !cfg.Destination.IsNull() && !cfg.Destination.IsUnknown() {
		var d liveMigrationDestinationModel
		resp.Diagnostics.Append(cfg.Destination.As(ctx, &d, basetypes.ObjectAsOptions{})...)
		if resp.Diagnostics.HasError() {
			return
		}
		if d.ClusterName.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("destination").AtName("cluster_name"), "Missing Destination Cluster", "destination.cluster_name is required: the name of the Atlas cluster to migrate into.")
		}
		if !d.PrivateLinkID.IsNull() && !d.HostnameSchemaType.IsUnknown() && d.HostnameSchemaType.ValueString() != "PRIVATE_LINK" {
			resp.Diagnostics.AddAttributeError(path.Root("destination").AtName("private_link_id"), "Private Link Id Without Private Link",
				"destination.private_link_id applies only with hostname_schema_type = \"PRIVATE_LINK\".")
		}
	}
	if !cfg.Sharding.IsNull() && !cfg.Sharding.IsUnknown() {
		var sh liveMigrationShardingModel
		resp.Diagnostics.Append(cfg.Sharding.As(ctx, &sh, basetypes.ObjectAsOptions{})...)
		if !resp.Diagnostics.HasError() && len(sh.Entry) == 0 {
			resp.Diagnostics.AddAttributeError(path.Root("sharding"), "Missing Sharding Entries", "A sharding block needs at least one entry block.")
		}
	}
}

func titleStatus(s string) string {
	if s == "" {
		return s
	}
	return s[:1] + strings.ToLower(s[1:])
}

func activeMigration(status string) bool {
	// A null status is treated as active: nothing says the migration stopped.
	return status != client.MigrationComplete && status != client.MigrationFailed && status != client.MigrationExpired
}

func activeDestroyMessage(state liveMigrationModel) string {
	return fmt.Sprintf("migration %s in project %s is %s and keeps syncing: Atlas has no API to cancel or delete a migration. "+
		"Cut it over (cutover = true), let it expire, or cancel it in the Atlas UI, then destroy again — or run "+
		"terraform state rm on this resource to stop managing it.",
		state.MigrationID.ValueString(), state.ProjectID.ValueString(), orDefault(state.Status.ValueString(), "without status"))
}

// cutoverUnderWayDestroyMessage explains why a migration whose cutover was
// requested (here or elsewhere) and is not COMPLETE yet cannot be destroyed:
// it is still stopping replication, and the one way forward is to wait.
func cutoverUnderWayDestroyMessage(state liveMigrationModel) string {
	return fmt.Sprintf("Migration %s in project %s is being cut over: its cutover was requested (by this configuration or elsewhere: the Atlas UI, "+
		"the atlasmig_cutover action, another workspace) and Atlas reports %s, stopping replication after the cutover. The application must now use the destination cluster. "+
		"Atlas has no API to cancel a migration, and a cutover cannot be undone: wait until Atlas reports COMPLETE (terraform plan, or the atlasmig_live_migration "+
		"data source, shows the status), then run terraform destroy again; nothing is sent to Atlas for it. To stop managing the migration at once, "+
		"run terraform state rm on this resource.",
		state.MigrationID.ValueString(), state.ProjectID.ValueString(), orDefault(state.Status.ValueString(), "no status"))
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// request builds the API body; password is the write-only or the stored one.
func (m *liveMigrationModel) request(ctx context.Context, password string) (client.MigrationRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	var s liveMigrationSourceModel
	var d liveMigrationDestinationModel
	diags.Append(m.Source.As(ctx, &s, basetypes.ObjectAsOptions{})...)
	diags.Append(m.Destination.As(ctx, &d, basetypes.ObjectAsOptions{})...)
	req := client.MigrationRequest{
		Source: client.MigrationSource{
			ClusterName: s.ClusterName.ValueString(), GroupID: s.ProjectID.ValueString(),
			ManagedAuthentication: s.ManagedAuthentication.IsNull() || s.ManagedAuthentication.ValueBool(),
			SSL:                   s.SSL.IsNull() || s.SSL.ValueBool(),
			CACertificatePath:     s.CACertificatePath.ValueString(),
		},
		Destination: client.MigrationDestination{
			ClusterName: d.ClusterName.ValueString(), GroupID: m.ProjectID.ValueString(),
			HostnameSchemaType: orDefault(d.HostnameSchemaType.ValueString(), "PUBLIC"), PrivateLinkID: d.PrivateLinkID.ValueString(),
		},
		MigrationHosts:      []string{m.MigrationHost.ValueString()},
		DropDestinationData: m.DropDestinationData.ValueBool(),
	}
	if !req.Source.ManagedAuthentication {
		req.Source.Username = s.Username.ValueString()
		req.Source.Password = password
		if password == "" {
			req.Source.Password = s.Password.ValueString()
		}
	}
	if !m.Sharding.IsNull() && !m.Sharding.IsUnknown() {
		var sh liveMigrationShardingModel
		diags.Append(m.Sharding.As(ctx, &sh, basetypes.ObjectAsOptions{})...)
		req.Sharding = &client.MigrationSharding{CreateSupportingIndexes: sh.CreateSupportingIndexes.ValueBool(), ShardingEntries: []client.ShardingEntry{}}
		for _, e := range sh.Entry {
			fields := make([]string, len(e.Key))
			for i, k := range e.Key {
				fields[i] = k.ValueString()
			}
			req.Sharding.ShardingEntries = append(req.Sharding.ShardingEntries, client.ShardingEntry{
				Database: e.Database.ValueString(), Collection: e.Collection.ValueString(), ShardCollection: client.ShardKeyOf(fields...),
			})
		}
	}
	return req, diags
}

// destinationCluster is the destination cluster's name, empty when it is
// not known (after an import, before the configuration is recorded).
func (m *liveMigrationModel) destinationCluster(ctx context.Context) string {
	if m.Destination.IsNull() || m.Destination.IsUnknown() {
		return ""
	}
	var d liveMigrationDestinationModel
	if diags := m.Destination.As(ctx, &d, basetypes.ObjectAsOptions{}); diags.HasError() {
		return ""
	}
	return d.ClusterName.ValueString()
}

// apply copies what Atlas says of the migration into the model.
func (m *liveMigrationModel) apply(mig *client.Migration) {
	if mig.Status == "" {
		m.Status = types.StringNull()
	} else {
		m.Status = types.StringValue(mig.Status)
	}
	m.ReadyForCutover = types.BoolValue(mig.ReadyForCutover)
	if mig.LagTimeSeconds != nil {
		m.LagTimeSeconds = types.Int64Value(*mig.LagTimeSeconds)
	} else {
		m.LagTimeSeconds = types.Int64Null()
	}
	hosts := make([]attr.Value, len(mig.MigrationHosts))
	for i, h := range mig.MigrationHosts {
		hosts[i] = types.StringValue(h)
	}
	m.MigrationHosts = types.ListValueMust(types.StringType, hosts)
}

func importCommand(projectID, migrationID string) string {
	return fmt.Sprintf("terraform import atlasmig_live_migration.<name> %s/%s\n\nor an import block with id = \"%s/%s\"", projectID, migrationID, projectID, migrationID)
}

func (r *liveMigrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state liveMigrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setMigrationIdentity(ctx, resp.Identity, state.ProjectID, state.MigrationID)...)
	atlas := r.data.AtlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	priv, diags := readMigrationPrivate(ctx, req.Private, &state)
	resp.Diagnostics.Append(diags...)
	projectID, id := state.ProjectID.ValueString(), state.MigrationID.ValueString()
	mig, err := atlas.GetMigration(ctx, projectID, id)
	if err != nil {
		if client.IsNotFound(err) {
			if status := state.Status.ValueString(); priv.CutoverRequested && (status == client.MigrationFailed || status == client.MigrationExpired) {
				// It ended without completing: Atlas forgetting the record
				// changes nothing of that, and the application may
				// already write to the destination.
				resp.Diagnostics.AddWarning("Atlas No Longer Lists Live Migration",
					fmt.Sprintf("Atlas answered 404 for migration %s in project %s, which was %s after its cutover was requested: Atlas keeps migration records for a time it does not document. "+
						"It stays in state as %s and nothing is started: the application may already write to the destination, which a new migration would overwrite. "+
						"Check the destination cluster. To start a new migration into it, run terraform apply -replace on this resource; "+
						"to stop managing it, remove the resource from the configuration.", id, projectID, status, status))
				rememberMigration(r.data, projectID, state.destinationCluster(ctx), seenMigration{ID: id, Status: status, CutOver: true})
				resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
				resp.Diagnostics.Append(writeMigrationPrivate(ctx, resp.Private, priv)...)
				return
			}
			if priv.CutoverRequested || state.Status.ValueString() == client.MigrationComplete {
				// A migration that was cut over is never started again on
				// the provider's own: the application writes to its
				// destination.
				state.Status = types.StringValue(client.MigrationComplete)
				state.ReadyForCutover = types.BoolValue(false)
				state.LagTimeSeconds = types.Int64Null()
				priv.CutoverRequested, priv.Starting = true, false
				resp.Diagnostics.AddWarning("Atlas No Longer Lists Live Migration",
					fmt.Sprintf("Atlas answered 404 for migration %s in project %s, which was cut over: Atlas keeps migration records for a time it does not document. "+
						"It stays in state as COMPLETE and nothing is started. To start a new migration into the destination, run terraform apply -replace on this resource; "+
						"to stop managing it, remove the resource from the configuration.", id, projectID))
				rememberMigration(r.data, projectID, state.destinationCluster(ctx), seenMigration{ID: id, Status: client.MigrationComplete, CutOver: true})
				resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
				resp.Diagnostics.Append(writeMigrationPrivate(ctx, resp.Private, priv)...)
				return
			}
			tflog.Info(ctx, "live migration no longer exists; removing it from state", map[string]any{"project_id": projectID, "migration_id": id})
			resp.State.RemoveResource(ctx)
			return
		}
		shared.AddAPIError(&resp.Diagnostics, shared.AtlasSide, "read migration "+id+" in project "+projectID, err)
		return
	}
	if next := cutoverElsewhere(priv, state, mig); next != priv {
		tflog.Info(ctx, "live migration's cutover under way elsewhere", map[string]any{"project_id": projectID, "migration_id": id, "under_way": next.CutoverElsewhere})
		priv = next
	}
	state.apply(mig)
	state.ID = types.StringValue(projectID + "/" + id)
	if state.MigrationHost.IsNull() && len(mig.MigrationHosts) > 0 {
		// After an import, the one field of the configuration Atlas returns.
		state.MigrationHost = types.StringValue(mig.MigrationHosts[0])
	}
	if state.Cutover.IsNull() {
		state.Cutover = types.BoolValue(false)
	}
	if mig.Status == client.MigrationComplete {
		priv.CutoverRequested = true
	}
	if mig.Status != client.MigrationNew && mig.Status != "" {
		priv.Starting = false
	}
	// A plan that follows this read in the same process must not start
	// a second migration into the same cluster (see migrationsSeen).
	rememberMigration(r.data, projectID, state.destinationCluster(ctx), seenMigration{ID: id, Status: mig.Status, CutOver: priv.CutoverRequested})
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(writeMigrationPrivate(ctx, resp.Private, priv)...)
}

// cutoverElsewhere updates what the private state says of a cutover from a
// read of the migration (mig) and the state before it (prior).
//
// A migration seen ready or reporting lag, and now WORKING, no longer ready
// and without the lag Atlas reports only before a cutover, was cut over
// elsewhere (the Atlas UI, the atlasmig_cutover action, another workspace)
// and Atlas is stopping replication: it is recorded as any cutover the
// provider requested, never requested again and never replaced on the
// provider's own. Without a sighting before, the same answer may be a
// migration still preparing, which Atlas documents no better, and nothing is
// recorded. Should a later read report a lag again, what looked like a
// cutover was not one, and the record is undone.
func cutoverElsewhere(priv migrationPrivate, prior liveMigrationModel, mig *client.Migration) migrationPrivate {
	switch {
	case !priv.CutoverRequested && cutUnderWay(mig) && (prior.ReadyForCutover.ValueBool() || !prior.LagTimeSeconds.IsNull()):
		priv.CutoverRequested, priv.CutoverElsewhere = true, true
	case priv.CutoverElsewhere && mig.Status == client.MigrationWorking && mig.LagTimeSeconds != nil:
		priv.CutoverRequested, priv.CutoverElsewhere = false, false
	}
	return priv
}

// Delete removes a migration that has ended from state; Atlas has no API to
// cancel or delete one, so an active migration cannot be destroyed.
func (r *liveMigrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state liveMigrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	priv, diags := readMigrationPrivate(ctx, req.Private, &state)
	resp.Diagnostics.Append(diags...)
	if activeMigration(state.Status.ValueString()) {
		if priv.CutoverRequested {
			resp.Diagnostics.AddError("Live Migration Cutover Under Way", cutoverUnderWayDestroyMessage(state)+" Nothing was destroyed.")
			return
		}
		resp.Diagnostics.AddError("Active Live Migration Cannot Be Destroyed", "Cannot destroy: "+activeDestroyMessage(state))
		return
	}
	tflog.Info(ctx, "removing an ended live migration from state; Atlas keeps its record", map[string]any{
		"project_id": state.ProjectID.ValueString(), "migration_id": state.MigrationID.ValueString(), "status": state.Status.ValueString(),
	})
}

// ImportState imports a migration by <project_id>/<migration_id>, or by its
// identity (project_id and migration_id).
func (r *liveMigrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID = migrationImportID(ctx, req, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	projectID, migrationID, ok := strings.Cut(req.ID, "/")
	if !ok || !idPattern.MatchString(projectID) || !idPattern.MatchString(migrationID) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import id must be <project_id>/<migration_id>: two ids of 24 lowercase hexadecimal characters joined by a slash, "+
				"such as 65a1b2c3d4e5f6a7b8c9d0e1/66b2c3d4e5f6a7b8c9d0e1f2 (the value given has %d characters).", len(req.ID)))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("project_id"), projectID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("migration_id"), migrationID)...)
	resp.Diagnostics.Append(setMigrationIdentity(ctx, resp.Identity, types.StringValue(projectID), types.StringValue(migrationID))...)
}

// describeMigrationAPIError is shared.DescribeAPIError with a 404 explained in the
// terms of a migration: missing is what Atlas does not know.
func describeMigrationAPIError(action, missing string, err error) (string, string) {
	if apiErr, ok := client.AsAPIError(err); ok && client.IsNotFound(err) {
		return "Atlas " + strings.ToUpper(missing[:1]) + missing[1:] + " Not Found",
			fmt.Sprintf("Could not %s: Atlas answered that the %s does not exist. Check project_id (the destination Atlas project) and, "+
				"for a migration, its id; both are 24 lowercase hexadecimal characters. The Atlas credentials must belong to the project's organization.\n\n%s",
				action, missing, shared.APIAnswer(apiErr))
	}
	return shared.DescribeAPIError(shared.AtlasSide, action, err)
}

func addMigrationAPIError(diags *diag.Diagnostics, action, missing string, err error) {
	summary, detail := describeMigrationAPIError(action, missing, err)
	diags.AddError(summary, detail)
}
