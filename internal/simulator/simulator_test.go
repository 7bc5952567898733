package simulator_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mongodb-forks/digest"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const (
	atlasOrg  = "5f1b2c3d4e5f6a7b8c9d0e1f"
	sourceOrg = "60a1b2c3d4e5f6a7b8c9d0e1"
	atlasType = "application/vnd.atlas.2023-01-01+json"
)

var (
	atlasKey = simulator.APIKey{PublicKey: "apub", PrivateKey: "apriv"}
	omKey    = simulator.APIKey{PublicKey: "opub", PrivateKey: "opriv"}
)

func start(t *testing.T, opts simulator.Options) *simulator.Server {
	t.Helper()
	opts.AtlasKeys = append(opts.AtlasKeys, atlasKey)
	opts.OpsManagerKeys = append(opts.OpsManagerKeys, omKey)
	return simulator.NewServer(t, opts, simulator.ServerOptions{})
}

// call makes one digest-authenticated request and returns status, content
// type and body.
func call(t *testing.T, s *simulator.Server, key simulator.APIKey, method, path, accept, contentType, body string) (int, string, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	if body != "" {
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := digest.NewTransport(key.PublicKey, key.PrivateKey).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func createToken(t *testing.T, s *simulator.Server, body string) string {
	t.Helper()
	status, ct, out := call(t, s, atlasKey, "POST", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, atlasType, body)
	if status != http.StatusCreated || ct != atlasType+";charset=utf-8" {
		t.Fatalf("create: %d %s %s", status, ct, out)
	}
	var v struct{ LinkToken string }
	_ = json.Unmarshal([]byte(out), &v)
	return v.LinkToken
}

func TestTokenLinkAndRemovalFollowTheFacts(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	token := createToken(t, s, `{"accessListIps":["203.0.113.7"]}`)
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil || !strings.HasPrefix(string(raw), `{"orgId":"`+atlasOrg+`"`) {
		t.Fatalf("token is not base64 JSON beginning {\"orgId\": %q", raw)
	}
	status, ct, out := call(t, s, omKey, "POST", "/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink", "application/json", "application/json", `{"linkToken":"`+token+`"}`)
	if status != 201 || ct != "application/json" || !strings.Contains(out, `"status":"SYNCED"`) {
		t.Fatalf("link: %d %s %s", status, ct, out)
	}
	status, _, out = call(t, s, omKey, "GET", "/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink/status", "application/json", "", "")
	if status != 200 || !strings.Contains(out, "SYNCED") {
		t.Fatalf("status: %d %s", status, out)
	}
	status, _, _ = call(t, s, atlasKey, "DELETE", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, "", "")
	if status != 204 {
		t.Fatalf("delete: %d", status)
	}
	_, _, out = call(t, s, omKey, "GET", "/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink/status", "application/json", "", "")
	if !strings.Contains(out, `"NOT_SYNCED"`) {
		t.Fatalf("status after token removal: %s", out)
	}
	// The removed token no longer links, and the error never echoes it.
	status, _, out = call(t, s, omKey, "POST", "/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink", "application/json", "application/json", `{"linkToken":"`+token+`"}`)
	if status != 400 || strings.Contains(out, token) {
		t.Fatalf("link with removed token: %d %s", status, out)
	}
	status, ct, out = call(t, s, atlasKey, "DELETE", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, "", "")
	want := `{"error":404,"errorCode":null,"reason":"Not Found","detail":"Could not find the requested external organization link.","parameters":null}`
	if status != 404 || ct != "application/json" || strings.TrimSpace(out) != want {
		t.Fatalf("second delete: %d %s %s", status, ct, out)
	}
	status, _, _ = call(t, s, omKey, "DELETE", "/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink", "application/json", "", "")
	if status != 204 {
		t.Fatalf("unlink: %d", status)
	}
	status, _, out = call(t, s, omKey, "DELETE", "/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink", "application/json", "", "")
	if status != 404 || !strings.Contains(out, "RESOURCE_NOT_FOUND") {
		t.Fatalf("second unlink: %d %s", status, out)
	}
	status, _, _ = call(t, s, omKey, "GET", "/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink/status", "application/json", "", "")
	if status != 404 {
		t.Fatalf("status without link: %d", status)
	}
}

func TestStatusWithoutLinkOption(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{StatusWithoutLink: "NOT_SYNCED", NotFoundErrorCode: "UNEXPECTED_ERROR"})
	status, _, out := call(t, s, omKey, "GET", "/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink/status", "application/json", "", "")
	if status != 200 || !strings.Contains(out, "NOT_SYNCED") {
		t.Fatalf("%d %s", status, out)
	}
	_, _, out = call(t, s, atlasKey, "DELETE", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, "", "")
	if !strings.Contains(out, `"errorCode":"UNEXPECTED_ERROR"`) {
		t.Fatal(out)
	}
}

func TestActiveMigrationRefusesRemoval(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	createToken(t, s, `{"accessListIps":[]}`)
	s.SetActiveMigration(atlasOrg, "6a1b2c3d4e5f6a7b8c9d0e1f")
	status, _, out := call(t, s, atlasKey, "DELETE", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, "", "")
	if status != 409 || !strings.Contains(out, "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK") || !strings.Contains(out, "6a1b2c3d4e5f6a7b8c9d0e1f") {
		t.Fatalf("%d %s", status, out)
	}
	if len(s.LinkTokens(atlasOrg)) != 1 {
		t.Fatal("a refused removal removed the token")
	}
}

func TestMediaTypesAndValidation(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	path := "/api/atlas/v2/orgs/" + atlasOrg + "/liveMigrations/linkTokens"
	if status, ct, _ := call(t, s, atlasKey, "POST", path, "application/json", atlasType, `{}`); status != 406 || ct != "application/json" {
		t.Fatalf("plain Accept on v2: %d %s", status, ct)
	}
	if status, _, _ := call(t, s, atlasKey, "POST", path, atlasType, "application/json", `{}`); status != 415 {
		t.Fatalf("plain Content-Type on v2: %d", status)
	}
	if status, _, out := call(t, s, atlasKey, "POST", path, atlasType, atlasType, `{"accessListIps":["not-an-ip"]}`); status != 400 || !strings.Contains(out, "VALIDATION_ERROR") || !strings.Contains(out, "badRequestDetail") {
		t.Fatalf("bad IP: %d %s", status, out)
	}
	if status, _, _ := call(t, s, atlasKey, "POST", "/api/atlas/v2/orgs/NOTHEX/liveMigrations/linkTokens", atlasType, atlasType, `{}`); status != 400 {
		t.Fatalf("bad org id: %d", status)
	}
	if status, _, _ := call(t, s, atlasKey, "PUT", path, atlasType, atlasType, `{}`); status != 405 {
		t.Fatalf("wrong method: %d", status)
	}
	if status, _, _ := call(t, s, atlasKey, "GET", "/api/atlas/v2/nothing", atlasType, "", ""); status != 404 {
		t.Fatalf("unknown path: %d", status)
	}
}

func TestDigestVerification(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := start(t, simulator.Options{NonceTTL: 50 * time.Millisecond, Clock: clock.Now})
	path := "/api/public/v1.0/orgs/" + sourceOrg + "/liveExport/migrationLink/status"
	// The challenge has exactly MongoDB's form.
	resp, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	chal := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != 401 || !strings.HasPrefix(chal, `Digest realm="MMS Public API", domain="", nonce="`) || !strings.HasSuffix(chal, `", algorithm=MD5, qop="auth", stale=false`) {
		t.Fatalf("challenge: %d %q", resp.StatusCode, chal)
	}
	nonce := strings.Split(strings.Split(chal, `nonce="`)[1], `"`)[0]

	authorize := func(user, pass, realm, uri, nonce string) *http.Response {
		ha1 := md5hex(user + ":" + realm + ":" + pass)
		ha2 := md5hex("GET:" + uri)
		r := md5hex(ha1 + ":" + nonce + ":00000001:abc:auth:" + ha2)
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("Authorization", fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm="MD5", qop=auth, nc=00000001, cnonce="abc"`, user, realm, nonce, uri, r))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := authorize("opub", "opriv", "MMS Public API", path, nonce); r.StatusCode != 404 {
		t.Fatalf("valid digest: %d", r.StatusCode)
	}
	if r := authorize("opub", "opriv", "MMS Public API", path, nonce); r.StatusCode != 401 {
		t.Fatalf("reused nonce: %d", r.StatusCode)
	}
	for name, args := range map[string][3]string{
		"wrong password":               {"opub", "nope", "MMS Public API"},
		"wrong realm":                  {"opub", "opriv", "Other"},
		"atlas key on the source side": {"apub", "apriv", "MMS Public API"},
	} {
		if r := authorize(args[0], args[1], args[2], path, freshNonce(t, s.URL+path)); r.StatusCode != 401 {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
	}
	if r := authorize("opub", "opriv", "MMS Public API", "/other", freshNonce(t, s.URL+path)); r.StatusCode != 401 {
		t.Errorf("uri mismatch: %d", r.StatusCode)
	}
	old := freshNonce(t, s.URL+path)
	clock.Advance(80 * time.Millisecond)
	r := authorize("opub", "opriv", "MMS Public API", path, old)
	if r.StatusCode != 401 || !strings.Contains(r.Header.Get("WWW-Authenticate"), "stale=true") {
		t.Errorf("expired nonce: %d %q", r.StatusCode, r.Header.Get("WWW-Authenticate"))
	}
}

func freshNonce(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return strings.Split(strings.Split(resp.Header.Get("WWW-Authenticate"), `nonce="`)[1], `"`)[0]
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestKeyLimitedToOtherOrganizationsIsForbidden(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	s.LimitAtlasKey("apub", "aaaaaaaaaaaaaaaaaaaaaaaa")
	status, _, out := call(t, s, atlasKey, "POST", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", atlasType, atlasType, `{}`)
	if status != 403 || !strings.Contains(out, "Organization Owner") {
		t.Fatalf("%d %s", status, out)
	}
}

func TestOAuthTokens(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := start(t, simulator.Options{
		AtlasServiceAccounts: []simulator.ServiceAccount{{ClientID: "id", ClientSecret: "secret"}},
		TokenTTL:             time.Second,
		Clock:                clock.Now,
	})
	getToken := func(id, secret string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", s.URL+"/api/oauth/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}
	if status, v := getToken("id", "wrong"); status != 401 || v["error"] != "invalid_client" {
		t.Fatalf("bad secret: %d %v", status, v)
	}
	status, v := getToken("id", "secret")
	if status != 200 || v["token_type"] != "Bearer" || v["expires_in"] != float64(1) {
		t.Fatalf("token: %d %v", status, v)
	}
	bearer := func(path, accept string) int {
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+v["access_token"].(string))
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := bearer("/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/availableProjects", atlasType); got != 200 {
		t.Fatalf("bearer on Atlas: %d", got)
	}
	if got := bearer("/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink/status", "application/json"); got != 401 {
		t.Fatalf("Atlas bearer on the source side: %d", got)
	}
	if s.TokenRequests() != 2 {
		t.Fatalf("token requests: %d", s.TokenRequests())
	}
	clock.Advance(999 * time.Millisecond)
	if got := bearer("/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/availableProjects", atlasType); got != 200 {
		t.Fatalf("bearer before its expiry: %d", got)
	}
	clock.Advance(2 * time.Millisecond)
	if got := bearer("/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/availableProjects", atlasType); got != 401 {
		t.Fatalf("expired bearer: %d", got)
	}
}

func TestAvailableProjectsOnlyForLiveLinks(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	s.SetInventory(sourceOrg, []simulator.Project{{ProjectID: "p", Name: "n", MigrationHosts: []string{}, Deployments: []simulator.Deployment{}}})
	path := "/api/atlas/v2/orgs/" + atlasOrg + "/liveMigrations/availableProjects"
	if _, _, out := call(t, s, atlasKey, "GET", path, atlasType, "", ""); strings.TrimSpace(out) != "[]" {
		t.Fatalf("before linking: %s", out)
	}
	token := s.IssueLinkToken(atlasOrg)
	if err := s.Link(sourceOrg, token); err != nil {
		t.Fatal(err)
	}
	if _, _, out := call(t, s, atlasKey, "GET", path, atlasType, "", ""); !strings.Contains(out, `"projectId":"p"`) {
		t.Fatalf("linked: %s", out)
	}
	if _, _, out := call(t, s, atlasKey, "GET", "/api/atlas/v2/orgs/aaaaaaaaaaaaaaaaaaaaaaaa/liveMigrations/availableProjects", atlasType, "", ""); strings.TrimSpace(out) != "[]" {
		t.Fatalf("other Atlas org: %s", out)
	}
	s.RemoveLinkTokens(atlasOrg)
	if _, _, out := call(t, s, atlasKey, "GET", path, atlasType, "", ""); strings.TrimSpace(out) != "[]" {
		t.Fatalf("token removed: %s", out)
	}
}

func TestFaultsAndJournal(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	path := "/api/public/v1.0/orgs/" + sourceOrg + "/liveExport/migrationLink/status"
	s.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 2, Status: 429, RetryAfter: "3"})
	for i := 0; i < 2; i++ {
		if status, _, out := call(t, s, omKey, "GET", path, "application/json", "", ""); status != 429 || !strings.Contains(out, "RATE_LIMITED") {
			t.Fatalf("fault %d: %d %s", i, status, out)
		}
	}
	if status, _, _ := call(t, s, omKey, "GET", path, "application/json", "", ""); status != 404 {
		t.Fatalf("after the faults: %d", status)
	}
	// Challenges are never consumed by faults: 3 calls, 6 requests.
	if s.Calls(simulator.RouteLinkStatus) != 3 || s.Count(simulator.RouteLinkStatus) != 6 {
		t.Fatalf("calls %d, requests %d", s.Calls(simulator.RouteLinkStatus), s.Count(simulator.RouteLinkStatus))
	}
	faults := 0
	for _, r := range s.Requests() {
		if r.Fault == "429" {
			faults++
		}
	}
	if faults != 2 {
		t.Fatalf("%d faults journaled", faults)
	}

	// A lost answer: the token exists although the client saw no answer.
	s.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, ResetAfterProcessing: true})
	req, _ := http.NewRequest("POST", s.URL+"/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", bytes.NewReader([]byte(`{}`)))
	req.Header.Set("Accept", atlasType)
	req.Header.Set("Content-Type", atlasType)
	if _, err := digest.NewTransport("apub", "apriv").RoundTrip(req); err == nil {
		t.Fatal("a reset-after fault must lose the answer")
	}
	if len(s.LinkTokens(atlasOrg)) != 1 {
		t.Fatal("the operation behind a lost answer did not happen")
	}
	if reqs := s.Requests(); reqs[len(reqs)-1].Fault != "reset-after" || reqs[len(reqs)-1].LostStatus != http.StatusCreated {
		t.Fatalf("the journal does not say what the lost answer was: %+v", reqs[len(reqs)-1])
	}
	s.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, ResetBeforeProcessing: true})
	req, _ = http.NewRequest("POST", s.URL+"/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", bytes.NewReader([]byte(`{}`)))
	req.Header.Set("Accept", atlasType)
	req.Header.Set("Content-Type", atlasType)
	if _, err := digest.NewTransport("apub", "apriv").RoundTrip(req); err == nil {
		t.Fatal("a reset-before fault must fail the request")
	}
	if len(s.LinkTokens(atlasOrg)) != 1 {
		t.Fatal("a reset-before fault changed the state")
	}
}

// A fault can wait for its turn (skip) and can hit the digest challenge leg
// instead of the authenticated request; the journal tells the legs apart.
func TestFaultSkipAndChallengeLeg(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	path := "/api/public/v1.0/orgs/" + sourceOrg + "/liveExport/migrationLink/status"
	s.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 1, Status: 500, Skip: 2})
	var codes []int
	for range 4 {
		status, _, _ := call(t, s, omKey, "GET", path, "application/json", "", "")
		codes = append(codes, status)
	}
	if fmt.Sprint(codes) != "[404 404 500 404]" {
		t.Fatalf("codes %v, want the third call faulted", codes)
	}

	s.ResetJournal()
	s.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 1, Status: 503, RetryAfter: "1", Challenge: true})
	if status, _, out := call(t, s, omKey, "GET", path, "application/json", "", ""); status != 503 || !strings.Contains(out, "503") {
		t.Fatalf("challenge fault: %d %s", status, out)
	}
	if status, _, _ := call(t, s, omKey, "GET", path, "application/json", "", ""); status != 404 {
		t.Fatalf("after the challenge fault: %d", status)
	}
	var legs []string
	for _, r := range s.Requests() {
		legs = append(legs, fmt.Sprintf("%t/%d/%s", r.Authenticated, r.Status, r.Fault))
	}
	// The faulted challenge never reached authentication; the next call's
	// challenge and request went through.
	if want := "[false/503/challenge-503 false/401/ true/404/]"; fmt.Sprint(legs) != want {
		t.Fatalf("journal %v, want %s", legs, want)
	}

	// A reset-after on the challenge leg is a reset-before: nothing runs.
	s.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, ResetAfterProcessing: true, Challenge: true})
	req, _ := http.NewRequest("POST", s.URL+"/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", bytes.NewReader([]byte(`{}`)))
	req.Header.Set("Accept", atlasType)
	req.Header.Set("Content-Type", atlasType)
	if _, err := digest.NewTransport(atlasKey.PublicKey, atlasKey.PrivateKey).RoundTrip(req); err == nil {
		t.Fatal("a reset on the challenge leg must fail the request")
	}
	if n := len(s.LinkTokens(atlasOrg)); n != 0 {
		t.Fatalf("%d tokens: a fault on the challenge leg ran the operation", n)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := start(t, simulator.Options{RateLimit: &simulator.RateLimit{PerSecond: 1, Burst: 2}, Clock: clock.Now})
	codes := []int{}
	for i := 0; i < 4; i++ {
		if i == 3 {
			clock.Advance(time.Second) // one token back in the bucket
		}
		resp, err := http.Get(s.URL + "/api/public/v1.0/orgs/" + sourceOrg + "/liveExport/migrationLink/status")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "1" {
			t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
	}
	if fmt.Sprint(codes) != "[401 401 429 401]" {
		t.Fatalf("codes %v", codes)
	}
}

func TestTLSWithGeneratedAuthority(t *testing.T) {
	t.Parallel()
	s := simulator.NewServer(t, simulator.Options{OpsManagerKeys: []simulator.APIKey{omKey}}, simulator.ServerOptions{TLS: true})
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Fatal(s.URL)
	}
	if _, err := http.Get(s.URL + "/_sim/state"); err == nil {
		t.Fatal("untrusted certificate accepted")
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := s.WriteCACert(path); err != nil {
		t.Fatal(err)
	}
	pem, _ := os.ReadFile(path)
	pool := x509Pool(t, pem)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := c.Get(s.URL + "/_sim/state")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	token := s.IssueLinkToken(atlasOrg)
	_ = s.Link(sourceOrg, token)
	resp, err := http.Get(s.URL + "/_sim/state")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), token) || !strings.Contains(string(b), `"`+sourceOrg+`":"SYNCED"`) || !strings.Contains(string(b), `"`+atlasOrg+`":1`) {
		t.Fatalf("state: %s", b)
	}
	post := func(path, body string) int {
		resp, err := http.Post(s.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if post("/_sim/faults", `{"route":"link","fault":{"count":1,"status":503}}`) != 204 || post("/_sim/faults", `{"route":"nope"}`) != 400 {
		t.Fatal("faults endpoint")
	}
	if post("/_sim/links/"+sourceOrg+"/remove", "") != 204 || s.LinkCount() != 0 {
		t.Fatal("link removal")
	}
	if post("/_sim/tokens/"+atlasOrg+"/remove", "") != 204 || len(s.LinkTokens(atlasOrg)) != 0 {
		t.Fatal("token removal")
	}
	if post("/_sim/inventory", `{"orgId":"`+sourceOrg+`","projects":[{"projectId":"p","name":"n"}]}`) != 204 {
		t.Fatal("inventory")
	}
	if s.Total() != 0 {
		t.Fatal("admin requests must not be journaled")
	}
}

func TestParseFault(t *testing.T) {
	t.Parallel()
	route, f, err := simulator.ParseFault("link:429x2,retry-after=1")
	if err != nil || route != simulator.RouteLink || f.Count != 2 || f.Status != 429 || f.RetryAfter != "1" {
		t.Fatalf("%v %+v %v", route, f, err)
	}
	if _, f, _ = simulator.ParseFault("createLinkToken:reset-after"); !f.ResetAfterProcessing || f.Count != 1 {
		t.Fatalf("%+v", f)
	}
	if _, f, _ = simulator.ParseFault("linkStatus:latency,latency=20ms"); f.Latency != 20*time.Millisecond {
		t.Fatalf("%+v", f)
	}
	if _, f, _ = simulator.ParseFault("getMigration:500x2,skip=3"); f.Skip != 3 || f.Count != 2 || f.Challenge {
		t.Fatalf("%+v", f)
	}
	if _, f, _ = simulator.ParseFault("cutover:503,challenge,retry-after=2"); !f.Challenge || f.Status != 503 || f.RetryAfter != "2" {
		t.Fatalf("%+v", f)
	}
	for _, bad := range []string{"nope:429", "link", "link:200", "link:429x0", "link:429,color=red", "link:500,skip=-1", "link:reset-after,challenge"} {
		if _, _, err := simulator.ParseFault(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func x509Pool(t *testing.T, pem []byte) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no certificate in the CA file")
	}
	return pool
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// A client that gives up on a slow answer learns of it before the handler
// ends: the journal still counts the request, without the reader sleeping.
func TestJournalCountsARequestItsClientAbandoned(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	s.SetFault(simulator.RouteLinkStatus, simulator.Fault{Latency: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Give up once the request is being served, however long that takes.
		for s.InFlight() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink/status", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the client did not give up")
	}
	if got := s.Count(simulator.RouteLinkStatus); got != 1 {
		t.Fatalf("%d requests journaled, want 1", got)
	}
	if r := s.Requests()[0]; r.Status != 0 {
		t.Fatalf("an abandoned request is journaled with status %d, want 0", r.Status)
	}
}

// A reset closes the connection before the handler returns: the journal
// counts the request as soon as the client has seen the reset.
func TestJournalCountsAResetRequest(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	for i := 1; i <= 20; i++ {
		s.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, ResetBeforeProcessing: true})
		req, _ := http.NewRequest("POST", s.URL+"/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/linkTokens", bytes.NewReader([]byte(`{}`)))
		req.Header.Set("Accept", atlasType)
		req.Header.Set("Content-Type", atlasType)
		if _, err := digest.NewTransport("apub", "apriv").RoundTrip(req); err == nil {
			t.Fatal("a reset-before fault must fail the request")
		}
		if got := s.Calls(simulator.RouteCreateLinkToken); got != i {
			t.Fatalf("after %d resets, %d calls journaled", i, got)
		}
	}
}

// The journal lists requests in order of arrival, even when an earlier
// request ends after a later one.
func TestJournalIsInOrderOfArrival(t *testing.T) {
	t.Parallel()
	s := start(t, simulator.Options{})
	s.SetFault(simulator.RouteLinkStatus, simulator.Fault{Latency: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	slow := make(chan struct{})
	go func() {
		defer close(slow)
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink/status", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	for s.InFlight() == 0 {
		time.Sleep(time.Millisecond)
	}
	// A second call arrives after the first and ends before it.
	if status, _, _ := call(t, s, atlasKey, "GET", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/availableProjects", atlasType, "", ""); status != 200 {
		t.Fatalf("available projects: %d", status)
	}
	cancel()
	<-slow
	var routes []simulator.Route
	for _, r := range s.Requests() {
		routes = append(routes, r.Route)
	}
	if fmt.Sprint(routes) != "[linkStatus availableProjects availableProjects]" {
		t.Fatalf("journal order %v, want the slow request first", routes)
	}
}

// A list in an answer is never null: a project seeded, set or posted without
// migration hosts or deployments is answered with empty lists, as MongoDB's
// generated SDKs expect, and so is an organization seeded with active
// migrations but no project ids in the control API's state.
func TestListsInAnswersAreNeverNull(t *testing.T) {
	t.Parallel()
	const posted, set = "61a1b2c3d4e5f6a7b8c9d0e1", "62a1b2c3d4e5f6a7b8c9d0e1"
	s := start(t, simulator.Options{Seed: &simulator.Seed{
		Inventory:        map[string][]simulator.Project{sourceOrg: {{ProjectID: "seeded", Name: "seeded"}}},
		ActiveMigrations: map[string][]string{atlasOrg: nil},
	}})
	s.SetInventory(set, []simulator.Project{{ProjectID: "set", Name: "set"}})
	resp, err := http.Post(s.URL+"/_sim/inventory", "application/json", strings.NewReader(`{"orgId":"`+posted+`","projects":[{"projectId":"posted","name":"posted"}]}`))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("inventory: %v %v", resp, err)
	}
	for _, org := range []string{sourceOrg, posted, set} {
		if err := s.Link(org, s.IssueLinkToken(atlasOrg)); err != nil {
			t.Fatal(err)
		}
	}
	status, _, out := call(t, s, atlasKey, "GET", "/api/atlas/v2/orgs/"+atlasOrg+"/liveMigrations/availableProjects", atlasType, "", "")
	var projects []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &projects); status != 200 || err != nil || len(projects) != 3 {
		t.Fatalf("available projects: %d %v %s", status, err, out)
	}
	for _, p := range projects {
		for _, field := range []string{"migrationHosts", "deployments"} {
			if got := string(p[field]); got != "[]" {
				t.Errorf("project %s: %s is %s, want []", p["projectId"], field, got)
			}
		}
	}

	resp, err = http.Get(s.URL + "/_sim/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var state struct {
		ActiveMigrations map[string]json.RawMessage `json:"activeMigrations"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
		t.Fatal(err)
	}
	if got := string(state.ActiveMigrations[atlasOrg]); got != "[]" {
		t.Fatalf("state: activeMigrations of %s is %s, want []", atlasOrg, got)
	}
}

// An error body's parameters are objects, as the Atlas Admin API
// specification declares them: each names the value it carries.
func TestErrorParametersAreObjects(t *testing.T) {
	t.Parallel()
	s := startMigrations(t, simulator.MigrationOptions{ReadyAfter: time.Hour})
	_, _, out := call(t, s, atlasKey, "POST", base(""), newType, newType, migrationJSON("orders-rs", "mh-1", "orders"))
	migration := decode(t, out)["_id"].(string)
	const missing = "000000000000000000000000"
	for _, c := range []struct {
		name, method, path, accept, ct, body string
		key                                  simulator.APIKey
		status                               int
		want                                 string
	}{
		{"invalid organization", "GET", "/api/atlas/v2/orgs/xyz/liveMigrations/availableProjects", atlasType, "", "", atlasKey, 400, `[{"orgId":"xyz"}]`},
		{"invalid access list entry", "POST", "/api/atlas/v2/orgs/" + atlasOrg + "/liveMigrations/linkTokens", atlasType, atlasType, `{"accessListIps":["10.0.0.300"]}`, atlasKey, 400, `[{"accessListIps":"10.0.0.300"}]`},
		{"active migration", "DELETE", "/api/atlas/v2/orgs/" + atlasOrg + "/liveMigrations/linkTokens", atlasType, "", "", atlasKey, 409, `[{"groupId":"` + groupID + `"}]`},
		{"no link", "GET", "/api/public/v1.0/orgs/" + missing + "/liveExport/migrationLink/status", "application/json", "", "", omKey, 404, `[{"orgId":"` + missing + `"}]`},
		{"no link to remove", "DELETE", "/api/public/v1.0/orgs/" + missing + "/liveExport/migrationLink", "application/json", "", "", omKey, 404, `[{"orgId":"` + missing + `"}]`},
		{"invalid group", "GET", "/api/atlas/v2/groups/xyz", atlasType, "", "", atlasKey, 400, `[{"groupId":"xyz"}]`},
		{"unknown group", "GET", "/api/atlas/v2/groups/" + missing, atlasType, "", "", atlasKey, 404, `[{"groupId":"` + missing + `"}]`},
		{"invalid attribute", "POST", base("/validate"), newType, newType, `{}`, atlasKey, 400, `[{"field":"source"}]`},
		{"unknown validation", "GET", base("/validate/" + missing), atlasType, "", "", atlasKey, 404, `[{"validationId":"` + missing + `"}]`},
		{"unknown migration", "GET", base("/" + missing), atlasType, "", "", atlasKey, 404, `[{"liveMigrationId":"` + missing + `"}]`},
		{"cutover too early", "PUT", base("/" + migration + "/cutover"), atlasType, "", "", atlasKey, 409, `[{"liveMigrationId":"` + migration + `"}]`},
	} {
		status, _, out := call(t, s, c.key, c.method, c.path, c.accept, c.ct, c.body)
		var body map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &body); err != nil || status != c.status {
			t.Errorf("%s: %d %s (%v), want %d", c.name, status, out, err, c.status)
			continue
		}
		if got := string(body["parameters"]); got != c.want {
			t.Errorf("%s: parameters %s, want %s", c.name, got, c.want)
		}
	}
}
