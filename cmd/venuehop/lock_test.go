package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var built struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// binary builds the venuehop command once per test run, for the tests
// that need real processes.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs venuehop processes")
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "venuehop-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "venuehop")
		built.out, built.err = exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.path
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe starts `venuehop serve` and waits until it answers.
func startServe(t *testing.T, bin, data, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", data, "--log-level", "error", "--tiles", "")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the server did not come up: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runBin runs the binary to its end, which must come within a minute: a
// lock that cannot be taken is refused, never waited for.
func runBin(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v: still running after a minute (waiting for a lock?)", args)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

// TestOneWriterPerStore runs real processes on one data directory: a
// second writer (serve, import, user add) is refused at once with one
// sentence naming the first one's pid, the read-only commands work
// beside it, and after the first one is killed with SIGKILL the lock is
// gone and a new server starts.
func TestOneWriterPerStore(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	demo := filepath.Join(dir, "demo.json")
	if code, _, stderr := runBin(t, bin, "demo", "-o", demo, "--start", "2026-11-30"); code != 0 {
		t.Fatal(stderr)
	}
	first := startServe(t, bin, data, freeAddr(t))
	defer func() { first.Process.Kill(); first.Wait() }()
	holder := fmt.Sprintf("venuehop serve (pid %d)", first.Process.Pid)

	for _, args := range [][]string{
		{"serve", "--addr", freeAddr(t), "--data", data},
		{"import", demo, "--data", data},
		{"user", "add", "eve@example.com", "--role", "attendee", "--data", data},
	} {
		t.Run("refused "+args[0], func(t *testing.T) {
			start := time.Now()
			code, _, stderr := runBin(t, bin, args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", code, stderr)
			}
			if !strings.Contains(stderr, "is in use by "+holder) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("stderr %q: want one line naming %s", stderr, holder)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("refused after %v: the lock was waited for", d)
			}
		})
	}
	for _, args := range [][]string{
		{"check", "--data", data},
		{"export", "--format", "csv", "--data", data},
		{"import", demo, "--data", data, "--dry-run"},
	} {
		t.Run("alongside "+args[0], func(t *testing.T) {
			if code, _, stderr := runBin(t, bin, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
		})
	}

	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	second := startServe(t, bin, data, freeAddr(t))
	second.Process.Signal(syscall.SIGTERM)
	if err := second.Wait(); err != nil {
		t.Errorf("the server started after the SIGKILL did not stop cleanly: %v", err)
	}
	// Once the server is gone, a writer command gets the store.
	if code, stdout, stderr := runBin(t, bin, "user", "add", "eve@example.com", "--role", "attendee", "--data", data); code != 0 {
		t.Fatalf("user add after the server stopped: exit %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := runBin(t, bin, "check", "--data", data); code != 0 {
		t.Errorf("check: %s", stderr)
	}
}

// TestReadOnlyCommandsCreateNothing: export, check and a dry run on a
// directory without a store create no file and no directory.
func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	demo := filepath.Join(dir, "demo.json")
	if code, _, stderr := venuehop(t, "demo", "-o", demo, "--start", "2026-11-30"); code != 0 {
		t.Fatal(stderr)
	}
	for _, args := range [][]string{
		{"import", demo, "--data", data, "--dry-run"},
		{"export", "--format", "json", "--data", data},
		{"check", "--data", data},
		{"travel", "--at", "2026-12-01T10:00:00-08:00", "--data", data},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, _, stderr := venuehop(t, args...)
			if args[0] == "import" && code != 0 {
				t.Fatalf("dry run: exit %d %s", code, stderr)
			}
			if args[0] != "import" && (code != 1 || !strings.Contains(stderr, "holds no venuehop store")) {
				t.Errorf("exit %d, stderr %q: want 1 and a missing store named", code, stderr)
			}
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				t.Fatalf("%v created %s", args, data)
			}
		})
	}
}
