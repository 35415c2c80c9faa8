package admin

import (
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// textPage is how many answers one page of a free-text item lists.
const textPage = 50

// maxQueryRunes bounds the search, as in the API.
const maxQueryRunes = 200

// textView lists the answers to a free-text item.
type textView struct {
	SurveyHref string
	ItemID     string
	ItemText   string
	Query      string
	Status     []option
	StatusSel  string
	Answers    []textAnswer
	From, To   int // the positions of the first and last answers, 1-based
	Next       string
	FirstPage  string
}

type textAnswer struct {
	Submitted string
	Status    string
	Text      string
}

// textAnswers: GET /admin/surveys/{id}/text/{item}?q=&status=&after=.
func (p *Pages) textAnswers(c *gin.Context) {
	ctx := c.Request.Context()
	sv, err := p.svc.Survey(ctx, c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	form, err := p.svc.Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		p.fail(c, err)
		return
	}
	statusValue, q := c.Query("status"), c.Query("q")
	var problems survey.Problems
	filter := survey.ParseStatusFilter(&problems, statusValue, survey.StatusComplete).Status()
	if n := utf8.RuneCountInString(q); n > maxQueryRunes {
		problems.Add("q", "%s", tr("admin.text.query_too_long", "Max", strconv.Itoa(maxQueryRunes), "Got", strconv.Itoa(n)))
	}
	var after int64
	var shown int
	if s := c.Query("after"); s != "" {
		after, err = strconv.ParseInt(s, 10, 64)
		if err != nil || after < 0 {
			problems.Add("after", "%s", tr("admin.error.bad_cursor", "Got", strconv.Quote(s)))
		}
		shown, _ = strconv.Atoi(c.Query("shown"))
		shown = max(0, shown)
	}
	if err := problems.Err(survey.EInvalid, tr("admin.error.bad_address")); err != nil {
		p.fail(c, err)
		return
	}
	list, next, err := p.svc.TextAnswers(ctx, survey.TextAnswerFilter{SurveyID: sv.ID, ItemID: c.Param("item"),
		Status: filter, Query: q, After: after, Limit: textPage})
	if err != nil {
		p.fail(c, err)
		return
	}
	it := form.Item(c.Param("item"))
	tv := &textView{SurveyHref: "/admin/surveys/" + url.PathEscape(sv.ID), ItemID: it.ID, ItemText: it.Text, Query: q,
		From: shown + 1, To: shown + len(list), StatusSel: statusValue}
	tv.Status = filterOptions(form, statusValue, "").Status
	for _, a := range list {
		ta := textAnswer{Text: a.Text, Status: tr("admin.status.complete")}
		if a.Status != survey.ResponseComplete {
			ta.Status = tr("admin.status.in_progress")
		}
		if a.SubmittedAt != nil {
			ta.Submitted = a.SubmittedAt.UTC().Format("2 Jan 2006, 15:04")
		}
		tv.Answers = append(tv.Answers, ta)
	}
	page := func(cursor int64, shown int) string {
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		if statusValue != "" {
			v.Set("status", statusValue)
		}
		if cursor > 0 {
			v.Set("after", strconv.FormatInt(cursor, 10))
			v.Set("shown", strconv.Itoa(shown))
		}
		u := c.Request.URL.Path
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
		return u
	}
	if next > 0 {
		tv.Next = page(next, shown+len(list))
	}
	if after > 0 {
		tv.FirstPage = page(0, 0)
	}
	v := p.newView(c, tr("admin.text.title", "Item", shorten(it.Text, 60)))
	v.page, v.Text = "text", tv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {tv.SurveyHref, sv.Title}, {"", tr("admin.text.heading", "Item", it.ID)}}
	p.render(c, v)
}
