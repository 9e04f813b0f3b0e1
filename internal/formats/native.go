// Package formats reads and writes conference files. Native JSON is the
// lossless format (docs/conference.schema.json); other formats follow.
package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// MaxFileBytes bounds a conference file read by the importers.
const MaxFileBytes = 64 << 20

// ImportError reports every problem that stopped an import.
type ImportError struct {
	File     string
	Problems []conference.Problem
}

func (e *ImportError) Error() string {
	var b strings.Builder
	errs := 0
	for _, p := range e.Problems {
		if !p.Warning {
			errs++
		}
	}
	fmt.Fprintf(&b, "%s: %d problem", e.File, errs)
	if errs != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		if p.Warning {
			continue
		}
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// AsCoded wraps the import error for the HTTP edge (422 with the problems).
func (e *ImportError) AsCoded() *errcode.Error {
	return &errcode.Error{Code: errcode.Invalid, Unprocessable: true,
		Message: fmt.Sprintf("the file has %d problems", len(e.Problems)), Details: e.Problems, Err: e}
}

// ReadNative reads a native JSON conference file and checks it completely:
// syntax (with line and column), the type and name of every field (with its
// JSON path), then the domain rules (conference.Validate). It returns the
// conference and any warnings, or an *ImportError listing every problem.
// Times without a UTC offset are read in the conference's time zone.
//
// Rules are those of every reader: sittings that overlap in one room are a
// warning (real schedules have them, and the native export of such a
// schedule must come back); a local time that happens twice or never is an
// error (see ReadOptions.DST, which Read passes on).
func ReadNative(r io.Reader, name string) (*conference.Conference, []conference.Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, nil, errcode.Wrap(errcode.Invalid, err, "cannot read %s", name)
	}
	if len(data) > MaxFileBytes {
		return nil, nil, errcode.New(errcode.TooLarge, "%s is larger than the limit of %d MB", name, MaxFileBytes>>20)
	}
	return readNative(data, name, "")
}

