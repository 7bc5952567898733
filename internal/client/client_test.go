package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/secretscan"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const (
	atlasOrg  = "5f1b2c3d4e5f6a7b8c9d0e1f"
	sourceOrg = "60a1b2c3d4e5f6a7b8c9d0e1"
	atlasPub  = "atlas-public"
	atlasPriv = "atlas-private-0123456789"
	omPub     = "om-public"
	omPriv    = "om-private-0123456789"
	saID      = "mdb_sa_id_0123"
	saSecret  = "mdb_sa_sk_secret_0123456789"
)

func newSim(t *testing.T, opts simulator.Options, so simulator.ServerOptions) *simulator.Server {
	t.Helper()
	opts.AtlasKeys = append(opts.AtlasKeys, simulator.APIKey{PublicKey: atlasPub, PrivateKey: atlasPriv})
	opts.OpsManagerKeys = append(opts.OpsManagerKeys, simulator.APIKey{PublicKey: omPub, PrivateKey: omPriv})
	opts.AtlasServiceAccounts = append(opts.AtlasServiceAccounts, simulator.ServiceAccount{ClientID: saID, ClientSecret: saSecret})
	return simulator.NewServer(t, opts, so)
}

func fastRetries(cfg client.Config) client.Config {
	cfg.RetryWaitMin, cfg.RetryWaitMax = time.Millisecond, 5*time.Millisecond
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "terraform-provider-atlasmig/test Terraform/1.11.4"
	}
	return cfg
}

