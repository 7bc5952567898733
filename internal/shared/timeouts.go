package shared

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// PositiveTimeouts adds to each attribute of a timeouts block (from
// terraform-plugin-framework-timeouts, which checks only that a value parses
// as a duration) the rule that it be longer than zero: a wait bounded by
// "0s" or "-5m" ends before its first read, and the apply would report a
// timeout for a migration it never looked at.
func PositiveTimeouts(block schema.Block) schema.Block {
	b, ok := block.(schema.SingleNestedBlock)
	if !ok {
		return block
	}
	attrs := make(map[string]schema.Attribute, len(b.Attributes))
	for name, a := range b.Attributes {
		if s, ok := a.(schema.StringAttribute); ok {
			s.Validators = append(append([]validator.String(nil), s.Validators...), positiveDuration{name: "timeouts." + name})
			a = s
		}
		attrs[name] = a
	}
	b.Attributes = attrs
	return b
}

// positiveDuration refuses a duration of zero or less at plan time; one that
// does not parse is left to the timeouts library's own validator.
type positiveDuration struct{ name string }

var _ validator.String = positiveDuration{}

func (v positiveDuration) Description(context.Context) string {
	return v.name + " must be a positive duration"
}

func (v positiveDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v positiveDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d > 0 {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timeout",
		fmt.Sprintf("%s must be a positive duration such as \"30m\" or \"48h\" (units: s, m, h); got %q, which would end the wait before its first read. "+
			"Remove the line to use the default.", v.name, req.ConfigValue.ValueString()))
}
