// Package provider defines the atlasmig provider: its schema, the resolution
// of its configuration and the clients it hands to resources.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/link"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/migration"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/atlasmig/atlasmig"

var (
	_ provider.Provider            = (*atlasmigProvider)(nil)
	_ provider.ProviderWithActions = (*atlasmigProvider)(nil)
)

type atlasmigProvider struct {
	version string
	getenv  func(string) string
	polling shared.Polling
}

// Options are what a provider is built with besides its version.
type Options struct {
	// Getenv looks up the environment; nil reads the process environment.
	Getenv func(string) string
	// Polling configures every wait of the provider (the link's SYNCED and
	// the live-migration waits), for tests that build the provider in
	// process. A configured simulator_clock_speed replaces its Scale.
	Polling shared.Polling
}

// New returns a constructor for the provider at the given version, reading
// the process environment.
func New(version string) func() provider.Provider {
	return NewWithEnvironment(version, os.Getenv)
}

// NewWithEnvironment is New with the environment lookup supplied, so tests
// running side by side in one process each see their own environment.
func NewWithEnvironment(version string, getenv func(string) string) func() provider.Provider {
	return NewWithOptions(version, Options{Getenv: getenv})
}

// NewWithOptions is New with every option supplied.
func NewWithOptions(version string, o Options) func() provider.Provider {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	return func() provider.Provider {
		return &atlasmigProvider{version: version, getenv: o.Getenv, polling: o.Polling}
	}
}

type sideModel struct {
	BaseURL            types.String `tfsdk:"base_url"`
	PublicKey          types.String `tfsdk:"public_key"`
	PrivateKey         types.String `tfsdk:"private_key"`
	ClientID           types.String `tfsdk:"client_id"`
	ClientSecret       types.String `tfsdk:"client_secret"`
	CACertFile         types.String `tfsdk:"ca_cert_file"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
	Kind               types.String `tfsdk:"kind"`

	MaxRequests types.Float64 `tfsdk:"max_requests_per_second"`
}

type atlasModel struct {
	BaseURL      types.String `tfsdk:"base_url"`
	PublicKey    types.String `tfsdk:"public_key"`
	PrivateKey   types.String `tfsdk:"private_key"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	CACertFile   types.String `tfsdk:"ca_cert_file"`

	MaxRequests types.Float64 `tfsdk:"max_requests_per_second"`
}

type providerModel struct {
	Atlas          *atlasModel  `tfsdk:"atlas"`
	OpsManager     *sideModel   `tfsdk:"ops_manager"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`

	SimulatorClockSpeed types.Float64 `tfsdk:"simulator_clock_speed"`
}

func (p *atlasmigProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "atlasmig"
	resp.Version = p.version
}

