package client

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fuzz targets of the client: what it reads from a server it does not
// control. Their seed corpora are in testdata/fuzz/<target>; `make fuzz` runs
// each for a few seconds.

const fuzzSecret = "fuzz-private-key-0123456789"

// FuzzAPIErrorBody: any error answer decodes to an APIError that keeps the
// status, names the call, and never carries a secret of the call.
func FuzzAPIErrorBody(f *testing.F) {
	f.Add(404, "application/json", []byte(`{"detail":"Could not find the requested external organization link.","error":404,"errorCode":"UNEXPECTED_ERROR","parameters":null,"reason":"Not Found"}`))
	f.Add(400, "application/json", []byte(`{"error":400,"errorCode":"VALIDATION_ERROR","detail":"bad `+fuzzSecret+`","badRequestDetail":{"fields":[{"field":"accessListIps","description":"`+fuzzSecret+`"}]}}`))
	f.Add(409, "application/json", []byte(`{"error":409,"errorCode":"CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK","parameters":["p1",2]}`))
	f.Add(404, "application/json", []byte(`{"error":404,"errorCode":"RESOURCE_NOT_FOUND","detail":"gone","parameters":[{"liveMigrationId":"m1"},"m1"]}`))
	f.Add(404, "application/json", []byte(`{"error":404,"errorCode":"RESOURCE_NOT_FOUND","detail":"gone","parameters":{"groupId":"g1"}}`))
	f.Add(502, "text/html", []byte(`<html><body>Bad gateway</body></html>`))
	f.Add(503, "", []byte(``))
	f.Add(429, "application/json", []byte(`{"error":"429","errorCode":7,"reason":null}`))
	f.Add(500, "application/json; charset=\x00", []byte(`{}`))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		resp := &http.Response{
			StatusCode: status,
			Header:     http.Header{"Content-Type": {contentType}, "Retry-After": {string(body[:min(len(body), 8)])}},
			Body:       io.NopCloser(bytes.NewReader(body)),
		}
		scrub := newSecretSet(fuzzSecret).scrubber(nil)
		e := newAPIError(resp, http.MethodPost, "/api/x", scrub)
		if e.StatusCode != status || e.Method != http.MethodPost || e.Path != "/api/x" {
			t.Fatalf("decoded %+v", e)
		}
		text := e.Error()
		if !strings.HasPrefix(text, "POST /api/x: "+strconv.Itoa(status)) {
			t.Fatalf("error text %q does not name the call and status", text)
		}
		if strings.Contains(text, fuzzSecret) || strings.Contains(e.Detail, fuzzSecret) {
			t.Fatalf("the secret survived: %q", text)
		}
		for _, field := range e.Fields {
			if strings.Contains(field.Description, fuzzSecret) {
				t.Fatalf("the secret survived in a field: %q", field.Description)
			}
		}
		if e.Detail == "" && !e.FromAPI {
			t.Fatal("a foreign answer without a detail")
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative Retry-After %s", e.RetryAfter)
		}
	})
}

