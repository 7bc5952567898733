package client

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// APIError is an error answer from either API. ErrorCode is "" when the body
// has `"errorCode": null` or none at all, as older Atlas answers do.
type APIError struct {
	StatusCode int
	ErrorCode  string
	Reason     string
	Detail     string
	// Parameters are the error body's parameters as sent: objects, as the
	// specification declares them, or strings, as older answers carry.
	Parameters []any
	Fields     []FieldError
	Method     string
	Path       string
	RequestID  string
	// FromAPI is true when the body is MongoDB's JSON error document; a
	// proxy's or a foreign server's page leaves it false.
	FromAPI bool
	// Authenticated is true when the request that drew this answer carried
	// credentials: a digest response to the server's challenge, or a bearer
	// token. A server that answers before challenging is not the API.
	Authenticated bool
	// RetryAfter is the wait the server asked for, when it sent one.
	RetryAfter time.Duration
	// Attempts is how many times the request was sent, retries included.
	Attempts int
	// SkippedWait is set when the provider stopped retrying because the
	// next wait (Retry-After and back-off) would not fit in what is left
	// of the operation's timeout.
	SkippedWait time.Duration
}

// FieldError is one entry of an error body's badRequestDetail.fields.
type FieldError struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.ErrorCode != "" {
		fmt.Fprintf(&b, " (%s)", e.ErrorCode)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	return b.String()
}

// errorBody is the documented error shape; every field may be missing.
type errorBody struct {
	Error            *int            `json:"error"`
	ErrorCode        *string         `json:"errorCode"`
	Reason           string          `json:"reason"`
	Detail           string          `json:"detail"`
	Parameters       errorParameters `json:"parameters"`
	BadRequestDetail *struct {
		Fields []FieldError `json:"fields"`
	} `json:"badRequestDetail"`
}

// errorParameters decodes an error body's parameters whatever their shape:
// the Atlas Admin API specification declares a list of objects, older
// answers carry a list of strings, and a value that is no list is kept as the
// only parameter rather than making the whole error document unreadable (a
// 404 that could not be read would no longer prove anything gone). The
// provider acts on none of them; they are kept for whoever inspects an
// APIError.
type errorParameters []any

func (p *errorParameters) UnmarshalJSON(raw []byte) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*p = nil
	case []any:
		*p = v
	default:
		*p = errorParameters{v}
	}
	return nil
}

// documented reports whether a decoded body has any field of MongoDB's error
// document; `{}` or another service's JSON does not count.
func (b errorBody) documented() bool {
	return b.Error != nil || b.ErrorCode != nil || b.Reason != "" || b.Detail != ""
}

// maxErrorBody bounds what is read of an error answer.
const maxErrorBody = 64 << 10

// newAPIError decodes an error answer. A body that is not JSON (a proxy's
// HTML page) still yields a clear error carrying the status code.
func newAPIError(resp *http.Response, method, path string, scrub func(string) string) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		Reason:     http.StatusText(resp.StatusCode),
		Method:     method,
		Path:       path,
		RequestID:  requestID(resp.Header),
	}
	if resp.Request != nil {
		e.Authenticated = resp.Request.Header.Get("Authorization") != ""
	}
	e.RetryAfter, _ = parseRetryAfter(resp.Header.Get("Retry-After"))
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body errorBody
	if err := json.Unmarshal(raw, &body); err != nil || !body.documented() {
		mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		switch {
		case err == nil:
			e.Detail = "the server answered with JSON that is not MongoDB's error document"
		case len(strings.TrimSpace(string(raw))) == 0:
			e.Detail = "the server answered with an empty body"
		case mediaType != "":
			e.Detail = fmt.Sprintf("the server answered with a non-JSON body (%s)", mediaType)
		default:
			e.Detail = "the server answered with a non-JSON body"
		}
		return e
	}
	e.FromAPI = true
	if body.ErrorCode != nil {
		e.ErrorCode = *body.ErrorCode
	}
	if body.Reason != "" {
		e.Reason = body.Reason
	}
	e.Detail = scrub(body.Detail)
	e.Parameters = []any(body.Parameters)
	if body.BadRequestDetail != nil {
		for _, f := range body.BadRequestDetail.Fields {
			e.Fields = append(e.Fields, FieldError{Field: f.Field, Description: scrub(f.Description)})
		}
	}
	return e
}

