package shared

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

func TestDescribeAPIError(t *testing.T) {
	cases := []struct {
		name        string
		side        APISide
		err         error
		summary     string
		mustContain []string
	}{
		{"401", AtlasSide, &client.APIError{FromAPI: true, Authenticated: true, StatusCode: 401, Reason: "Unauthorized", Detail: "You are not authorized."},
			"Atlas Rejected The Credentials", []string{"atlas.public_key", "atlas.client_id", "HTTP 401"}},
		{"403", OpsManagerSide, &client.APIError{FromAPI: true, Authenticated: true, StatusCode: 403, ErrorCode: "USER_UNAUTHORIZED", Detail: "Not an owner."},
			"Permission Denied By Cloud Manager / Ops Manager", []string{"Organization Owner", "access list", "USER_UNAUTHORIZED"}},
		{"404", AtlasSide, &client.APIError{FromAPI: true, Authenticated: true, StatusCode: 404, ErrorCode: "RESOURCE_NOT_FOUND"},
			"Atlas Resource Not Found", []string{"organization id", "RESOURCE_NOT_FOUND"}},
		{"409", AtlasSide, &client.APIError{FromAPI: true, Authenticated: true, StatusCode: 409, ErrorCode: "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK", Detail: "active migration"},
			"Atlas Refused The Change", []string{"CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK", "active migration"}},
		{"429", AtlasSide, &client.APIError{FromAPI: true, Authenticated: true, StatusCode: 429, ErrorCode: "RATE_LIMITED"},
			"Atlas Rate Limit Exceeded", []string{"max_retries", "-parallelism", "RATE_LIMITED"}},
		{"500", OpsManagerSide, &client.APIError{FromAPI: true, Authenticated: true, StatusCode: 500, ErrorCode: "UNEXPECTED_ERROR", RequestID: "req-1"},
			"Cloud Manager / Ops Manager API Error", []string{"Run again later", "UNEXPECTED_ERROR", "req-1"}},
		{"400 fields", AtlasSide, &client.APIError{FromAPI: true, Authenticated: true, StatusCode: 400, ErrorCode: "VALIDATION_ERROR", Fields: []client.FieldError{{Field: "accessListIps", Description: "bad"}}},
			"Atlas Rejected The Request", []string{"accessListIps: bad"}},
		{"null error code", AtlasSide, &client.APIError{FromAPI: true, Authenticated: true, StatusCode: 404, Detail: "Could not find the requested external organization link."},
			"Atlas Resource Not Found", []string{"HTTP 404 Not Found: Could not find"}},
		{"html 404 from a wrong server", OpsManagerSide, &client.APIError{Authenticated: true, StatusCode: 404, Detail: "the server answered with a non-JSON body (text/html)"},
			"Unexpected Answer From Cloud Manager / Ops Manager", []string{"without MongoDB's JSON error document", "ops_manager.base_url", "Nothing was assumed to be removed"}},
		{"anonymous 404", AtlasSide, &client.APIError{FromAPI: true, StatusCode: 404},
			"Unexpected Answer From Atlas", []string{"without asking for or checking credentials", "atlas.base_url"}},
		{"retry-after beyond the timeout", AtlasSide, &client.APIError{FromAPI: true, Authenticated: true, StatusCode: 429, RetryAfter: time.Hour, SkippedWait: time.Hour + 2*time.Second},
			"Atlas Asked To Wait Longer Than The Timeout", []string{"1h0m2s", "Retry-After", "timeouts"}},
		{"transport", OpsManagerSide, errors.New("dial tcp 127.0.0.1:1: connect: connection refused"),
			"Cannot Reach Cloud Manager / Ops Manager", []string{"ops_manager.base_url", "HTTPS_PROXY", "connection refused"}},
		{"web page instead of the API", AtlasSide, &client.UnexpectedAnswerError{Method: "GET", Path: "/api/atlas/v2/x", StatusCode: 200, ContentType: "text/html", Err: errors.New("invalid character '<'")},
			"Unexpected Answer From Atlas", []string{"atlas.base_url", "not a web page", "HTTP 200, text/html"}},
		{"deadline", AtlasSide, fmt.Errorf("POST: %w", context.DeadlineExceeded),
			"Operation Timed Out", []string{"timeouts"}},
		{"429 on the digest challenge", AtlasSide, &client.APIError{FromAPI: true, StatusCode: 429, ErrorCode: "RATE_LIMITED"},
			"Atlas Rate Limit Exceeded", []string{"digest authentication challenge", "not a problem with atlas.base_url", "RATE_LIMITED"}},
		{"interrupted", AtlasSide, fmt.Errorf("GET: %w", context.Canceled),
			"Operation Interrupted", []string{"interrupted (Ctrl-C", "Run terraform apply again"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			summary, detail := DescribeAPIError(tc.side, "do the thing", tc.err)
			if summary != tc.summary {
				t.Errorf("summary = %q, want %q", summary, tc.summary)
			}
			if !strings.HasPrefix(detail, "Could not do the thing") {
				t.Errorf("detail does not say what failed: %q", detail)
			}
			for _, want := range tc.mustContain {
				if !strings.Contains(detail, want) {
					t.Errorf("detail %q does not contain %q", detail, want)
				}
			}
		})
	}
}
