package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// retryTransport retries rate limits and transient failures.
//
// It is a small policy of our own rather than go-retryablehttp. That library
// does ship a RoundTripper, which could wrap the digest transport; the
// reasons are elsewhere. Its CheckRetry hook sees the context, the response
// and the error, not the request: on a connection error there is no
// response, so it cannot tell a GET (safe to replay) from a POST that may
// have created a token or a link. Its default policy retries every connection error and
// every 5xx for every method. And when the context's deadline ends a wait,
// it returns the context's error and drops the API's last answer (a 429
// with its code and detail), which is what the user needs to see.
type retryTransport struct {
	next       http.RoundTripper
	maxRetries int
	waitMin    time.Duration
	waitMax    time.Duration
}

type attemptKey struct{}

// attemptFrom returns the 1-based attempt number of a request.
func attemptFrom(ctx context.Context) int {
	if n, ok := ctx.Value(attemptKey{}).(int); ok {
		return n
	}
	return 1
}

// retryNote carries what the retry policy decided back to the call that
// made the request, so its error can say why it stopped.
type retryNote struct {
	attempts int
	// skippedWait is the wait the policy refused because it would not
	// fit in what is left of the operation's timeout.
	skippedWait time.Duration
	reason      string
}

type retryNoteKey struct{}

func withRetryNote(ctx context.Context) (context.Context, *retryNote) {
	n := &retryNote{}
	return context.WithValue(ctx, retryNoteKey{}, n), n
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	note, _ := ctx.Value(retryNoteKey{}).(*retryNote)
	if note == nil {
		note = &retryNote{}
	}
	// last is what is known of the delivery so far: an attempt that was not
	// sent leaves what an earlier one recorded.
	last := notSent
	for attempt := 1; ; attempt++ {
		note.attempts = attempt
		r := req.WithContext(context.WithValue(ctx, attemptKey{}, attempt))
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, withDelivery(err, last)
			}
			r.Body = body
		}
		resp, err := t.next.RoundTrip(r)
		last = attemptDelivery(last, resp, err)

		wait, reason, retry := t.decide(req, resp, err, attempt)
		if retry && attempt <= t.maxRetries && ctx.Err() != nil {
			// The operation ended as the answer came (Ctrl-C during the
			// round trip): it ends as it would have while waiting.
			discardBody(resp)
			return nil, endedBetweenAttempts(ctx, resp, err, last, reason)
		}
		if !retry || attempt > t.maxRetries {
			return resp, withAttemptsDelivery(err, last)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			// Fail at once rather than sleep into the deadline; the
			// API's own answer (a 429, say) explains the failure better
			// than a timeout would, and the note names the wait.
			note.skippedWait, note.reason = wait, reason
			if resp != nil {
				return resp, nil
			}
			return nil, &retryWaitError{err: withAttemptsDelivery(err, last), wait: wait}
		}
		discardBody(resp)
		tflog.Warn(ctx, "retrying API request", map[string]any{
			"method":  req.Method,
			"path":    req.URL.Path,
			"reason":  reason,
			"attempt": attempt,
			"wait_ms": wait.Milliseconds(),
		})
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, endedBetweenAttempts(ctx, resp, err, last, reason)
		case <-timer.C:
		}
	}
}

// discardBody drains and closes an answer that will not be returned, so its
// connection can be reused.
func discardBody(resp *http.Response) {
	if resp != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}
}

// endedBetweenAttempts is the error of an operation that ended between two
// attempts, its last answer (if any) already discarded: the delivery is the
// last attempt's (an answer 429 proves the operation did not run; a lost
// answer leaves it unknown).
func endedBetweenAttempts(ctx context.Context, resp *http.Response, err error, last delivery, reason string) error {
	if resp != nil {
		return &deliveryError{d: last, err: fmt.Errorf("%s: waiting to retry: %w", reason, ctx.Err())}
	}
	return &deliveryError{d: last, err: errors.Join(err, ctx.Err())}
}

// attemptDelivery folds one attempt into what is known of a request's
// delivery: an answer replaces what earlier attempts left, a lost answer
// makes the outcome unknown, and an attempt that was not sent changes
// nothing.
func attemptDelivery(before delivery, resp *http.Response, err error) delivery {
	if err != nil {
		if d := deliveryOf(err); d != notSent {
			return d
		}
		return before
	}
	return (&APIError{StatusCode: resp.StatusCode, Authenticated: carriedCredentials(resp)}).delivery()
}

// carriedCredentials reports whether the request that drew resp carried
// credentials; without them (a digest challenge leg) the API runs nothing.
// A response that does not say counts as carrying them.
func carriedCredentials(resp *http.Response) bool {
	return resp.Request == nil || resp.Request.Header.Get("Authorization") != ""
}

// withAttemptsDelivery gives the failure of the last attempt the delivery of
// the whole request, when an earlier attempt knew more: a DELETE whose
// answer was lost and whose retry was never sent may still have run.
func withAttemptsDelivery(err error, d delivery) error {
	if err == nil || deliveryOf(err) == d {
		return err
	}
	return &deliveryError{d: d, err: err}
}

// retryWaitError is a failure whose retry would not fit in the operation's
// timeout.
type retryWaitError struct {
	err  error
	wait time.Duration
}

func (e *retryWaitError) Error() string {
	return fmt.Sprintf("%v; a retry in %s would have exceeded the operation's timeout", e.err, e.wait.Round(time.Millisecond))
}

func (e *retryWaitError) Unwrap() error { return e.err }

