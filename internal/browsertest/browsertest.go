// Package browsertest starts a real headless Chromium for tests through
// chromedp. Tests that need a browser call New; without a browser they skip,
// unless VENUEHOP_TEST_STRICT=1 (CI), where a missing browser is a failure.
package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// DefaultPath is where Debian's chromium package installs the browser.
const DefaultPath = "/usr/bin/chromium"

// Timeout bounds one test's whole use of the browser, so a hung page fails
// the test instead of hanging the run.
const Timeout = 90 * time.Second

// Path returns the browser to run: $VENUEHOP_CHROMIUM when set, else
// DefaultPath. ok is false when that file does not exist.
func Path() (path string, ok bool) {
	path = DefaultPath
	if p := os.Getenv("VENUEHOP_CHROMIUM"); p != "" {
		path = p
	}
	_, err := os.Stat(path)
	return path, err == nil
}

// Strict reports whether missing test dependencies must fail tests rather
// than skip them.
func Strict() bool { return os.Getenv("VENUEHOP_TEST_STRICT") == "1" }

// New starts a headless browser with a fresh profile and returns a chromedp
// context for one tab. The browser stops when the test ends.
func New(t *testing.T) context.Context {
	t.Helper()
	path, ok := Path()
	if !ok {
		msg := "no browser at " + path + " (install Debian's chromium, or set VENUEHOP_CHROMIUM)"
		if Strict() {
			t.Fatal(msg + "; VENUEHOP_TEST_STRICT=1 makes this a failure")
		}
		t.Skip(msg)
	}

	// The deadline is on the allocator: it ends the browser itself when a
	// test hangs. (A deadline on the first Run would do the same, but only
	// by accident.)
	base, cancelBase := context.WithTimeout(context.Background(), Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Containers often have a tiny /dev/shm, which crashes Chromium.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
		cancelBase()
	})
	// Start the browser now so a broken install fails here, clearly.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// ShotsDir is where tests write screenshots: $VENUEHOP_SHOTS_DIR when set
// (created if needed), else a per-test temporary directory, so that a plain
// test run writes nothing into the repository.
func ShotsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VENUEHOP_SHOTS_DIR")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot dir: %v", err)
	}
	return dir
}

// Screenshot saves a full-page PNG of the tab to path.
func Screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 = PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if len(png) == 0 {
		t.Fatalf("screenshot %s: empty image", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	t.Logf("screenshot: %s", path)
}

// WatchConsole collects the page's errors (exceptions, failed loads,
// Content-Security-Policy violations) from now on; the returned function
// gives those seen so far.
func WatchConsole(ctx context.Context) func() []string {
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}
