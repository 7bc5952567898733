package link

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// orgIDPattern is the organization id format both APIs document.
var orgIDPattern = regexp.MustCompile(`^[a-f0-9]{24}$`)

// orgIDValidator checks an organization id at plan time, saying what is
// wrong with a near miss (an uppercase id, a wrong length).
func orgIDValidator(side string) validator.String { return orgIDCheck{side: side} }

type orgIDCheck struct{ side string }

var _ validator.String = orgIDCheck{}

func (v orgIDCheck) Description(context.Context) string {
	return "must be " + withArticle(v.side) + " organization id: 24 lowercase hexadecimal characters"
}

func (v orgIDCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v orgIDCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := checkOrgID(v.side, req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Organization ID", msg)
	}
}

// checkOrgID explains what is wrong with an organization id, or returns "".
func checkOrgID(side, s string) string {
	if orgIDPattern.MatchString(s) {
		return ""
	}
	want := fmt.Sprintf("%q is not %s organization id, which is 24 lowercase hexadecimal characters as shown in the organization's settings (for example 5f1b2c3d4e5f6a7b8c9d0e1f)", s, withArticle(side))
	switch lower := strings.ToLower(strings.TrimSpace(s)); {
	case orgIDPattern.MatchString(lower) && lower != s:
		return want + fmt.Sprintf(": organization ids are lowercase and have no spaces; use %q.", lower)
	case len(s) != 24:
		return want + fmt.Sprintf(": this one has %d characters.", len(s))
	default:
		return want + ": it contains characters other than 0-9 and a-f."
	}
}

// withArticle puts "a" or "an" before a noun phrase.
func withArticle(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// linkTokenValidator rejects an empty token at plan time, when the value is
// known then, instead of letting the link fail at apply.
type linkTokenValidator struct{}

var _ validator.String = linkTokenValidator{}

func (linkTokenValidator) Description(context.Context) string {
	return "must not be empty"
}

func (v linkTokenValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (linkTokenValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if strings.TrimSpace(req.ConfigValue.ValueString()) == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Empty Link Token",
			"The link token is empty, so the organization cannot be linked. Pass the token an atlasmig_link_token created "+
				"(atlasmig_link_token.<name>.link_token), or check that the variable or secret it comes from is set.")
	}
}

// validOrgID reports whether s is a well-formed organization id.
func validOrgID(s string) bool { return orgIDPattern.MatchString(s) }

var _ validator.String = ipOrCIDRValidator{}

// ipOrCIDRValidator accepts an IPv4 or IPv6 address or a CIDR block, as the
// token's API key access list takes them.
type ipOrCIDRValidator struct{}

func (ipOrCIDRValidator) Description(context.Context) string {
	return "must be an IPv4 or IPv6 address or a CIDR block"
}

func (v ipOrCIDRValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (ipOrCIDRValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := checkIPOrCIDR(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Access List Entry", msg)
	}
}

// checkIPOrCIDR returns an explanation of what is wrong with s, or "".
func checkIPOrCIDR(s string) string {
	if strings.TrimSpace(s) != s || s == "" {
		return fmt.Sprintf("%q is not an IP address or CIDR block: remove surrounding spaces, and write an address such as 203.0.113.7 or a block such as 203.0.113.0/24.", s)
	}
	if strings.Contains(s, "/") {
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Sprintf("%q is not a valid CIDR block; write it as an address and a prefix length, such as 203.0.113.0/24 or 2001:db8::/32.", s)
		}
		if masked := prefix.Masked(); masked != prefix {
			return fmt.Sprintf("%q has bits set beyond its prefix length; write the block as %s.", s, masked)
		}
		return ""
	}
	addr, err := netip.ParseAddr(s)
	if err != nil || addr.Zone() != "" {
		return fmt.Sprintf("%q is not a valid IP address; write an IPv4 or IPv6 address such as 203.0.113.7 or 2001:db8::7, or a CIDR block.", s)
	}
	return ""
}

// canonicalIPOrCIDR is the one spelling of an access-list entry: a host
// prefix (/32, /128) is its address, IPv6 is lower-case and compressed. It
// returns the input unchanged when it is not valid (validation reports it).
func canonicalIPOrCIDR(s string) string {
	if prefix, err := netip.ParsePrefix(s); err == nil {
		if prefix.IsSingleIP() {
			return prefix.Addr().String()
		}
		return prefix.String()
	}
	if addr, err := netip.ParseAddr(s); err == nil {
		return addr.String()
	}
	return s
}

// isOpenToAll reports a block that matches every address of its family.
func isOpenToAll(s string) bool {
	prefix, err := netip.ParsePrefix(s)
	return err == nil && prefix.Bits() == 0
}

// sameAccessList compares two access lists by their canonical entries, so
// 203.0.113.7 and 203.0.113.7/32, or IPv6 in another case, are one value.
func sameAccessList(a, b types.Set) bool {
	canon := func(set types.Set) (map[string]bool, bool) {
		if set.IsUnknown() {
			return nil, false
		}
		out := map[string]bool{}
		for _, e := range set.Elements() {
			s, ok := e.(types.String)
			if !ok || s.IsUnknown() {
				return nil, false
			}
			out[canonicalIPOrCIDR(s.ValueString())] = true
		}
		return out, true
	}
	ca, okA := canon(a)
	cb, okB := canon(b)
	return okA && okB && maps.Equal(ca, cb)
}

// replaceUnlessSameAccessList forces a new token when the access list really
// changes; a cosmetic edit is an in-place update that calls no API.
func replaceUnlessSameAccessList() planmodifier.Set {
	return setplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.SetRequest, resp *setplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !sameAccessList(req.StateValue, req.PlanValue)
		},
		"Changing the addresses creates a new token; writing the same addresses differently (203.0.113.7 or 203.0.113.7/32) does not.",
		"Changing the addresses creates a new token; writing the same addresses differently (`203.0.113.7` or `203.0.113.7/32`) does not.",
	)
}

// triggersChange reports whether rotation_triggers change between the state
// and the plan: null and empty are the same map, and an unknown map or value
// counts as a change (it may be anything once known).
func triggersChange(state, plan types.Map) bool {
	if plan.IsUnknown() {
		return true
	}
	a, b := state.Elements(), plan.Elements()
	if len(a) != len(b) {
		return true
	}
	for k, v := range b {
		if v.IsUnknown() || !v.Equal(a[k]) {
			return true
		}
	}
	return false
}

// replaceWhenTriggersChange forces a new token when rotation_triggers
// change; writing an empty map where there was none changes nothing.
func replaceWhenTriggersChange() planmodifier.Map {
	return mapplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = triggersChange(req.StateValue, req.PlanValue)
		},
		"Changing the triggers creates a new token; an empty map is the same as none.",
		"Changing the triggers creates a new token; an empty map is the same as none.",
	)
}