func atlasClient(t *testing.T, sim *simulator.Server, cfg client.Config) *client.Atlas {
	t.Helper()
	cfg.BaseURL = sim.URL + "/"
	if cfg.ClientID == "" && cfg.PublicKey == "" {
		cfg.PublicKey, cfg.PrivateKey = atlasPub, atlasPriv
	}
	a, err := client.NewAtlas(fastRetries(cfg))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func omClient(t *testing.T, sim *simulator.Server, cfg client.Config) *client.OpsManager {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = sim.URL
	}
	if cfg.PublicKey == "" {
		cfg.PublicKey, cfg.PrivateKey = omPub, omPriv
	}
	o, err := client.NewOpsManager(fastRetries(cfg))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestLinkLifecycleAgainstSimulator(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	ctx := context.Background()
	atlas, om := atlasClient(t, sim, client.Config{}), omClient(t, sim, client.Config{})

	token, err := atlas.CreateLinkToken(ctx, atlasOrg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sim.LinkTokens(atlasOrg); len(got) != 1 || got[0] != token {
		t.Fatalf("simulator holds %d tokens; the client's token is not the issued one", len(got))
	}
	if ips, _ := sim.TokenAccessList(token); ips == nil || len(ips) != 0 {
		t.Fatalf("a nil access list must be sent as [], got %v", ips)
	}
	status, err := om.Link(ctx, sourceOrg, token)
	if err != nil || status != "SYNCED" {
		t.Fatalf("Link = %q, %v", status, err)
	}
	if status, err = om.LinkStatus(ctx, sourceOrg); err != nil || status != "SYNCED" {
		t.Fatalf("LinkStatus = %q, %v", status, err)
	}
	if err := atlas.DeleteLinkTokens(ctx, atlasOrg); err != nil {
		t.Fatal(err)
	}
	if status, _ = om.LinkStatus(ctx, sourceOrg); status != "NOT_SYNCED" {
		t.Fatalf("status after token removal = %q, want NOT_SYNCED", status)
	}
	if err := om.Unlink(ctx, sourceOrg); err != nil {
		t.Fatal(err)
	}
	if _, err := om.LinkStatus(ctx, sourceOrg); !client.IsNotFound(err) {
		t.Fatalf("status after unlink: %v, want 404", err)
	}
	// Removing again: 404 with errorCode null, reported as not found.
	err = atlas.DeleteLinkTokens(ctx, atlasOrg)
	apiErr, ok := client.AsAPIError(err)
	if !ok || !client.IsNotFound(err) || apiErr.ErrorCode != "" || !strings.Contains(apiErr.Detail, "external organization link") {
		t.Fatalf("second removal: %#v", err)
	}
	if err := om.Unlink(ctx, sourceOrg); !client.IsNotFound(err) {
		t.Fatalf("second unlink: %v, want 404", err)
	}

	// Digest costs one challenge per API (and key): every later call
	// answers the kept nonce with the next count, in one request.
	for _, r := range sim.Requests() {
		if r.Authenticated && r.Auth != "digest" {
			t.Errorf("%s %s authenticated with %s", r.Method, r.Path, r.Auth)
		}
		if r.UserAgent != "terraform-provider-atlasmig/test Terraform/1.11.4" {
			t.Errorf("User-Agent %q", r.UserAgent)
		}
		atlasPath := strings.HasPrefix(r.Path, "/api/atlas/v2/")
		if atlasPath && r.Accept != client.AtlasMediaType {
			t.Errorf("%s %s: Accept %q", r.Method, r.Path, r.Accept)
		}
		if !atlasPath && r.Accept != "application/json" {
			t.Errorf("%s %s: Accept %q", r.Method, r.Path, r.Accept)
		}
		if r.Method == http.MethodPost && atlasPath && r.ContentType != client.AtlasMediaType {
			t.Errorf("%s %s: Content-Type %q", r.Method, r.Path, r.ContentType)
		}
	}
	if total, calls := sim.Total(), len(authenticated(sim)); total != calls+2 {
		t.Errorf("%d requests for %d calls, want one challenge per API", total, calls)
	}
	counts := map[string][]int{}
	for _, r := range authenticated(sim) {
		side := "om"
		if strings.HasPrefix(r.Path, "/api/atlas/v2/") {
			side = "atlas"
		}
		counts[side] = append(counts[side], r.NonceCount)
	}
	for side, nc := range counts {
		for i, n := range nc {
			if n != i+1 {
				t.Errorf("%s: nonce counts %v, want 1, 2, 3, ...", side, nc)
				break
			}
		}
	}
}

func authenticated(sim *simulator.Server) []simulator.Request {
	var out []simulator.Request
	for _, r := range sim.Requests() {
		if r.Authenticated {
			out = append(out, r)
		}
	}
	return out
}

func TestAvailableProjectsDecodesOmissions(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	ctx := context.Background()
	atlas, om := atlasClient(t, sim, client.Config{}), omClient(t, sim, client.Config{})
	projects, err := atlas.ListAvailableProjects(ctx, atlasOrg)
	if err != nil || projects == nil || len(projects) != 0 {
		t.Fatalf("empty inventory: %v, %v", projects, err)
	}
	size := int64(42)
	sim.SetInventory(sourceOrg, []simulator.Project{{ProjectID: "p1", Name: "one", MigrationHosts: []string{"mh"},
		Deployments: []simulator.Deployment{{Name: "rs0", MongoDBVersion: "7.0.1", FeatureCompatibilityVersion: "7.0", Managed: true, DBSizeBytes: &size}}}})
	token, _ := atlas.CreateLinkToken(ctx, atlasOrg, []string{"203.0.113.7"})
	if _, err := om.Link(ctx, sourceOrg, token); err != nil {
		t.Fatal(err)
	}
	projects, err = atlas.ListAvailableProjects(ctx, atlasOrg)
	if err != nil || len(projects) != 1 {
		t.Fatalf("%v, %v", projects, err)
	}
	d := projects[0].Deployments[0]
	if d.Name != "rs0" || d.MongoDBVersion != "7.0.1" || !d.Managed || d.DBSizeBytes == nil || *d.DBSizeBytes != 42 || d.ClusterID != nil || d.ShardsSize != nil {
		t.Fatalf("deployment decoded as %+v", d)
	}
}

func TestAPIErrorDecoding(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        client.APIError
	}{
		{"null code", 404, "application/json", `{"detail":"gone","error":404,"errorCode":null,"parameters":null,"reason":"Not Found"}`,
			client.APIError{StatusCode: 404, Reason: "Not Found", Detail: "gone", FromAPI: true}},
		{"fields", 400, "application/json", `{"error":400,"errorCode":"VALIDATION_ERROR","detail":"bad","badRequestDetail":{"fields":[{"field":"accessListIps","description":"not an IP"}]}}`,
			client.APIError{StatusCode: 400, ErrorCode: "VALIDATION_ERROR", Reason: "Bad Request", Detail: "bad", Fields: []client.FieldError{{Field: "accessListIps", Description: "not an IP"}}, FromAPI: true}},
		{"parameters", 409, "application/json", `{"error":409,"errorCode":"CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK","reason":"Conflict","detail":"busy","parameters":["p1",2]}`,
			client.APIError{StatusCode: 409, ErrorCode: "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK", Reason: "Conflict", Detail: "busy", Parameters: []any{"p1", float64(2)}, FromAPI: true}},
		// The specification declares the parameters objects; older answers
		// carry strings. Either decodes, and so does a mix.
		{"object parameters", 404, "application/json", `{"error":404,"errorCode":"RESOURCE_NOT_FOUND","reason":"Not Found","detail":"gone","parameters":[{"liveMigrationId":"m1"},"m1"]}`,
			client.APIError{StatusCode: 404, ErrorCode: "RESOURCE_NOT_FOUND", Reason: "Not Found", Detail: "gone", Parameters: []any{map[string]any{"liveMigrationId": "m1"}, "m1"}, FromAPI: true}},
		// A parameters value that is no list does not hide the rest of
		// the API's error document: it is kept as the only parameter.
		{"parameters not a list", 404, "application/json", `{"error":404,"errorCode":"RESOURCE_NOT_FOUND","reason":"Not Found","detail":"gone","parameters":{"groupId":"g1"}}`,
			client.APIError{StatusCode: 404, ErrorCode: "RESOURCE_NOT_FOUND", Reason: "Not Found", Detail: "gone", Parameters: []any{map[string]any{"groupId": "g1"}}, FromAPI: true}},
		{"parameters a string", 409, "application/json", `{"error":409,"errorCode":"CONFLICT","reason":"Conflict","detail":"busy","parameters":"g1"}`,
			client.APIError{StatusCode: 409, ErrorCode: "CONFLICT", Reason: "Conflict", Detail: "busy", Parameters: []any{"g1"}, FromAPI: true}},
		{"missing fields", 409, "application/json", `{}`, client.APIError{StatusCode: 409, Reason: "Conflict", Detail: "the server answered with JSON that is not MongoDB's error document"}},
		{"html", 502, "text/html", `<html><body>Bad gateway</body></html>`,
			client.APIError{StatusCode: 502, Reason: "Bad Gateway", Detail: "the server answered with a non-JSON body (text/html)"}},
		{"empty", 503, "", ``, client.APIError{StatusCode: 503, Reason: "Service Unavailable", Detail: "the server answered with an empty body"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.Header().Set("X-Request-Id", "req-7")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			om, _ := client.NewOpsManager(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k"})
			_, err := om.LinkStatus(context.Background(), sourceOrg)
			got, ok := client.AsAPIError(err)
			if !ok {
				t.Fatalf("not an APIError: %v", err)
			}
			want := tc.want
			// The server never challenges, so no request carried
			// credentials (Authenticated stays false); one attempt each.
			want.Attempts = 1
			want.Method, want.Path, want.RequestID = http.MethodGet, "/api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink/status", "req-7"
			if diff := cmp.Diff(want, *got); diff != "" {
				t.Fatalf("decoded error differs (-want +got):\n%s", diff)
			}
			if !strings.Contains(err.Error(), "GET /api/public/v1.0/orgs/"+sourceOrg+"/liveExport/migrationLink/status") {
				t.Fatalf("error does not name the call: %s", err)
			}
		})
	}
}

// A web page answering in the API's place (a login portal, a proxy) is
// reported as such, not as an unreachable host.
func TestHTMLSuccessAnswerIsUnexpected(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><title>Sign in</title></html>")
	}))
	defer srv.Close()
	om, _ := client.NewOpsManager(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k"})
	_, err := om.LinkStatus(context.Background(), sourceOrg)
	var unexpected *client.UnexpectedAnswerError
	if !errors.As(err, &unexpected) || unexpected.StatusCode != 200 || unexpected.ContentType != "text/html" || !client.IsUnexpectedAnswer(err) {
		t.Fatalf("want an UnexpectedAnswerError for HTTP 200 text/html, got %#v", err)
	}
	if _, isAPI := client.AsAPIError(err); isAPI {
		t.Fatal("a web page is not an API error")
	}
}

