package export_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// missingExport has an item with two missing codes, one with four above
// its scale (SPSS takes a range) and one with four around it (SPSS takes
// three), and a multiple-choice item with a missing code.
const missingExport = `key: missing-export
version: 1
title: Missing export
sections:
  - id: s
    title: S
    items:
      - {id: two, type: single_choice, text: Two, options: [{value: 1, label: A}, {value: 2, label: B}, {value: 8, label: "Don't know", missing: true}, {value: 9, label: Refused, missing: true}]}
      - {id: above, type: single_choice, text: Above, options: [{value: 1, label: A}, {value: 2, label: B}, {value: 96, label: m1, missing: true}, {value: 97, label: m2, missing: true}, {value: 98, label: m3, missing: true}, {value: 99, label: m4, missing: true}]}
      - {id: around, type: single_choice, text: Around, options: [{value: -1, label: m1, missing: true}, {value: 1, label: A}, {value: 2, label: B}, {value: 7, label: m2, missing: true}, {value: 8, label: m3, missing: true}, {value: 9, label: m4, missing: true}]}
      - {id: pick, type: multiple_choice, text: Pick, options: [{value: 1, label: A}, {value: 9, label: None of your business, missing: true}]}
`

func TestMissingCodesSyntax(t *testing.T) {
	in, err := instrument.Parse([]byte(missingExport), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	info := export.SyntaxInfo{Survey: &survey.Survey{ID: "x", Title: "X"}, Base: "x", Generated: at("2026-01-14T10:00:00Z")}
	write := func(fn func(*bytes.Buffer) error) string {
		var b bytes.Buffer
		if err := fn(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	sps := write(func(b *bytes.Buffer) error { return export.WriteSPSS(b, f, info) })
	do := write(func(b *bytes.Buffer) error { return export.WriteStata(b, f, info) })
	r := write(func(b *bytes.Buffer) error { return export.WriteR(b, f, info) })
	cb := write(func(b *bytes.Buffer) error { return export.WriteCodebook(b, f, export.Options{}) })
	for _, c := range []struct{ file, text, want string }{
		{"sps", sps, "MISSING VALUES\n  two (8, 9)\n  /above (96 THRU HI)\n  /around (-1, 7, 8).\n"},
		{"sps", sps, "* around: SPSS declares at most three missing values; 9 are not declared.\n"},
		{"do", do, "replace two = .a if two == 8\nreplace two = .b if two == 9\n"},
		{"do", do, "    2 `\"B\"' ///\n    .a `\"Don't know\"' ///\n    .b `\"Refused\"', replace\n"},
		{"do", do, "replace around = .a if around == -1\n"},
		{"R", r, `dyad_na <- dyad[["two"]] %in% c(8L, 9L)`},
		{"R", r, `attr(dyad[["around"]], "na_values") <- c(-1L, 7L, 8L, 9L)`},
		{"R", r, `dyad[["two"]] <- dyad_label(dyad[["two"]], "Two", structure(c(1L, 2L), names = c("A", "B")))`},
		{"codebook", cb, "two,two,s,S,Two,single_choice,1=A; 2=B; 8=Don't know; 9=Refused,,,,,\"8=Don't know; 9=Refused (missing codes: kept here as answered;"},
		{"codebook", cb, "labelled with the code's label: 8=.a, 9=.b)"},
		{"codebook", cb, "pick__9,pick__9,s,S,Pick: None of your business,multiple_choice_option,1=Selected; 0=Not selected,,,,option 9 (None of your business) of pick; all of pick's columns are empty when it was not answered or not shown,option 9 is a missing code"},
	} {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("%s lacks %q:\n%s", c.file, c.want, c.text)
		}
	}
	// A multiple-choice option column is a 0/1 indicator: never declared
	// missing, not even the column of a missing code.
	if _, block, _ := strings.Cut(sps, "MISSING VALUES"); strings.Contains(strings.SplitN(block, ".\n", 2)[0], "pick") || strings.Contains(do, "replace pick__9") || strings.Contains(r, `"pick__9__na"`) {
		t.Error("a multiple-choice option column was declared missing")
	}
}
