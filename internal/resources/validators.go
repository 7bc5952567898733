package resources

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// orgIDPattern is the organization id format both APIs document.
var orgIDPattern = regexp.MustCompile(`^[a-f0-9]{24}$`)

// orgIDValidator checks an organization id at plan time.
func orgIDValidator(side string) validator.String {
	return stringvalidator.RegexMatches(orgIDPattern,
		"must be a "+side+" organization id: 24 lowercase hexadecimal characters, as shown in the organization's settings (for example 5f1b2c3d4e5f6a7b8c9d0e1f)")
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
