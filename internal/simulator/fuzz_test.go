package simulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
)

// The fuzz targets of the simulator: what it reads from a client. Their seed
// corpora are in testdata/fuzz/<target>; `make fuzz` runs each for a few
// seconds.

// FuzzParseDigest: any Authorization header parses without panicking, and
// a header written the way clients write it parses back to what was
// written.
func FuzzParseDigest(f *testing.F) {
	f.Add(`username="p", realm="MMS Public API", nonce="n", uri="/api/x", response="r", algorithm=MD5, qop=auth, nc=00000001, cnonce="c"`, "username", "a b")
	f.Add(`username="p`, "realm", "")
	f.Add(`=, ="`, "nc", "00000002")
	f.Add(`a="b"c, d=e`, "opaque", "o=p")
	f.Fuzz(func(t *testing.T, header, key, value string) {
		_ = parseDigest(header)
		// A key is a token (RFC 9110); a quoted value holds anything but
		// a quote.
		if !isToken(key) || strings.Contains(value, `"`) {
			return
		}
		want := map[string]string{"username": "pub", "nonce": "n1", key: value}
		keys := make([]string, 0, len(want))
		for k := range want {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+`="`+want[k]+`"`)
		}
		got := parseDigest(strings.Join(parts, ", "))
		if len(got) != len(want) {
			t.Fatalf("%v parsed as %v", want, got)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%s=%q parsed as %q (all: %v)", k, v, got[k], got)
			}
		}
	})
}

// FuzzServeRequest: any request — method, path, headers, body — is answered
// without panicking, with a valid status; an error answer is MongoDB's JSON
// error document (or the OAuth error); and nothing is ever granted to a
// request that cannot carry valid credentials.
func FuzzServeRequest(f *testing.F) {
	f.Add("GET", "/api/public/v1.0/orgs/60a1b2c3d4e5f6a7b8c9d0e1/liveExport/migrationLink/status", `Digest username="p", realm="MMS Public API", nonce="x", uri="/", response="r", qop=auth, nc=00000001, cnonce="c"`, "", "")
	f.Add("POST", "/api/atlas/v2/orgs/5f1b2c3d4e5f6a7b8c9d0e1f/liveMigrations/linkTokens", "Bearer abc", "application/vnd.atlas.2023-01-01+json", `{"accessListIps":["203.0.113.7"]}`)
	f.Add("POST", "/api/atlas/v2/groups/5f1b2c3d4e5f6a7b8c9d0e1f/liveMigrations", "Digest ", "application/vnd.atlas.2024-05-30+json", `{"source":{}}`)
	f.Add("POST", "/api/oauth/token", "Basic aWQ6c2VjcmV0", "application/x-www-form-urlencoded", "grant_type=client_credentials")
	f.Add("DELETE", "/api/atlas/v2/orgs/%zz/liveMigrations/linkTokens", "", "", "")
	f.Add("PUT", "/api/atlas/v2/groups/5f1b2c3d4e5f6a7b8c9d0e1f/liveMigrations/5f1b2c3d4e5f6a7b8c9d0e1f/cutover", "Digest", "", "")
	f.Fuzz(func(t *testing.T, method, path, authorization, contentType, body string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") || strings.HasPrefix(path, "/_sim") {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "/", strings.NewReader(body))
		req.Method = method
		req.URL.Path, req.URL.RawPath = path, ""
		req.RequestURI = path
		req.Header.Set("Authorization", authorization)
		req.Header.Set("Content-Type", contentType)
		sim := New(Options{
			AtlasKeys:            []APIKey{{PublicKey: "p", PrivateKey: "fuzz-private-0123456789"}},
			OpsManagerKeys:       []APIKey{{PublicKey: "p", PrivateKey: "fuzz-private-0123456789"}},
			AtlasServiceAccounts: []ServiceAccount{{ClientID: "fuzz-id", ClientSecret: "fuzz-secret-0123456789"}},
		})
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		if rec.Code < 300 {
			t.Fatalf("%s %s with %q was answered %d: no credentials could be valid", method, path, authorization, rec.Code)
		}
		if rec.Code >= 400 && rec.Code != http.StatusUnauthorized || rec.Body.Len() > 0 {
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("%d answer is not JSON: %q", rec.Code, rec.Body.String())
			}
			if _, ok := doc["error"]; !ok {
				t.Fatalf("%d answer is not an error document: %q", rec.Code, rec.Body.String())
			}
		}
	})
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		digit := r >= '0' && r <= '9'
		if !letter && !digit && !strings.ContainsRune("!#$%&'*+-.^_`|~", r) {
			return false
		}
	}
	return true
}
