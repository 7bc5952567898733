// Command noop is the benchmark's provider floor: a provider with the same
// address, schema, validators and plan modifiers as atlasmig, on the same
// terraform-plugin-framework version, that makes no API calls. It measures
// the cost of being a plugin provider at all. Its schema is not written
// here: it is taken from the real provider, resource by resource, so the
// floor stays honest as the real schema grows. It lives with the benchmark
// and is never shipped.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	atlasmig "github.com/atlasmig/terraform-provider-atlasmig/internal/provider"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return &noopProvider{real: atlasmig.New("noop")()} },
		providerserver.ServeOpts{Address: "registry.terraform.io/atlasmig/atlasmig"})
	if err != nil {
		log.Fatal(err)
	}
}

// noopProvider answers with the real provider's metadata and schemas, and
// configures nothing.
type noopProvider struct{ real provider.Provider }

func (p *noopProvider) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.real.Metadata(ctx, req, resp)
}

func (p *noopProvider) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	p.real.Schema(ctx, req, resp)
}

func (p *noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *noopProvider) Resources(ctx context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, newReal := range p.real.Resources(ctx) {
		out = append(out, func() resource.Resource { return &noopResource{real: newReal()} })
	}
	return out
}

func (p *noopProvider) DataSources(ctx context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	for _, newReal := range p.real.DataSources(ctx) {
		out = append(out, func() datasource.DataSource { return &noopDataSource{real: newReal()} })
	}
	return out
}

// noopResource has a real resource's name and schema (with its validators
// and plan modifiers); every write is accepted and the values only known
// after apply are filled locally.
type noopResource struct{ real resource.Resource }

func (r *noopResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r *noopResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.real.Schema(ctx, req, resp)
}

func (r *noopResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = known(req.Plan.Raw)
}

func (r *noopResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *noopResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = known(req.Plan.Raw)
}

func (r *noopResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// noopDataSource has a real data source's name and schema and reads
// nothing: its state is its configuration.
type noopDataSource struct{ real datasource.DataSource }

func (d *noopDataSource) Metadata(ctx context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	d.real.Metadata(ctx, req, resp)
}

func (d *noopDataSource) Schema(ctx context.Context, req datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	d.real.Schema(ctx, req, resp)
}

func (d *noopDataSource) Read(_ context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	resp.State.Raw = req.Config.Raw
}

// known replaces every value not known until apply with a placeholder of
// its type, as a real create would fill it.
func known(planned tftypes.Value) tftypes.Value {
	out, err := tftypes.Transform(planned, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		switch t := v.Type(); {
		case t.Is(tftypes.String):
			return tftypes.NewValue(t, "noop-0123456789abcdef"), nil
		case t.Is(tftypes.Bool):
			return tftypes.NewValue(t, true), nil
		case t.Is(tftypes.Number):
			return tftypes.NewValue(t, 0), nil
		default:
			return tftypes.NewValue(t, nil), nil
		}
	})
	if err != nil {
		return planned
	}
	return out
}
