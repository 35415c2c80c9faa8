package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestPageTimesStored: the time from a page's first view to its save is
// stored per section with the response, on both engines. A reload keeps
// the first view; Back and Next again add the second visit; a forged
// stamp counts nothing; the API's responses have none.
func TestPageTimesStored(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		var clock atomic.Int64
		clock.Store(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixMilli())
		f.svc.Now = func() time.Time { return time.UnixMilli(clock.Load()).UTC() }
		tick := func(d time.Duration) { clock.Add(d.Milliseconds()) }
		sv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen})
		b := f.browser(t, sv.ID)
		if p := b.start(""); p.status != http.StatusSeeOther {
			t.Fatalf("start: %d", p.status)
		}
		a := studyAnswers(f.form, 1)
		secs := f.form.Instrument.Sections
		id0, id1 := secs[0].ID, secs[1].ID

		b.get(sectionPath(0))
		tick(20 * time.Second)
		b.get(sectionPath(0)) // a reload: still the first view
		tick(10 * time.Second)
		if p := b.post(sectionPath(0), sectionForm(f.form, 0, a, "next")); p.status != http.StatusSeeOther {
			t.Fatalf("page 1: %d\n%s", p.status, p.body)
		}
		b.get(sectionPath(1))
		tick(7 * time.Second)
		if p := b.post(sectionPath(1), sectionForm(f.form, 1, a, "back")); p.status != http.StatusSeeOther {
			t.Fatalf("page 2 back: %d", p.status)
		}
		b.get(sectionPath(0))
		tick(4 * time.Second)
		b.post(sectionPath(0), sectionForm(f.form, 0, a, "next"))
		b.get(sectionPath(1))
		tick(3 * time.Second)
		// A stamp not signed by the server counts nothing.
		u, _ := url.Parse(f.srv.URL + b.url("/p/2"))
		b.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "dyad_view", Value: "1." + strconv.FormatInt(clock.Load()-60000, 10) + ".forged", Path: "/s/" + sv.ID}})
		b.post(sectionPath(1), sectionForm(f.form, 1, a, "back"))

		rs := f.responses(t, sv.ID)
		if len(rs) != 1 {
			t.Fatalf("%d responses", len(rs))
		}
		want := survey.PageTimes{id0: 34000, id1: 7000}
		if got := rs[0].PageTimes; len(got) != 2 || got[id0] != want[id0] || got[id1] != want[id1] {
			t.Fatalf("page times %v, want %v", got, want)
		}
		if c := b.Cookie(b.url("/p/1"), "dyad_view"); c == nil || strings.Count(c.Value, ".") != 2 || !strings.HasPrefix(c.Value, "0.") {
			t.Errorf("after Back to page 1, the stamp is %v", c)
		}
	})
}