func TestErrorHelpers(t *testing.T) {
	t.Parallel()
	for status, check := range map[int]func(error) bool{400: client.IsBadRequest, 401: client.IsUnauthorized, 403: client.IsForbidden, 404: client.IsNotFound, 409: client.IsConflict, 429: client.IsRateLimited} {
		if !check(&client.APIError{StatusCode: status, FromAPI: true, Authenticated: true}) || check(&client.APIError{StatusCode: 500}) || check(errors.New("x")) {
			t.Errorf("helper for %d misjudges", status)
		}
	}
	if !client.IsServerError(&client.APIError{StatusCode: 503}) || client.IsServerError(&client.APIError{StatusCode: 499}) {
		t.Error("IsServerError misjudges")
	}
	if client.IsUncertain(&client.APIError{StatusCode: 500, Authenticated: true}) || !client.IsUncertain(&client.APIError{StatusCode: 504, Authenticated: true}) {
		t.Error("IsUncertain misjudges API errors")
	}
	// A gateway's 504 to a digest challenge leg: the request carried no
	// credentials, so the API ran nothing.
	if client.IsUncertain(&client.APIError{StatusCode: 504}) {
		t.Error("IsUncertain takes an answer to an unauthenticated request for a lost write")
	}
}

func TestRetryRules(t *testing.T) {
	t.Parallel()
	type call func(ctx context.Context, atlas *client.Atlas, om *client.OpsManager) error
	post := func(ctx context.Context, _ *client.Atlas, om *client.OpsManager) error {
		_, err := om.Link(ctx, sourceOrg, "not-a-token")
		return err
	}
	get := func(ctx context.Context, _ *client.Atlas, om *client.OpsManager) error {
		_, err := om.LinkStatus(ctx, sourceOrg)
		return err
	}
	unlink := func(ctx context.Context, _ *client.Atlas, om *client.OpsManager) error {
		return om.Unlink(ctx, sourceOrg)
	}
	cases := []struct {
		name      string
		route     simulator.Route
		fault     simulator.Fault
		call      call
		wantCalls int
		wantErr   func(error) bool
	}{
		{"429 retried with Retry-After", simulator.RouteLinkStatus, simulator.Fault{Count: 2, Status: 429, RetryAfter: "0"}, get, 3, client.IsNotFound},
		{"429 on POST retried", simulator.RouteLink, simulator.Fault{Count: 1, Status: 429}, post, 2, isStatus(400)},
		{"503 GET retried", simulator.RouteLinkStatus, simulator.Fault{Count: 2, Status: 503}, get, 3, client.IsNotFound},
		{"503 POST without Retry-After not retried", simulator.RouteLink, simulator.Fault{Count: 1, Status: 503}, post, 1, isStatus(503)},
		{"503 POST with Retry-After retried", simulator.RouteLink, simulator.Fault{Count: 1, Status: 503, RetryAfter: "0"}, post, 2, isStatus(400)},
		{"502 GET retried", simulator.RouteLinkStatus, simulator.Fault{Count: 1, Status: 502}, get, 2, client.IsNotFound},
		{"504 POST not retried, uncertain", simulator.RouteLink, simulator.Fault{Count: 1, Status: 504}, post, 1, client.IsUncertain},
		{"500 GET retried", simulator.RouteLinkStatus, simulator.Fault{Count: 2, Status: 500}, get, 3, client.IsNotFound},
		{"500 DELETE retried", simulator.RouteUnlink, simulator.Fault{Count: 2, Status: 500}, unlink, 3, client.IsNotFound},
		{"500 POST not retried, certain", simulator.RouteLink, simulator.Fault{Count: 5, Status: 500}, post, 1, certainStatus(500)},
		{"500 GET retries bounded", simulator.RouteLinkStatus, simulator.Fault{Count: 100, Status: 500}, get, 4, isStatus(500)},
		{"400 never retried", simulator.RouteLinkStatus, simulator.Fault{Count: 5, Status: 400}, get, 1, isStatus(400)},
		{"reset GET retried", simulator.RouteLinkStatus, simulator.Fault{Count: 2, ResetBeforeProcessing: true}, get, 3, client.IsNotFound},
		{"reset POST not retried, uncertain", simulator.RouteLink, simulator.Fault{Count: 1, ResetBeforeProcessing: true}, post, 1, client.IsUncertain},
		{"lost answer POST uncertain", simulator.RouteLink, simulator.Fault{Count: 1, ResetAfterProcessing: true}, post, 1, client.IsUncertain},
		{"retries bounded", simulator.RouteLinkStatus, simulator.Fault{Count: 100, Status: 429, RetryAfter: "0"}, get, 4, isStatus(429)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
			sim.SetFault(tc.route, tc.fault)
			err := tc.call(context.Background(), atlasClient(t, sim, client.Config{}), omClient(t, sim, client.Config{}))
			if !tc.wantErr(err) {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := sim.Calls(tc.route); got != tc.wantCalls {
				t.Fatalf("%d authenticated %s calls, want %d", got, tc.route, tc.wantCalls)
			}
		})
	}
}

