package client

import (
	"errors"
	"fmt"
	"net/http"
)

// Link statuses the status endpoint documents. Others pass through as they
// come.
const (
	StatusSynced    = "SYNCED"
	StatusNotSynced = "NOT_SYNCED"
)

// StatusText is the standard phrase of the answer's HTTP status.
func (e *APIError) StatusText() string { return http.StatusText(e.StatusCode) }

// IsRateLimited reports an API answer of 429 Too Many Requests.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsBadRequest reports an API answer of 400 Bad Request.
func IsBadRequest(err error) bool { return hasStatus(err, http.StatusBadRequest) }

// IsServerError reports an API answer with a 5xx status.
func IsServerError(err error) bool {
	e, ok := AsAPIError(err)
	return ok && e.StatusCode >= 500
}

// UnexpectedAnswerError is a success status whose body is not the API's
// JSON, as when a web page, a login portal or a proxy answers in the API's
// place: the server was reached, but it is not the API.
type UnexpectedAnswerError struct {
	Method      string
	Path        string
	StatusCode  int
	ContentType string
	Err         error
}

func (e *UnexpectedAnswerError) Error() string {
	ct := e.ContentType
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("%s %s: the answer (HTTP %d, %s) is not the JSON the API sends: %s", e.Method, e.Path, e.StatusCode, ct, e.Err)
}

func (e *UnexpectedAnswerError) Unwrap() error { return e.Err }

// A success status whose body cannot be read may be the API's own answer,
// garbled: the write may have run. Any other status was an answer.
func (e *UnexpectedAnswerError) delivery() delivery {
	if e.StatusCode >= 200 && e.StatusCode < 300 {
		return answerLost
	}
	return answered
}

// IsUnexpectedAnswer reports an answer that did not come from the API.
func IsUnexpectedAnswer(err error) bool {
	var u *UnexpectedAnswerError
	return errors.As(err, &u)
}
