// Package errcode is venuehop's one error model: domain code returns an
// *Error with a Code; the HTTP edge maps each code to a status in one place
// (httpx.WriteError) and the CLI prints the message.
package errcode

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Code classifies an error for clients. The values are part of the API.
type Code string

const (
	Invalid      Code = "invalid"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	TooLarge     Code = "too_large"
	RateLimited  Code = "rate_limited"
	Unavailable  Code = "unavailable"
	Internal     Code = "internal"
)

// Error is a coded error with a message that is safe to show to a client.
type Error struct {
	Code    Code
	Message string
	// Unprocessable marks an Invalid error whose input was well-formed but
	// wrong (422 rather than 400).
	Unprocessable bool
	// Details are structured extras for the client (e.g. problems found).
	Details any
	Err     error // the cause, for logs; never shown to clients
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns a coded error with a formatted, client-safe message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns a coded error that keeps err as its (hidden) cause.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// Of returns the code of err: the code of the first *Error in its chain, or
// Internal.
func Of(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the code.
func Is(err error, code Code) bool { return err != nil && Of(err) == code }

// RetryAfter is the Details of a rate_limited or unavailable error that
// knows how long the client should wait; the HTTP edge turns it into a
// Retry-After header.
type RetryAfter struct {
	Seconds int `json:"retryAfterSeconds"`
}

// RetryAfterSeconds lets the HTTP edge find the wait behind any Details
// type that offers one.
func (r RetryAfter) RetryAfterSeconds() int { return r.Seconds }

// Retry returns a coded error (RateLimited or Unavailable) that says to
// come back after wait, rounded up to whole seconds, at least one.
func Retry(code Code, wait time.Duration, format string, args ...any) *Error {
	e := New(code, format, args...)
	e.Details = RetryAfter{Seconds: max(1, int(math.Ceil(wait.Seconds())))}
	return e
}
