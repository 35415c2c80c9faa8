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

// TestValidateTranslationFiles: dyad validate reads the translation files
// next to an instrument, whichever of the two it is given, and names each
// missing or extra text at its place in the translation file.
func TestValidateTranslationFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"ai-therapeutic-relationship.yaml", "ai-therapeutic-relationship.de.yaml"} {
		data, err := os.ReadFile(filepath.Join("../../instruments", name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".de.yaml") {
			data = []byte(strings.Replace(string(data), "  items.gender.options.3: Anderes Geschlecht\n", "  items.gender.options.9: Anderes Geschlecht\n", 1))
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"ai-therapeutic-relationship.yaml", "ai-therapeutic-relationship.de.yaml"} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"validate", filepath.Join(dir, name)}, os.Getenv, &out, &errOut)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s", name, code, out.String())
		}
		for _, want := range []string{
			"ai-therapeutic-relationship.de.yaml: the translation is not valid",
			`texts.items.gender.options.3: is missing: translate "Another gender"`,
			"texts.items.gender.options.9: is not a text of the instrument",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s: output lacks %q:\n%s", name, want, out.String())
			}
		}
	}
}
