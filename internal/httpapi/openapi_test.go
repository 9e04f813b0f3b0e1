package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// /api/openapi.json is OpenAPI 3.1 and passes a real validator
// (github.com/pb33f/libopenapi-validator: the document against the
// OpenAPI 3.1 JSON Schema, then the model built from it).
func TestOpenAPIDocumentValidates(t *testing.T) {
	doc, err := libopenapi.NewDocument(openAPI)
	if err != nil {
		t.Fatalf("openapi.json cannot be read: %v", err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi.json declares OpenAPI %s, want 3.1.x", v)
	}
	if _, err := doc.BuildV3Model(); err != nil {
		t.Fatalf("openapi.json does not build a 3.1 model: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	ok, verrs := v.ValidateDocument()
	for _, e := range verrs {
		msg := e.Message + ": " + e.Reason
		for _, se := range e.SchemaValidationErrors {
			msg += fmt.Sprintf("\n    at %s (line %d): %s", se.FieldPath, se.Line, se.Reason)
		}
		t.Error(msg)
	}
	if !ok && len(verrs) == 0 {
		t.Error("the document is invalid, without a reason given")
	}
}

// notDocumented are patterns that are not endpoints: the JSON 404 for any
// unknown path under /api.
var notDocumented = map[string]bool{"/api/": true}

var pathParamRE = regexp.MustCompile(`\{[^}]+\}`)

// Every route the API registers is in openapi.json (with its method), and
// every operation openapi.json documents is served by a route. The web
// pages register HTML routes only (no JSON API), so only this package's
// routes are walked.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	// The mux is built from the registered patterns themselves: some
	// routes exist only when their dependency does (the seat engine, the
	// planner), and all of them must be documented.
	routes := registeredRoutes(t, ".") // routes_doc_test.go
	if len(routes) < 20 {
		t.Fatalf("found only %d registered routes: the walk is broken", len(routes))
	}
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.HandleFunc(r.pattern, func(http.ResponseWriter, *http.Request) {})
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &spec); err != nil {
		t.Fatal(err)
	}
	covered := map[string]string{} // mux pattern -> a documented operation
	for path, item := range spec.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue // parameters, summary, ...
			}
			op := strings.ToUpper(method) + " " + path
			sample := pathParamRE.ReplaceAllString(path, "x1")
			_, pattern := mux.Handler(httptest.NewRequest(strings.ToUpper(method), sample, nil))
			if pattern == "" || notDocumented[pattern] {
				t.Errorf("openapi.json documents %s, but no route serves it (the request %s %s finds %q)", op, strings.ToUpper(method), sample, pattern)
				continue
			}
			covered[pattern] = op
		}
	}
	var missing []string
	for _, r := range routes {
		if notDocumented[r.pattern] {
			continue
		}
		if _, ok := covered[r.pattern]; ok {
			continue
		}
		method, path, found := strings.Cut(r.pattern, " ")
		if !found {
			method, path = "(any method)", r.pattern
		}
		missing = append(missing, fmt.Sprintf("%s %s (registered at %s) is not in internal/httpapi/openapi.json: add an operation %q under paths[%q]",
			method, path, r.where, strings.ToLower(method), path))
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error(m)
	}
}

// The validator is real: it rejects the document as it was (3.0.3
// declared, 3.1 keywords used) and a 3.1 document missing what the
// specification requires.
func TestOpenAPIValidatorIsReal(t *testing.T) {
	for name, text := range map[string]string{
		"3.0.3 declared": strings.Replace(string(openAPI), `"openapi": "3.1.0"`, `"openapi": "3.0.3"`, 1),
		"no info title":  `{"openapi": "3.1.0", "info": {"version": "1"}, "paths": {}}`,
	} {
		doc, err := libopenapi.NewDocument([]byte(text))
		if err != nil {
			continue // refused outright: real too
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			continue
		}
		if ok, _ := v.ValidateDocument(); ok {
			t.Errorf("%s: the validator accepts it", name)
		}
	}
}
