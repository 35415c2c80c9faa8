package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// languagePages renders every kind of respondent page in language code:
// welcome (plain, and with a refused code), each section (plain, with
// errors, with a question revealed), the thank-you page, the resume
// link's pages, and every error page (unknown survey and page, closed,
// not yet open, expired form, code in use, link not valid). Each page is
// fetched as a respondent who chose the language with ?lang= would get it.
func languagePages(t *testing.T, f *fixture, code string) map[string]page {
	t.Helper()
	ctx := context.Background()
	out := map[string]page{}
	add := func(name string, p page, status int) {
		t.Helper()
		if p.status != status {
			t.Fatalf("%s: %s: status %d, want %d\n%s", code, name, p.status, status, p.body)
		}
		out[name] = p
	}
	lang := "?lang=" + code

	b := f.browser(t, f.open.ID)
	add("welcome", b.get(lang), http.StatusOK)
	b.start("")
	a := studyAnswers(f.form, 1)
	var resume string
	for si := range f.form.Instrument.Sections {
		p := b.get(sectionPath(si))
		if p.status == http.StatusSeeOther {
			continue // hidden by the answers
		}
		add("section "+sectionPath(si), p, http.StatusOK)
		if si == 0 {
			// Continue later saves the page and shows it again with the
			// link to continue (only there).
			if r := b.post(sectionPath(si), sectionForm(f.form, si, a, "later")); r.status != http.StatusSeeOther {
				t.Fatalf("%s: continue later: %d\n%s", code, r.status, r.body)
			}
			later := b.get(sectionPath(si) + "?later=1")
			add("continue later", later, http.StatusOK)
			if m := regexp.MustCompile(`id="resume-link" value="([^"]+)"`).FindStringSubmatch(later.body); m != nil {
				resume = html.UnescapeString(m[1])
			}
		}
		// Nothing answered: the error summary and every item's message;
		// then values of the wrong shape.
		if r := b.post(sectionPath(si), sectionForm(f.form, si, survey.Answers{}, "next")); r.status == http.StatusUnprocessableEntity {
			add("errors "+sectionPath(si), r, http.StatusUnprocessableEntity)
		}
		bad := sectionForm(f.form, si, a, "next")
		for _, it := range f.form.Instrument.Sections[si].Items {
			switch it.Type {
			case survey.Integer:
				bad.Set(it.ID, "12x")
			case survey.Text:
				bad.Set(it.ID, strings.Repeat("é", it.TextLimit()+1))
			case survey.MultipleChoice:
				bad[it.ID] = []string{"1", "999"}
			default:
				bad.Set(it.ID, "999")
			}
		}
		if r := b.post(sectionPath(si), bad); r.status == http.StatusUnprocessableEntity {
			add("bad values "+sectionPath(si), r, http.StatusUnprocessableEntity)
		}
		action := "next"
		if f.form.NextSection(a, si) < 0 {
			action = "submit"
		}
		if r := b.post(sectionPath(si), sectionForm(f.form, si, a, action)); r.status != http.StatusSeeOther {
			t.Fatalf("%s: saving section %d: %d\n%s", code, si+1, r.status, r.body)
		}
	}
	add("done", b.get("/done"), http.StatusOK)

	// A survey in test mode (its banner), with an end message of the
	// researcher's after the thank-you page's own texts.
	trial := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, Mode: survey.ModeTest,
		EndMessage: "Danke schön."})
	tb := f.browser(t, trial.ID)
	add("welcome in test mode", tb.get(lang), http.StatusOK)
	tb.start("")
	for si := range f.form.Instrument.Sections {
		p := tb.get(sectionPath(si))
		if p.status == http.StatusSeeOther {
			continue
		}
		if si == 0 {
			add("section in test mode", p, http.StatusOK)
		}
		action := "next"
		if f.form.NextSection(a, si) < 0 {
			action = "submit"
		}
		if r := tb.post(sectionPath(si), sectionForm(f.form, si, a, action)); r.status != http.StatusSeeOther {
			t.Fatalf("%s: test mode: saving section %d: %d\n%s", code, si+1, r.status, r.body)
		}
	}
	add("done with an end message", tb.get("/done"), http.StatusOK)
	if !strings.Contains(out["done with an end message"].body, "Danke schön.") {
		t.Errorf("%s: the thank-you page lacks the end message", code)
	}

	other := f.browser(t, f.open.ID)
	other.get(lang)
	u, err := url.Parse(resume)
	if err != nil || resume == "" {
		t.Fatalf("resume link %q: %v", resume, err)
	}
	add("resume link", other.get(u.RequestURI()), http.StatusOK)
	add("resume link not valid", other.get("/resume?t=nope"), http.StatusNotFound)
	other.start("")
	add("another response", other.get(u.RequestURI()), http.StatusOK)
	add("expired form", other.post(sectionPath(0), url.Values{"_csrf": {"forged"}, "_action": {"next"}}), http.StatusForbidden)
	add("no such section", other.get("/p/99"), http.StatusNotFound)

	add("unknown survey", b.get("/s/nosuchsurvey"+lang), http.StatusNotFound)
	add("unknown page", b.get("/s/"+f.open.ID+"/nothing/here"+lang), http.StatusNotFound)

	opens := time.Now().Add(48 * time.Hour)
	later := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, OpensAt: &opens})
	add("not yet open", f.browser(t, later.ID).get(lang), http.StatusForbidden)
	closed := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen})
	if _, err := f.svc.CloseSurvey(ctx, closed.ID); err != nil {
		t.Fatal(err)
	}
	add("closed", f.browser(t, closed.ID).get(lang), http.StatusGone)

	inv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessInvitation})
	codes, err := f.svc.CreateInvitations(ctx, inv.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	ib := f.browser(t, inv.ID)
	ib.get(lang)
	add("code missing", ib.post("/start", url.Values{}), http.StatusUnprocessableEntity)
	add("code not valid", ib.post("/start", url.Values{"code": {"ZZZZ-ZZZZ-ZZZZ"}}), http.StatusForbidden)
	if r := ib.post("/start", url.Values{"code": {codes[0]}}); r.status != http.StatusSeeOther {
		t.Fatalf("start with code: %d", r.status)
	}
	ib2 := f.browser(t, inv.ID)
	ib2.get(lang)
	add("code in use", ib2.post("/start", url.Values{"code": {codes[0]}}), http.StatusConflict)
	return out
}

