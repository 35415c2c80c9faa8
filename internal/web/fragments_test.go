package web

import (
	"bytes"
	"html/template"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/sample"
)

// TestSectionFragmentsAsTemplate holds the item fragments (fragments.go)
// to the bytes the section template wrote when it executed each item
// itself: whole pages of every section of the study, for random answers,
// with and without errors, each rendered twice so the second comes from
// the cache.
func TestSectionFragmentsAsTemplate(t *testing.T) {
	src, err := templateFS.ReadFile("templates/section.html")
	if err != nil {
		t.Fatal(err)
	}
	const inline = `{{range .Items}}{{template "item" .}}{{end}}`
	text := strings.Replace(string(src), `{{range .Items}}{{.}}{{end}}`, inline, 1)
	if !strings.Contains(text, inline) {
		t.Fatal("section.html no longer writes the items with {{range .Items}}{{.}}{{end}}")
	}
	old := template.Must(template.New("section").Funcs(template.FuncMap{"paragraphs": paragraphs}).
		ParseFS(templateFS, "templates/layout.html", "templates/items.html"))
	template.Must(old.New("content").Parse(text))

	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	// Old is what the page read before the fragments: the same fields,
	// the items as views.
	type oldSection struct {
		Number, Total int
		Title         string
		Description   []string
		Items         []itemView
		Errors        []summaryEntry
		Notice        string
		Shown         string
		First, Last   bool
		Action        string
		ResumeURL     string
		Later         bool
		Hidden        []hiddenField
	}
	type oldView struct {
		view
		Section *oldSection
	}
	var fc fragmentCache
	rng := rand.New(rand.NewPCG(1, 2))
	pagesSeen := 0
	for round := range 60 {
		a := sample.Answers(form, rng)
		if round%3 == 0 { // some unanswered
			for id := range a {
				if rng.IntN(2) == 0 {
					delete(a, id)
				}
			}
		}
		shown := form.Shown(a)
		l := i18n.All()[round%len(i18n.All())]
		for si, sec := range form.Instrument.Sections {
			for pass := range 2 {
				var ivs []itemView
				var htmls []template.HTML
				for i := range sec.Items {
					it := &sec.Items[i]
					msg := ""
					if round%2 == 1 && rng.IntN(3) == 0 {
						v, answered := a[it.ID]
						msg = respondentMessage(l, it, v, answered)
					}
					iv := newItemView(l, form, it, a, shown, si, msg)
					ivs = append(ivs, iv)
					h, err := fc.item(form, l.Code, &iv)
					if err != nil {
						t.Fatal(err)
					}
					htmls = append(htmls, h)
				}
				v := newView("sv1")
				v.setLang(l)
				v.CSRF, v.Title = "token", "Title <&>"
				nv := *v
				nv.Section = &sectionView{Number: si + 1, Total: 5, Title: sec.Title, Items: htmls, Shown: "x"}
				ov := oldView{view: *v, Section: &oldSection{Number: si + 1, Total: 5, Title: sec.Title, Items: ivs, Shown: "x"}}
				var got, want bytes.Buffer
				if err := pages["section"].ExecuteTemplate(&got, "layout", &nv); err != nil {
					t.Fatal(err)
				}
				if err := old.ExecuteTemplate(&want, "layout", &ov); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Fatalf("round %d, section %d, pass %d: the page differs\n--- got\n%s\n--- want\n%s", round, si+1, pass, got.String(), want.String())
				}
				pagesSeen++
			}
		}
	}
	if fc.n.Load() == 0 {
		t.Fatal("no fragment was kept")
	}
	t.Logf("%d pages compared, %d fragments kept", pagesSeen, fc.n.Load())
}
