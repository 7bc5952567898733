package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/provider"
)

// BenchmarkPlanAccessList measures what the provider process spends planning
// a new atlasmig_link_token with a large access list: validation, then the
// plan (the framework's own work, the schema plan modifiers and ModifyPlan).
// BENCHMARKS.md explains where the time goes; reproduce it with
//
//	go test ./internal/provider -run '^$' -bench PlanAccessList -cpuprofile cpu.out
func BenchmarkPlanAccessList(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) { benchmarkPlanAccessList(b, n) })
	}
}

func benchmarkPlanAccessList(b *testing.B, n int) {
	env := map[string]string{"MONGODB_ATLAS_BASE_URL": "http://127.0.0.1:9", "MONGODB_ATLAS_PUBLIC_KEY": "a", "MONGODB_ATLAS_PRIVATE_KEY": "b"}
	srv, err := providerserver.NewProtocol6WithError(provider.NewWithOptions("t", provider.Options{Getenv: func(k string) string { return env[k] }})())()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	sch, _ := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	rs := sch.ResourceSchemas["atlasmig_link_token"]
	typ := rs.ValueType()
	ps := sch.Provider.ValueType()
	objT := typ.(tftypes.Object)
	ips := make([]tftypes.Value, n)
	for i := range ips {
		ips[i] = tftypes.NewValue(tftypes.String, fmt.Sprintf("10.%d.%d.%d", i/250, i%250, (i*7)%250))
	}
	vals := map[string]tftypes.Value{}
	for k, t := range objT.AttributeTypes {
		vals[k] = tftypes.NewValue(t, nil)
	}
	vals["org_id"] = tftypes.NewValue(tftypes.String, "5f1b2c3d4e5f6a7b8c9d0a01")
	vals["access_list_ips"] = tftypes.NewValue(objT.AttributeTypes["access_list_ips"], ips)
	cfg := tftypes.NewValue(typ, vals)
	vals2 := map[string]tftypes.Value{}
	for k, v := range vals {
		vals2[k] = v
	}
	vals2["id"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	vals2["link_token"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	prop := tftypes.NewValue(typ, vals2)
	cdv, _ := tfprotov6.NewDynamicValue(typ, cfg)
	pdv, _ := tfprotov6.NewDynamicValue(typ, prop)
	prior, _ := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	pvals := map[string]tftypes.Value{}
	for k, t := range ps.(tftypes.Object).AttributeTypes {
		pvals[k] = tftypes.NewValue(t, nil)
	}
	pc, _ := tfprotov6.NewDynamicValue(ps, tftypes.NewValue(ps, pvals))
	if r, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &pc}); err != nil || len(r.Diagnostics) > 0 {
		b.Fatal(err, r.Diagnostics)
	}
	b.ResetTimer()
	for range b.N {
		v, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "atlasmig_link_token", Config: &cdv})
		if err != nil || len(v.Diagnostics) > 0 {
			b.Fatal(err, v.Diagnostics)
		}
		r, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: "atlasmig_link_token", Config: &cdv, ProposedNewState: &pdv, PriorState: &prior})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Diagnostics) > 0 {
			b.Fatal(r.Diagnostics)
		}
	}
}
