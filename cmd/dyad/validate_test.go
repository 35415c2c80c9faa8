package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestHardening04ValidateCommand: dyad validate keeps the API's limits. A
// file over 1 MiB is refused without being read whole, and an alias bomb
// is refused at once with a short report.
func TestHardening04ValidateCommand(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.yaml")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: 1 GiB long, next to nothing on disk.
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bomb := filepath.Join(dir, "bomb.yaml")
	doc := "key: bomb\nversion: 1\ntitle: Bomb\nsections:\n  - &s {id: s, title: S, items: [&i {id: q, type: text, text: Q}" +
		strings.Repeat(", *i", 999) + "]}\n" + strings.Repeat("  - *s\n", 999)
	if err := os.WriteFile(bomb, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"validate", huge, bomb}, os.Getenv, &out, &errOut)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("exit %d in %v, %d MB allocated:\n%s", code, elapsed, alloc>>20, out.String())
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"huge.yaml: ", "at most 1048576 bytes", "bomb.yaml: ", "aliases"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if out.Len() > 4<<10 || alloc > 32<<20 || elapsed > 3*time.Second {
		t.Errorf("%d bytes of output, %d MB allocated, %v; want under 4 KiB, 32 MB, 3 s", out.Len(), alloc>>20, elapsed)
	}
}
