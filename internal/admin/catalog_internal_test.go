package admin

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/i18n"
)

// throughCatalog are the templates whose every text comes from the
// dashboard's message catalog (internal/i18n/dashboard/en.json). The
// others still carry their English in the markup; each moves here when
// its texts move to the catalog.
var throughCatalog = []string{"layout.html", "partials.html", "message.html", "text.html", "audit.html",
	"login.html", "signup.html", "totp.html", "tokens.html", "members.html", "studies.html", "overview.html",
	"manage.html", "diff.html", "preview.html", "print.html", "participants.html",
	"results.html", "validation.html", "settings.html", "instrument_new.html", "instrument_version.html"}

var (
	tAction    = regexp.MustCompile(`\{\{(?:t|n) "([^"]+)"`)
	action     = regexp.MustCompile(`\{\{.*?\}\}`)
	readAttr   = regexp.MustCompile(`\s(?:aria-label|title|placeholder|alt)="([^"]*)"`)
	codeText   = regexp.MustCompile(`<code>[^<]*</code>`)
	markup     = regexp.MustCompile(`<[^>]*>`)
	hasLetters = regexp.MustCompile(`[A-Za-z]{2,}`)
)

// TestDashboardCatalog: every message a template names is in the
// dashboard's catalog and every message of the catalog is used; the
// templates of throughCatalog say nothing in English of their own (text,
// or an attribute that is read out or shown), but for names in <code>
// and the product's name.
func TestDashboardCatalog(t *testing.T) {
	known := i18n.DashboardMessages()
	used := map[string]bool{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range names {
		data, err := fs.ReadFile(templateFS, path)
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		for _, m := range tAction.FindAllStringSubmatch(src, -1) {
			used[m[1]] = true
			if !slices.Contains(known, m[1]) {
				t.Errorf("%s: message %q is not in the dashboard's catalog", path, m[1])
			}
		}
		name := strings.TrimPrefix(path, "templates/")
		if !slices.Contains(throughCatalog, name) {
			continue
		}
		// Attributes first (their values hold no actions to cut then).
		noActions := action.ReplaceAllString(src, "")
		for _, m := range readAttr.FindAllStringSubmatch(noActions, -1) {
			if hasLetters.MatchString(m[1]) {
				t.Errorf("%s: attribute text %q is not from the catalog", name, m[1])
			}
		}
		text := markup.ReplaceAllString(codeText.ReplaceAllString(noActions, ""), "\n")
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(strings.ReplaceAll(line, "Dyad", ""))
			if hasLetters.MatchString(line) {
				t.Errorf("%s: text %q is not from the catalog", name, line)
			}
		}
	}
	for _, id := range known {
		if !used[id] {
			t.Errorf("message %q of the dashboard's catalog is used by no template", id)
		}
	}
}
