package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/testkit/formclient"
)

// TestExportFileNames holds the one file-name rule of the exports
// (export.Format.FileName) from its three callers: the API's
// Content-Disposition, the dashboard's download of the same file, and the
// name `dyad export` suggests. For every format, and for the CSV options
// that change the file, all three give the survey's base name with the
// same suffix.
func TestExportFileNames(t *testing.T) {
	const token = "file-names-token-0123456789abcdefgh"
	db := filepath.Join(t.TempDir(), "dyad.db")
	s := startServe(t, db, map[string]string{"DYAD_ADMIN_TOKEN": token})
	surveyID := regexp.MustCompile(`/s/([a-z0-9]+)`).FindStringSubmatch(s.out.String())[1]

	c := formclient.New(t, s.base)
	get := func(path, bearer string) formclient.Page {
		t.Helper()
		if bearer == "" {
			return c.Get(path)
		}
		return c.Get(path, "Authorization", "Bearer "+bearer)
	}
	// Sign in to the dashboard.
	if p := c.Get("/admin/login"); c.CSRF == "" {
		t.Fatalf("no sign-in form:\n%s", p.Body)
	}
	if p := c.Post("/admin/login", url.Values{"token": {token}, "next": {"/admin"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", p.Status, p.Body)
	}

	attachment := regexp.MustCompile(`^attachment; filename="([^"]+)"$`)
	suggested := regexp.MustCompile(`file name suggested by the API: (\S+)\)`)
	var base string
	for _, tc := range []struct {
		path, query string
		args        []string
		suffix      string
	}{
		{"export.csv", "", nil, ".csv"},
		{"export.csv", "layout=long", []string{"--layout", "long"}, "_long.csv"},
		{"export.csv", "values=labels", []string{"--values", "labels"}, "_labels.csv"},
		{"export.csv", "line_breaks=space", []string{"--line-breaks", "space"}, "_spss.csv"},
		{"export.csv", "layout=long&values=labels&line_breaks=space&bom=1&excel_safe=1",
			[]string{"--layout", "long", "--values", "labels", "--line-breaks", "space", "--bom", "--excel-safe"}, "_long_labels_spss.csv"},
		{"codebook.csv", "", []string{"--format", "codebook"}, "_codebook.csv"},
		{"export.R", "", []string{"--format", "r"}, ".R"},
		{"export.sps", "", []string{"--format", "spss"}, ".sps"},
		{"export.do", "", []string{"--format", "stata"}, ".do"},
		{"export.zip", "", []string{"--format", "zip"}, ".zip"},
		{"export.sav", "", []string{"--format", "sav"}, ".sav"},
		{"export.dta", "", []string{"--format", "dta"}, ".dta"},
		{"export.xlsx", "", []string{"--format", "xlsx"}, ".xlsx"},
		{"export.xlsx", "values=labels", []string{"--format", "xlsx", "--values", "labels"}, "_labels.xlsx"},
	} {
		q := ""
		if tc.query != "" {
			q = "?" + tc.query
		}
		var names []string
		for _, src := range []struct{ path, bearer string }{
			{"/api/v1/surveys/" + surveyID + "/" + tc.path + q, token},
			{"/admin/surveys/" + surveyID + "/" + tc.path + q, ""},
		} {
			p := get(src.path, src.bearer)
			m := attachment.FindStringSubmatch(p.Header.Get("Content-Disposition"))
			if p.Status != http.StatusOK || m == nil {
				t.Fatalf("%s: %d, Content-Disposition %q", src.path, p.Status, p.Header.Get("Content-Disposition"))
			}
			names = append(names, m[1])
		}
		var stdout, stderr bytes.Buffer
		args := append([]string{"export", "--db", db, "--survey", surveyID, "--out", filepath.Join(t.TempDir(), "out")}, tc.args...)
		if code := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr); code != 0 {
			t.Fatalf("dyad %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
		}
		m := suggested.FindStringSubmatch(stderr.String())
		if m == nil {
			t.Fatalf("dyad %s suggests no file name: %s", strings.Join(tc.args, " "), stderr.String())
		}
		names = append(names, m[1])

		if base == "" {
			base = strings.TrimSuffix(names[0], tc.suffix)
			if !regexp.MustCompile(`^[a-z0-9-]+_[0-9]{8}$`).MatchString(base) {
				t.Fatalf("base name %q", base)
			}
		}
		want := base + tc.suffix
		for i, caller := range []string{"the API", "the dashboard", "dyad export"} {
			if names[i] != want {
				t.Errorf("%s%s: %s names it %q, want %q", tc.path, q, caller, names[i], want)
			}
		}
	}
}

// TestExportStatusFilter: `dyad export --status` is read by the one
// status filter (survey.ParseStatusFilter), with its wording.
func TestExportStatusFilter(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"export", "--db", filepath.Join(t.TempDir(), "none.db"), "--survey", "x", "--status", "maybe"}
	code := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
	if want := `--status must be complete, in_progress or all, got "maybe"`; code != 2 || !strings.Contains(stderr.String(), want) {
		t.Fatalf("exit %d, %q; want 2 and %q", code, stderr.String(), want)
	}
}

// TestExportIncludeTest: `dyad export --include-test` sets the filter
// that includes responses made in test mode; without it they are left
// out, as by the API.
func TestExportIncludeTest(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{{nil, false}, {[]string{"--include-test"}, true}} {
		args := append([]string{"--db", "x.db", "--survey", "x"}, tc.args...)
		cfg, err := parseExport(args, func(string) string { return "" }, io.Discard)
		if err != nil || cfg.Filter.IncludeTest != tc.want {
			t.Errorf("%v: include test %v, %v; want %v", tc.args, cfg.Filter.IncludeTest, err, tc.want)
		}
	}
}
