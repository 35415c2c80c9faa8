package i18n

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// Every language has every message of the English catalog, nothing else,
// and every plural form its CLDR rules choose for any count.
func TestCatalogComplete(t *testing.T) {
	for _, l := range All() {
		for id := range sources[l.Code] {
			if _, ok := sources[Default][id]; !ok {
				t.Errorf("%s: message %q is not in the English catalog", l.Code, id)
			}
		}
		for _, id := range messageIDs() {
			src, ok := sources[l.Code][id]
			if !ok {
				t.Errorf("%s: message %q missing", l.Code, id)
				continue
			}
			_, plural := sources[Default][id].(map[string]any)
			if _, isPlural := src.(map[string]any); isPlural != plural {
				t.Errorf("%s: message %q: plural in one language, not in the other", l.Code, id)
				continue
			}
			if !plural {
				if _, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id}); err != nil {
					t.Errorf("%s: %s: %v", l.Code, id, err)
				}
				continue
			}
			for _, n := range append(counts(0, 1200), 1000000, 2000000, 1500000) {
				_, tag, err := l.loc.LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: id, PluralCount: n})
				if err != nil || tag != l.tag {
					t.Errorf("%s: %s for %d: %v (from %v)", l.Code, id, n, err, tag)
					break
				}
			}
		}
	}
}

func counts(from, to int) []int {
	var out []int
	for n := from; n <= to; n++ {
		out = append(out, n)
	}
	return out
}

// "N sections" in every language for the counts that pick different
// forms: never "1 sections", and Arabic's dual and plural forms.
func TestPluralSections(t *testing.T) {
	want := map[string][]string{
		"en": {"1 section", "2 sections", "5 sections", "11 sections", "100 sections"},
		"de": {"1 Abschnitt", "2 Abschnitte", "5 Abschnitte", "11 Abschnitte", "100 Abschnitte"},
		"fr": {"1 partie", "2 parties", "5 parties", "11 parties", "100 parties"},
		"es": {"1 sección", "2 secciones", "5 secciones", "11 secciones", "100 secciones"},
		"ar": {"قسم واحد", "قسمان", "5 أقسام", "11 قسمًا", "100 قسم"},
	}
	for code, forms := range want {
		for i, n := range []int{1, 2, 5, 11, 100} {
			if got := Get(code).N("welcome.sections", n); got != forms[i] {
				t.Errorf("%s, %d sections: %q, want %q", code, n, got, forms[i])
			}
		}
	}
	if got := Get("en").N("welcome.minutes", 1); got != "About 1 minute" {
		t.Errorf("en, 1 minute: %q", got)
	}
	if got := Get("ar").N("section.errors", 2); got != "إجابتان تحتاجان إلى انتباهك" {
		t.Errorf("ar, 2 errors: %q", got)
	}
}

func TestNumbersAndDates(t *testing.T) {
	for code, want := range map[string]string{"en": "2,000", "de": "2.000", "fr": "2\u00a0000", "es": "2.000", "ar": "2,000"} {
		if got := Get(code).Num(2000); got != want {
			t.Errorf("%s: Num(2000) = %q, want %q", code, got, want)
		}
	}
	d := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	for code, want := range map[string]string{
		"en": "Monday 2 March 2026 at 09:30",
		"de": "Montag, 2. März 2026, 09:30",
		"fr": "lundi 2 mars 2026 à 09:30",
		"es": "lunes, 2 de marzo de 2026, a las 09:30",
		"ar": "الاثنين 2 مارس 2026، الساعة 09:30",
	} {
		if got := Get(code).Date(d); got != want {
			t.Errorf("%s: Date = %q, want %q", code, got, want)
		}
	}
	if got := Get("de").T("problem.number_between", "Min", 1000, "Max", 20000); got != "Geben Sie eine ganze Zahl von 1.000 bis 20.000 ein." {
		t.Errorf("de: %q", got)
	}
}