// instrumentTexts are the texts of the study in form's language and its
// surveys' titles, as the pages write them.
func instrumentTexts(f *fixture, form *survey.Form) []string {
	in := form.Instrument
	texts := []string{in.Title, in.Introduction, in.Consent, f.open.Title}
	for _, sec := range in.Sections {
		texts = append(texts, sec.Title, sec.Description)
		for _, it := range sec.Items {
			texts = append(texts, it.Text, it.Help)
			for _, o := range form.Options(it.ID) {
				texts = append(texts, o.Label)
			}
		}
	}
	var out []string
	for _, s := range texts {
		out = append(out, s)
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			out = append(out, strings.Join(strings.Fields(p), " "))
		}
	}
	// Longest first, so that a text is cut before any text inside it.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// TestEveryPageInEveryLanguage renders every respondent page in every
// language of the catalog and fails if a non-English page has any text of
// the English catalog (the instrument's own texts cut out first), or lacks
// its lang and dir. In a language the instrument has (German), the
// instrument's texts are that language's, and none of its English texts
// may be on the page either; in the others they stay English.
func TestEveryPageInEveryLanguage(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	texts := instrumentTexts(f, f.form)
	english := i18n.Literals("en")
	for _, l := range i18n.All() {
		t.Run(l.Code, func(t *testing.T) {
			pages := languagePages(t, f, l.Code)
			own := map[string]bool{}
			for _, lits := range i18n.Literals(l.Code) {
				for _, s := range lits {
					own[s] = true
				}
			}
			for name, p := range pages {
				if want := `<html lang="` + l.Code + `" dir="` + l.Dir + `">`; !strings.Contains(p.body, want) {
					t.Errorf("%s: lacks %s", name, want)
				}
				if l.Code == i18n.Default {
					continue
				}
				body := pageText(p.body)
				cut, translated := texts, l.Code != f.form.Lang && f.form.In(l.Code) != f.form
				if translated {
					// The instrument has this language: its texts in it
					// are cut, and none of the English ones may be left
					// (but for texts the translation leaves as they are,
					// such as a name).
					cut = instrumentTexts(f, f.form.In(l.Code))
				}
				for _, s := range cut {
					if len(s) > 2 {
						body = strings.ReplaceAll(body, s, "")
					}
				}
				if translated {
					for _, s := range texts {
						if len(s) > 12 && !slices.Contains(cut, s) && strings.Contains(body, s) {
							t.Errorf("%s: the instrument's English %q on the page", name, s)
						}
					}
				}
				for id, lits := range english {
					for _, s := range lits {
						if len(s) < 4 || own[s] || !strings.ContainsFunc(s, isLetter) {
							continue // too short to tell, or the same words in this language
						}
						if strings.Contains(body, s) {
							t.Errorf("%s: English %q (%s) on the page", name, s, id)
						}
					}
				}
			}
			if len(pages) < 15 {
				t.Errorf("only %d pages", len(pages))
			}
		})
	}
}

