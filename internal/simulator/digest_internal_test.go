package simulator

import "testing"

// The worked example of RFC 2617 section 3.5: a verifier that agrees with
// it computes the digest the standard defines, not merely the formula the
// tests were written from.
func TestDigestResponseKnownAnswerRFC2617(t *testing.T) {
	t.Parallel()
	got := digestResponse("Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
		"dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth")
	if want := "6629fae49393a05397450978507c4ef1"; got != want {
		t.Fatalf("digest response %s, want RFC 2617's %s", got, want)
	}
}

// The RFC's Authorization header parses into the fields the digest uses.
func TestParseDigestRFC2617Header(t *testing.T) {
	t.Parallel()
	p := parseDigest(`username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ` +
		`uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", ` +
		`opaque="5ccc069c403ebaf9f0171e9517f40e41"`)
	want := map[string]string{
		"username": "Mufasa", "realm": "testrealm@host.com", "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		"uri": "/dir/index.html", "qop": "auth", "nc": "00000001", "cnonce": "0a4f113b",
		"response": "6629fae49393a05397450978507c4ef1", "opaque": "5ccc069c403ebaf9f0171e9517f40e41",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %q, want %q", k, p[k], v)
		}
	}
	if len(p) != len(want) {
		t.Errorf("parsed %d fields, want %d: %v", len(p), len(want), p)
	}
}
