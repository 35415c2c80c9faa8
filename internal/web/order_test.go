package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// randomSurvey publishes the randomised-order fixture (once per fixture)
// and opens a survey of it; it returns the survey and the form.
func (f *fixture) randomSurvey(tb testing.TB) (*survey.Survey, *survey.Form) {
	tb.Helper()
	return f.surveyOf(tb, fixtures.Instrument("randomized.yaml"))
}

// surveyOf publishes the instrument text (once per fixture) and opens a
// survey of it.
func (f *fixture) surveyOf(tb testing.TB, text string) (*survey.Survey, *survey.Form) {
	tb.Helper()
	ctx := context.Background()
	in, err := instrument.Parse([]byte(text), instrument.YAML)
	if err != nil {
		tb.Fatal(err)
	}
	form, err := f.svc.Form(ctx, in.Key, in.Version)
	if err != nil { // not published yet in this fixture
		if _, err := f.svc.CreateInstrument(ctx, in); err != nil {
			tb.Fatal(err)
		}
		if _, err := f.svc.Publish(ctx, in.Key, in.Version); err != nil {
			tb.Fatal(err)
		}
		if form, err = f.svc.Form(ctx, in.Key, in.Version); err != nil {
			tb.Fatal(err)
		}
	}
	sv, err := f.svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: in.Key, InstrumentVersion: in.Version,
		Title: "Randomised", Access: survey.AccessOpen})
	if err != nil {
		tb.Fatal(err)
	}
	return sv, form
}

var (
	itemDiv  = regexp.MustCompile(`<div class="item[^"]*" id="item-([a-z0-9_]+)"`)
	progress = regexp.MustCompile(`Section (\d+) of (\d+)`)
)

// shownItems returns the item ids of a section page, in the page's
// order, and its page number.
func shownItems(tb testing.TB, body string) ([]string, int) {
	tb.Helper()
	var ids []string
	for _, m := range itemDiv.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	m := progress.FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no progress text on the page:\n%s", body)
	}
	n, _ := strconv.Atoi(m[1])
	return ids, n
}

// orderIDs returns section si's item ids in the order o shows them.
func orderIDs(form *survey.Form, o *survey.Order, si int) []string {
	var ids []string
	for _, ii := range o.Items(si) {
		ids = append(ids, form.Instrument.Sections[si].Items[ii].ID)
	}
	return ids
}

// randomAnswers answers every item of the fixture, v_2 with 4 so that its
// follow-up is shown.
func randomAnswers() survey.Answers {
	a := survey.Answers{"role": survey.IntVal(1), "v_intro": survey.IntVal(3), "v_1": survey.IntVal(4),
		"v_2": survey.IntVal(4), "v_2_why": survey.TextVal("Letters"), "v_3": survey.IntVal(2), "v_4": survey.IntVal(5),
		"v_comment": survey.TextVal("None"), "t_1": survey.IntVal(1), "t_2": survey.IntVal(5), "t_3": survey.IntVal(3),
		"u_1": survey.IntVal(6), "last": survey.TextVal("Thanks")}
	return a
}