// decide says whether to retry, after how long, and why (for the log).
func (t *retryTransport) decide(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, string, bool) {
	idempotent := req.Method == http.MethodGet || req.Method == http.MethodHead || req.Method == http.MethodDelete
	if err != nil {
		// A request the rate limiter held back was never sent; its wait
		// already ran into the operation's deadline.
		if req.Context().Err() != nil || IsCertificateError(err) || isRateLimitWait(err) {
			return 0, "", false
		}
		// The service-account token could not be had: the API request
		// itself was never sent, so it is safe to replay whatever its
		// method — when the token endpoint's answer says a retry helps.
		var tokErr *tokenRequestError
		if errors.As(err, &tokErr) {
			if tokErr.api == nil {
				return t.backoff(attempt), "token request: connection error: " + errorClass(tokErr.err), true
			}
			wait, ok := t.statusWait(tokErr.api.StatusCode, tokErr.api.RetryAfter, tokErr.api.RetryAfter > 0 || tokErr.hasRetryAfter, true, attempt)
			return wait, "token request: HTTP " + strconv.Itoa(tokErr.api.StatusCode), ok
		}
		// A POST whose connection failed after sending may have been
		// processed: only one that was not sent is safe to replay.
		if idempotent || deliveryOf(err) == notSent {
			return t.backoff(attempt), "connection error: " + errorClass(err), true
		}
		return 0, "", false
	}
	retryAfter, hasRetryAfter := parseRetryAfter(resp.Header.Get("Retry-After"))
	// An answer to a request without credentials (a digest challenge leg)
	// proves the operation did not run: replaying it is safe whatever the
	// method.
	safe := idempotent || !carriedCredentials(resp)
	wait, ok := t.statusWait(resp.StatusCode, retryAfter, hasRetryAfter, safe, attempt)
	return wait, "HTTP " + strconv.Itoa(resp.StatusCode), ok
}

// statusWait applies the rules for an HTTP status: 429 always, 503 when
// safe (idempotent, or declined with Retry-After before processing), 500,
// 502 and 504 only for requests that are safe to replay: a GET, or a DELETE
// that removes what is already removed, may be sent again; a write might
// have been processed before the server failed.
func (t *retryTransport) statusWait(status int, retryAfter time.Duration, hasRetryAfter, idempotent bool, attempt int) (time.Duration, bool) {
	switch status {
	case http.StatusTooManyRequests:
	case http.StatusServiceUnavailable:
		// A 503 with Retry-After is the server declining the request
		// before processing it; without it, a POST may have been applied.
		if !idempotent && !hasRetryAfter {
			return 0, false
		}
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		if !idempotent {
			return 0, false
		}
	default:
		return 0, false
	}
	if hasRetryAfter {
		// MongoDB asks clients to wait at least Retry-After, then to back
		// off exponentially. Waiting exactly Retry-After is not enough
		// under a token bucket: every client refused in the same second
		// is told the same whole seconds, and they would all come back
		// together to a bucket that refilled a few requests. A random
		// share of the growing back-off on top of it spreads them out —
		// from the first retry on, or processes refused together retry
		// together again.
		return max(retryAfter, 0) + t.jitterBetween(attempt, t.waitMin/4, min(t.waitMax, retryAfterSpread*t.waitMin)), true
	}
	return t.backoff(attempt), true
}

// retryAfterSpread caps the back-off added to Retry-After, in multiples of
// the minimum wait: enough to spread parallel requests over the seconds the
// bucket refills in, without leaving it idle.
const retryAfterSpread = 8

// backoff is exponential with full jitter between waitMin and the growing
// ceiling, so parallel resources do not retry in lockstep.
func (t *retryTransport) backoff(attempt int) time.Duration {
	return t.jitterBetween(attempt, t.waitMin, t.waitMax)
}

// jitterBetween is a wait drawn uniformly between floor and the ceiling
// that doubles from waitMin with each attempt, up to limit.
func (t *retryTransport) jitterBetween(attempt int, floor, limit time.Duration) time.Duration {
	ceiling := t.waitMin << min(attempt-1, 16)
	if ceiling > limit || ceiling <= 0 {
		ceiling = limit
	}
	if ceiling <= floor {
		return floor
	}
	return floor + rand.N(ceiling-floor)
}

// maxRetryAfter is the longest Retry-After the provider reads as such; a
// longer one is read as this long (no operation's timeout is longer).
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads delta-seconds or an HTTP date, as a wait between 0
// (a date in the past) and maxRetryAfter: a number of seconds too large for
// a time.Duration would otherwise wrap around into a short or negative wait.
func parseRetryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil {
		if secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	if when, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(when), 0), maxRetryAfter), true
	}
	return 0, false
}

// errorClass names a transport failure without its details, for logs.
func errorClass(err error) string {
	switch {
	case isDialError(err):
		return "connection refused"
	case errors.Is(err, context.DeadlineExceeded):
		return "request timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	default:
		return "connection reset"
	}
}

// timeoutTransport bounds one attempt, so a hung connection is abandoned
// (and retried where safe) instead of blocking until the operation's timeout.
type timeoutTransport struct {
	next    http.RoundTripper
	timeout time.Duration
}

// RoundTrip sends one attempt. It is the last layer before the network, so it
// also records whether a failed attempt was sent: net/http says when it has written the request's
// headers, and until then nothing of the request left the process.
func (t *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }})
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded) && req.Context().Err() == nil
		cancel()
		// A request without credentials is a digest challenge leg: the
		// API refuses it without running the operation.
		d := notSent
		if wrote.Load() && req.Header.Get("Authorization") != "" {
			d = answerLost
		}
		if timedOut {
			err = fmt.Errorf("no answer within the request timeout of %s: %w", t.timeout, context.DeadlineExceeded)
		}
		return nil, &deliveryError{d: d, err: err}
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