// FuzzParseRetryAfter: a Retry-After is a wait of zero or more, never
// beyond the longest the provider honours, and the number of seconds it
// says when it is one.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "1", "55", "3600", "-1", "1.5", " 7", "99999999999999999999", "9223372036", "Wed, 21 Oct 2015 07:28:00 GMT",
		time.Now().Add(time.Minute).UTC().Format(http.TimeFormat), "Mon, 02 Jan 2106 15:04:05 GMT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v)
		if !ok {
			if d != 0 {
				t.Fatalf("%q: not a Retry-After, yet a wait of %s", v, d)
			}
			return
		}
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("%q: wait %s, want 0 to %s", v, d, maxRetryAfter)
		}
		if secs, err := strconv.ParseUint(v, 10, 64); err == nil && secs <= uint64(maxRetryAfter/time.Second) && d != time.Duration(secs)*time.Second {
			t.Fatalf("%q: wait %s, want %d seconds", v, d, secs)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzDigestChallenge: whatever challenge a server sends, the digest
// transport answers it with one authenticated request or fails without
// sending one — it never panics, never sends the private key, and a failure
// is certain (the challenge leg carried no credentials).
func FuzzDigestChallenge(f *testing.F) {
	for _, s := range []string{
		`Digest realm="MMS Public API", domain="", nonce="OYfs4Xu3SpzNVVGGWMD1TFuIIK1l/nHe", algorithm=MD5, qop="auth", stale=false`,
		`Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth", opaque="o"`,
		`Digest realm="r", nonce="n"`,
		`Digest nonce="n", qop="auth-int"`,
		`Digest realm="a, nonce, b", nonce="n"`,
		`Digest realm`,
		`Basic realm="x"`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, challenge string) {
		var sent []*http.Request
		next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent = append(sent, r)
			resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}
			if r.Header.Get("Authorization") == "" {
				resp.StatusCode = http.StatusUnauthorized
				resp.Header.Set("WWW-Authenticate", challenge)
			}
			return resp, nil
		})
		req, err := http.NewRequest(http.MethodPost, "https://api.example.com/api/x?envelope=false", strings.NewReader(`{"a":1}`))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := newDigestTransport("fuzz-public", fuzzSecret, next).RoundTrip(req)
		if len(sent) == 0 || len(sent) > 2 {
			t.Fatalf("%d requests sent", len(sent))
		}
		for _, r := range sent {
			if strings.Contains(r.Header.Get("Authorization"), fuzzSecret) {
				t.Fatal("the private key was sent")
			}
		}
		if err != nil {
			if resp != nil {
				t.Fatal("an error with a response")
			}
			if len(sent) != 1 || deliveryOf(err) != notSent {
				t.Fatalf("a failure after %d requests, delivery %s: %v", len(sent), deliveryOf(err), err)
			}
			if strings.Contains(err.Error(), fuzzSecret) {
				t.Fatal("the error carries the private key")
			}
			return
		}
		if resp == nil {
			t.Fatal("no response and no error")
		}
		if len(sent) == 2 && !strings.HasPrefix(sent[1].Header.Get("Authorization"), "Digest ") {
			t.Fatalf("the second request carries %q", sent[1].Header.Get("Authorization"))
		}
		_ = resp.Body.Close()
	})
}

// FuzzDigestReusedNonceRefused: whatever challenge a server sends with the
// 401 that refuses a reused nonce, the call succeeds in one request more
// (stale: the new nonce) or two (the challenge-response), never panics and
// never sends the private key.
func FuzzDigestReusedNonceRefused(f *testing.F) {
	for _, s := range []string{
		`Digest realm="MMS Public API", domain="", nonce="n2", algorithm=MD5, qop="auth", stale=true`,
		`Digest realm="MMS Public API", domain="", nonce="n2", algorithm=MD5, qop="auth", stale=false`,
		`Digest realm="r", nonce="n2", algorithm=SHA-256, qop="auth", opaque="o", stale=TRUE`,
		`Digest realm="r", nonce="", qop="auth", stale=true`,
		`Digest realm="r", nonce="n2", qop="auth-int", stale=true`,
		`Digest realm, stale=true`,
		`Basic realm="x"`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, refusal string) {
		var sent []*http.Request
		next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent = append(sent, r)
			resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}
			auth := r.Header.Get("Authorization")
			switch {
			case auth == "":
				resp.StatusCode = http.StatusUnauthorized
				resp.Header.Set("WWW-Authenticate", `Digest realm="MMS Public API", domain="", nonce="n1", algorithm=MD5, qop="auth", stale=false`)
			case !strings.Contains(auth, "nc=00000001"):
				resp.StatusCode = http.StatusUnauthorized
				resp.Header.Set("WWW-Authenticate", refusal)
			}
			return resp, nil
		})
		dt := newDigestTransport("fuzz-public", fuzzSecret, next)
		call := func() *http.Response {
			req, err := http.NewRequest(http.MethodPost, "https://api.example.com/api/x", strings.NewReader(`{"a":1}`))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := dt.RoundTrip(req)
			if err != nil {
				t.Fatalf("the call failed: %v", err)
			}
			_ = resp.Body.Close()
			return resp
		}
		if resp := call(); resp.StatusCode != http.StatusOK || len(sent) != 2 {
			t.Fatalf("first call: %d after %d requests", resp.StatusCode, len(sent))
		}
		if resp := call(); resp.StatusCode != http.StatusOK || len(sent) < 4 || len(sent) > 5 {
			t.Fatalf("second call: %d after %d requests in all, want 200 after 4 or 5", resp.StatusCode, len(sent))
		}
		for _, r := range sent {
			if strings.Contains(r.Header.Get("Authorization"), fuzzSecret) {
				t.Fatal("the private key was sent")
			}
		}
	})
}