// requestID returns the API's request identifier, under whichever name the
// server uses, for support tickets.
func requestID(h http.Header) string {
	for _, name := range []string{"X-Request-Id", "X-Mongodb-Request-Id", "Request-Id"} {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}

// AsAPIError returns the *APIError inside err, if any.
func AsAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

func hasStatus(err error, status int) bool {
	e, ok := AsAPIError(err)
	return ok && e.StatusCode == status
}

// IsNotFound reports a 404 that the API itself gave to an authenticated
// request, in its JSON error document: the only 404 that proves something is
// gone. Callers key "already gone" on this, never on errorCode, which Atlas
// sometimes sends as null. A 404 from a proxy, from a wrong base URL or from
// a server that answered before authenticating proves nothing.
func IsNotFound(err error) bool {
	e, ok := AsAPIError(err)
	return ok && e.StatusCode == http.StatusNotFound && e.FromAPI && e.Authenticated
}

// IsForeignAnswer reports an error answer that did not come from the API: a
// non-JSON body, or an answer to a request that carried no credentials. A
// server error (5xx) is never foreign: the API fails on the digest challenge
// too, and whoever failed, the answer claims nothing (no "not found" to
// take for a removal), so it is reported as the server fault it is.
func IsForeignAnswer(err error) bool {
	e, ok := AsAPIError(err)
	return ok && (!e.FromAPI || !e.Authenticated) && e.StatusCode != http.StatusUnauthorized && e.StatusCode < 500
}

// IsConflict reports a 409 answer.
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

// IsUnauthorized reports a 401 answer.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsForbidden reports a 403 answer.
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }

// IsUncertain reports that a write may have been processed although its
// outcome is unknown: the request may have reached the API and the API's
// answer did not come back (the connection failed after the request was
// written, a gateway answered 502 or 504 after forwarding it, or a success
// answer could not be read). It answers from what the transport recorded
// about each attempt (delivery), never from the kind of error: a request the
// rate limiter held back, one whose service-account token could not be had,
// one interrupted while waiting to be retried after an answer, or one whose
// connection failed before a byte of it was written, is certain.
func IsUncertain(err error) bool {
	return err != nil && deliveryOf(err) == answerLost
}

// delivery is what the transport knows of whether a request reached the API.
// Each layer of the chain knows it where it stops a request: the rate limiter
// and the service-account token source before anything is sent, the
// per-attempt transport from whether the request was written, the retry
// layer from the last answer before an interrupted wait.
type delivery int

const (
	// notSent: the API cannot have processed the request. Nothing of it
	// was written, or only legs the API refuses without running the
	// operation were: its unauthenticated digest challenge leg, or a
	// reused digest nonce answered 401.
	notSent delivery = iota + 1
	// answerLost: the request may have reached the API and its answer did
	// not come back.
	answerLost
	// answered: the API's answer is known.
	answered
)

func (d delivery) String() string {
	switch d {
	case notSent:
		return "not sent"
	case answerLost:
		return "sent, answer lost"
	case answered:
		return "answered"
	default:
		return "unknown"
	}
}

// delivered is implemented by the errors that know their request's delivery.
type delivered interface {
	delivery() delivery
}

// deliveryOf returns the delivery the outermost classified error in err's
// chain records. An error no layer classified is taken as possibly
// processed: no layer returns one, and assuming the worst keeps a write from
// being repeated.
func deliveryOf(err error) delivery {
	var d delivered
	if errors.As(err, &d) {
		return d.delivery()
	}
	return answerLost
}

// deliveryError records the delivery of a request that failed with err.
type deliveryError struct {
	d   delivery
	err error
}

func (e *deliveryError) Error() string      { return e.err.Error() }
func (e *deliveryError) Unwrap() error      { return e.err }
func (e *deliveryError) delivery() delivery { return e.d }

// withDelivery classifies err unless a layer below already did.
func withDelivery(err error, d delivery) error {
	var known delivered
	if err == nil || errors.As(err, &known) {
		return err
	}
	return &deliveryError{d: d, err: err}
}

// delivery of an error answer: a gateway's 502 or 504 to an authenticated
// request may come after it forwarded the request to the API, whose answer
// is then lost; an answer to an unauthenticated request (a digest challenge
// leg) proves the operation did not run, and any other answer is the API's.
func (e *APIError) delivery() delivery {
	if e.Authenticated && (e.StatusCode == http.StatusBadGateway || e.StatusCode == http.StatusGatewayTimeout) {
		return answerLost
	}
	return answered
}

// isDialError reports failures that happen before a request is sent.
func isDialError(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// CertificateError wraps a TLS verification failure with the host that
// presented the certificate.
type CertificateError struct {
	Host string
	Err  error
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("the TLS certificate of %s is not trusted: %v", e.Host, e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// A TLS handshake that fails sends nothing of the request.
func (e *CertificateError) delivery() delivery { return notSent }

// IsCertificateError reports an x509 verification failure: unknown
// authority, wrong host name, expired certificate.
func IsCertificateError(err error) bool {
	var ce *CertificateError
	if errors.As(err, &ce) {
		return true
	}
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}