// certainStatus matches an API answer of status that proves the request
// was answered, not lost.
func certainStatus(status int) func(error) bool {
	return func(err error) bool { return isStatus(status)(err) && !client.IsUncertain(err) }
}

func isStatus(status int) func(error) bool {
	return func(err error) bool {
		e, ok := client.AsAPIError(err)
		return ok && e.StatusCode == status
	}
}

func TestRetryReplaysBodyThroughDigest(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 2, Status: 429, RetryAfter: "0"})
	token, err := atlasClient(t, sim, client.Config{}).CreateLinkToken(context.Background(), atlasOrg, []string{"203.0.113.7", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	ips, _ := sim.TokenAccessList(token)
	if strings.Join(ips, ",") != "203.0.113.7,2001:db8::/32" {
		t.Fatalf("the replayed body arrived as %v", ips)
	}
	// Three calls: the first with its challenge, the retries answering the
	// same nonce with counts 2 and 3, their body sent once each.
	if sim.Calls(simulator.RouteCreateLinkToken) != 3 || sim.Count(simulator.RouteCreateLinkToken) != 4 {
		t.Fatalf("calls %d, requests %d", sim.Calls(simulator.RouteCreateLinkToken), sim.Count(simulator.RouteCreateLinkToken))
	}
}

func TestConnectionRefusedPOSTIsRetriedAndCertain(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	om, _ := client.NewOpsManager(fastRetries(client.Config{BaseURL: "http://" + addr, PublicKey: "p", PrivateKey: "k", MaxRetries: 2}))
	_, err = om.Link(context.Background(), sourceOrg, "token-value-123456")
	if err == nil || client.IsUncertain(err) {
		t.Fatalf("a refused connection is certain: %v", err)
	}
	if strings.Contains(err.Error(), "token-value-123456") {
		t.Fatal("the error carries the token")
	}
}

func TestRetryStopsAtTheDeadline(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	// Retry-After (an hour) is beyond the deadline (a minute): the client
	// answers at once with the API's own error instead of waiting.
	sim.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 10, Status: 429, RetryAfter: "3600"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := omClient(t, sim, client.Config{MaxRetries: 5}).LinkStatus(ctx, sourceOrg)
	if !isStatus(429)(err) {
		t.Fatalf("want the API's 429, got %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the client waited for the deadline; a retry that cannot fit it must not be waited for")
	}
	if sim.Calls(simulator.RouteLinkStatus) != 1 {
		t.Fatalf("%d calls", sim.Calls(simulator.RouteLinkStatus))
	}
}

func TestRequestTimeoutStopsAHungServer(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	om, _ := client.NewOpsManager(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k", RequestTimeout: 100 * time.Millisecond, MaxRetries: 0})
	// The server never answers: only the per-request timeout can end the
	// call, and the error says which limit it was.
	_, err := om.LinkStatus(context.Background(), sourceOrg)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "request timeout") {
		t.Fatalf("want the request timeout, got %v", err)
	}
}

func TestServiceAccountOneTokenForConcurrentCalls(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	atlas := atlasClient(t, sim, client.Config{ClientID: saID, ClientSecret: saSecret})
	var calls errgroup.Group
	for range 20 {
		calls.Go(func() error {
			_, err := atlas.ListAvailableProjects(context.Background(), atlasOrg)
			return err
		})
	}
	if err := calls.Wait(); err != nil {
		t.Fatal(err)
	}
	if n := sim.TokenRequests(); n != 1 {
		t.Fatalf("%d token requests for 20 concurrent calls, want 1", n)
	}
	if total := sim.Total(); total != 21 {
		t.Fatalf("%d requests, want 20 calls + 1 token request (no challenges with a bearer)", total)
	}
}

func TestServiceAccountRefreshesBeforeExpiryAndAfter401(t *testing.T) {
	t.Parallel()
	// Tokens that live less than the refresh margin are renewed every call.
	sim := newSim(t, simulator.Options{TokenTTL: 30 * time.Second}, simulator.ServerOptions{})
	atlas := atlasClient(t, sim, client.Config{ClientID: saID, ClientSecret: saSecret})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := atlas.ListAvailableProjects(ctx, atlasOrg); err != nil {
			t.Fatal(err)
		}
	}
	if n := sim.TokenRequests(); n != 3 {
		t.Fatalf("%d token requests, want one per call for near-expiry tokens", n)
	}

	sim2 := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	atlas2 := atlasClient(t, sim2, client.Config{ClientID: saID, ClientSecret: saSecret})
	if _, err := atlas2.ListAvailableProjects(ctx, atlasOrg); err != nil {
		t.Fatal(err)
	}
	sim2.RevokeAccessTokens()
	if _, err := atlas2.ListAvailableProjects(ctx, atlasOrg); err != nil {
		t.Fatalf("a revoked token must be renewed once: %v", err)
	}
	if n := sim2.TokenRequests(); n != 2 {
		t.Fatalf("%d token requests, want 2", n)
	}
}

