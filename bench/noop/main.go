// Command noop is the benchmark's provider floor: a provider with the same
// address, blocks and resource attributes as atlasmig, on the same
// terraform-plugin-framework version, that makes no API calls. It measures
// the cost of being a plugin provider at all. It lives with the benchmark
// and is never shipped.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return &noopProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/atlasmig/atlasmig"})
	if err != nil {
		log.Fatal(err)
	}
}

type noopProvider struct{}

func (p *noopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "atlasmig"
}

func (p *noopProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	side := func() pschema.SingleNestedBlock {
		attrs := map[string]pschema.Attribute{}
		for _, n := range []string{"base_url", "public_key", "private_key", "client_id", "client_secret", "ca_cert_file"} {
			attrs[n] = pschema.StringAttribute{Optional: true, Sensitive: n != "base_url" && n != "ca_cert_file"}
		}
		attrs["insecure_skip_verify"] = pschema.BoolAttribute{Optional: true}
		return pschema.SingleNestedBlock{Attributes: attrs}
	}
	resp.Schema = pschema.Schema{
		Attributes: map[string]pschema.Attribute{
			"max_retries":     pschema.Int64Attribute{Optional: true},
			"request_timeout": pschema.StringAttribute{Optional: true},
		},
		Blocks: map[string]pschema.Block{"atlas": side(), "ops_manager": side()},
	}
}

func (p *noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *noopProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return &noopResource{name: "_link_token"} },
		func() resource.Resource { return &noopResource{name: "_migration_link"} },
	}
}

func (p *noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// noopResource has the union of both resources' attributes; every write is
// accepted and computed values are filled locally.
type noopResource struct{ name string }

type noopModel struct {
	ID                 types.String   `tfsdk:"id"`
	OrgID              types.String   `tfsdk:"org_id"`
	AccessListIPs      types.Set      `tfsdk:"access_list_ips"`
	LinkToken          types.String   `tfsdk:"link_token"`
	LinkTokenWO        types.String   `tfsdk:"link_token_wo"`
	LinkTokenWOVersion types.Int64    `tfsdk:"link_token_wo_version"`
	Status             types.String   `tfsdk:"status"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

func (r *noopResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.name
}

// Schema has the attributes and blocks of both real resources, so the floor
// carries the same schema weight through every RPC.
func (r *noopResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":              schema.StringAttribute{Computed: true, PlanModifiers: keep},
		"org_id":          schema.StringAttribute{Required: true, PlanModifiers: replace},
		"access_list_ips": schema.SetAttribute{Optional: true, ElementType: types.StringType},
		// Computed for the token, set from configuration for the link.
		"link_token":            schema.StringAttribute{Optional: true, Computed: true, Sensitive: true, PlanModifiers: keep},
		"link_token_wo":         schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true},
		"link_token_wo_version": schema.Int64Attribute{Optional: true},
		"status":                schema.StringAttribute{Computed: true, PlanModifiers: keep},
	}, Blocks: map[string]schema.Block{
		"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Delete: true}),
	}}
}

func (r *noopResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m noopModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = m.OrgID
	if m.LinkToken.IsUnknown() || m.LinkToken.IsNull() {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		m.LinkToken = types.StringValue(hex.EncodeToString(b))
	}
	m.Status = types.StringValue("SYNCED")
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *noopResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *noopResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m noopModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *noopResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
