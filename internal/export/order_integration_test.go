//go:build integration

package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
)

// TestOrderColumnsInReadstat reads the order columns of the .sav and .dta
// files back with readstat: every response's pages and places are those
// form.Order gives it, and empty for a response sent through the API.
func TestOrderColumnsInReadstat(t *testing.T) {
	readstat := needTool(t, "readstat", "readstat")
	f := randomForm(t)
	rs := randomResponses()
	dir := t.TempDir()
	for _, name := range []string{"sav", "dta"} {
		var b bytes.Buffer
		if err := export.FormatByName(name).Write(context.Background(), &b, export.Job{Form: f, Info: dataInfo, Scan: scanOf(rs)}); err != nil {
			t.Fatal(err)
		}
		file := "o." + name
		if err := os.WriteFile(filepath.Join(dir, file), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(readstat, file, file+".csv")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("readstat %s: %v\n%s", file, err, out)
		}
		data, err := os.ReadFile(filepath.Join(dir, file+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || len(recs) != 1+len(rs) {
			t.Fatalf("%s: %d rows, %v", file, len(recs), err)
		}
		checked := 0
		for i, r := range rs {
			want := wantPlaces(f, r)
			for c, col := range recs[0] {
				w, ok := want[col]
				if !ok {
					continue
				}
				got := strings.TrimSuffix(strings.TrimRight(recs[i+1][c], "0"), ".") // readstat writes %f
				if got != w {
					t.Errorf("%s %s, response %d: %q, want %q", file, col, i, recs[i+1][c], w)
				}
				checked++
			}
		}
		if checked != 15*len(rs) {
			t.Errorf("%s: %d order cells checked, want %d", file, checked, 15*len(rs))
		}
	}
}