func TestServiceAccountRefused(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	_, err := atlasClient(t, sim, client.Config{ClientID: saID, ClientSecret: "wrong-secret-value"}).ListAvailableProjects(context.Background(), atlasOrg)
	if !client.IsUnauthorized(err) {
		t.Fatalf("want 401, got %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatal("error carries the secret")
	}
}

func TestCustomCertificateAuthority(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{TLS: true})
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := sim.WriteCACert(ca); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := omClient(t, sim, client.Config{CACertFile: ca}).LinkStatus(ctx, sourceOrg); !client.IsNotFound(err) {
		t.Fatalf("with the CA: %v", err)
	}
	_, err := omClient(t, sim, client.Config{}).LinkStatus(ctx, sourceOrg)
	if !client.IsCertificateError(err) || client.IsUncertain(err) {
		t.Fatalf("without the CA: %v", err)
	}
	if _, err := omClient(t, sim, client.Config{InsecureSkipVerify: true}).LinkStatus(ctx, sourceOrg); !client.IsNotFound(err) {
		t.Fatalf("skip verify: %v", err)
	}
	if _, err := client.NewOpsManager(client.Config{BaseURL: sim.URL, PublicKey: "p", PrivateKey: "k", CACertFile: filepath.Join(dir, "missing.pem")}); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Fatalf("missing CA file: %v", err)
	}
	junk := filepath.Join(dir, "junk.pem")
	_ = os.WriteFile(junk, []byte("not a certificate"), 0o600)
	if _, err := client.NewOpsManager(client.Config{BaseURL: sim.URL, PublicKey: "p", PrivateKey: "k", CACertFile: junk}); err == nil || !strings.Contains(err.Error(), "junk.pem") {
		t.Fatalf("junk CA file: %v", err)
	}
}