func TestMatch(t *testing.T) {
	offered := []string{"en", "de", "fr", "es", "ar"}
	for _, c := range []struct{ header, want string }{
		{"", "en"},
		{"de-CH,de;q=0.9,en;q=0.5", "de"},
		{"fr-CA", "fr"},
		{"es-419,es;q=0.9", "es"},
		{"ar-EG,ar;q=0.9", "ar"},
		{"ja,zh;q=0.8", "en"},       // none offered: the default
		{"pt-BR,es;q=0.5", "es"},    // the first one offered
		{"en;q=0.1,de;q=0.9", "de"}, // by weight
		{"**garbage**;q=x", "en"},   // unreadable: the default
	} {
		if got := Match(c.header, offered, "en"); got != c.want {
			t.Errorf("Match(%q) = %q, want %q", c.header, got, c.want)
		}
	}
	// The survey's languages bound the choice: a German browser gets the
	// default of an English-only survey.
	if got := Match("de", []string{"en"}, "en"); got != "en" {
		t.Errorf("English-only survey: %q", got)
	}
	if got := Match("en-GB,en;q=0.9", []string{"de"}, "de"); got != "de" {
		t.Errorf("German-only survey: %q", got)
	}
}

func TestPluralFormsForScript(t *testing.T) {
	f := Get("ar").PluralForms("count.left")
	if len(f) != 6 || !strings.Contains(f["few"], "#") {
		t.Errorf("ar count.left forms: %v", f)
	}
	if got := Get("en").PluralForms("count.left")["one"]; got != "You have # character remaining." {
		t.Errorf("en one: %q", got)
	}
}

// FuzzMatch: any Accept-Language header gives one of the languages
// offered, or the default.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"", "de-CH,de;q=0.9", "*", "ar;q=0", "x-klingon", "en;q=1.5", strings.Repeat("de,", 400), "\xff\xfe;q=", "zh-Hant-TW;q=0.8,ja"} {
		f.Add(s)
	}
	offered := []string{"de", "fr", "ar"}
	f.Fuzz(func(t *testing.T, header string) {
		got := Match(header, offered, "de")
		for _, o := range offered {
			if got == o {
				return
			}
		}
		t.Fatalf("Match(%q) = %q", header, got)
	})
}

// The shortcut below a thousand writes what the printer writes.
func TestNumShortcut(t *testing.T) {
	for _, l := range All() {
		for _, n := range []int{-999, -12, 0, 7, 999, 1000, -1000, 123456} {
			if got, want := l.Num(n), l.num.Sprintf("%d", n); got != want {
				t.Errorf("%s: Num(%d) = %q, the printer %q", l.Code, n, got, want)
			}
		}
	}
}

// TestDashboardIDsOnce: no id appears twice in the dashboard's catalog
// (JSON would keep the last silently, and one page would show another's
// text).
func TestDashboardIDsOnce(t *testing.T) {
	buf, err := dashboardFS.ReadFile("dashboard/en.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(buf))
	seen := map[string]bool{}
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		id := tok.(string)
		if seen[id] {
			t.Errorf("message %q is in the dashboard's catalog twice", id)
		}
		seen[id] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != len(DashboardMessages()) {
		t.Errorf("%d ids read, %d in the catalog", len(seen), len(DashboardMessages()))
	}
}

// TestDashboardPlurals: every plural message of the dashboard has the
// forms English needs, each with its number, and reaches a script with
// "#" for it.
func TestDashboardPlurals(t *testing.T) {
	n := 0
	for id, v := range dashboardSource {
		if _, ok := v.(map[string]any); !ok {
			continue
		}
		n++
		forms := DashboardPluralForms(id)
		for _, cat := range []string{"one", "other"} {
			if !strings.Contains(forms[cat], "#") {
				t.Errorf("%s: form %q is %q", id, cat, forms[cat])
			}
		}
		if got := Dashboard().N(id, 2); !strings.Contains(got, "2") || strings.Contains(got, "{{") {
			t.Errorf("%s for 2: %q", id, got)
		}
	}
	if n == 0 {
		t.Error("no plural message in the dashboard's catalog")
	}
}
