package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryRouteIsDocumented reads every mux.Handle and mux.HandleFunc
// call of the API (this package) and of the pages (internal/web) and
// checks that docs/api.md names its pattern in backticks, as in
// "`GET /api/v1/sessions/{id}`". A new route fails the test until it is
// documented where its neighbours are.
func TestEveryRouteIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	routes := 0
	for _, dir := range []string{".", "../web"} {
		for _, r := range registeredRoutes(t, dir) {
			routes++
			if !strings.Contains(string(doc), "`"+r.pattern+"`") {
				t.Errorf("docs/api.md does not document the route %q (registered at %s): add it, in backticks, beside its neighbours", r.pattern, r.where)
			}
		}
	}
	if routes < 50 {
		t.Errorf("found only %d routes: the test no longer sees how routes are registered", routes)
	}
}

type route struct{ pattern, where string }

// registeredRoutes finds the patterns passed to mux.Handle and
// mux.HandleFunc in the package in dir: string literals, constants of
// the module's packages, and their concatenations.
func registeredRoutes(t *testing.T, dir string) []route {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []route
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		imports := map[string]string{}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			local := filepath.Base(path)
			if im.Name != nil {
				local = im.Name.Name
			}
			imports[local] = path
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			if recv, ok := sel.X.(*ast.Ident); !ok || recv.Name != "mux" {
				return true
			}
			where := fset.Position(call.Pos()).String()
			pattern, ok := stringValue(t, call.Args[0], dir, imports)
			if !ok {
				t.Errorf("%s: cannot read the route pattern (a literal, a constant or their sum); keep patterns simple so docs/api.md can be checked", where)
				return true
			}
			out = append(out, route{pattern, where})
			return true
		})
	}
	return out
}

// stringValue evaluates a string literal, a constant (of dir's package or
// of an imported venuehop package) or a + of those.
func stringValue(t *testing.T, e ast.Expr, dir string, imports map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringValue(t, e.X, dir, imports)
		b, ok2 := stringValue(t, e.Y, dir, imports)
		return a + b, ok1 && ok2
	case *ast.Ident:
		return constValue(t, dir, e.Name)
	case *ast.SelectorExpr:
		pkg, ok := e.X.(*ast.Ident)
		if !ok || !strings.HasPrefix(imports[pkg.Name], "venuehop/") {
			return "", false
		}
		path := imports[pkg.Name]
		return constValue(t, filepath.Join("../..", strings.TrimPrefix(path, "venuehop/")), e.Sel.Name)
	}
	return "", false
}

// constValue finds the string constant name declared in dir's package.
func constValue(t *testing.T, dir, name string) (string, bool) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, fn := range files {
		if strings.HasSuffix(fn, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), fn, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if id.Name == name && i < len(vs.Values) {
						return stringValue(t, vs.Values[i], dir, nil)
					}
				}
			}
		}
	}
	return "", false
}
