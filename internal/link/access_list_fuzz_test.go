package link

import (
	"net/netip"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// FuzzAccessListEntry: the one spelling of an access-list entry is stable
// (spelling it again changes nothing), stays valid, means the same
// addresses, and compares equal to the entry as written. Its seed corpus is
// in testdata/fuzz/FuzzAccessListEntry; `make fuzz` runs it for a few
// seconds.
func FuzzAccessListEntry(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "203.0.113.7/32", "203.0.113.0/24", "2001:DB8::7", "2001:db8::/32", "2001:0db8:0000::0007/128",
		"::ffff:203.0.113.7", "::ffff:203.0.113.0/120", "0.0.0.0/0", "::/0", "fe80::1%eth0", " 203.0.113.7", "203.0.113.7/33", "10.0.0.1/8", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := canonicalIPOrCIDR(s)
		if again := canonicalIPOrCIDR(c); again != c {
			t.Fatalf("%q: canonical %q, then %q", s, c, again)
		}
		if checkIPOrCIDR(s) != "" {
			return
		}
		if msg := checkIPOrCIDR(c); msg != "" {
			t.Fatalf("%q is valid, its canonical %q is not: %s", s, c, msg)
		}
		if !sameAddresses(t, s, c) {
			t.Fatalf("%q and its canonical %q mean different addresses", s, c)
		}
		set := func(v string) types.Set {
			return types.SetValueMust(types.StringType, []attr.Value{types.StringValue(v)})
		}
		if !sameAccessList(set(s), set(c)) {
			t.Fatalf("%q and %q are not the same access list", s, c)
		}
	})
}

func sameAddresses(t *testing.T, a, b string) bool {
	t.Helper()
	prefix := func(s string) netip.Prefix {
		if p, err := netip.ParsePrefix(s); err == nil {
			return p
		}
		addr, err := netip.ParseAddr(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return netip.PrefixFrom(addr, addr.BitLen())
	}
	return prefix(a) == prefix(b)
}