// TestRandomizedOrder follows a respondent through the randomised
// fixture: every page comes in the order survey.Form.Order draws for the
// response (the order the export records), the same after Back, after
// Continue later and resuming on another device from the link; a second
// respondent gets another order; the stored answers are the answers.
func TestRandomizedOrder(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sv, form := f.randomSurvey(t)
		path := func(si int) string { return "/s/" + sv.ID + sectionPath(si) }
		a := randomAnswers()

		b := f.browser(t, sv.ID)
		st := b.start("")
		rs := f.responses(t, sv.ID)
		if len(rs) != 1 {
			t.Fatalf("%d responses after Start", len(rs))
		}
		o := form.Order(rs[0].ID)
		pages := o.Sections()
		if st.status != http.StatusSeeOther || st.location != path(pages[0]) {
			t.Fatalf("start: %d %q, want %q", st.status, st.location, path(pages[0]))
		}
		// checkPage gets section si and compares its items and page number
		// with the order's.
		checkPage := func(b *browser, o *survey.Order, si int, when string) []string {
			t.Helper()
			p := b.get(sectionPath(si))
			if p.status != http.StatusOK {
				t.Fatalf("%s: section %d: %d %q", when, si, p.status, p.location)
			}
			ids, n := shownItems(t, p.body)
			if want := orderIDs(form, o, si); !slices.Equal(ids, want) {
				t.Fatalf("%s: section %d shows %v, want %v", when, si, ids, want)
			}
			if n != o.Page(si)+1 {
				t.Fatalf("%s: section %d is headed page %d, want %d", when, si, n, o.Page(si)+1)
			}
			return ids
		}
		seen := map[int][]string{}
		// Pages 1 and 2 with Next.
		for p := range 2 {
			si := pages[p]
			seen[si] = checkPage(b, o, si, "first visit")
			if r := b.post(sectionPath(si), sectionForm(form, si, a, "next")); r.status != http.StatusSeeOther || r.location != path(pages[p+1]) {
				t.Fatalf("next from page %d: %d %q, want %q", p+1, r.status, r.location, path(pages[p+1]))
			}
		}
		// Page 3, then Back: page 2 again, in the same order.
		seen[pages[2]] = checkPage(b, o, pages[2], "first visit")
		if r := b.post(sectionPath(pages[2]), sectionForm(form, pages[2], a, "back")); r.status != http.StatusSeeOther || r.location != path(pages[1]) {
			t.Fatalf("back from page 3: %d %q, want %q", r.status, r.location, path(pages[1]))
		}
		if ids := checkPage(b, o, pages[1], "after Back"); !slices.Equal(ids, seen[pages[1]]) {
			t.Fatalf("Back changed the order: %v, was %v", ids, seen[pages[1]])
		}
		if r := b.post(sectionPath(pages[1]), sectionForm(form, pages[1], a, "next")); r.location != path(pages[2]) {
			t.Fatalf("next from page 2 again: %q", r.location)
		}
		// Continue later on page 3, resume on another device.
		if r := b.post(sectionPath(pages[2]), sectionForm(form, pages[2], a, "later")); r.status != http.StatusSeeOther {
			t.Fatalf("continue later: %d", r.status)
		}
		link := regexp.MustCompile(`id="resume-link" value="([^"]+)"`).FindStringSubmatch(b.get(sectionPath(pages[2]) + "?later=1").body)
		if link == nil {
			t.Fatal("no resume link after Continue later")
		}
		u, _ := url.Parse(strings.ReplaceAll(link[1], "&amp;", "&"))
		other := f.browser(t, sv.ID)
		other.get("")
		other.get(u.RequestURI())
		if r := other.post("/resume", url.Values{"t": {u.Query().Get("t")}}); r.status != http.StatusSeeOther || r.location != path(pages[3]) {
			t.Fatalf("resume: %d %q, want the fourth page %q", r.status, r.location, path(pages[3]))
		}
		for _, si := range pages[:3] {
			if ids := checkPage(other, o, si, "after resuming"); !slices.Equal(ids, seen[si]) {
				t.Fatalf("resuming changed section %d's order: %v, was %v", si, ids, seen[si])
			}
		}
		for p := 3; p < len(pages); p++ {
			si := pages[p]
			seen[si] = checkPage(other, o, si, "after resuming")
			want := "/s/" + sv.ID + "/done"
			if p+1 < len(pages) {
				want = path(pages[p+1])
			}
			if r := other.post(sectionPath(si), sectionForm(form, si, a, "next")); r.status != http.StatusSeeOther || r.location != want {
				t.Fatalf("next from page %d: %d %q, want %q\n%s", p+1, r.status, r.location, want, r.body)
			}
		}
		rs = f.responses(t, sv.ID)
		if len(rs) != 1 || rs[0].Status != survey.ResponseComplete {
			t.Fatalf("after submitting: %d responses", len(rs))
		}
		if got, want := string(rs[0].Answers.Canonical()), string(a.Canonical()); got != want {
			t.Errorf("stored answers:\n%s\nwant\n%s", got, want)
		}

		// A second respondent: another order, and the pages follow it.
		c := f.browser(t, sv.ID)
		st = c.start("")
		var second *survey.Response
		for _, r := range f.responses(t, sv.ID) {
			if r.ID != rs[0].ID {
				second = r
			}
		}
		o2 := form.Order(second.ID)
		if st.location != path(o2.Sections()[0]) {
			t.Fatalf("second respondent's start: %q, want %q", st.location, path(o2.Sections()[0]))
		}
		differs := !slices.Equal(o2.Sections(), pages)
		for si := range form.Instrument.Sections {
			checkPage(c, o2, si, "second respondent")
			differs = differs || !slices.Equal(orderIDs(form, o2, si), orderIDs(form, o, si))
		}
		if !differs {
			t.Error("the second respondent has the first one's order")
		}

		// The export records the places and pages the first respondent
		// was shown.
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/v1/surveys/"+sv.ID+"/export.csv", nil)
		req.Header.Set("Authorization", "Bearer test-token")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		recs, err := csv.NewReader(res.Body).ReadAll()
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("export: %d %v", res.StatusCode, err)
		}
		col := map[string]int{}
		for i, name := range recs[0] {
			col[name] = i
		}
		var row []string
		for _, r := range recs[1:] {
			if r[col["response_id"]] == rs[0].ID {
				row = r
			}
		}
		if row == nil {
			t.Fatal("the export lacks the first response")
		}
		checked := 0
		for p, si := range pages {
			sec := form.Instrument.Sections[si]
			if got := row[col[sec.ID+"__page"]]; got != strconv.Itoa(p+1) {
				t.Errorf("%s__page = %q, the section was shown on page %d", sec.ID, got, p+1)
			}
			if !form.ItemsRandomized(si) {
				continue
			}
			for k, id := range seen[si] {
				if got := row[col[id+"__pos"]]; got != strconv.Itoa(k+1) {
					t.Errorf("%s__pos = %q, the item was shown at place %d", id, got, k+1)
				}
				checked++
			}
		}
		if checked != 10 {
			t.Errorf("%d item places checked, want the 10 of the two randomised sections", checked)
		}
	})
}