func TestLoggingMasksEverySecret(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	sim.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 1, Status: 429, RetryAfter: "0"})
	atlas := atlasClient(t, sim, client.Config{TraceBodies: true})
	saAtlas := atlasClient(t, sim, client.Config{ClientID: saID, ClientSecret: saSecret, TraceBodies: true})
	om := omClient(t, sim, client.Config{TraceBodies: true})

	token, err := atlas.CreateLinkToken(ctx, atlasOrg, []string{"203.0.113.7"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := om.Link(ctx, sourceOrg, token); err != nil {
		t.Fatal(err)
	}
	if _, err := om.LinkStatus(ctx, sourceOrg); err != nil {
		t.Fatal(err)
	}
	if _, err := saAtlas.ListAvailableProjects(ctx, atlasOrg); err != nil {
		t.Fatal(err)
	}
	_, _ = om.Link(ctx, sourceOrg, "an-invalid-token-value-123")
	log := buf.String()

	secrets := map[string]string{token: "link token", atlasPriv: "Atlas private key", omPriv: "OM private key", saSecret: "client secret",
		"an-invalid-token-value-123": "invalid link token"}
	for _, at := range sim.AccessTokens() {
		secrets[at] = "access token"
	}
	if leaks := secretscan.Find("log", log, secrets); len(leaks) > 0 {
		t.Fatalf("the log reveals: %v", leaks)
	}
	for _, forbidden := range []string{"Authorization", "WWW-Authenticate", "Digest ", "Bearer "} {
		if strings.Contains(log, forbidden) {
			t.Errorf("the log contains %q", forbidden)
		}
	}
	entries := decodeLog(t, log)
	var debug, trace, warn int
	for _, e := range entries {
		switch e["@level"] {
		case "debug":
			if e["@message"] == "API request" {
				debug++
				for _, f := range []string{"method", "path", "status", "attempt", "duration_ms"} {
					if _, ok := e[f]; !ok {
						t.Errorf("debug entry lacks %s: %v", f, e)
					}
				}
			}
		case "trace":
			trace++
		case "warn":
			warn++
			if e["@message"] != "retrying API request" || e["wait_ms"] == nil || e["path"] == nil {
				t.Errorf("warn entry: %v", e)
			}
		}
	}
	if debug == 0 || trace == 0 || warn != 1 {
		t.Fatalf("debug %d, trace %d, warn %d", debug, trace, warn)
	}
	if !strings.Contains(log, `\"linkToken\":\"***\"`) {
		t.Error("the link token key is not shown masked in bodies")
	}
}

// Bodies are logged when the request's logger is at TRACE, as Terraform's
// log settings make it for each RPC; no environment variable is read.
func TestBodiesFollowTheRequestLoggerLevel(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf) // a TRACE logger
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	if _, err := atlasClient(t, sim, client.Config{}).ListAvailableProjects(ctx, atlasOrg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"@message":"API response body"`) {
		t.Fatalf("no body logged under a TRACE logger:\n%s", buf.String())
	}
}

func TestFindSecretsCatchesALeak(t *testing.T) {
	// A deliberately leaking logger: the check above must catch it.
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	leakyLog(ctx, "private-key-value-1234")
	if got := secretscan.Find("log", buf.String(), map[string]string{"private-key-value-1234": "private key"}); len(got) != 1 {
		t.Fatalf("the leak check missed a leaked secret: %v", got)
	}
}

func decodeLog(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := json.NewDecoder(strings.NewReader(log))
	for dec.More() {
		var e map[string]any
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestLatencyFaultBeyondRequestTimeoutIsRetriedThenFails(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	// The latency outlasts any request timeout; the simulator stops waiting
	// when the client hangs up, so the test does not wait for it either.
	sim.SetFault(simulator.RouteLinkStatus, simulator.Fault{Latency: time.Hour})
	om := omClient(t, sim, client.Config{RequestTimeout: 500 * time.Millisecond, MaxRetries: 2})
	_, err := om.LinkStatus(context.Background(), sourceOrg)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "request timeout") {
		t.Fatalf("want a request timeout, got %v", err)
	}
	// The journal waits for the delayed handlers: each attempt's challenge
	// reached the server and timed out, and nothing got further.
	if got := sim.Calls(simulator.RouteLinkStatus); got != 0 {
		t.Fatalf("%d authenticated requests; every attempt should time out on its challenge", got)
	}
	if got := sim.Count(simulator.RouteLinkStatus); got != 3 {
		t.Fatalf("%d requests reached the server, want 3 (the challenge of each attempt timed out)", got)
	}
}

// A 404 proves "already gone" only when the API itself gave it to an
// authenticated request: a proxy's page, or a server that never asked for
// credentials, must not make a destroy report success.
func TestNotFoundOnlyFromTheAuthenticatedAPI(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		challenge bool
		body      string
		want      bool
	}{
		{"API 404 after the digest challenge", true, `{"error":404,"errorCode":null,"reason":"Not Found","detail":"Could not find the requested external organization link."}`, true},
		{"HTML 404 after the challenge", true, `<html>Not Found</html>`, false},
		{"JSON 404 without any challenge", false, `{"error":404,"reason":"Not Found"}`, false},
		{"HTML 404 without any challenge", false, `<html>Not Found</html>`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var requests, authenticated int
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests++
				if tc.challenge && r.Header.Get("Authorization") == "" {
					w.Header().Set("WWW-Authenticate", `Digest realm="MMS Public API", domain="", nonce="n1", algorithm=MD5, qop="auth", stale=false`)
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				if r.Header.Get("Authorization") != "" {
					authenticated++
				}
				w.WriteHeader(http.StatusNotFound)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			om, _ := client.NewOpsManager(client.Config{BaseURL: srv.URL, PublicKey: "p", PrivateKey: "k", MaxRetries: 0})
			err := om.Unlink(context.Background(), sourceOrg)
			if got := client.IsNotFound(err); got != tc.want {
				t.Fatalf("IsNotFound = %v, want %v (error: %v)", got, tc.want, err)
			}
			if got := client.IsForeignAnswer(err); got == tc.want {
				t.Fatalf("IsForeignAnswer = %v, want %v", got, !tc.want)
			}
			wantRequests := 1
			if tc.challenge {
				wantRequests = 2
			}
			if requests != wantRequests {
				t.Fatalf("%d requests, want %d", requests, wantRequests)
			}
		})
	}
}

// A Retry-After longer than what is left of the operation fails at once,
// naming the wait, instead of sleeping into the deadline.
func TestRetryAfterBeyondTheDeadlineFailsAtOnceNamingTheWait(t *testing.T) {
	t.Parallel()
	sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
	sim.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 5, Status: 429, RetryAfter: "3600"})
	om := omClient(t, sim, fastRetries(client.Config{MaxRetries: 5}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := om.LinkStatus(ctx, sourceOrg)
	apiErr, ok := client.AsAPIError(err)
	if !ok || apiErr.StatusCode != 429 {
		t.Fatalf("want the API's 429, got %v", err)
	}
	if apiErr.SkippedWait < time.Hour || apiErr.RetryAfter != time.Hour || apiErr.Attempts != 1 {
		t.Fatalf("skipped wait %s, Retry-After %s, attempts %d; want >= 1h, 1h, 1", apiErr.SkippedWait, apiErr.RetryAfter, apiErr.Attempts)
	}
	if ctx.Err() != nil {
		t.Fatal("the call waited until the deadline")
	}
	if n := sim.Calls(simulator.RouteLinkStatus); n != 1 {
		t.Fatalf("%d authenticated status requests, want 1", n)
	}
}

// Service-account token requests are retried in one place: with
// max_retries = 2 and a token endpoint answering 429, one GET makes exactly
// three token requests, none of the API, and says it was rate limited.
func TestServiceAccountTokenRetriesDoNotMultiply(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		want   string
	}{
		{429, "rate limiting"},
		{503, "failed on its side"},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			t.Parallel()
			sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
			sim.SetFault(simulator.RouteOAuthToken, simulator.Fault{Count: 100, Status: tc.status, RetryAfter: "0"})
			atlas := atlasClient(t, sim, fastRetries(client.Config{ClientID: saID, ClientSecret: saSecret, MaxRetries: 2}))
			_, err := atlas.ListAvailableProjects(context.Background(), atlasOrg)
			if n := sim.Count(simulator.RouteOAuthToken); n != 3 {
				t.Fatalf("%d token requests, want 3 (one and two retries)", n)
			}
			if n := sim.Count(simulator.RouteAvailableProjects); n != 0 {
				t.Fatalf("%d API requests without a token", n)
			}
			apiErr, ok := client.AsAPIError(err)
			if !ok || apiErr.StatusCode != tc.status || apiErr.Path != "/api/oauth/token" || !strings.Contains(apiErr.Detail, tc.want) {
				t.Fatalf("error %v does not say what happened", err)
			}
			if strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), "connection reset") {
				t.Fatalf("error misreports the failure: %v", err)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		sim := newSim(t, simulator.Options{}, simulator.ServerOptions{})
		atlas := atlasClient(t, sim, fastRetries(client.Config{ClientID: saID, ClientSecret: "wrong", MaxRetries: 2}))
		_, err := atlas.ListAvailableProjects(context.Background(), atlasOrg)
		if n := sim.Count(simulator.RouteOAuthToken); n != 1 {
			t.Fatalf("%d token requests for a refused service account, want 1", n)
		}
		if !strings.Contains(fmt.Sprint(err), "refused") {
			t.Fatalf("error %v does not say the service account was refused", err)
		}
	})
}

// A base URL that carries credentials is refused without echoing them,
// whatever else is wrong with it.
func TestBaseURLCredentialsNeverEchoed(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"https://admin:s3cr%t@cloud.example.com", "ftp://admin:s3cret@cloud.example.com",
		"https://cloud.example.com?apikey=s3cret", "https://admin:s3cret@cloud.example.com"} {
		_, err := client.NewAtlas(client.Config{BaseURL: raw, PublicKey: "p", PrivateKey: "k"})
		if err == nil {
			t.Errorf("%s: accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), "s3cr") || strings.Contains(err.Error(), "admin") {
			t.Errorf("%s: the error echoes the credentials: %v", raw, err)
		}
	}
	if got, want := client.RedactedURL(" https://admin:s3cret@cloud.example.com:8443/x?apikey=s3cret#f"), "https://***@cloud.example.com:8443/x?***"; got != want {
		t.Errorf("RedactedURL = %q, want %q", got, want)
	}
}
