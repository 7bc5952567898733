package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// masked replaces every secret in logs and errors.
const masked = "***"

// sensitiveKeys are JSON and form keys whose values are always masked.
var sensitiveKeys = map[string]bool{
	"linktoken":     true,
	"privatekey":    true,
	"password":      true,
	"client_secret": true,
	"access_token":  true,
	"refresh_token": true,
	"token":         true,
	"apikey":        true,
}

// secretSet holds the values to mask: the configured credentials and every
// bearer token issued during the run.
type secretSet struct {
	mu     sync.RWMutex
	values []string
}

func newSecretSet(values ...string) *secretSet {
	s := &secretSet{}
	for _, v := range values {
		s.add(v)
	}
	return s
}

func (s *secretSet) add(v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values = append(s.values, v)
}

func (s *secretSet) list(extra []string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.values)+len(extra))
	out = append(out, s.values...)
	for _, v := range extra {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// scrubber returns a function that masks the set's secrets and extra in a
// text, such as an API error's detail.
func (s *secretSet) scrubber(extra []string) func(string) string {
	return func(text string) string {
		for _, v := range s.list(extra) {
			text = strings.ReplaceAll(text, v, masked)
		}
		return text
	}
}

type secretsKey struct{}

// withSecrets attaches secrets of one call (a link token) to its context, so
// the logging transport masks them too.
func withSecrets(ctx context.Context, secrets []string) context.Context {
	if len(secrets) == 0 {
		return ctx
	}
	return context.WithValue(ctx, secretsKey{}, secrets)
}

func secretsFrom(ctx context.Context) []string {
	s, _ := ctx.Value(secretsKey{}).([]string)
	return s
}

// loggingTransport logs every attempt at DEBUG — method, path, status,
// duration, attempt, request id — and, at TRACE, bodies with every secret
// masked. Headers are never logged except an allow-list, so Authorization,
// WWW-Authenticate and Proxy-Authorization never appear in any form.
//
// Masking happens here, on each request's context, because Terraform gives
// every RPC a fresh logging context: masks set when the provider is
// configured would not reach these calls.
type loggingTransport struct {
	next        http.RoundTripper
	secrets     *secretSet
	traceBodies bool // also when the request's logger is not at TRACE (tests)
}

var loggedHeaders = []string{"Content-Type", "Content-Length", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining"}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	secrets := t.secrets.list(secretsFrom(req.Context()))
	ctx := tflog.MaskAllFieldValuesStrings(req.Context(), secrets...)
	ctx = tflog.MaskMessageStrings(ctx, secrets...)
	fields := map[string]any{
		"method":  req.Method,
		"path":    req.URL.Path,
		"attempt": attemptFrom(req.Context()),
	}
	// Bodies are buffered and logged only when this request's logger logs
	// TRACE, as Terraform's log settings decide for each RPC.
	traceBodies := t.traceBodies || tflog.IsTrace(ctx)
	if traceBodies && req.Body != nil && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			raw, _ := io.ReadAll(io.LimitReader(body, 64<<10))
			body.Close()
			tflog.Trace(ctx, "API request body", map[string]any{
				"method": req.Method, "path": req.URL.Path,
				"body": maskBody(raw, req.Header.Get("Content-Type"), secrets),
			})
		}
	}

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		fields["error"] = t.secrets.scrubber(secretsFrom(req.Context()))(err.Error())
		tflog.Debug(ctx, "API request failed", fields)
		return nil, err
	}
	fields["status"] = resp.StatusCode
	if id := requestID(resp.Header); id != "" {
		fields["request_id"] = id
	}
	for _, h := range loggedHeaders {
		if v := resp.Header.Get(h); v != "" {
			fields["header_"+strings.ToLower(strings.ReplaceAll(h, "-", "_"))] = v
		}
	}
	tflog.Debug(ctx, "API request", fields)

	if traceBodies && resp.Body != nil && resp.ContentLength != 0 && resp.ContentLength <= 64<<10 {
		raw, readErr := io.ReadAll(io.LimitReader(resp.Body, 64<<10+1))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		if readErr != nil {
			resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(raw), errReader{readErr}))
		}
		tflog.Trace(ctx, "API response body", map[string]any{
			"method": req.Method, "path": req.URL.Path, "status": resp.StatusCode,
			"body": maskBody(raw, resp.Header.Get("Content-Type"), secrets),
		})
	}
	return resp, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// maskBody returns a body for the log with the values of sensitive keys and
// every known secret replaced.
func maskBody(raw []byte, contentType string, secrets []string) string {
	var text string
	switch {
	case strings.Contains(contentType, "json") || (len(raw) > 0 && (raw[0] == '{' || raw[0] == '[')):
		var v any
		if err := json.Unmarshal(raw, &v); err == nil {
			if b, err := json.Marshal(maskJSON(v)); err == nil {
				text = string(b)
				break
			}
		}
		text = string(raw)
	case strings.Contains(contentType, "x-www-form-urlencoded"):
		if form, err := url.ParseQuery(string(raw)); err == nil {
			for k := range form {
				if sensitiveKeys[strings.ToLower(k)] {
					form.Set(k, masked)
				}
			}
			text = form.Encode()
			break
		}
		text = string(raw)
	default:
		text = string(raw)
	}
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, masked)
	}
	return text
}

func maskJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if sensitiveKeys[strings.ToLower(k)] {
				x[k] = masked
				continue
			}
			x[k] = maskJSON(val)
		}
	case []any:
		for i := range x {
			x[i] = maskJSON(x[i])
		}
	}
	return v
}