func readNative(data []byte, name, dst string) (*conference.Conference, []conference.Problem, error) {
	fail := func(probs ...conference.Problem) (*conference.Conference, []conference.Problem, error) {
		return nil, nil, &ImportError{File: name, Problems: probs}
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return fail(syntaxProblem(data, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(conference.Problem{Path: "", Message: "expected one JSON document, found more data after it"})
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return fail(conference.Problem{Message: "expected a JSON object at the top level"})
	}
	var loc *time.Location
	var zoneNote []conference.Problem
	if tz, ok := root["timeZone"].(string); ok {
		if canon, err := CanonicalZone(tz); err == nil {
			loc, _ = conference.LoadZone(canon)
			if canon != tz {
				root["timeZone"] = canon
				zoneNote = append(zoneNote, conference.Problem{Path: "timeZone", Warning: true,
					Message: fmt.Sprintf("the time zone %s is an alias of %s: the conference keeps the canonical name", tz, canon)})
			}
		}
	}
	c := shapeChecker{loc: loc, dst: dst}
	c.check("", tree, reflect.TypeOf(conference.Conference{}))
	// Values of the wrong shape were dropped from the tree, so the rest can
	// still be decoded and checked: the file is fixed in one round.
	normal, err := json.Marshal(tree)
	if err != nil {
		return nil, nil, errcode.Wrap(errcode.Internal, err, "re-encoding %s", name)
	}
	var conf conference.Conference
	if err := json.Unmarshal(normal, &conf); err != nil {
		return fail(append(c.problems, conference.Problem{Message: err.Error()})...)
	}
	shapePaths := map[string]bool{}
	for _, p := range c.problems {
		if p.Warning {
			continue
		}
		shapePaths[p.Path] = true
		// A dropped start or end would also be reported as "start and end
		// together"; one report per time pair is enough.
		if base, ok := strings.CutSuffix(p.Path, ".start"); ok {
			shapePaths[base+".end"] = true
		} else if base, ok := strings.CutSuffix(p.Path, ".end"); ok {
			shapePaths[base+".start"] = true
		}
	}
	probs := append(zoneNote, c.problems...)
	probs = append(probs, mergeDuplicateSessions(&conf)...)
	for _, p := range conference.Validate(&conf, conference.ValidateOptions{RoomOverlapIsWarning: true}) {
		if !shapePaths[p.Path] && len(probs) < 100 {
			probs = append(probs, p)
		}
	}
	var warnings []conference.Problem
	for _, p := range probs {
		if !p.Warning {
			return fail(probs...)
		}
		warnings = append(warnings, p)
	}
	return &conf, warnings, nil
}

// WriteNative writes the conference as indented native JSON, times in the
// conference zone.
func WriteNative(w io.Writer, c *conference.Conference) error {
	out := *c
	if loc, err := time.LoadLocation(c.TimeZone); err == nil {
		out.Sessions = make([]conference.Session, len(c.Sessions))
		for i, s := range c.Sessions {
			if !s.Start.IsZero() {
				s.Start, s.End = s.Start.In(loc), s.End.In(loc)
			}
			out.Sessions[i] = s
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&out)
}

func syntaxProblem(data []byte, err error) conference.Problem {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		off = int64(len(data))
		err = errors.New("unexpected end of file: the JSON is truncated")
	}
	if off < 0 {
		return conference.Problem{Message: "invalid JSON: " + err.Error()}
	}
	line, col := 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return conference.Problem{Message: fmt.Sprintf("invalid JSON at line %d, column %d: %v", line, col, err)}
}

// shapeChecker walks a decoded JSON tree beside the Go type it must become
// and reports every field of a wrong type or unknown name, so that a file is
// fixed in one round instead of one error at a time. It also rewrites
// offset-less times to RFC 3339 in the conference zone.
type shapeChecker struct {
	loc      *time.Location
	dst      string
	problems []conference.Problem
}

var timeType = reflect.TypeOf(time.Time{})

// dropped marks a value of the wrong shape; its parent removes it.
type dropped struct{}

func (c *shapeChecker) add(path, format string, args ...any) any {
	if len(c.problems) < 100 {
		c.problems = append(c.problems, conference.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	return dropped{}
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func kindName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func (c *shapeChecker) check(path string, v any, t reflect.Type) any {
	if t.Kind() == reflect.Pointer {
		if v == nil {
			return nil
		}
		t = t.Elem()
	}
	if t == timeType {
		s, ok := v.(string)
		if !ok {
			return c.add(path, "expected a time as an RFC 3339 string, got %s", kindName(v))
		}
		if _, err := time.Parse(time.RFC3339, s); err == nil {
			return s
		}
		for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
			if tm, err := time.Parse(layout, s); err == nil {
				if c.loc == nil {
					return c.add(path, "a time without a UTC offset needs a valid timeZone, got %q", s)
				}
				local, warn, bad := pickWall(c.loc, c.dst, tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second())
				if bad != "" {
					return c.add(path, "%s", bad)
				}
				if warn != "" && len(c.problems) < 100 {
					c.problems = append(c.problems, conference.Problem{Path: path, Message: warn, Warning: true})
				}
				return local.Format(time.RFC3339)
			}
		}
		return c.add(path, "expected a time like 2026-12-01T10:05:00-08:00, got %q", s)
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			return c.add(path, "expected a string, got %s", kindName(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return c.add(path, "expected true or false, got %s", kindName(v))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := v.(json.Number)
		if !ok {
			return c.add(path, "expected an integer, got %s", kindName(v))
		} else if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
			return c.add(path, "expected an integer, got %s", n)
		}
	case reflect.Float64, reflect.Float32:
		if _, ok := v.(json.Number); !ok {
			return c.add(path, "expected a number, got %s", kindName(v))
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			if v != nil || t.Kind() == reflect.Array {
				return c.add(path, "expected an array, got %s", kindName(v))
			}
			return v
		}
		if t.Kind() == reflect.Array && len(arr) != t.Len() {
			return c.add(path, "expected an array of %d items, got %d", t.Len(), len(arr))
		}
		for i := range arr {
			if arr[i] = c.check(fmt.Sprintf("%s[%d]", path, i), arr[i], t.Elem()); arr[i] == (dropped{}) {
				arr[i] = nil
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return c.add(path, "expected an object, got %s", kindName(v))
		}
		for k, item := range obj {
			if obj[k] = c.check(join(path, k), item, t.Elem()); obj[k] == (dropped{}) {
				delete(obj, k)
			}
		}
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return c.add(path, "expected an object, got %s", kindName(v))
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				c.add(join(path, k), "unknown field (expected one of %s)", strings.Join(sortedKeys(fields), ", "))
				delete(obj, k)
				continue
			}
			if obj[k] = c.check(join(path, k), obj[k], ft); obj[k] == (dropped{}) {
				delete(obj, k)
			}
		}
	}
	return v
}

func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mergeDuplicateSessions drops a session that repeats an earlier one
// exactly, with a warning, as the other readers merge a repeated row or
// event; two different sessions with one id stay an error (Validate).
func mergeDuplicateSessions(c *conference.Conference) []conference.Problem {
	first := map[string]int{}
	var out []conference.Problem
	kept := c.Sessions[:0]
	for i, s := range c.Sessions {
		if j, dup := first[s.ID]; dup && reflect.DeepEqual(c.Sessions[j], s) {
			out = append(out, conference.Problem{Path: fmt.Sprintf("sessions[%d]", i), Warning: true,
				Message: fmt.Sprintf("session %q repeats sessions[%d] exactly: merged", s.ID, j)})
			continue
		} else if !dup {
			first[s.ID] = i
		}
		kept = append(kept, s)
	}
	c.Sessions = kept
	return out
}