func (p *atlasmigProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	credentialAttributes := func(label string, env [4]string) map[string]schema.Attribute {
		envNote := func(i int) string {
			if env[i] == "" {
				return ""
			}
			return " Falls back to the environment variable " + env[i] + "."
		}
		return map[string]schema.Attribute{
			"public_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Public part of the " + label + " programmatic API key (HTTP Digest user name). Set together with `private_key`; conflicts with `client_id`." + envNote(0),
			},
			"private_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Private part of the " + label + " programmatic API key (HTTP Digest password)." + envNote(1),
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Client ID of a service account of " + label + " (OAuth 2.0 client credentials). Set together with `client_secret`; conflicts with `public_key`." + envNote(2),
			},
			"client_secret": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Client secret of the " + label + " service account." + envNote(3),
			},
		}
	}

	atlasAttrs := credentialAttributes("Atlas", [4]string{
		EnvAtlasPublicAPIKey + " (then " + EnvAtlasPublicKey + ")",
		EnvAtlasPrivateAPIKey + " (then " + EnvAtlasPrivateKey + ")",
		EnvAtlasClientID, EnvAtlasClientSecret,
	})
	atlasAttrs["base_url"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Base URL of the Atlas Admin API, with or without a trailing slash. Defaults to `" + DefaultBaseURL +
			"`; falls back to the environment variable " + EnvAtlasBaseURL + ". Must be `https://`, except for loopback hosts (the bundled simulator).",
	}

	// Corporate proxies that re-sign TLS are common between a CI runner and
	// Atlas, so the Atlas side trusts an extra bundle too.
	atlasAttrs["ca_cert_file"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Path to a PEM bundle of certificate authorities to trust in addition to the system roots, for a network whose proxy re-signs TLS " +
			"(or a simulator served with `-tls`). Falls back to the environment variable " + EnvAtlasCACert + " (the provider's own: MongoDB documents none).",
	}

	omAttrs := credentialAttributes("Cloud Manager / Ops Manager", [4]string{EnvOpsManagerPublicKey, EnvOpsManagerPrivateKey, "", ""})
	omAttrs["base_url"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Base URL of Cloud Manager (the default, `" + DefaultBaseURL + "`) or of your Ops Manager, such as `https://opsmanager.example.com:8443`. " +
			"Falls back to the environment variable " + EnvOpsManagerURL + ". Must be `https://`, except for loopback hosts.",
	}
	omAttrs["ca_cert_file"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Path to a PEM bundle of certificate authorities to trust in addition to the system roots, for an Ops Manager whose certificate is issued by a private CA. " +
			"Falls back to the environment variable " + EnvOpsManagerCACert + ".",
	}
	omAttrs["insecure_skip_verify"] = schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Skip verification of the Ops Manager TLS certificate. Works, but every run warns: prefer `ca_cert_file`. " +
			"Falls back to the environment variable " + EnvOpsManagerSkipVerify + ".",
	}

	omAttrs["kind"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: fmt.Sprintf("What the source is: `%s` or `%s`. Unset, it follows `base_url`: `cloud.mongodb.com` (the default) and `cloud.mongodbgov.com` are Cloud Manager, any other host is an Ops Manager. "+
			"Set it when the host says otherwise — Cloud Manager reached through a proxy host, an Ops Manager on a cloud-like host name, or the bundled simulator, which plays Cloud Manager. "+
			"It decides the plan's warning that push live migration from Ops Manager does not support MongoDB 6.0 and later. Falls back to the environment variable %s.",
			KindCloudManager, KindOpsManager, EnvOpsManagerKind),
		Validators: []validator.String{stringvalidator.OneOf(KindCloudManager, KindOpsManager)},
	}

	rateAttribute := func(label, env, example string) schema.Float64Attribute {
		return schema.Float64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("The most requests a second the provider sends to the %s API with these credentials, digest challenges included, shared by every resource and data source. "+
				"Unset (the default), the provider paces by the quota the API states (`RateLimit-Limit`, `RateLimit-Remaining`, and the capacity and refill rate in a 429's detail) or, when it states nothing, learns it: an answer 429 pauses every request until its `Retry-After` and lowers the rate, and the rate climbs back while the API keeps answering. "+
				"Set it when you know your quota or share it with other automation (%s). Between %g and %g. Falls back to the environment variable %s.",
				label, example, float64(MinRequestsPerSecond), float64(MaxRequestsPerSecond), env),
			Validators: []validator.Float64{float64validator.Between(MinRequestsPerSecond, MaxRequestsPerSecond)},
		}
	}
	atlasAttrs["max_requests_per_second"] = rateAttribute("Atlas Admin", EnvAtlasMaxRequestsPerSecond, "for example `5` to leave most of the organization's quota to others")
	omAttrs["max_requests_per_second"] = rateAttribute("Cloud Manager / Ops Manager", EnvOpsManagerMaxRequestsPerSecond, "for example `1.6` for 100 requests a minute")

	resp.Schema = schema.Schema{
		MarkdownDescription: "Links Cloud Manager and Ops Manager organizations to MongoDB Atlas for push live migrations.",
		Attributes: map[string]schema.Attribute{
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a rate limit (429) or a transient failure (503; 500, 502 and 504 for reads and removals; connection errors where safe), honouring `Retry-After`. "+
					"Defaults to %d; 0 disables retries. Falls back to the environment variable %s.", DefaultMaxRetries, EnvMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, maxMaxRetries)},
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long one HTTP request may take before it is abandoned (and retried where safe), as a Go duration such as `30s`. "+
					"Defaults to `%s`. Falls back to the environment variable %s. Each resource's `timeouts` bound the whole operation, retries included.", fmt.Sprintf("%.0fs", DefaultRequestTimeout.Seconds()), EnvRequestTimeout),
			},
			"simulator_clock_speed": schema.Float64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("For the bundled simulator only (`atlasmig-sim`): the simulated seconds per real second of its migration clock (its `-clock-speed` flag). "+
					"Every wait of the provider is scaled by 1/speed, so a simulator running 60 times faster than real time is polled as a real service would be in simulated time. "+
					"At least %d. Refused unless every configured base URL (`atlas.base_url`, `ops_manager.base_url`, and the default of a side with credentials) is a loopback host: "+
					"against a real API it would multiply the requests the provider sends. Unset, waits run in real time. Falls back to the environment variable %s, which the simulator prints when its clock runs faster.",
					MinSimulatorClockSpeed, EnvSimulatorClockSpeed),
				Validators: []validator.Float64{float64validator.AtLeast(MinSimulatorClockSpeed)},
			},
		},
		Blocks: map[string]schema.Block{
			"atlas": schema.SingleNestedBlock{
				MarkdownDescription: "The destination: the Atlas organization's Admin API v2. Needed by `atlasmig_link_token` and `atlasmig_available_projects`. Use an API key pair or a service account with the Organization Owner role.",
				Attributes:          atlasAttrs,
			},
			"ops_manager": schema.SingleNestedBlock{
				MarkdownDescription: "The source: the Cloud Manager or Ops Manager organization's Public API v1.0. Needed by `atlasmig_migration_link`. Use an API key pair (or, on Cloud Manager, a service account) with the Organization Owner role.",
				Attributes:          omAttrs,
			},
		},
	}
}

