// Package client calls the two APIs of a push live migration link: the
// Atlas Admin API v2 (destination) and the Cloud Manager / Ops Manager Public
// API v1.0 (source). It is small and written on net/http because MongoDB's own
// Go SDKs cannot be fetched from the module proxy.
//
// Every request goes through one transport chain per side, outermost first:
// retry → logging → authentication → rate limit → per-attempt timeout → base
// transport. Retry sits outside authentication so that a replayed request
// answers the current digest challenge (digest.go); logging sits inside retry so every attempt
// is logged; the rate limit sits inside authentication so digest challenges
// wait their turn too, and it is shared by every client of the same API and
// credentials in the process (ratelimit.go).
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// AtlasMediaType is the versioned media type of the Atlas operations used
// here; 2023-01-01 is the only version they have.
const AtlasMediaType = "application/vnd.atlas.2023-01-01+json"

// DefaultRequestTimeout bounds one HTTP request when Config sets none.
const DefaultRequestTimeout = 60 * time.Second

const (
	jsonMediaType       = "application/json"
	defaultRetryWaitMin = time.Second
	defaultRetryWaitMax = 30 * time.Second
)

// Config configures one side. Exactly one kind of credential is set.
type Config struct {
	BaseURL                string
	PublicKey, PrivateKey  string
	ClientID, ClientSecret string
	UserAgent              string
	CACertFile             string
	InsecureSkipVerify     bool
	MaxRetries             int
	RequestTimeout         time.Duration
	RetryWaitMin           time.Duration
	RetryWaitMax           time.Duration
	// MaxRequestsPerSecond caps the requests to this API, challenges
	// included. Zero learns the quota from the API's answers 429.
	MaxRequestsPerSecond float64
	// DigestNonces shares the kept digest challenges and what was learned
	// of the servers' nonce policies with the other clients given the same
	// one (digest.go); nil keeps them to this client.
	DigestNonces *DigestNonces
	// TraceBodies logs masked request and response bodies at TRACE. When
	// false, they are logged only for requests whose logger (tflog.IsTrace)
	// is at TRACE, so ordinary runs do not pay for buffering bodies.
	TraceBodies bool
}

// core is the HTTP machinery shared by both sides.
type core struct {
	http      *http.Client
	baseURL   string
	userAgent string
	mediaType string
	secrets   *secretSet
	// credentials names the base URL and credentials (fingerprint.go).
	credentials string
}

func newCore(cfg Config, mediaType string) (*core, error) {
	keyPair := cfg.PublicKey != "" || cfg.PrivateKey != ""
	service := cfg.ClientID != "" || cfg.ClientSecret != ""
	switch {
	case keyPair && service:
		return nil, errors.New("both an API key pair and a service account are configured; keep exactly one")
	case !keyPair && !service:
		return nil, errors.New("no credentials are configured: set an API key pair or a service account")
	case keyPair && (cfg.PublicKey == "" || cfg.PrivateKey == ""):
		return nil, errors.New("the API key pair is incomplete: both the public and the private key are needed")
	case service && (cfg.ClientID == "" || cfg.ClientSecret == ""):
		return nil, errors.New("the service account is incomplete: both the client id and the client secret are needed")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("the base URL %q is not an absolute http(s) URL", RedactedURL(cfg.BaseURL))
	}
	if base.User != nil || base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("the base URL %q must carry no credentials, query or fragment", RedactedURL(cfg.BaseURL))
	}
	baseTransport, err := newBaseTransport(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = defaultRetryWaitMin
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = max(defaultRetryWaitMax, cfg.RetryWaitMin)
	}

	secrets := newSecretSet(cfg.PrivateKey, cfg.ClientSecret)
	traceBodies := cfg.TraceBodies
	if cfg.MaxRequestsPerSecond < 0 || math.IsNaN(cfg.MaxRequestsPerSecond) || math.IsInf(cfg.MaxRequestsPerSecond, 0) {
		return nil, fmt.Errorf("the maximum request rate must be a positive number of requests per second; got %v", cfg.MaxRequestsPerSecond)
	}
	var timed http.RoundTripper = &timeoutTransport{next: baseTransport, timeout: cfg.RequestTimeout}
	timed = &rateLimitTransport{next: timed, limiter: sharedLimiter(base.String(), base.Host, cfg)}

	var auth http.RoundTripper
	if keyPair {
		dt := newDigestTransport(cfg.PublicKey, cfg.PrivateKey, timed)
		nonces := cfg.DigestNonces
		if nonces == nil {
			nonces = NewDigestNonces()
		}
		dt.challenges = nonces.cache(base, cfg)
		auth = dt
	} else {
		// The token endpoint gets the same logging as the API, without
		// authentication of its own (HTTP Basic is added by the OAuth
		// library) and without retries: a failed token request fails the
		// API request it was for, and the API chain's retry policy decides
		// — so retries are made in one place and never multiply.
		tokenHTTP := &http.Client{Transport: &loggingTransport{next: timed, secrets: secrets, traceBodies: traceBodies}}
		auth = &bearerTransport{next: timed, source: newTokenSource(base.String(), cfg.ClientID, cfg.ClientSecret, tokenHTTP, secrets)}
	}
	chain := &retryTransport{
		next:       &loggingTransport{next: auth, secrets: secrets, traceBodies: traceBodies},
		maxRetries: cfg.MaxRetries, waitMin: cfg.RetryWaitMin, waitMax: cfg.RetryWaitMax,
	}
	return &core{
		http:      &http.Client{Transport: chain},
		baseURL:   base.String(),
		userAgent: cfg.UserAgent,
		mediaType: mediaType,
		secrets:   secrets,

		credentials: credentialsFingerprint(base.String(), cfg),
	}, nil
}

