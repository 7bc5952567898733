package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
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
	data *ProviderData
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
			"Once started, a healthy migration is never tainted: a timeout, a rate limit or Ctrl-C ends the apply with a warning, and the next apply continues.",
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
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true,
				CreateDescription: fmt.Sprintf("How long validation and the start of the migration may take (default `%s`).", liveMigrationCreateTimeout),
				UpdateDescription: fmt.Sprintf("How long a cutover may take: waiting until the migration is ready, the cutover request, and waiting for `COMPLETE` (default `%s`). "+
					"Also bounds the cutover of a migration created with `cutover = true`.", liveMigrationUpdateTimeout),
			}),
		},
	}
}

func (r *liveMigrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerData(req.ProviderData, &resp.Diagnostics)
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

// ModifyPlan announces every migration the apply will start or cut over,
// plans the replacement of a FAILED or EXPIRED migration that was never cut
// over, keeps an import free of replacements, continues what an earlier
// apply left unfinished, and warns — by reading, never writing — when a new
// migration cannot work. It never returns an error for an existing
// migration: Terraform plans the configuration before every destroy, so an
// error here would block destroying it.
func (r *liveMigrationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		var state liveMigrationModel
		if req.State.Raw.IsNull() {
			return
		}
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if status := state.Status.ValueString(); activeMigration(status) {
			resp.Diagnostics.AddWarning("Active Live Migration Cannot Be Destroyed", activeDestroyMessage(state))
		}
		return
	}
	var plan liveMigrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if r.data != nil && !r.data.ConfigUnknown {
		r.data.atlasClient(&resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		// Terraform drops the warnings of the second plan of a replacement:
		// the first one, which sees the prior state, announces it. A
		// replacement that first plan could not see (-replace,
		// replace_triggered_by) cannot be announced, so it may not cut over.
		if plan.Cutover.ValueBool() && req.Private != nil {
			if raw, _ := req.Private.GetKey(ctx, privUnannouncedReplace); len(raw) > 0 {
				var old string
				_ = json.Unmarshal(raw, &old)
				resp.Diagnostics.AddAttributeError(path.Root("cutover"), "Replacement Would Cut Over Unannounced",
					fmt.Sprintf("This plan replaces migration %s (terraform apply -replace or replace_triggered_by) while cutover = true: the new migration would be "+
						"created and cut over in the same apply, and Terraform shows no warning for such a replacement. Nothing was started. "+
						"Set cutover = false for the replacement, then cut the new migration over in a later, reviewed change.", old))
				return
			}
		}
		if plan.Cutover.ValueBool() {
			resp.Diagnostics.AddWarning("Migration Will Be Cut Over In This Apply",
				"cutover = true on a new migration: the apply creates it, waits until it is ready and cuts over at once (the maintenance-window mode). "+
					"The application must stop writing to the source before the cutover; set cutover = false to cut over later in a reviewed change.")
		}
		r.warnAtPlan(ctx, &plan, resp)
		return
	}

	var state liveMigrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privUnannouncedReplace, nil)...)
	priv, diags := readMigrationPrivate(ctx, req.Private, &state)
	resp.Diagnostics.Append(diags...)
	status := state.Status.ValueString()
	cutOver := priv.CutoverRequested || status == client.MigrationComplete
	id, projectID := state.MigrationID.ValueString(), state.ProjectID.ValueString()

	// After an import the state knows neither source, destination nor the
	// options: writing them in the configuration records them.
	imported := state.Source.IsNull()
	if !imported {
		for _, name := range replacingSourceAttributes {
			p := path.Root("source").AtName(name)
			var planned, prior attr.Value
			resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, p, &planned)...)
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, p, &prior)...)
			if planned != nil && prior != nil && !planned.Equal(prior) {
				resp.RequiresReplace = append(resp.RequiresReplace, p)
			}
		}
		if !plan.Destination.Equal(state.Destination) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("destination"))
		}
		if !plan.DropDestinationData.Equal(state.DropDestinationData) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("drop_destination_data"))
		}
		if !plan.Sharding.Equal(state.Sharding) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("sharding"))
		}
	}
	// project_id and migration_host replace through their own plan
	// modifiers, whose verdict this method does not see.
	replaced := len(resp.RequiresReplace) > 0 || !plan.ProjectID.Equal(state.ProjectID) ||
		(!state.MigrationHost.IsNull() && !plan.MigrationHost.Equal(state.MigrationHost))

	if (status == client.MigrationFailed || status == client.MigrationExpired) && !replaced {
		if cutOver {
			// A cutover was requested: the application may already write
			// to the destination, which a new migration would overwrite.
			resp.Diagnostics.AddWarning("Live Migration "+titleStatus(status)+" After Its Cutover",
				fmt.Sprintf("Migration %s in project %s is %s after its cutover was requested (Atlas sends a failure's reason only by email to the project's owners). "+
					"Check the destination cluster before sending writes to it. The provider does not start a new migration on its own: the application may already "+
					"write to the destination, which a new migration would overwrite. To start one, run terraform apply -replace on this resource.", id, projectID, status))
			return
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
		what := "FAILED: Atlas stopped it because of an error, whose reason it sends only by email to the project's owners"
		if status == client.MigrationExpired {
			what = "EXPIRED: it was not cut over within the 120-hour cutover window, so Atlas stopped syncing (nothing was rolled back on the destination)"
		}
		next := "The new migration waits for a cutover: set cutover = true in a reviewed change when the application can stop writing."
		if plan.Cutover.ValueBool() {
			next = "cutover is true, so the new migration will be cut over as soon as it is ready: the application must stop writing to the source first, or set cutover = false."
		}
		resp.Diagnostics.AddWarning("Live Migration "+titleStatus(status)+": A New One Is Planned",
			fmt.Sprintf("Migration %s in project %s is %s. This plan replaces it with a new migration (validated and created again); the old record stays in Atlas. %s",
				id, projectID, what, next))
		return
	}
	if replaced {
		if plan.Cutover.ValueBool() {
			over := ""
			if cutOver {
				over = fmt.Sprintf(" Migration %s was cut over: the application writes to the destination cluster, and the new migration copies the source over it.", id)
			}
			resp.Diagnostics.AddWarning("New Migration Will Be Cut Over In This Apply",
				fmt.Sprintf("This plan replaces migration %s in project %s with a new migration, and cutover = true: the apply creates the new migration, "+
					"waits until it is ready and cuts it over at once.%s Set cutover = false to start the new migration without cutting it over, "+
					"then cut it over in a later, reviewed change.", id, projectID, over))
		}
		if activeMigration(status) {
			resp.Diagnostics.AddWarning("Replacing An Active Live Migration Will Fail",
				"This change starts a new migration, which first destroys the current one; but "+activeDestroyMessage(state))
		}
		return
	}

	// The same migration from here on. Should Terraform replace it all the
	// same (-replace), the second plan learns that this one announced
	// nothing.
	if plan.Cutover.ValueBool() {
		raw, _ := json.Marshal(id)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privUnannouncedReplace, raw)...)
	}
	if cutOver && !plan.Cutover.IsUnknown() && !plan.Cutover.ValueBool() {
		if state.Cutover.ValueBool() {
			resp.Diagnostics.AddAttributeWarning(path.Root("cutover"), "Cutover Cannot Be Undone",
				fmt.Sprintf("Migration %s in project %s has been cut over, and a cutover cannot be undone: this plan changes cutover to false in the state only. "+
					"The apply sends nothing to Atlas, the migration stays cut over, and no new migration is started. "+
					"Keep cutover = true to keep the configuration true to Atlas; to migrate again, change the destination (a new migration is planned) "+
					"or declare a new atlasmig_live_migration. A destroy, or removing the resource, is never refused for this.", id, projectID))
		} else {
			resp.Diagnostics.AddAttributeWarning(path.Root("cutover"), "Live Migration Was Cut Over",
				fmt.Sprintf("Migration %s in project %s has been cut over (Atlas reports %s), outside this configuration or in an earlier apply, "+
					"while the configuration says cutover = false. To record it, change one line:\n\n  cutover = true\n\n"+
					"The apply that records it sends nothing to Atlas.", id, projectID, orDefault(status, "no status")))
		}
		return
	}
	continueWith := func(summary, detail string) {
		for _, name := range []string{"status", "ready_for_cutover", "lag_time_seconds"} {
			var v attr.Value = types.StringUnknown()
			switch name {
			case "ready_for_cutover":
				v = types.BoolUnknown()
			case "lag_time_seconds":
				v = types.Int64Unknown()
			}
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
		}
		resp.Diagnostics.AddWarning(summary, detail)
	}
	switch {
	case cutOver && activeMigration(status) && plan.Cutover.ValueBool():
		continueWith("Live Migration Cutover Still Completing",
			fmt.Sprintf("The cutover of migration %s in project %s was requested and Atlas reports %s. The apply waits for COMPLETE (bounded by timeouts.update); "+
				"it sends no request and starts nothing.", id, projectID, orDefault(status, "no status")))
	case !cutOver && state.Cutover.ValueBool() && plan.Cutover.ValueBool() && activeMigration(status):
		continueWith("Migration Will Be Cut Over In This Apply",
			fmt.Sprintf("Migration %s in project %s was created with cutover = true, and the apply that created it stopped before the cutover (Atlas reports %s). "+
				"This apply continues: it waits until the migration is ready and cuts it over. The application must stop writing to the source first; "+
				"set cutover = false to cut over later in a reviewed change.", id, projectID, orDefault(status, "no status")))
	case priv.Starting && (status == client.MigrationNew || status == ""):
		continueWith("Live Migration Still Starting",
			fmt.Sprintf("Migration %s in project %s was created and Atlas reports %s: the apply continues waiting for it to start, and starts nothing new.",
				id, projectID, orDefault(status, "no status")))
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

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// migrationInputs are the values the pre-flight checks need.
type migrationInputs struct {
	projectID, sourceProjectID, clusterName, host string
	ssl                                           bool
}

func (r *liveMigrationResource) warnAtPlan(ctx context.Context, plan *liveMigrationModel, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.ConfigUnknown || r.data.Atlas == nil {
		return
	}
	in, known := inputsOf(ctx, plan)
	if !known {
		return
	}
	problems, notes, err := preflight(ctx, r.data.Atlas, r.data.opsManagerHost(), in)
	if err != nil {
		summary, detail := describeMigrationAPIError("check the migration against what Atlas exposes through the link", "project", err)
		resp.Diagnostics.AddWarning(summary, detail+"\n\nThe plan goes on; the same checks run again before the migration is created.")
		return
	}
	for _, p := range problems {
		if p.unlinkedOrg == "" {
			// The source project is visible, so its link is SYNCED: what
			// the inventory lacks now, the create will lack too.
			resp.Diagnostics.AddAttributeError(p.at, "Live Migration Cannot Work", p.text+
				"\n\nThe source project is visible through a SYNCED migration link, so Atlas would refuse this migration: correct the configuration. Nothing was started.")
			continue
		}
		if r.data.plannedLinks().covers(p.unlinkedOrg) {
			// The plan creates or keeps a link of this Atlas organization,
			// and the check before the create runs again.
			continue
		}
		resp.Diagnostics.AddAttributeWarning(p.at, "Live Migration Cannot Work", p.text+"\n\nThe link may be created in the same apply; if it is not, the apply fails before anything is started.")
	}
	for _, n := range notes {
		resp.Diagnostics.AddWarning("Ops Manager Source Not Supported", n)
	}
}

func inputsOf(ctx context.Context, m *liveMigrationModel) (migrationInputs, bool) {
	if m.Source.IsNull() || m.Source.IsUnknown() {
		return migrationInputs{}, false
	}
	var s liveMigrationSourceModel
	if diags := m.Source.As(ctx, &s, basetypes.ObjectAsOptions{}); diags.HasError() {
		return migrationInputs{}, false
	}
	for _, v := range []attr.Value{m.ProjectID, m.MigrationHost, s.ProjectID, s.ClusterName, s.SSL} {
		if v.IsUnknown() || v.IsNull() {
			return migrationInputs{}, false
		}
	}
	return migrationInputs{
		projectID: m.ProjectID.ValueString(), sourceProjectID: s.ProjectID.ValueString(), clusterName: s.ClusterName.ValueString(),
		host: m.MigrationHost.ValueString(), ssl: s.SSL.ValueBool(),
	}, true
}

type problem struct {
	at   path.Path
	text string
	// unlinkedOrg is the Atlas organization whose links do not expose the
	// source project, when that is the problem.
	unlinkedOrg string
}

// preflight reads what Atlas exposes through the link — the project's
// organization, that organization's available projects — and returns why
// the migration cannot work, in the same words at plan and at create.
// notes are advice that never blocks.
func preflight(ctx context.Context, atlas *client.Atlas, opsManagerHost string, in migrationInputs) ([]problem, []string, error) {
	project, err := atlas.GetProject(ctx, in.projectID)
	if err != nil {
		return nil, nil, err
	}
	available, err := atlas.ListAvailableProjects(ctx, project.OrgID)
	if err != nil {
		return nil, nil, err
	}
	var source *client.AvailableProject
	names := make([]string, 0, len(available))
	for i := range available {
		names = append(names, available[i].ProjectID+" ("+available[i].Name+")")
		if available[i].ProjectID == in.sourceProjectID {
			source = &available[i]
		}
	}
	if source == nil {
		text := fmt.Sprintf("Source project %s is not among the projects Atlas organization %s (of project %s) can see through its migration links", in.sourceProjectID, project.OrgID, in.projectID)
		if len(available) == 0 {
			text += ": it sees none, so no source organization is linked to it with a SYNCED link. Create the link (atlasmig_migration_link) with a link token of this organization, or check its status."
		} else {
			text += fmt.Sprintf(" (available: %s). Check source.project_id, and that the source organization's link is SYNCED.", strings.Join(names, ", "))
		}
		return []problem{{at: path.Root("source").AtName("project_id"), text: text, unlinkedOrg: project.OrgID}}, nil, nil
	}
	var problems []problem
	var notes []string
	hostOK := false
	for _, h := range source.MigrationHosts {
		hostOK = hostOK || h == in.host
	}
	if !hostOK {
		problems = append(problems, problem{at: path.Root("migration_host"), text: fmt.Sprintf("Migration host %s is not a migration host of source project %s (its migration hosts: %s).",
			in.host, in.sourceProjectID, listOrNone(source.MigrationHosts))})
	}
	var deployment *client.Deployment
	deployments := make([]string, 0, len(source.Deployments))
	for i := range source.Deployments {
		deployments = append(deployments, source.Deployments[i].Name)
		if source.Deployments[i].Name == in.clusterName {
			deployment = &source.Deployments[i]
		}
	}
	switch {
	case deployment == nil:
		problems = append(problems, problem{at: path.Root("source").AtName("cluster_name"), text: fmt.Sprintf("Source cluster %s is not a deployment of source project %s (its deployments: %s).",
			in.clusterName, in.sourceProjectID, listOrNone(deployments))})
	case deployment.TLSEnabled != in.ssl:
		problems = append(problems, problem{at: path.Root("source").AtName("ssl"), text: fmt.Sprintf("source.ssl is %t but deployment %s has TLS %s: set ssl = %t.",
			in.ssl, in.clusterName, enabled(deployment.TLSEnabled), deployment.TLSEnabled)})
	}
	if deployment != nil && opsManagerHost != "" && majorAtLeast(deployment.MongoDBVersion, 6) {
		notes = append(notes, fmt.Sprintf("The source is Ops Manager (%s) and deployment %s runs MongoDB %s: push live migration from Ops Manager is not supported "+
			"for MongoDB 6.0 and later. Monitor the deployment with Cloud Manager and migrate from there, or use a pull live migration.", opsManagerHost, in.clusterName, deployment.MongoDBVersion))
	}
	return problems, notes, nil
}

func listOrNone(v []string) string {
	if len(v) == 0 {
		return "none"
	}
	return strings.Join(v, ", ")
}

func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

// isOpsManager tells an Ops Manager source from Cloud Manager by its base
// URL: Cloud Manager is cloud.mongodb.com (the default); a loopback host is
// the bundled simulator, which plays Cloud Manager.
func isOpsManager(baseURL string) bool {
	host := hostOnly(baseURL)
	if host == "" || host == "cloud.mongodb.com" || host == "cloud.mongodbgov.com" || host == "localhost" {
		return false
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return false
	}
	return true
}

// opsManagerHost is the host of the configured source when it is Ops
// Manager, and "" when it is Cloud Manager.
func (d *ProviderData) opsManagerHost() string {
	if !isOpsManager(d.SourceBaseURL) {
		return ""
	}
	return hostOnly(d.SourceBaseURL)
}

func hostOnly(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func majorAtLeast(version string, major int) bool {
	first, _, _ := strings.Cut(version, ".")
	n, err := strconv.Atoi(first)
	return err == nil && n >= major
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

func (r *liveMigrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan liveMigrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var passwordWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("source").AtName("password_wo"), &passwordWO)...)
	atlas := r.data.atlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	body, diags := plan.request(ctx, passwordWO.ValueString())
	resp.Diagnostics.Append(diags...)
	createTimeout, diags := plan.Timeouts.Create(ctx, liveMigrationCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	createCtx, cancel := context.WithTimeout(ctx, createTimeout)
	defer cancel()
	projectID := plan.ProjectID.ValueString()
	sched := r.data.polling()

	// The same checks as at plan time, now refusing: nothing is started
	// for a migration that cannot work.
	in, _ := inputsOf(ctx, &plan)
	problems, _, err := preflight(createCtx, atlas, r.data.opsManagerHost(), in)
	if err != nil {
		addMigrationAPIError(&resp.Diagnostics, "check the migration against what Atlas exposes through the link (project "+projectID+")", "project", err)
		return
	}
	for _, p := range problems {
		resp.Diagnostics.AddAttributeError(p.at, "Live Migration Cannot Work", p.text+"\n\nNothing was started in Atlas.")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	validation, err := atlas.ValidateMigration(createCtx, projectID, body)
	if err != nil && client.IsUncertain(err) && createCtx.Err() == nil {
		// A validation starts nothing: when its answer is lost, asking
		// again is safe, and simpler than finding the lost one.
		tflog.Warn(ctx, "validation answer lost; validating again", map[string]any{"project_id": projectID})
		validation, err = atlas.ValidateMigration(createCtx, projectID, body)
	}
	if err != nil {
		addMigrationAPIError(&resp.Diagnostics, "validate the migration in project "+projectID, "project", err)
		return
	}
	if validation.Status != client.ValidationSuccess && validation.Status != client.ValidationFailed {
		err = poll(createCtx, sched, validationPace(), "validation "+validation.ID, false, nil, func() (bool, sighting, error) {
			v, err := atlas.GetValidation(createCtx, projectID, validation.ID)
			if err != nil {
				return false, sighting{}, err
			}
			validation = v
			return v.Status == client.ValidationSuccess || v.Status == client.ValidationFailed, sawStatus(v.Status), nil
		})
		if err != nil {
			addAPIError(&resp.Diagnostics, atlasSide, "wait for validation "+validation.ID+" of the migration in project "+projectID+" (nothing was started)", err)
			return
		}
	}
	if validation.Status == client.ValidationFailed {
		reason := "Atlas gave no reason."
		if validation.ErrorMessage != nil && *validation.ErrorMessage != "" {
			reason = "Atlas's reason: " + *validation.ErrorMessage
		}
		resp.Diagnostics.AddError("Live Migration Validation Failed",
			fmt.Sprintf("Atlas validated the migration into project %s and refused it (validation %s). Nothing was started.\n\n%s\n\n"+
				"Correct the configuration, the migration host or the clusters, then run terraform apply again.", projectID, validation.ID, reason))
		return
	}
	plan.ValidationID = types.StringValue(validation.ID)

	mig, err := atlas.CreateMigration(createCtx, projectID, body)
	if err != nil {
		if client.IsUncertain(err) {
			resp.Diagnostics.AddError("Live Migration May Have Been Started",
				fmt.Sprintf("The request that starts the migration reached Atlas, but its answer was lost (%s). Atlas may have started it; "+
					"the provider does not send the request again, because Atlas has no API that lists migrations to check for a duplicate.\n\n"+
					"Find the migration in the Atlas UI (project %s, the cluster %s: its migration status shows the migration id), then import it:\n\n  %s\n\n"+
					"If no migration was started, run terraform apply again: if one was, Atlas's validation reports its migration host %s as busy, so no duplicate is started.",
					err, projectID, body.Destination.ClusterName, importCommand(projectID, "<migration_id>"), body.MigrationHosts[0]))
			return
		}
		addAPIError(&resp.Diagnostics, atlasSide, "start the migration in project "+projectID, err)
		return
	}
	// Saved at once: from here on, nothing is orphaned. From here on too,
	// Create returns no error for a healthy migration: Terraform taints an
	// object whose create fails, and plans a tainted object's replacement
	// as a create — a second migration the plan would not announce as
	// such. What is left undone is recorded, and the next apply continues.
	plan.MigrationID = types.StringValue(mig.ID)
	plan.ID = types.StringValue(projectID + "/" + mig.ID)
	plan.apply(mig)
	priv := migrationPrivate{Starting: true}
	save := func() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(writeMigrationPrivate(ctx, resp.Private, priv)...)
	}
	save()
	resp.Diagnostics.Append(setMigrationIdentity(ctx, resp.Identity, plan.ProjectID, plan.MigrationID)...)
	tflog.Info(ctx, "live migration started", map[string]any{"project_id": projectID, "migration_id": mig.ID})
	kept := func(next string) string {
		return fmt.Sprintf("Migration %s was started in project %s and is saved in state, not tainted: it is healthy and keeps syncing. %s "+
			"The next terraform apply continues from there (its plan shows the status as known after apply) and starts no other migration.", mig.ID, projectID, next)
	}

	if mig.Status == client.MigrationNew || mig.Status == "" {
		seen := sawMigration(mig)
		err = poll(createCtx, sched, readinessPace(), "migration "+mig.ID+" to start", false, &seen, func() (bool, sighting, error) {
			m, err := atlas.GetMigration(createCtx, projectID, mig.ID)
			if err != nil {
				return false, sighting{}, err
			}
			mig = m
			return started(m), sawMigration(m), nil
		})
		plan.apply(mig)
		if err != nil {
			save()
			summary, detail := describeWait("migration "+mig.ID+" to start", "timeouts.create", mig, err)
			next := "The apply stopped waiting for it to start."
			if plan.Cutover.ValueBool() {
				next += " Its cutover (cutover = true) was not requested: the next apply waits until it is ready and cuts it over, as its plan says."
			}
			resp.Diagnostics.AddWarning(summary, detail+"\n\n"+kept(next))
			return
		}
	}
	priv.Starting = false
	save()
	if mig.Status == client.MigrationFailed || mig.Status == client.MigrationExpired {
		resp.Diagnostics.AddError("Live Migration "+titleStatus(mig.Status),
			fmt.Sprintf("Migration %s in project %s was started and is now %s (Atlas sends the reason only by email to the project's owners). "+
				"It is saved in state as tainted: the next terraform apply validates and starts a new one.", mig.ID, projectID, mig.Status))
		return
	}

	if plan.Cutover.ValueBool() {
		updateTimeout, diags := plan.Timeouts.Update(ctx, liveMigrationUpdateTimeout)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		cutCtx, cancelCut := context.WithTimeout(ctx, updateTimeout)
		defer cancelCut()
		// The state keeps cutover = true, as configured; whether Atlas
		// accepted the cutover is recorded in private state.
		var cd diag.Diagnostics
		run := cutoverRun{
			atlas: atlas, m: &plan, diags: &cd, sched: sched,
			save: func(m *client.Migration) {
				if m != nil {
					plan.apply(m)
				}
				save()
			},
			requested: func() { priv.CutoverRequested = true },
			advice: func(requested bool) string {
				if requested {
					return kept("Its cutover was requested: the next apply waits for COMPLETE, and the application must now use the destination cluster.")
				}
				return kept("Its cutover was not requested: the next apply waits until it is ready and cuts it over, as its plan says.")
			},
		}
		run.cutover(cutCtx, mig)
		// Each problem is reported, but none taints the migration.
		for _, d := range cd {
			if d.Severity() == diag.SeverityError {
				resp.Diagnostics.AddWarning(d.Summary(), d.Detail())
			} else {
				resp.Diagnostics.Append(d)
			}
		}
	}
}

// cutoverRun is one cutover: wait until the migration is ready, ask for the
// cutover once, wait for COMPLETE, saving the state after each step so a
// failure leaves an accurate record.
type cutoverRun struct {
	atlas *client.Atlas
	m     *liveMigrationModel
	diags *diag.Diagnostics
	// save copies what Atlas said (when not nil) into m and saves the state.
	save func(*client.Migration)
	// requested is called once Atlas accepted the cutover.
	requested func()
	// advice tells what the next apply does, knowing whether the cutover
	// was requested.
	advice func(requested bool) string
	sched  Polling
}

// cutover runs the whole cutover. last is what was read last, so the wait
// does not read it again; it is nil when nothing was read.
func (c *cutoverRun) cutover(ctx context.Context, last *client.Migration) {
	atlas, m, diags := c.atlas, c.m, c.diags
	projectID, id := m.ProjectID.ValueString(), m.MigrationID.ValueString()
	mig := last
	read := func() (bool, sighting, error) {
		got, err := atlas.GetMigration(ctx, projectID, id)
		if err != nil {
			return false, sighting{}, err
		}
		mig = got
		if got.Status == client.MigrationFailed || got.Status == client.MigrationExpired {
			return true, sawMigration(got), nil
		}
		return got.ReadyForCutover || got.Status == client.MigrationComplete, sawMigration(got), nil
	}
	var err error
	if last == nil || !last.ReadyForCutover {
		var seen *sighting
		if last != nil {
			s := sawMigration(last)
			seen = &s
		}
		err = poll(ctx, c.sched, readinessPace(), "migration "+id+" to be ready for cutover", last == nil, seen, read)
	}
	if err != nil {
		c.save(mig)
		if errors.Is(err, context.DeadlineExceeded) && mig != nil {
			lag := "Atlas reports no lag yet"
			if mig.LagTimeSeconds != nil {
				lag = fmt.Sprintf("its replication lag is %d s", *mig.LagTimeSeconds)
			}
			diags.AddError("Live Migration Not Ready For Cutover Yet",
				fmt.Sprintf("Migration %s in project %s is not ready for cutover yet: Atlas reports %s, and %s. The wait ended when the operation's timeout ran out "+
					"(timeouts.update bounds the cutover); the cutover was not requested. Atlas sets readyForCutover once the destination is nearly in sync.\n\n%s",
					id, projectID, describeMigration(mig), lag, c.advice(false)))
			return
		}
		summary, detail := describeAPIError(atlasSide, "wait for migration "+id+" to be ready for cutover (the cutover was not requested)", err)
		diags.AddError(summary, detail+"\n\n"+c.advice(false))
		return
	}
	if mig.Status == client.MigrationFailed || mig.Status == client.MigrationExpired {
		c.save(mig)
		diags.AddError("Live Migration "+titleStatus(mig.Status),
			fmt.Sprintf("Migration %s in project %s is %s, so it cannot be cut over. The next plan replaces it with a new migration.", id, projectID, mig.Status))
		return
	}
	if mig.Status != client.MigrationComplete {
		if err := atlas.Cutover(ctx, projectID, id); err != nil {
			// A lost answer, or a refusal of a cutover that may already
			// have happened: Atlas's own view decides.
			got, readErr := atlas.GetMigration(ctx, projectID, id)
			switch {
			case readErr != nil:
				addAPIError(diags, atlasSide, "cut over migration "+id+" in project "+projectID, err)
				c.save(nil)
				return
			case client.IsUncertain(err) && got.ReadyForCutover:
				// Still ready: the request was not processed. Send it once more.
				if err := atlas.Cutover(ctx, projectID, id); err != nil {
					addAPIError(diags, atlasSide, "cut over migration "+id+" in project "+projectID, err)
					c.save(got)
					return
				}
			case got.Status == client.MigrationComplete || (got.Status == client.MigrationWorking && !got.ReadyForCutover && got.LagTimeSeconds == nil):
				tflog.Info(ctx, "cutover already under way", map[string]any{"migration_id": id})
			default:
				addAPIError(diags, atlasSide, "cut over migration "+id+" in project "+projectID, err)
				c.save(got)
				return
			}
			mig = got
		}
		tflog.Info(ctx, "cutover requested", map[string]any{"project_id": projectID, "migration_id": id})
	}
	c.requested()
	c.save(mig)
	if mig.Status == client.MigrationComplete {
		return
	}
	c.waitComplete(ctx, false)
}

// waitComplete waits for COMPLETE after the cutover was requested; with
// immediate, it reads the migration before the first wait.
func (c *cutoverRun) waitComplete(ctx context.Context, immediate bool) {
	projectID, id := c.m.ProjectID.ValueString(), c.m.MigrationID.ValueString()
	var mig *client.Migration
	err := poll(ctx, c.sched, completePace(), "migration "+id+" to complete", immediate, nil, func() (bool, sighting, error) {
		got, err := c.atlas.GetMigration(ctx, projectID, id)
		if err != nil {
			return false, sighting{}, err
		}
		mig = got
		return got.Status == client.MigrationComplete || got.Status == client.MigrationFailed || got.Status == client.MigrationExpired, sawMigration(got), nil
	})
	c.save(mig)
	if err != nil {
		summary, detail := describeWait("migration "+id+" to complete after its cutover", "timeouts.update", mig, err)
		c.diags.AddError(summary, detail+"\n\n"+c.advice(true))
		return
	}
	if mig.Status == client.MigrationFailed || mig.Status == client.MigrationExpired {
		c.diags.AddError("Live Migration "+titleStatus(mig.Status)+" After Cutover",
			fmt.Sprintf("Migration %s in project %s is %s after its cutover was requested (Atlas sends a failure's reason only by email to the project's owners). "+
				"Check the destination cluster before sending writes to it. The provider never replaces a migration whose cutover was requested on its own.", id, projectID, mig.Status))
	}
}

// describeWait explains a wait for a migration that did not end: when the
// operation's timeout ran out, the migration is simply not there yet, and
// the message says what Atlas reported last; any other failure is the API's.
func describeWait(what, timeout string, last *client.Migration, err error) (string, string) {
	if errors.Is(err, context.DeadlineExceeded) && last != nil {
		return "Live Migration Still In Progress",
			fmt.Sprintf("Gave up waiting for %s when %s ran out: Atlas last reported %s. Nothing is wrong with the migration or the API; it only needs more time.",
				what, timeout, describeMigration(last))
	}
	return describeAPIError(atlasSide, "wait for "+what, err)
}

func (r *liveMigrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state liveMigrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setMigrationIdentity(ctx, resp.Identity, state.ProjectID, state.MigrationID)...)
	atlas := r.data.atlasClient(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	priv, diags := readMigrationPrivate(ctx, req.Private, &state)
	resp.Diagnostics.Append(diags...)
	projectID, id := state.ProjectID.ValueString(), state.MigrationID.ValueString()
	mig, err := atlas.GetMigration(ctx, projectID, id)
	if err != nil {
		if client.IsNotFound(err) {
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
				resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
				resp.Diagnostics.Append(writeMigrationPrivate(ctx, resp.Private, priv)...)
				return
			}
			tflog.Info(ctx, "live migration no longer exists; removing it from state", map[string]any{"project_id": projectID, "migration_id": id})
			resp.State.RemoveResource(ctx)
			return
		}
		addAPIError(&resp.Diagnostics, atlasSide, "read migration "+id+" in project "+projectID, err)
		return
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
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(writeMigrationPrivate(ctx, resp.Private, priv)...)
}

// Update cuts over when the plan asks for it (cutover going from false to
// true, or a create that stopped before its cutover), continues the waits
// an earlier apply left unfinished, and records every other change
// (timeouts, password_wo_version, configuration written after an import,
// cutover = false after a cutover) without an API call.
func (r *liveMigrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state liveMigrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setMigrationIdentity(ctx, resp.Identity, state.ProjectID, state.MigrationID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	priv, diags := readMigrationPrivate(ctx, req.Private, &state)
	resp.Diagnostics.Append(diags...)
	plan.ID, plan.MigrationID, plan.ValidationID = state.ID, state.MigrationID, state.ValidationID
	plan.Status, plan.ReadyForCutover, plan.LagTimeSeconds, plan.MigrationHosts = state.Status, state.ReadyForCutover, state.LagTimeSeconds, state.MigrationHosts
	status := state.Status.ValueString()
	projectID, id := state.ProjectID.ValueString(), state.MigrationID.ValueString()
	save := func(m *client.Migration) {
		if m != nil {
			plan.apply(m)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(writeMigrationPrivate(ctx, resp.Private, priv)...)
	}
	cutOver := priv.CutoverRequested || status == client.MigrationComplete
	waitsComplete := cutOver && plan.Cutover.ValueBool() && activeMigration(status)
	waitsStart := !cutOver && !plan.Cutover.ValueBool() && priv.Starting && (status == client.MigrationNew || status == "")
	if cutOver {
		priv.CutoverRequested = true
		if !plan.Cutover.ValueBool() && state.Cutover.ValueBool() {
			resp.Diagnostics.AddAttributeWarning(path.Root("cutover"), "Cutover Cannot Be Undone",
				fmt.Sprintf("Migration %s in project %s stays cut over: cutover = false is recorded in the state only, nothing was sent to Atlas.", id, projectID))
		}
	}
	if (cutOver || !plan.Cutover.ValueBool()) && !waitsComplete && !waitsStart {
		save(nil)
		return
	}
	atlas := r.data.atlasClient(&resp.Diagnostics)
	timeout, diags := plan.Timeouts.Update(ctx, liveMigrationUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run := cutoverRun{
		atlas: atlas, m: &plan, diags: &resp.Diagnostics, save: save, sched: r.data.polling(),
		requested: func() {
			priv.CutoverRequested = true
			plan.Cutover = types.BoolValue(true)
		},
		advice: func(requested bool) string {
			if requested {
				return "The cutover was requested and is recorded (cutover = true): the application must now use the destination cluster. " +
					"Run terraform apply again to keep waiting for COMPLETE; it sends no other request."
			}
			return "Run terraform apply again to keep waiting (raise timeouts.update if the migration is only slow)."
		},
	}
	switch {
	case waitsComplete:
		save(nil)
		run.waitComplete(ctx, true)
	case waitsStart:
		save(nil)
		var mig *client.Migration
		err := poll(ctx, run.sched, readinessPace(), "migration "+id+" to start", true, nil, func() (bool, sighting, error) {
			m, err := atlas.GetMigration(ctx, projectID, id)
			if err != nil {
				return false, sighting{}, err
			}
			mig = m
			return started(m), sawMigration(m), nil
		})
		if err == nil {
			priv.Starting = false
		}
		save(mig)
		if err != nil {
			summary, detail := describeWait("migration "+id+" to start", "timeouts.update", mig, err)
			resp.Diagnostics.AddError(summary, detail+"\n\nThe migration is kept in state; run terraform apply again to keep waiting.")
		}
	default:
		// Until Atlas accepts the cutover, the state says it has not
		// happened, whatever fails first.
		plan.Cutover = types.BoolValue(false)
		save(nil)
		run.cutover(ctx, nil)
	}
}

// Delete removes a migration that has ended from state; Atlas has no API to
// cancel or delete one, so an active migration cannot be destroyed.
func (r *liveMigrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state liveMigrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if activeMigration(state.Status.ValueString()) {
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

// describeMigrationAPIError is describeAPIError with a 404 explained in the
// terms of a migration: missing is what Atlas does not know.
func describeMigrationAPIError(action, missing string, err error) (string, string) {
	if apiErr, ok := client.AsAPIError(err); ok && client.IsNotFound(err) {
		return "Atlas " + strings.ToUpper(missing[:1]) + missing[1:] + " Not Found",
			fmt.Sprintf("Could not %s: Atlas answered that the %s does not exist. Check project_id (the destination Atlas project) and, "+
				"for a migration, its id; both are 24 lowercase hexadecimal characters. The Atlas credentials must belong to the project's organization.\n\n%s",
				action, missing, apiAnswer(apiErr))
	}
	return describeAPIError(atlasSide, action, err)
}

func addMigrationAPIError(diags *diag.Diagnostics, action, missing string, err error) {
	summary, detail := describeMigrationAPIError(action, missing, err)
	diags.AddError(summary, detail)
}