func (p *atlasmigProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}

	attrs, unknown := model.attributes()
	if unknown {
		data := &shared.ProviderData{ConfigUnknown: true}
		resp.ResourceData, resp.DataSourceData, resp.ActionData = data, data, data
		return
	}

	cfg, errs := Resolve(attrs, p.getenv)
	for _, e := range errs {
		if e.Attribute == "" {
			resp.Diagnostics.AddError(e.Summary, e.Detail)
			continue
		}
		resp.Diagnostics.AddAttributeError(attributePath(e.Attribute), e.Summary, e.Detail)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	if cfg.OpsManager.InsecureSkipVerify {
		resp.Diagnostics.AddAttributeWarning(path.Root("ops_manager").AtName("insecure_skip_verify"),
			"TLS Verification Disabled",
			"ops_manager.insecure_skip_verify is true: the provider does not verify the Ops Manager certificate, so anyone on the network path can read the credentials and the link token. "+
				"Set ops_manager.ca_cert_file to your certificate authority's PEM bundle instead.")
	}

	userAgent := fmt.Sprintf("terraform-provider-atlasmig/%s Terraform/%s", p.version, req.TerraformVersion)
	data := &shared.ProviderData{
		AtlasMissing: cfg.Atlas.Missing, OpsManagerMissing: cfg.OpsManager.Missing,
		SourceBaseURL: cfg.OpsManager.BaseURL, SourceIsOpsManager: cfg.OpsManagerKind == KindOpsManager,
		Polling: p.polling,
	}
	if cfg.SimulatorClockSpeed > 0 {
		data.Polling.Scale = 1 / cfg.SimulatorClockSpeed
	}

	// Both sides share what the process learns of digest nonces: Atlas and
	// Cloud Manager answer on one host.
	nonces := client.NewDigestNonces()
	if cfg.Atlas.Usable() {
		atlasCfg := ClientConfig(cfg.Atlas, cfg, userAgent)
		atlasCfg.DigestNonces = nonces
		atlas, err := client.NewAtlas(atlasCfg)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("atlas"), "Invalid Atlas Configuration", err.Error())
		}
		data.Atlas = atlas
	}
	if cfg.OpsManager.Usable() {
		omCfg := ClientConfig(cfg.OpsManager, cfg, userAgent)
		omCfg.DigestNonces = nonces
		om, err := client.NewOpsManager(omCfg)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("ops_manager"), "Invalid Cloud Manager / Ops Manager Configuration", err.Error())
		}
		data.OpsManager = om
	}
	resp.ResourceData, resp.DataSourceData, resp.ActionData = data, data, data
}

