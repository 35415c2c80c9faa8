package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// TestTranslateRoundTrip: dyad translate writes the blank table, reads
// the filled one (a real file, saved by a German-locale spreadsheet) into
// NAME.de.yaml next to the instrument, which dyad validate and the loader
// of dyad serve then read with it; a table with a stale row is refused,
// nothing written.
func TestTranslateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "phq-2.yaml")
	if err := os.WriteFile(src, []byte(fixtures.Instrument("phq-2.yaml")), 0o600); err != nil {
		t.Fatal(err)
	}
	translate := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"translate"}, args...), os.Getenv, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	code, blank := translate("--lang", "de", src)
	if code != 0 || !strings.HasPrefix(blank, "id,source,target\ntitle,Patient Health Questionnaire-2,\n") {
		t.Fatalf("blank table: exit %d\n%s", code, blank)
	}
	filled := "../../internal/instrument/testdata/translation/phq-2.de.csv"
	code, out := translate("--lang", "de", "--table", filled, src)
	if code != 0 || !strings.Contains(out, "16 translated, 0 missing, 0 extra, 0 stale") {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	files, err := instrument.LoadFS(os.DirFS(dir))
	if err != nil || len(files) != 1 {
		t.Fatalf("load: %v %v", files, err)
	}
	if got := files[0].Instrument.Translations["de"]["items.phq_2.text"]; got != "Niedergeschlagenheit, Schwermut oder Hoffnungslosigkeit" {
		t.Errorf("stored German: %q", got)
	}
	var vout, verr bytes.Buffer
	if code := run(context.Background(), []string{"validate", src}, os.Getenv, &vout, &verr); code != 0 || !strings.Contains(vout.String(), "languages en, de") {
		t.Errorf("validate: exit %d\n%s%s", code, vout.String(), verr.String())
	}
	// The table again has the German as targets.
	if _, again := translate("--lang", "de", src); !strings.Contains(again, "items.sex.options.2,Male,Männlich") {
		t.Errorf("table after import:\n%s", again)
	}

	stale, err := os.ReadFile(filled)
	if err != nil {
		t.Fatal(err)
	}
	staleFile := filepath.Join(dir, "stale.csv")
	os.WriteFile(staleFile, bytes.Replace(stale, []byte(";Your age;"), []byte(";Age;"), 1), 0o600)
	out2 := filepath.Join(dir, "out.de.yaml")
	code, out = translate("--lang", "de", "--table", staleFile, "--out", out2, src)
	if code != 1 || !strings.Contains(out, "0 missing, 0 extra, 1 stale") || !strings.Contains(out, "rows[13].source") {
		t.Errorf("stale table: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("a refused table wrote %s", out2)
	}
}