// RedactedURL is a base URL as messages may show it, whatever is wrong with
// it: what could hold a secret — the user information before an "@", a query
// or a fragment — is replaced by "***". It works on the text, not on a parsed
// URL, because a URL that does not parse ("https://admin:s3cr%t@host") must
// not be echoed either. Where in doubt it masks more: everything up to the
// last "@" outside the query, whether or not the scheme's "//" is there.
func RedactedURL(raw string) string {
	s := strings.TrimSpace(raw)
	masked := ""
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s, masked = s[:i], s[i:i+1]+"***"
	}
	if at := strings.LastIndex(s, "@"); at >= 0 {
		start := 0
		if i := strings.Index(s, "://"); i >= 0 && i < at {
			start = i + len("://")
		}
		s = s[:start] + "***" + s[at:]
	}
	return s + masked
}

// newBaseTransport clones Go's default transport — proxies from the
// environment, keep-alive — and adds the configured certificate authorities.
func newBaseTransport(cfg Config) (*http.Transport, error) {
	def, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, errors.New("http.DefaultTransport has been replaced by a foreign transport; cannot clone it")
	}
	t := def.Clone()
	// Terraform runs resources in parallel (10 by default): keep enough
	// idle connections that none of them dials again.
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 32
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CACertFile != "" {
		pem, err := os.ReadFile(cfg.CACertFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read the CA certificate file %s: %w", cfg.CACertFile, errors.Unwrap(err))
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the CA certificate file %s holds no PEM certificate", cfg.CACertFile)
		}
		tlsConfig.RootCAs = pool
	}
	if cfg.InsecureSkipVerify {
		tlsConfig.InsecureSkipVerify = true //nolint:gosec // Explicitly requested by the user, who is warned on every run.
	}
	t.TLSClientConfig = tlsConfig
	return t, nil
}

// do sends one API call and decodes a successful answer into out. ok lists
// the statuses that count as success. secrets are values of this call (a
// link token) that must be masked in logs and errors.
func (c *core) do(ctx context.Context, method, path string, body, out any, ok []int, secrets ...string) error {
	return c.doVersion(ctx, c.mediaType, method, path, body, out, ok, secrets...)
}

// doVersion is do with the media type of one operation, for the Atlas
// operations that have a newer version than the client's default.
func (c *core) doVersion(ctx context.Context, mediaType, method, path string, body, out any, ok []int, secrets ...string) error {
	ctx = withSecrets(ctx, secrets)
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return withDelivery(fmt.Errorf("encoding the request body: %w", err), notSent)
		}
	}
	var reader io.Reader
	if payload != nil {
		reader = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, reader)
	if err != nil {
		return withDelivery(fmt.Errorf("building the request: %w", err), notSent)
	}
	req.Header.Set("Accept", mediaType)
	if payload != nil {
		req.Header.Set("Content-Type", mediaType)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}

	scrub := c.secrets.scrubber(secrets)
	ctx, note := withRetryNote(ctx)
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		err = transportError(method, path, req.URL.Host, err, scrub)
		if apiErr, ok := AsAPIError(err); ok {
			apiErr.Attempts, apiErr.SkippedWait = note.attempts, note.skippedWait
		}
		return err
	}
	defer resp.Body.Close()
	if !slices.Contains(ok, resp.StatusCode) {
		apiErr := newAPIError(resp, method, path, scrub)
		apiErr.Attempts, apiErr.SkippedWait = note.attempts, note.skippedWait
		return apiErr
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return &uncertainError{msg: fmt.Sprintf("%s %s: reading the answer failed: %s", method, path, scrub(err.Error())), err: err}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &UnexpectedAnswerError{Method: method, Path: path, StatusCode: resp.StatusCode,
			ContentType: resp.Header.Get("Content-Type"), Err: errors.New(scrub(err.Error()))}
	}
	return nil
}

// transportError turns a failed round trip into an error whose text carries
// no secret and which keeps its cause for IsUncertain and IsCertificateError.
func transportError(method, path, host string, err error, scrub func(string) string) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		// The token endpoint's answer: its text, without the URL error
		// around it, and the delivery of the API request (never sent).
		return &deliveryError{d: deliveryOf(err), err: apiErr}
	}
	if IsCertificateError(err) {
		return &CertificateError{Host: host, Err: err}
	}
	return &scrubbedError{msg: fmt.Sprintf("%s %s: %s", method, path, scrub(rootCause(err))), err: err}
}

// rootCause drops url.Error's repetition of method and URL.
func rootCause(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return err.Error()
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// uncertainError marks a failure after the server answered success headers:
// the request was processed, but its result is lost.
type uncertainError struct {
	msg string
	err error
}

func (e *uncertainError) Error() string { return e.msg }
func (e *uncertainError) Unwrap() error { return e.err }

func (e *uncertainError) delivery() delivery { return answerLost }
