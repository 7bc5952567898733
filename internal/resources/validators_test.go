package resources

import (
	"strings"
	"testing"
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
