package link

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestCheckIPOrCIDR(t *testing.T) {
	valid := []string{"203.0.113.7", "0.0.0.0/0", "198.51.100.0/24", "2001:db8::7", "2001:db8::/32", "10.1.2.3/32"}
	for _, v := range valid {
		if msg := checkIPOrCIDR(v); msg != "" {
			t.Errorf("%q rejected: %s", v, msg)
		}
	}
	invalid := map[string]string{
		"":                "not an IP address",
		" 203.0.113.7":    "surrounding spaces",
		"203.0.113.256":   "not a valid IP address",
		"example.com":     "not a valid IP address",
		"198.51.100.7/24": "write the block as 198.51.100.0/24",
		"198.51.100.0/33": "not a valid CIDR block",
		"fe80::1%eth0":    "not a valid IP address",
	}
	for v, want := range invalid {
		msg := checkIPOrCIDR(v)
		if !strings.Contains(msg, want) {
			t.Errorf("%q: message %q does not contain %q", v, msg, want)
		}
	}
}

func TestValidOrgID(t *testing.T) {
	if !validOrgID("5f1b2c3d4e5f6a7b8c9d0e1f") {
		t.Error("valid id rejected")
	}
	for _, bad := range []string{"", "5F1B2C3D4E5F6A7B8C9D0E1F", "5f1b2c3d4e5f6a7b8c9d0e1", "5f1b2c3d4e5f6a7b8c9d0e1f0", "zz1b2c3d4e5f6a7b8c9d0e1f"} {
		if validOrgID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAccessListsComparedByMeaning(t *testing.T) {
	set := func(entries ...string) types.Set {
		vals := make([]attr.Value, len(entries))
		for i, e := range entries {
			vals[i] = types.StringValue(e)
		}
		return types.SetValueMust(types.StringType, vals)
	}
	same := [][2]types.Set{
		{set("203.0.113.7"), set("203.0.113.7/32")},
		{set("2001:DB8::7", "10.0.0.0/8"), set("10.0.0.0/8", "2001:db8::7/128")},
		{types.SetNull(types.StringType), set()},
	}
	for _, p := range same {
		if !sameAccessList(p[0], p[1]) {
			t.Errorf("%v and %v should be the same access list", p[0], p[1])
		}
	}
	differ := [][2]types.Set{
		{set("203.0.113.7"), set("203.0.113.8")},
		{set("203.0.113.0/24"), set("203.0.113.0/25")},
		{set("203.0.113.7"), set("203.0.113.7", "198.51.100.1")},
		{set("203.0.113.7"), types.SetUnknown(types.StringType)},
	}
	for _, p := range differ {
		if sameAccessList(p[0], p[1]) {
			t.Errorf("%v and %v should differ", p[0], p[1])
		}
	}
}

func TestOpenAccessListWarns(t *testing.T) {
	for entry, want := range map[string]bool{"0.0.0.0/0": true, "::/0": true, "0.0.0.0/1": false, "203.0.113.7": false} {
		diags := warnOpenAccessList(types.SetValueMust(types.StringType, []attr.Value{types.StringValue(entry)}))
		if got := diags.WarningsCount() == 1; got != want {
			t.Errorf("%s: warned = %v, want %v", entry, got, want)
		}
		if diags.HasError() {
			t.Errorf("%s: %v", entry, diags)
		}
	}
}

// The access list's set type rejects duplicates like the framework's, in
// one pass (the framework's compares every pair).
func TestAccessListTypeRejectsDuplicatesLinearly(t *testing.T) {
	ctx := context.Background()
	mk := func(entries ...string) tftypes.Value {
		vals := make([]tftypes.Value, len(entries))
		for i, e := range entries {
			vals[i] = tftypes.NewValue(tftypes.String, e)
		}
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, vals)
	}
	typ := newAccessListType()
	if d := typ.Validate(ctx, mk("203.0.113.7", "198.51.100.1"), path.Root("access_list_ips")); d.HasError() {
		t.Fatalf("distinct entries rejected: %v", d)
	}
	if d := typ.Validate(ctx, mk("203.0.113.7", "198.51.100.1", "203.0.113.7"), path.Root("access_list_ips")); !d.HasError() {
		t.Fatal("a duplicate entry was accepted")
	}
	v, err := typ.ValueFromTerraform(ctx, mk("203.0.113.7"))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Type(ctx).Equal(typ) || len(v.(accessListValue).Elements()) != 1 {
		t.Fatalf("value %v of type %v", v, v.Type(ctx))
	}
}

func TestCheckOrgIDExplainsNearMisses(t *testing.T) {
	if msg := checkOrgID("Atlas", "5f1b2c3d4e5f6a7b8c9d0e1f"); msg != "" {
		t.Fatalf("valid id rejected: %s", msg)
	}
	cases := map[string][]string{
		"5F1B2C3D4E5F6A7B8C9D0E1F":  {"not an Atlas organization id", `use "5f1b2c3d4e5f6a7b8c9d0e1f"`},
		" 5f1b2c3d4e5f6a7b8c9d0e1f": {"no spaces", `use "5f1b2c3d4e5f6a7b8c9d0e1f"`},
		"5f1b":                      {"24 lowercase hexadecimal", "has 4 characters"},
		"zz1b2c3d4e5f6a7b8c9d0e1f":  {"other than 0-9 and a-f"},
	}
	for id, wants := range cases {
		msg := checkOrgID("Atlas", id)
		for _, want := range wants {
			if !strings.Contains(msg, want) {
				t.Errorf("%q: %q does not contain %q", id, msg, want)
			}
		}
	}
	if msg := checkOrgID("Cloud Manager / Ops Manager", "x"); !strings.Contains(msg, "not a Cloud Manager / Ops Manager organization id") {
		t.Errorf("article: %s", msg)
	}
}

func TestTriggersChange(t *testing.T) {
	m := func(kv ...string) types.Map {
		elems := map[string]attr.Value{}
		for i := 0; i < len(kv); i += 2 {
			elems[kv[i]] = types.StringValue(kv[i+1])
		}
		return types.MapValueMust(types.StringType, elems)
	}
	null := types.MapNull(types.StringType)
	withUnknown := types.MapValueMust(types.StringType, map[string]attr.Value{"rotated": types.StringUnknown()})
	for _, c := range []struct {
		name        string
		state, plan types.Map
		want        bool
	}{
		{"none", null, null, false},
		{"empty where there was none", null, m(), false},
		{"none where there was an empty map", m(), null, false},
		{"same", m("rotated", "2026-11"), m("rotated", "2026-11"), false},
		{"first triggers", null, m("rotated", "2026-11"), true},
		{"new value", m("rotated", "2026-11"), m("rotated", "2026-12"), true},
		{"new key", m("rotated", "2026-11"), m("rotated", "2026-11", "by", "ops"), true},
		{"key renamed", m("a", "1"), m("b", "1"), true},
		{"removed", m("rotated", "2026-11"), null, true},
		{"unknown map", m("rotated", "2026-11"), types.MapUnknown(types.StringType), true},
		{"unknown value", m("rotated", "2026-11"), withUnknown, true},
	} {
		if got := triggersChange(c.state, c.plan); got != c.want {
			t.Errorf("%s: triggersChange = %v, want %v", c.name, got, c.want)
		}
	}
}