var (
	textAttr = regexp.MustCompile(`\s(?:aria-label|title|placeholder|alt|value)="([^"]*)"`)
	tag      = regexp.MustCompile(`<[^>]*>`)
)

// pageText is what a page says: its text, and the attributes that are
// read out or shown (aria-label, title, placeholder, alt, a button's or
// field's value), unescaped; not its markup.
func pageText(body string) string {
	var b strings.Builder
	for _, m := range textAttr.FindAllStringSubmatch(body, -1) {
		b.WriteString(html.UnescapeString(m[1]))
		b.WriteByte('\n')
	}
	b.WriteString(html.UnescapeString(tag.ReplaceAllString(body, "\n")))
	return b.String()
}

func isLetter(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }

// TestLanguageChoice: ?lang= on the link, kept in the respondent's
// cookie; else Accept-Language matched against the survey's languages;
// else the instrument's language.
func TestLanguageChoice(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		ctx := context.Background()
		lang := func(p page) string {
			m := regexp.MustCompile(`<html lang="([^"]*)" dir="([^"]*)">`).FindStringSubmatch(p.body)
			if m == nil {
				t.Fatalf("no <html lang dir>: %d\n%s", p.status, p.body)
			}
			return m[1] + " " + m[2]
		}

		t.Run("AcceptLanguageBoundBySurvey", func(t *testing.T) {
			// The study is English and German: a French browser gets
			// English, not a French interface around English questions;
			// a German one gets German, questions included.
			b := f.browser(t, f.open.ID)
			if got := lang(pageOf(b.Get(b.url(""), "Accept-Language", "fr-FR,fr;q=0.9"))); got != "en ltr" {
				t.Fatalf("got %s", got)
			}
			b = f.browser(t, f.open.ID)
			p := pageOf(b.Get(b.url(""), "Accept-Language", "de-DE,de;q=0.9"))
			if got := lang(p); got != "de ltr" {
				t.Fatalf("got %s", got)
			}
			de := f.form.In("de").Instrument
			if !strings.Contains(p.body, html.EscapeString(de.Title)) || strings.Contains(p.body, html.EscapeString(f.form.Instrument.Title)) {
				t.Errorf("the welcome page does not have the German title only\n%s", p.body)
			}
		})
		t.Run("InstrumentLanguage", func(t *testing.T) {
			de, err := sample.Study()
			if err != nil {
				t.Fatal(err)
			}
			de.Key, de.Language = "study-de", "de"
			de.Languages, de.Translations = nil, nil
			if _, err := f.svc.CreateInstrument(ctx, de); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Publish(ctx, de.Key, de.Version); err != nil {
				t.Fatal(err)
			}
			sv, err := f.svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: de.Key, InstrumentVersion: de.Version, Title: "Studie", Access: survey.AccessOpen})
			if err != nil {
				t.Fatal(err)
			}
			for header, want := range map[string]string{
				"":                       "de ltr", // the instrument's language
				"de-CH,de;q=0.9":         "de ltr",
				"fr-FR,fr;q=0.9,en;q=.5": "de ltr", // not a language of the survey
			} {
				b := f.browser(t, sv.ID)
				p := pageOf(b.Get(b.url(""), "Accept-Language", header))
				if got := lang(p); got != want {
					t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
				}
				if !strings.Contains(p.body, "Umfrage beginnen") || !strings.Contains(p.body, "Etwa 10 Minuten") {
					t.Errorf("Accept-Language %q: not a German page\n%s", header, p.body)
				}
			}
		})
		t.Run("LinkThenCookie", func(t *testing.T) {
			b := f.browser(t, f.open.ID)
			p := b.get("?lang=ar")
			if got := lang(p); got != "ar rtl" {
				t.Fatalf("?lang=ar: %s", got)
			}
			// The instrument's texts say they are English (WCAG 3.1.2).
			if !strings.Contains(p.body, `<h1 lang="en">`) || !strings.Contains(p.body, `<p lang="en">`) {
				t.Errorf("the instrument's texts are not marked English on an Arabic page\n%s", p.body)
			}
			c := p.header.Get("Set-Cookie")
			if !strings.Contains(c, "dyad_lang=ar") || !strings.Contains(c, "Path=/s/"+f.open.ID) || !strings.Contains(c, "HttpOnly") {
				t.Fatalf("cookie: %q", c)
			}
			// The rest of the journey keeps it, whatever the browser says.
			p = pageOf(b.Get(b.url(""), "Accept-Language", "de"))
			if got := lang(p); got != "ar rtl" {
				t.Fatalf("after ?lang=ar: %s", got)
			}
			b.start("")
			if got := lang(b.get(sectionPath(0))); got != "ar rtl" {
				t.Fatalf("section: %s", got)
			}
			// An unknown language changes nothing.
			if got := lang(b.get(sectionPath(0) + "?lang=xx")); got != "ar rtl" {
				t.Fatalf("?lang=xx: %s", got)
			}
			if got := lang(b.get(sectionPath(0) + "?lang=fr")); got != "fr ltr" {
				t.Fatalf("?lang=fr: %s", got)
			}
			p = b.get(sectionPath(0))
			if got := lang(p); got != "fr ltr" {
				t.Fatalf("after ?lang=fr: %s", got)
			}
			for _, want := range []string{`<legend class="q" lang="en">`, `<span class="label" lang="en">`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("French section page lacks %s", want)
				}
			}
			if en := b.get(sectionPath(0) + "?lang=en"); strings.Count(en.body, `lang="en"`) != 2 { // <html> and the switcher's own entry
				t.Errorf("an English page of an English instrument marks %d elements English", strings.Count(en.body, `lang="en"`))
			}
		})
		t.Run("StoredExportedAndInTheAPI", func(t *testing.T) {
			// Started in Spanish, switched to German half-way: the
			// response is stored in the language of its last page.
			sv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen})
			b := f.browser(t, sv.ID)
			b.get("?lang=es")
			b.start("")
			a := studyAnswers(f.form, 0)
			for si := range f.form.Instrument.Sections {
				if si == 2 {
					b.get(sectionPath(si) + "?lang=de")
				}
				if p := b.get(sectionPath(si)); p.status == http.StatusSeeOther {
					continue
				}
				action := "next"
				if f.form.NextSection(a, si) < 0 {
					action = "submit"
				}
				if r := b.post(sectionPath(si), sectionForm(f.form, si, a, action)); r.status != http.StatusSeeOther {
					t.Fatalf("section %d: %d", si+1, r.status)
				}
			}
			rs := f.responses(t, sv.ID)
			if len(rs) != 1 || rs[0].Status != survey.ResponseComplete || rs[0].Language != "de" {
				t.Fatalf("stored: %+v", rs)
			}
			if body := string(f.api(t, "/api/v1/surveys/"+sv.ID+"/responses")); !strings.Contains(body, `"language":"de"`) {
				t.Errorf("the API's response lacks its language: %s", body)
			}
			csv := string(f.api(t, "/api/v1/surveys/"+sv.ID+"/export.csv"))
			if header, row, _ := strings.Cut(csv, "\r\n"); !strings.Contains(header, ",duration_s,language,") || !strings.Contains(row, ",de,") {
				t.Errorf("export: %q", csv[:min(len(csv), 400)])
			}
		})
		t.Run("LanguageTheCatalogLacks", func(t *testing.T) {
			// An instrument translated into Italian, which the catalog
			// does not have: its link shows the Italian texts in an
			// English interface, the texts marked Italian; the choice is
			// kept, the browser's Italian finds it too, and the response
			// records it.
			it, err := sample.Study()
			if err != nil {
				t.Fatal(err)
			}
			it.Key = "study-it"
			tr := survey.Translation{}
			for _, s := range it.SourceTexts() {
				tr[s.ID] = "[it] " + s.Text
			}
			it.Languages, it.Translations = nil, nil // the study's German left out
			if it, err = it.WithTranslation("it", tr); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.CreateInstrument(ctx, it); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Publish(ctx, it.Key, it.Version); err != nil {
				t.Fatal(err)
			}
			sv, err := f.svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: it.Key, InstrumentVersion: it.Version, Title: "Studio", Access: survey.AccessOpen})
			if err != nil {
				t.Fatal(err)
			}
			b := f.browser(t, sv.ID)
			p := b.get("?lang=it")
			if got := lang(p); got != "en ltr" {
				t.Fatalf("?lang=it: %s", got)
			}
			if !strings.Contains(p.body, `<h1 lang="it">[it] `) || !strings.Contains(p.body, "Start the survey") {
				t.Errorf("not Italian texts in an English interface:\n%s", p.body)
			}
			if c := p.header.Get("Set-Cookie"); !strings.Contains(c, "dyad_lang=it") {
				t.Errorf("cookie %q", c)
			}
			other := f.browser(t, sv.ID)
			if p := pageOf(other.Get(other.url(""), "Accept-Language", "it-IT,it;q=0.9")); !strings.Contains(p.body, `<h1 lang="it">[it] `) {
				t.Errorf("Accept-Language it: no Italian texts\n%s", p.body)
			}
			b.start("")
			a := studyAnswers(f.form, 0) // the same questions as the study's
			for si := range f.form.Instrument.Sections {
				p := b.get(sectionPath(si))
				if p.status == http.StatusSeeOther {
					continue
				}
				if si == 0 && !strings.Contains(p.body, `lang="it">[it] `) {
					t.Errorf("section 1 has no Italian texts:\n%s", p.body)
				}
				action := "next"
				if f.form.NextSection(a, si) < 0 {
					action = "submit"
				}
				if r := b.post(sectionPath(si), sectionForm(f.form, si, a, action)); r.status != http.StatusSeeOther {
					t.Fatalf("section %d: %d", si+1, r.status)
				}
			}
			if rs := f.responses(t, sv.ID); len(rs) != 1 || rs[0].Language != "it" {
				t.Fatalf("stored: %+v", rs)
			}
		})
		t.Run("SwitcherLinks", func(t *testing.T) {
			b := f.browser(t, f.open.ID)
			p := b.get("?lang=es")
			for _, want := range []string{
				`<nav aria-label="Idioma">`,
				`<span lang="es" dir="ltr" aria-current="true">Español</span>`,
				`<a href="/s/` + f.open.ID + `?lang=de" hreflang="de" lang="de" dir="ltr">Deutsch</a>`,
				`<a href="/s/` + f.open.ID + `?lang=ar" hreflang="ar" lang="ar" dir="rtl">العربية</a>`,
			} {
				if !strings.Contains(p.body, want) {
					t.Errorf("welcome lacks %s", want)
				}
			}
		})
		t.Run("SwitcherKeepsTypedAnswers", func(t *testing.T) {
			b := f.browser(t, f.open.ID)
			b.start("")
			text := ""
			for _, it := range f.form.Instrument.Sections[0].Items {
				if it.Type == survey.Text && text == "" {
					text = it.ID
				}
			}
			// The first section's answers, typed and not yet saved.
			typed := sectionForm(f.form, 0, studyAnswers(f.form, 1), "next")
			if text != "" {
				typed.Set(text, "typed <here>")
			}
			page0 := b.get(sectionPath(0))
			if !strings.Contains(page0.body, `form="section-form" name="_lang" value="de"`) {
				t.Fatalf("no switcher buttons on the section page\n%s", page0.body)
			}
			typed.Set("_lang", "de")
			delete(typed, "_action")
			p := b.post(sectionPath(0), typed)
			if p.status != http.StatusOK || lang(p) != "de ltr" {
				t.Fatalf("switch: %d %s\n%s", p.status, lang(p), p.body)
			}
			for _, it := range f.form.Instrument.Sections[0].Items {
				if v := typed.Get(it.ID); v != "" && (it.Type == survey.Likert || it.Type == survey.SingleChoice) {
					if !regexp.MustCompile(`name="` + it.ID + `" value="` + v + `" checked`).MatchString(p.body) {
						t.Errorf("%s: the typed answer %s is not checked after switching", it.ID, v)
					}
				}
			}
			if text != "" && !strings.Contains(p.body, "typed &lt;here&gt;") {
				t.Errorf("%s: the typed text is not shown after switching", text)
			}
			if strings.Contains(p.body, `class="error-summary"`) {
				t.Error("switching checked the answers")
			}
			// Nothing was saved.
			for _, r := range f.responses(t, f.open.ID) {
				if len(r.Answers) != 0 {
					t.Fatalf("switching saved answers: %v", r.Answers)
				}
			}
			if got := lang(b.get(sectionPath(0))); got != "de ltr" {
				t.Fatalf("next page: %s", got)
			}
		})
	})
}