// ClientConfig is the client configuration of one resolved side.
func ClientConfig(side SideConfig, cfg Config, userAgent string) client.Config {
	c := client.Config{
		BaseURL:            side.BaseURL,
		PublicKey:          side.PublicKey,
		PrivateKey:         side.PrivateKey,
		ClientID:           side.ClientID,
		ClientSecret:       side.ClientSecret,
		UserAgent:          userAgent,
		CACertFile:         side.CACertFile,
		InsecureSkipVerify: side.InsecureSkipVerify,
		MaxRetries:         cfg.MaxRetries,
		RequestTimeout:     cfg.RequestTimeout,
	}
	c.MaxRequestsPerSecond = side.MaxRequestsPerSecond
	return c
}

// attributes converts the model into plain values, reporting whether any of
// them is unknown (for example, a key read from another resource).
func (m providerModel) attributes() (Attributes, bool) {
	var attrs Attributes
	unknown := false
	str := func(v types.String) string {
		if v.IsUnknown() {
			unknown = true
		}
		return v.ValueString()
	}
	float := func(v types.Float64) *float64 {
		if v.IsUnknown() {
			unknown = true
		}
		if v.IsNull() || v.IsUnknown() {
			return nil
		}
		f := v.ValueFloat64()
		return &f
	}
	if m.Atlas != nil {
		attrs.Atlas = SideAttributes{
			BaseURL:      str(m.Atlas.BaseURL),
			PublicKey:    str(m.Atlas.PublicKey),
			PrivateKey:   str(m.Atlas.PrivateKey),
			ClientID:     str(m.Atlas.ClientID),
			ClientSecret: str(m.Atlas.ClientSecret),
			CACertFile:   str(m.Atlas.CACertFile),
		}
		attrs.Atlas.MaxRequestsPerSecond = float(m.Atlas.MaxRequests)
	}
	if m.OpsManager != nil {
		attrs.OpsManager = SideAttributes{
			BaseURL:      str(m.OpsManager.BaseURL),
			PublicKey:    str(m.OpsManager.PublicKey),
			PrivateKey:   str(m.OpsManager.PrivateKey),
			ClientID:     str(m.OpsManager.ClientID),
			ClientSecret: str(m.OpsManager.ClientSecret),
			CACertFile:   str(m.OpsManager.CACertFile),
		}
		attrs.OpsManager.MaxRequestsPerSecond = float(m.OpsManager.MaxRequests)
		attrs.OpsManager.Kind = str(m.OpsManager.Kind)
		if m.OpsManager.InsecureSkipVerify.IsUnknown() {
			unknown = true
		} else if !m.OpsManager.InsecureSkipVerify.IsNull() {
			v := m.OpsManager.InsecureSkipVerify.ValueBool()
			attrs.OpsManager.InsecureSkipVerify = &v
		}
	}
	if m.MaxRetries.IsUnknown() {
		unknown = true
	} else if !m.MaxRetries.IsNull() {
		v := m.MaxRetries.ValueInt64()
		attrs.MaxRetries = &v
	}
	attrs.RequestTimeout = str(m.RequestTimeout)
	attrs.SimulatorClockSpeed = float(m.SimulatorClockSpeed)
	return attrs, unknown
}

// attributePath turns "ops_manager.ca_cert_file" into a framework path.
func attributePath(dotted string) path.Path {
	parts := strings.Split(dotted, ".")
	p := path.Root(parts[0])
	for _, part := range parts[1:] {
		p = p.AtName(part)
	}
	return p
}

func (p *atlasmigProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		link.NewLinkTokenResource,
		link.NewMigrationLinkResource,
		migration.NewLiveMigrationResource,
	}
}

// Actions lists the actions (Terraform 1.14 and later; older versions and
// OpenTofu never ask for them).
func (p *atlasmigProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{migration.NewCutoverAction}
}

func (p *atlasmigProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		link.NewAvailableProjectsDataSource,
		link.NewMigrationLinkDataSource,
		migration.NewLiveMigrationDataSource,
	}
}