// TestRandomizedOrderFirstProblem: Submit on the last page with required
// questions unanswered on two earlier pages goes to the one of them that
// the respondent's order shows first.
func TestRandomizedOrderFirstProblem(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		text := strings.Replace(fixtures.Instrument("randomized.yaml"), "key: randomized-test", "key: randomized-required", 1)
		for _, q := range []string{"I trust AI summaries.", "How many hours a week do you use AI tools?"} {
			text = strings.Replace(text, "text: "+q, "text: "+q+"\n        required: true", 1)
		}
		sv, form := f.surveyOf(t, text)
		for range 4 { // four respondents: the two orders of trust and use are both likely met
			b := f.browser(t, sv.ID)
			before := map[string]bool{}
			for _, r := range f.responses(t, sv.ID) {
				before[r.ID] = true
			}
			b.start("")
			var id string
			for _, r := range f.responses(t, sv.ID) {
				if !before[r.ID] {
					id = r.ID
				}
			}
			o := form.Order(id)
			pages := o.Sections()
			b.post(sectionPath(pages[0]), sectionForm(form, pages[0], randomAnswers(), "next"))
			last := pages[len(pages)-1]
			p := b.post(sectionPath(last), sectionForm(form, last, survey.Answers{}, "next"))
			trust, use := 2, 3 // section indexes
			first := trust
			if o.Page(use) < o.Page(trust) {
				first = use
			}
			if p.status != http.StatusUnprocessableEntity {
				t.Fatalf("submit with questions missing: %d %q", p.status, p.location)
			}
			if _, n := shownItems(t, p.body); n != o.Page(first)+1 {
				t.Fatalf("the page to fix is page %d, want page %d (section %s, pages %v)", n, o.Page(first)+1, form.Instrument.Sections[first].ID, pages)
			}
		}
	})
}
