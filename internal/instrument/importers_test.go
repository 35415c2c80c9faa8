package instrument_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportersApart holds the layout of the importers: each format's
// package (redcap, fhir, xlsform, limesurvey) imports survey and the
// shared interop package, never another format's package nor the
// decoder table that lists them, so each can be read, changed or dropped
// on its own. It reads the real import graph, as go list reports it.
func TestImportersApart(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH: %v", err)
	}
	const base = "github.com/dyad-survey/dyad/internal/instrument"
	formats := []string{"redcap", "fhir", "xlsform", "limesurvey"}
	for _, f := range formats {
		out, err := exec.Command(goBin, "list", "-f", `{{join .Deps " "}}`, base+"/"+f).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", f, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == base {
				t.Errorf("%s imports the decoder table", f)
			}
			for _, other := range formats {
				if other != f && dep == base+"/"+other {
					t.Errorf("%s imports %s", f, other)
				}
			}
		}
	}
}
