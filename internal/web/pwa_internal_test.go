package web

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"testing/fstest"
)

// The worker is sw.js then the sw-*.js parts in name order, after a hash
// line that changes when any part does.
func TestServiceWorkerAssembly(t *testing.T) {
	fsys := fstest.MapFS{
		"sw.js":      {Data: []byte("// main\n")},
		"sw-push.js": {Data: []byte("// push\n")},
		"sw-a.js":    {Data: []byte("// a\n")},
		"app.js":     {Data: []byte("// app\n")},
	}
	assets, err := loadAssets(fsys)
	if err != nil {
		t.Fatal(err)
	}
	body, err := buildServiceWorker(fsys, assets)
	if err != nil {
		t.Fatal(err)
	}
	sw := string(body)
	first, _, _ := strings.Cut(sw, "\n")
	if !strings.HasPrefix(first, "// venuehop service worker ") || len(first) != len("// venuehop service worker ")+16 {
		t.Fatalf("first line %q", first)
	}
	main, a, push := strings.Index(sw, "// main"), strings.Index(sw, "// a\n"), strings.Index(sw, "// push")
	if main < 0 || !(main < a && a < push) {
		t.Errorf("parts out of order (main %d, a %d, push %d):\n%s", main, a, push, sw)
	}
	appURL, _ := assets.url("app.js")
	if !strings.Contains(sw, `"`+appURL+`"`) || !strings.Contains(sw, `"/offline"`) {
		t.Errorf("the shell list lacks %s or /offline:\n%s", appURL, sw)
	}
	for _, tc := range []struct{ name, file, text string }{
		{"main changed", "sw.js", "// main 2\n"},
		{"part changed", "sw-push.js", "// push 2\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changed := fstest.MapFS{}
			for k, v := range fsys {
				changed[k] = v
			}
			changed[tc.file] = &fstest.MapFile{Data: []byte(tc.text)}
			b, err := buildServiceWorker(changed, assets)
			if err != nil {
				t.Fatal(err)
			}
			if f, _, _ := strings.Cut(string(b), "\n"); f == first {
				t.Errorf("the hash line stayed %q", f)
			}
		})
	}
}

// The icons are PNGs of their size; the plain one has transparent corners,
// the maskable one is full-bleed.
func TestIcons(t *testing.T) {
	for _, ic := range iconSizes {
		img, err := png.Decode(bytes.NewReader(drawIcon(ic.size, ic.maskable)))
		if err != nil {
			t.Fatalf("%s: %v", ic.name, err)
		}
		if b := img.Bounds(); b.Dx() != ic.size || b.Dy() != ic.size {
			t.Errorf("%s: %v", ic.name, b)
		}
		_, _, _, alpha := img.At(0, 0).RGBA()
		if ic.maskable != (alpha != 0) {
			t.Errorf("%s: corner alpha %d", ic.name, alpha)
		}
		// The V's bottom point, (16, 24) of the 32-unit box (shrunk to 70 %
		// about the centre when maskable).
		y := 24.0
		if ic.maskable {
			y = 24*0.7 + 16*0.3
		}
		if r, g, b, _ := img.At(ic.size/2, int(y*float64(ic.size)/32)-1).RGBA(); r>>8 != 0xff || g>>8 != 0xff || b>>8 != 0xff {
			t.Errorf("%s: the V is not white at its middle", ic.name)
		}
	}
}
