package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenRefreshMargin renews a service-account token this long before it
// expires, so no request carries a token that expires in flight.
const tokenRefreshMargin = 60 * time.Second

// tokenSource caches one access token per side and process. Requests that
// arrive together wait for the same token request instead of each making
// one: the token endpoint is itself rate limited.
type tokenSource struct {
	mu      sync.Mutex
	cfg     clientcredentials.Config
	http    *http.Client
	token   *oauth2.Token
	secrets *secretSet
}

func newTokenSource(baseURL, clientID, clientSecret string, httpClient *http.Client, secrets *secretSet) *tokenSource {
	return &tokenSource{
		cfg: clientcredentials.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			TokenURL:     strings.TrimRight(baseURL, "/") + "/api/oauth/token",
			AuthStyle:    oauth2.AuthStyleInHeader,
		},
		http:    httpClient,
		secrets: secrets,
	}
}

// Token returns a valid token, requesting one with the caller's context (so
// the request is logged and bounded by the operation's deadline) when the
// cache is empty or about to expire.
func (s *tokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != nil && (s.token.Expiry.IsZero() || time.Until(s.token.Expiry) > tokenRefreshMargin) {
		return s.token.AccessToken, nil
	}
	tok, err := s.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, s.http))
	if err != nil {
		return "", tokenError(err)
	}
	s.secrets.add(tok.AccessToken)
	s.token = tok
	return tok.AccessToken, nil
}

// invalidate drops the cached token if it is still the one that failed.
func (s *tokenSource) invalidate(failed string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != nil && s.token.AccessToken == failed {
		s.token = nil
	}
}

// tokenRequestError is a failure to obtain a service-account token. The API
// request it was for was never sent, which the retry policy relies on. It is
// the one place token requests are retried: the token endpoint's own client
// does not retry, so retries never multiply.
type tokenRequestError struct {
	api           *APIError // the token endpoint's answer, when there was one
	err           error     // the connection failure otherwise
	hasRetryAfter bool
}

func (e *tokenRequestError) Error() string {
	if e.api != nil {
		return e.api.Error()
	}
	return "requesting a service-account token: " + e.err.Error()
}

func (e *tokenRequestError) Unwrap() error {
	if e.api != nil {
		return e.api
	}
	return e.err
}

// The API request a token was for is never sent without one, whatever
// happened to the token request itself.
func (e *tokenRequestError) delivery() delivery { return notSent }

// tokenError turns the OAuth library's error into a tokenRequestError whose
// APIError says what really happened: a refusal of the service account, a
// rate limit, or a failure of the token endpoint.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return &tokenRequestError{err: err}
	}
	status := re.Response.StatusCode
	var detail string
	switch {
	case status == http.StatusTooManyRequests:
		detail = "the service-account token endpoint is rate limiting token requests"
	case status >= 500:
		detail = "the service-account token endpoint failed on its side"
	case status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden:
		detail = "the service account was refused: check the client id and client secret"
	default:
		detail = "the service-account token endpoint gave an unexpected answer"
	}
	if re.ErrorDescription != "" {
		detail += " (" + re.ErrorDescription + ")"
	}
	retryAfter, has := parseRetryAfter(re.Response.Header.Get("Retry-After"))
	return &tokenRequestError{
		api: &APIError{
			StatusCode:    status,
			ErrorCode:     re.ErrorCode,
			Reason:        http.StatusText(status),
			Detail:        detail,
			Method:        http.MethodPost,
			Path:          "/api/oauth/token",
			RequestID:     requestID(re.Response.Header),
			Authenticated: true,
			RetryAfter:    retryAfter,
		},
		hasRetryAfter: has,
	}
}

// bearerTransport authenticates with the cached service-account token. A
// 401 means the token was revoked or expired early: it is renewed once.
type bearerTransport struct {
	next   http.RoundTripper
	source *tokenSource
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	token, err := t.source.Token(req.Context())
	if err != nil {
		return nil, withDelivery(err, notSent)
	}
	resp, err := t.next.RoundTrip(withBearer(req, token))
	if err != nil || resp.StatusCode != http.StatusUnauthorized || (req.Body != nil && req.GetBody == nil) {
		return resp, err
	}
	resp.Body.Close()
	t.source.invalidate(token)
	if token, err = t.source.Token(req.Context()); err != nil {
		return nil, withDelivery(err, notSent)
	}
	retry := withBearer(req, token)
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, withDelivery(err, notSent)
		}
	}
	return t.next.RoundTrip(retry)
}

func withBearer(req *http.Request, token string) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// challengeGuard hands the digest library only challenges it can read. The
// library splits a challenge on ", " and reads a value after "=" for each
// parameter it knows, without checking that there is one: a parameter
// without a value (`Digest realm`, or `realm="a, nonce, b"` split in the
// middle of its quotes) panics. Such a challenge is refused here instead,
// as the server's malformed answer to an unauthenticated request.
type challengeGuard struct {
	next http.RoundTripper
}

func (g *challengeGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := g.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || req.Header.Get("Authorization") != "" {
		return resp, err
	}
	challenge := resp.Header.Get("WWW-Authenticate")
	if !digestChallengeReadable(challenge) {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 2<<10))
		_ = resp.Body.Close()
		return nil, &deliveryError{d: notSent, err: errors.New("the server's digest authentication challenge cannot be read (a parameter without a value)")}
	}
	if seen, ok := req.Context().Value(seenChallengeKey{}).(*seenChallenge); ok {
		seen.header = challenge
	}
	return resp, nil
}

// digestChallengeReadable reports whether every parameter of a digest
// challenge, as the digest library splits them, has a value. Other
// challenges (not digest, unknown parameters) the library refuses on its
// own.
func digestChallengeReadable(challenge string) bool {
	const ws = " \n\r\t"
	s := strings.Trim(challenge, ws)
	if !strings.HasPrefix(s, "Digest ") {
		return true
	}
	for _, param := range strings.Split(strings.Trim(s[len("Digest "):], ws), ", ") {
		if !strings.Contains(param, "=") {
			return false
		}
	}
	return true
}
