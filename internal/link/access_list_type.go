package link

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	_ basetypes.SetTypable  = accessListType{}
	_ basetypes.SetValuable = accessListValue{}
)

// accessListType is a set of strings whose duplicate check is linear. The
// framework's own set type compares every element with every other one
// each time it reads the value, which makes a plan of a few thousand
// access-list entries take many times what Terraform itself needs.
type accessListType struct {
	basetypes.SetType
}

func newAccessListType() accessListType {
	return accessListType{SetType: basetypes.SetType{ElemType: types.StringType}}
}

func (t accessListType) Equal(o attr.Type) bool {
	other, ok := o.(accessListType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t accessListType) String() string { return "accessListType" }

func (t accessListType) ValueType(context.Context) attr.Value {
	return accessListValue{SetValue: basetypes.NewSetNull(types.StringType)}
}

func (t accessListType) ValueFromSet(_ context.Context, in basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return accessListValue{SetValue: in}, nil
}

func (t accessListType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	set, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return accessListValue{SetValue: set}, nil
}

// Validate rejects duplicate elements, as the framework's set type does, in
// one pass.
func (t accessListType) Validate(_ context.Context, in tftypes.Value, p path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if in.Type() == nil || !in.IsKnown() || in.IsNull() {
		return diags
	}
	var elems []tftypes.Value
	if err := in.As(&elems); err != nil {
		diags.AddAttributeError(p, "Access List Type Validation Error", "The access list is not a set of strings: "+err.Error())
		return diags
	}
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		if !e.IsFullyKnown() || e.IsNull() {
			continue
		}
		var s string
		if err := e.As(&s); err != nil {
			diags.AddAttributeError(p, "Access List Type Validation Error", "An access-list entry is not a string: "+err.Error())
			return diags
		}
		if seen[s] {
			diags.AddAttributeError(p, "Duplicate Access List Entry", fmt.Sprintf("%q appears more than once in the set.", s))
			return diags
		}
		seen[s] = true
	}
	return diags
}

// accessListValue is the value of an accessListType.
type accessListValue struct {
	basetypes.SetValue
}

func (v accessListValue) Type(context.Context) attr.Type { return newAccessListType() }

func (v accessListValue) Equal(o attr.Value) bool {
	other, ok := o.(accessListValue)
	return ok && v.SetValue.Equal(other.SetValue)
}

func (v accessListValue) ToSetValue(context.Context) (basetypes.SetValue, diag.Diagnostics) {
	return v.SetValue, nil
}
