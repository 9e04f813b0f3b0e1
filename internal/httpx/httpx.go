// Package httpx holds what the JSON API and the pages share: the one
// mapping from error codes to HTTP status, JSON writing, and middleware
// (access log, metrics by route pattern, panic recovery).
package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"venuehop/internal/errcode"
)

// Status maps an error to its HTTP status. It is the only place that does.
func Status(err error) int {
	var e *errcode.Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError
	}
	switch e.Code {
	case errcode.Invalid:
		if e.Unprocessable {
			return http.StatusUnprocessableEntity
		}
		return http.StatusBadRequest
	case errcode.Unauthorized:
		return http.StatusUnauthorized
	case errcode.Forbidden:
		return http.StatusForbidden
	case errcode.NotFound:
		return http.StatusNotFound
	case errcode.Conflict:
		return http.StatusConflict
	case errcode.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errcode.RateLimited:
		return http.StatusTooManyRequests
	case errcode.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// PublicMessage is the message a client may see: the coded error's own
// message, or a generic one for internal errors (details go to the log).
func PublicMessage(err error) (errcode.Code, string, any) {
	var e *errcode.Error
	if !errors.As(err, &e) || e.Code == errcode.Internal {
		return errcode.Internal, "internal error; it has been logged", nil
	}
	return e.Code, e.Message, e.Details
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    errcode.Code `json:"code"`
	Message string       `json:"message"`
	Details any          `json:"details,omitempty"`
}

// WriteError writes the API's one error shape. Internal errors are logged
// here, once, with the request's route.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status := Status(err)
	code, msg, details := PublicMessage(err)
	if status >= 500 && code != errcode.Unavailable {
		log.Error("request failed", "method", r.Method, "route", r.Pattern, "err", err)
	}
	if code == errcode.Unavailable || code == errcode.RateLimited {
		// An error may say how long to wait (account.RetryAfter does).
		if ra, ok := details.(interface{ RetryAfterSeconds() int }); ok && w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", strconv.Itoa(ra.RetryAfterSeconds()))
		}
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "1")
		}
	}
	WriteJSON(w, status, errorBody{errorDetail{code, msg, details}})
}

// DecodeJSON reads a JSON request body of at most maxBytes into v,
// rejecting unknown fields and trailing data with clear messages.
func DecodeJSON(w http.ResponseWriter, r *http.Request, maxBytes int64, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
	return decode(json.NewDecoder(r.Body), maxBytes, v)
}

// DecodeJSONBytes is DecodeJSON over a body already read (ReadBody): the
// same checks and messages.
func DecodeJSONBytes(data []byte, maxBytes int64, v any) error {
	return decode(json.NewDecoder(bytes.NewReader(data)), maxBytes, v)
}

func decode(dec *json.Decoder, maxBytes int64, v any) error {
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeErr(err, maxBytes)
	}
	if dec.More() {
		return errcode.New(errcode.Invalid, "the body must hold one JSON value")
	}
	return nil
}

func decodeErr(err error, maxBytes int64) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return errcode.New(errcode.TooLarge, "the request body is larger than %d bytes", maxBytes)
	case errors.As(err, &se):
		return errcode.New(errcode.Invalid, "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return errcode.New(errcode.Invalid, "field %q: expected %s, got %s", te.Field, te.Type, te.Value)
	default:
		return errcode.New(errcode.Invalid, "malformed JSON body: %v", err)
	}
}

// ReadBody reads the whole request body, at most maxBytes (then
// errcode.TooLarge, and the connection is not reused), appending to buf.
// Small hot requests (a reservation) read this way into a reused buffer
// and parse it without a streaming decoder.
func ReadBody(w http.ResponseWriter, r *http.Request, maxBytes int64, buf []byte) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
	if n := r.ContentLength; n > 0 && n <= maxBytes && int64(cap(buf)-len(buf)) < n+1 {
		buf = append(make([]byte, 0, len(buf)+int(n)+1), buf...)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return buf, errcode.New(errcode.TooLarge, "the request body is larger than %d bytes", maxBytes)
			}
			return buf, errcode.New(errcode.Invalid, "the request body could not be read: %v", err)
		}
	}
}
