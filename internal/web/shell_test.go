package web

import (
	"bytes"
	"html/template"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// awkward are values for the shells' holes that every escaper treats
// differently: quotes, the characters html/template escapes in
// attributes (the plus sign included), NUL, non-ASCII and invalid UTF-8.
var awkward = []string{
	"",
	"plain",
	`a"b'c&d+e<f>g`,
	"nul\x00here",
	"é ü 日本 \u2028",
	"bad \xff\xfe utf-8",
	"https://surveys.example.org:8443/s/ab12/resume?t=abc+def&x=<y>",
	"&amp; already &#34;",
}

// TestSectionShellAsTemplate holds section pages written from their
// shells (shell.go) to the bytes the section template writes for the
// same view: every section of the study, at each combination of Back and
// Submit buttons, for random answers, under survey titles with
// characters to escape, with awkward values in every hole; each page is
// filled twice, the second time from the kept shell. No kept shell holds
// a value of its holes. The rounds go through every language of the
// catalog, each with its own shells.
func TestSectionShellAsTemplate(t *testing.T) {
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	var fc fragmentCache
	var sc shellCache
	rng := rand.New(rand.NewPCG(3, 4))
	svs := []*survey.Survey{
		{ID: "sv1", Title: "Study of <practice> & \"habits\""},
		{ID: "ab12cd34", Title: "Étude + enquête 'quotes'"},
	}
	compared := 0
	for round := range 12 {
		a := sample.Answers(form, rng)
		shown := form.Shown(a)
		sv := svs[round%len(svs)]
		l := i18n.All()[round%len(i18n.All())]
		for si, sec := range form.Instrument.Sections {
			var htmls []template.HTML
			var visible []string
			for i := range sec.Items {
				iv := newItemView(l, form, &sec.Items[i], a, shown, si, "")
				h, err := fc.item(form, l.Code, &iv)
				if err != nil {
					t.Fatal(err)
				}
				htmls = append(htmls, h)
				if !iv.Hidden {
					visible = append(visible, iv.ID)
				}
			}
			for _, buttons := range [][2]bool{{true, false}, {false, false}, {false, true}, {true, true}} {
				for pass := range 2 {
					vals := shellValues{
						csrf:  awkward[rng.IntN(len(awkward))],
						shown: strings.Join(visible, " ") + awkward[rng.IntN(len(awkward))],
						items: htmls,
					}
					v := newView(sv.ID)
					v.setLang(l)
					v.setSwitcher(url.URL{Path: "/s/" + sv.ID + "/p/" + strconv.Itoa(si+1)}, url.Values{})
					v.page, v.SurveyTitle, v.CSRF = "section", sv.Title, vals.csrf
					v.Title = sec.Title + " – Section " + strconv.Itoa(si+1) + " – " + sv.Title
					v.Section = &sectionView{Number: si + 1, Total: len(form.Instrument.Sections), Title: sec.Title,
						Description: paragraphs(sec.Description), Action: "/s/" + sv.ID + "/p/" + strconv.Itoa(si+1),
						First: buttons[0], Last: buttons[1], Items: htmls, Shown: vals.shown, ResumeURL: awkward[rng.IntN(len(awkward))]}
					key := shellKey{sv: sv, form: form, lang: l.Code, section: si, first: buttons[0], last: buttons[1]}
					s := sc.shell(key, v)
					if s == nil {
						t.Fatalf("section %d: no shell", si+1)
					}
					if pass == 1 {
						if again, _ := sc.m.Load(key); again != s {
							t.Fatalf("section %d: the shell was not kept", si+1)
						}
					}
					want, err := renderPage(v)
					if err != nil {
						t.Fatal(err)
					}
					if got := s.fill(nil, &vals); !bytes.Equal(got, want) {
						t.Fatalf("round %d, section %d, buttons %v, pass %d: the page differs\n--- got\n%s\n--- want\n%s",
							round, si+1, buttons, pass, got, want)
					}
					compared++
				}
			}
		}
	}
	// The kept shells hold none of the values put in their holes.
	sc.m.Range(func(k, s any) bool {
		for _, text := range s.(*shell).text {
			for _, v := range awkward[2:] {
				if bytes.Contains(text, []byte(v)) {
					t.Errorf("shell %v keeps %q", k, v)
				}
			}
		}
		return true
	})
	t.Logf("%d pages compared, %d shells kept", compared, sc.n.Load())
}

// TestShellRefusesBadMarks: a page in which a mark is missing or appears
// twice is not cut (it is then rendered whole).
func TestShellRefusesBadMarks(t *testing.T) {
	all := "<p>" + markCSRF + "</p><p>" + markItems + "</p>" + markShown
	if _, ok := newShell([]byte(all)); !ok {
		t.Fatal("a page with every mark once was refused")
	}
	for _, page := range []string{
		strings.Replace(all, markItems, "", 1),
		all + markCSRF,
	} {
		if _, ok := newShell([]byte(page)); ok {
			t.Errorf("cut %q", page)
		}
	}
}

// TestShellCacheBounded: past shellLimit no shell is kept or made.
func TestShellCacheBounded(t *testing.T) {
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	var sc shellCache
	sc.n.Store(shellLimit)
	v := newView("sv1")
	v.page = "section"
	v.Section = &sectionView{Number: 1, Total: 1, Title: "T", Items: []template.HTML{"<p>item</p>"}}
	if s := sc.shell(shellKey{sv: &survey.Survey{ID: "sv1"}, form: form}, v); s != nil {
		t.Fatal("a shell was made past the limit")
	}
	sc.m.Range(func(k, _ any) bool { t.Fatalf("kept %v", k); return false })
}

// FuzzAttrEscape holds attrEscape to what html/template writes for a
// value in a quoted attribute.
func FuzzAttrEscape(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	tmpl := template.Must(template.New("a").Parse(`<input value="{{.}}">`))
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := tmpl.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		got := append(attrEscape([]byte(`<input value="`), s), `">`...)
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("attrEscape(%q) = %q, html/template %q", s, got, want.Bytes())
		}
	})
}
