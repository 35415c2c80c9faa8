package admin

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/chart"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/stats"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// The results page of a survey: the figures of GET
// /api/v1/surveys/{id}/stats, computed the same way (stats.Builder.Scan),
// shown as tables and charts. ?status= (complete, in_progress, all) and
// ?by= (a single-choice item) filter and split them as in the API.

// resultsView is the results page.
type resultsView struct {
	ID, Title     string
	Instrument    string
	Access        string
	Status        status
	Created       string
	RespondentURL string
	// ParticipantsHref links an invitation survey's mailing page.
	ParticipantsHref string
	// Manage holds the survey's actions (manage.go).
	Manage *manageView

	Filter  filterView
	Scope   string // "complete responses", ...
	Figures []figure
	// GroupRows count each group's responses, when compared by an item.
	GroupRows []groupRow
	Downloads []download
	// ExcelDownloads are the same files for Excel (downloads).
	ExcelDownloads []download

	// Groups are the columns of a comparison; one unnamed group without.
	Grouped bool
	GroupBy string
	Groups  []string

	// Daily and the other charts come twice, wide and narrow (for phones);
	// the stylesheet shows one.
	Daily       template.HTML
	DailyNarrow template.HTML
	DailyRows   []chart.Day

	Subscales []subscaleView
	Others    []likertBlock // Likert items outside the subscales
	Choices   []choiceView
	Integers  []integerView
	Texts     []textRow
	Empty     bool // no response matches the filter
	// Quality is the data-quality panel (quality.go).
	Quality *qualityView
}

type filterView struct {
	Status  []option
	By      []option
	Exclude []option // keep or leave out flagged responses (exclude=dq)
}

type option struct {
	Value, Label string
	Selected     bool
}

type figure struct {
	Label, Value, Note string
}

type groupRow struct {
	Label                string
	N, Complete, Pending int
	Median               string
}

type download struct {
	Href, Label, Note string
}

type subscaleView struct {
	ID, Title, Description, Scoring string
	Scores                          []scoreRow
	Likert                          []likertBlock
	Histograms                      []histogram
	Reliability                     []reliabilityTable
}

type histogram struct {
	Group, Title string
	SVG          template.HTML
}

type scoreRow struct {
	Group            string
	N                int
	Mean, SD, Median string
	Alpha, CI        string
	Cases            int
	Note             string
	Missing          int // integer items
	HasMissing       bool
}

// likertBlock is one diverging chart with its legend and data table.
type likertBlock struct {
	ID          string
	Title       string
	Legend      template.HTML
	Chart       template.HTML
	ChartNarrow template.HTML
	Table       itemTable
}

type itemTable struct {
	Options []string
	Rows    []itemRow
}

type itemRow struct {
	ID, Text         string
	Reverse          bool
	Group            string
	Span             int // > 0 on an item's first row: how many rows it spans
	Cells            []string
	N, Missing       int
	Mean, SD, Median string
}

type reliabilityTable struct {
	Group string
	Alpha string
	Note  string
	Rows  []reliabilityRow
}

type reliabilityRow struct {
	ID, Text                 string
	Reverse                  bool
	ItemRest, AlphaIfDeleted string
	Note                     string
}

type choiceView struct {
	ID, Text, Note string
	Multiple       bool
	Rows           []choiceRow
	N, Missing     []int // per group
}

type choiceRow struct {
	Label string
	Cells []string // per group: "12 (20.0%)"
}

type integerView struct {
	ID, Text, Note string
	Rows           []scoreRow
}

type textRow struct {
	ID, Text   string
	N, Missing int
	Href       string
}

// scopes says, for the page's heading, which responses a filter counts.
var scopes = map[survey.StatusFilter]string{
	survey.StatusComplete:   tr("admin.results.scope_complete"),
	survey.StatusInProgress: tr("admin.results.scope_in_progress"),
	survey.StatusAll:        tr("admin.results.scope_all"),
}

// results: GET /admin/surveys/{id}. stats.Service runs the flow (the API's
// statistics route runs the same); this handler draws the page.
func (p *Pages) results(c *gin.Context) {
	statusValue, by, exclude := c.Query("status"), c.Query("by"), c.Query("exclude")
	res, err := stats.NewService(p.svc, p.responses).Results(c.Request.Context(),
		stats.Query{SurveyID: c.Param("id"), Status: statusValue, By: by, Exclude: exclude})
	if err != nil {
		p.fail(c, err)
		return
	}
	sv, form := res.Survey, res.Form
	rv := p.resultsView(c, sv, form, res.Report, res.Status.Status())
	rv.Scope = scopes[res.Status]
	if res.Exclude != "" {
		rv.Scope = trn("admin.results.scope_less", res.Excluded, "Scope", rv.Scope)
	}
	rv.Filter = filterOptions(form, statusValue, by)
	rv.Filter.Exclude = []option{{"", tr("admin.status.keep"), exclude == ""}, {"dq", tr("admin.status.leave_out"), exclude == "dq"}}
	if rv.Quality, err = p.qualityPanel(c, sv, form); err != nil {
		p.fail(c, err)
		return
	}
	if may(c, "/admin/surveys/:id/export.csv") {
		rv.Downloads, rv.ExcelDownloads = downloads(sv.ID, statusValue)
	}
	v := p.newView(c, sv.Title)
	rv.Manage = newManageView(c, sv, v.CSRF)
	if sv.Access == survey.AccessInvitation {
		n, err := p.svc.CountInvitations(c.Request.Context(), sv.ID)
		if err != nil {
			p.fail(c, err)
			return
		}
		rv.Manage.Codes = &n
	}
	v.page, v.Results = "results", rv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {"", sv.Title}}
	p.render(c, v)
}

func filterOptions(form *survey.Form, statusValue, by string) filterView {
	var f filterView
	if statusValue == "" {
		statusValue = survey.ResponseComplete
	}
	for _, o := range []option{{survey.ResponseComplete, tr("admin.status.complete"), false}, {survey.ResponseInProgress, tr("admin.status.in_progress"), false}, {"all", tr("admin.status.all"), false}} {
		o.Selected = o.Value == statusValue
		f.Status = append(f.Status, o)
	}
	f.By = append(f.By, option{"", tr("admin.results.no_comparison"), by == ""})
	if len(form.Instrument.AllLanguages()) > 1 {
		// The translations side by side: their reliability compared.
		f.By = append(f.By, option{stats.ByLanguage, tr("admin.results.by_language"), by == stats.ByLanguage})
	}
	for _, it := range form.Items() {
		if it.Type == survey.SingleChoice {
			f.By = append(f.By, option{it.ID, shorten(it.Text, 70), it.ID == by})
		}
	}
	return f
}

// downloads links the export files, with the page's status filter, in
// two variants: for R, SPSS and Stata (plain UTF-8, as those read it), and
// for Excel (a byte-order mark, without which Excel misreads non-ASCII
// text, and the formula guard, so that no answer runs as a formula; the
// codebook with the mark too).
func downloads(id, statusValue string) (stats, excel []download) {
	base := "/admin/surveys/" + url.PathEscape(id) + "/"
	q := func(extra ...string) string {
		v := url.Values{}
		if statusValue != "" && statusValue != survey.ResponseComplete {
			v.Set("status", statusValue)
		}
		for _, e := range extra {
			k, val, _ := strings.Cut(e, "=")
			v.Set(k, val)
		}
		if len(v) == 0 {
			return ""
		}
		return "?" + v.Encode()
	}
	const bom, guard = "bom=1", "excel_safe=1"
	stats = []download{
		{base + "export.csv" + q(), tr("admin.download.csv"), tr("admin.download.csv_codes")},
		{base + "export.csv" + q("values=labels"), tr("admin.download.labels"), tr("admin.download.labels_note")},
		{base + "export.csv" + q("layout=long"), tr("admin.download.long"), tr("admin.download.long_note")},
		{base + "export.sav" + q(), tr("admin.download.sav"), tr("admin.download.sav_note")},
		{base + "export.dta" + q(), tr("admin.download.dta"), tr("admin.download.dta_note")},
		{base + "codebook.csv", tr("admin.download.codebook"), tr("admin.download.codebook_note")},
		{base + "export.zip" + q(), tr("admin.download.bundle"), tr("admin.download.bundle_note")},
	}
	excel = []download{
		{base + "export.xlsx" + q(), tr("admin.download.xlsx"), tr("admin.download.xlsx_note")},
		{base + "export.csv" + q(bom, guard), tr("admin.download.excel_csv"), tr("admin.download.codes_note")},
		{base + "export.csv" + q("values=labels", bom, guard), tr("admin.download.excel_labels"), tr("admin.download.labels_note")},
		{base + "codebook.csv?" + bom + "&" + guard, tr("admin.download.excel_codebook"), tr("admin.download.codebook_note")},
	}
	return stats, excel
}

func (p *Pages) resultsView(c *gin.Context, sv *survey.Survey, form *survey.Form, rep *stats.Report, filter string) *resultsView {
	in := form.Instrument
	rv := &resultsView{ID: sv.ID, Title: sv.Title,
		Instrument: tr("admin.validation.instrument", "Title", in.Title, "Key", in.Key, "Version", in.Version),
		Access:     accessText(sv.Access), Status: surveyStatus(sv, p.svc.Now()),
		Created:       sv.CreatedAt.UTC().Format("2 January 2006"),
		RespondentURL: p.baseURL(c) + "/s/" + sv.ID,
	}
	if sv.Access == survey.AccessInvitation {
		rv.ParticipantsHref = "/admin/surveys/" + url.PathEscape(sv.ID) + "/participants"
	}
	if rep.By != nil {
		rv.Grouped, rv.GroupBy = true, rep.By.Text
	}
	total := 0
	for _, g := range rep.Groups {
		rv.Groups = append(rv.Groups, g.Label)
		total += g.Responses.N
	}
	rv.Empty = total == 0
	if rv.Grouped {
		for _, g := range rep.Groups {
			row := groupRow{Label: g.Label, N: g.Responses.N, Complete: g.Responses.Complete, Pending: g.Responses.InProgress, Median: "–"}
			if m := g.Responses.MedianCompletionSeconds; m != nil {
				row.Median = duration(*m)
			}
			rv.GroupRows = append(rv.GroupRows, row)
		}
	}
	rv.Figures = figures(sv, rep)
	rv.DailyRows = perDay(rep)
	daily := chart.Daily{ID: "daily", Title: tr("admin.results.per_day"), Days: rv.DailyRows,
		OmitComplete: filter == survey.ResponseInProgress, OmitInProgress: filter == survey.ResponseComplete}
	rv.Daily = daily.Render()
	daily.ID, daily.Width = "daily-n", 400
	rv.DailyNarrow = daily.Render()

	first := rep.Groups[0]
	label := func(g stats.Group) string {
		if rv.Grouped {
			return g.Label
		}
		return ""
	}
	// Subscales: their Likert items, scores and reliability.
	inSubscale := map[string]bool{}
	for si, ss := range first.Subscales {
		view := subscaleView{ID: ss.ID, Title: ss.Title, Scoring: tr("admin.results.scoring", "Rule", form.DescribeScoring(ss.ID))}
		if sub := form.Subscale(ss.ID); sub != nil {
			view.Description = sub.Description
		}
		var idx []int
		for i, it := range first.Items {
			if it.Subscale == ss.ID {
				idx = append(idx, i)
				inSubscale[it.ID] = true
			}
		}
		view.Likert = likertBlocks("lk-"+ss.ID, form, rep, idx, label)
		yMax := 0
		for _, g := range rep.Groups {
			for _, bin := range g.Subscales[si].Histogram {
				yMax = max(yMax, bin.Count)
			}
		}
		for gi, g := range rep.Groups {
			s := g.Subscales[si]
			view.Scores = append(view.Scores, scoreOf(label(g), s))
			title := tr("admin.results.distribution", "Subscale", ss.Title)
			if rv.Grouped {
				title = tr("admin.results.distribution_group", "Subscale", ss.Title, "Group", g.Label)
			}
			var bins []chart.Bin
			for _, bin := range s.Histogram {
				bins = append(bins, chart.Bin{From: bin.From, To: bin.To, Count: bin.Count})
			}
			view.Histograms = append(view.Histograms, histogram{Group: label(g), Title: title, SVG: chart.Histogram{
				ID: fmt.Sprintf("hist-%s-%d", ss.ID, gi), Title: title, Bins: bins, YMax: yMax, XLabel: scoreAxis(s),
			}.Render()})
			view.Reliability = append(view.Reliability, reliabilityOf(label(g), s.Reliability, form))
		}
		rv.Subscales = append(rv.Subscales, view)
	}
	// The other items, by type.
	var likert []int
	for i, it := range first.Items {
		switch {
		case inSubscale[it.ID]:
		case it.Type == survey.Likert:
			likert = append(likert, i)
		case it.Type == survey.Integer, it.Type == survey.Number, it.Type == survey.Slider,
			it.Type == survey.DateItem, it.Type == survey.Consent:
			// Descriptives (a date's note gives its earliest, median and latest).
			rv.Integers = append(rv.Integers, integerOf(rep, i, label))
		default:
			rv.Choices = append(rv.Choices, choiceOf(rep, i))
		}
	}
	rv.Others = likertBlocks("lk-other", form, rep, likert, label)
	readText := may(c, "/admin/surveys/:id/text/:item")
	for i, t := range first.Texts {
		row := textRow{ID: t.ID, Text: t.Text}
		if readText {
			row.Href = "/admin/surveys/" + url.PathEscape(sv.ID) + "/text/" + url.PathEscape(t.ID)
		}
		for _, g := range rep.Groups {
			row.N += g.Texts[i].N
			row.Missing += g.Texts[i].Missing
		}
		rv.Texts = append(rv.Texts, row)
	}
	return rv
}

// baseURL is where respondents reach this server (server.BaseURL).
func (p *Pages) baseURL(c *gin.Context) string { return server.BaseURL(c) }

// figures are the survey's key numbers, over every status, then the
// filtered responses' completion time.
func figures(sv *survey.Survey, rep *stats.Report) []figure {
	out := []figure{
		{Label: tr("admin.status.complete"), Value: itoa(sv.Complete)},
		{Label: tr("admin.status.in_progress"), Value: itoa(sv.InProgress)},
	}
	rate := "–"
	if n := sv.Complete + sv.InProgress; n > 0 {
		rate = fmt.Sprintf("%.0f%%", 100*float64(sv.Complete)/float64(n))
	}
	out = append(out, figure{Label: tr("admin.results.completion_rate"), Value: rate, Note: tr("admin.results.completion_rate_note")})
	median, note := "–", tr("admin.results.median_time_note")
	if len(rep.Groups) > 1 {
		note = tr("admin.results.median_time_groups")
	} else if m := rep.Groups[0].Responses.MedianCompletionSeconds; m != nil {
		median = duration(*m)
	}
	out = append(out, figure{Label: tr("admin.results.median_time"), Value: median, Note: note})
	return out
}

// duration words a number of seconds: "7 min 30 s", "1 h 5 min".
func duration(s float64) string {
	d := time.Duration(math.Round(s)) * time.Second
	switch {
	case d < time.Minute:
		return tr("admin.duration.s", "S", int(d.Seconds()))
	case d < time.Hour && d%time.Minute == 0:
		return tr("admin.duration.min", "Min", int(d.Minutes()))
	case d < time.Hour:
		return tr("admin.duration.min_s", "Min", int(d.Minutes()), "S", int(d.Seconds())%60)
	case d < 48*time.Hour:
		return tr("admin.duration.h_min", "H", int(d.Hours()), "Min", int(d.Minutes())%60)
	}
	return trn("admin.duration.days", int(d.Hours()/24))
}

// perDay adds the groups' days together, with every day from the first to
// the last.
func perDay(rep *stats.Report) []chart.Day {
	byDate := map[string]*chart.Day{}
	for _, g := range rep.Groups {
		for _, d := range g.Responses.PerDay {
			day := byDate[d.Date]
			if day == nil {
				day = &chart.Day{Date: d.Date}
				byDate[d.Date] = day
			}
			day.Complete += d.Complete
			day.InProgress += d.InProgress
		}
	}
	dates := make([]string, 0, len(byDate))
	for d := range byDate {
		dates = append(dates, d)
	}
	slices.Sort(dates)
	var out []chart.Day
	for i, d := range dates {
		out = append(out, *byDate[d])
		if i+1 == len(dates) {
			break
		}
		// Fill a gap between groups' ranges (each range is filled already).
		t, err1 := time.Parse(time.DateOnly, d)
		next, err2 := time.Parse(time.DateOnly, dates[i+1])
		if err1 != nil || err2 != nil || next.Sub(t) > 3660*24*time.Hour {
			continue
		}
		for t = t.AddDate(0, 0, 1); t.Before(next); t = t.AddDate(0, 0, 1) {
			out = append(out, chart.Day{Date: t.Format(time.DateOnly)})
		}
	}
	return out
}

// likertBlocks makes a chart of the Likert items idx (indexes into each
// group's Items), one per run of items that share a scale.
func likertBlocks(id string, form *survey.Form, rep *stats.Report, idx []int, label func(stats.Group) string) []likertBlock {
	var out []likertBlock
	first := rep.Groups[0]
	for start := 0; start < len(idx); {
		labels := optionLabels(first.Items[idx[start]])
		end := start + 1
		for end < len(idx) && slices.Equal(optionLabels(first.Items[idx[end]]), labels) {
			end++
		}
		run := idx[start:end]
		blockID := id
		if start > 0 || end < len(idx) {
			blockID = fmt.Sprintf("%s-%d", id, len(out)+1)
		}
		// The chart draws the scale's points only: a missing code
		// ("Not applicable") is no point of it, and keeps its own column
		// in the table.
		points := scaleLabels(first.Items[idx[start]])
		lk := chart.Likert{ID: blockID, Labels: points}
		lk.Title = trn("admin.results.block_title", len(run), "From", points[0], "To", points[len(points)-1])
		table := itemTable{Options: labels}
		for _, i := range run {
			it := first.Items[i]
			li := chart.LikertItem{Text: it.Text}
			if it.Reverse {
				li.Note = "(reverse-keyed)"
			}
			for gi, g := range rep.Groups {
				s := g.Items[i]
				bar := chart.LikertBar{Label: label(g)}
				row := itemRow{ID: it.ID, Text: it.Text, Reverse: it.Reverse, Group: label(g), N: s.N, Missing: s.Missing,
					Mean: fixed(s.Mean, 2), SD: fixed(s.SD, 2), Median: fixed(s.Median, 1)}
				if gi == 0 {
					row.Span = len(rep.Groups)
				}
				for _, o := range s.Options {
					if !o.MissingCode {
						bar.Counts = append(bar.Counts, o.Count)
					}
					row.Cells = append(row.Cells, countPercent(o))
				}
				li.Bars = append(li.Bars, bar)
				table.Rows = append(table.Rows, row)
			}
			lk.Items = append(lk.Items, li)
		}
		out = append(out, likertBlock{ID: blockID, Title: lk.Title, Legend: chart.Legend(points), Chart: lk.Render(),
			ChartNarrow: lk.RenderNarrow(), Table: table})
		start = end
	}
	return out
}

// scaleLabels returns the labels of the item's options that are not
// missing codes.
func scaleLabels(it stats.ItemStats) []string {
	var out []string
	for _, o := range it.Options {
		if !o.MissingCode {
			out = append(out, o.Label)
		}
	}
	return out
}

func optionLabels(it stats.ItemStats) []string {
	out := make([]string, len(it.Options))
	for i, o := range it.Options {
		out[i] = o.Label
	}
	return out
}

func countPercent(o stats.OptionCount) string {
	if o.Percent == nil {
		return itoa(o.Count)
	}
	return fmt.Sprintf("%d (%.1f%%)", o.Count, *o.Percent)
}

// fixed formats a figure that may be undefined.
func fixed(v *float64, decimals int) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.*f", decimals, *v)
}

func scoreAxis(s stats.SubscaleStats) string {
	if s.Scoring == survey.ScoreSum {
		return tr("admin.results.sum_axis", "Min", fmt.Sprintf("%g", s.Min), "Max", fmt.Sprintf("%g", s.Max))
	}
	return tr("admin.results.mean_axis", "Min", fmt.Sprintf("%g", s.Min), "Max", fmt.Sprintf("%g", s.Max))
}

func scoreOf(group string, s stats.SubscaleStats) scoreRow {
	r := s.Reliability
	row := scoreRow{Group: group, N: s.N, Mean: fixed(s.Mean, 2), SD: fixed(s.SD, 2), Median: fixed(s.Median, 2),
		Alpha: fixed(r.Alpha, 2), CI: "–", Cases: r.CompleteCases}
	if r.AlphaCI95 != nil {
		row.CI = fmt.Sprintf("%.2f to %.2f", r.AlphaCI95.Lower, r.AlphaCI95.Upper)
	}
	var notes []string
	if s.Note != "" {
		notes = append(notes, s.Note)
	}
	if r.Note != "" {
		notes = append(notes, "alpha: "+r.Note)
	}
	row.Note = strings.Join(notes, "; ")
	return row
}

func reliabilityOf(group string, r stats.Reliability, form *survey.Form) reliabilityTable {
	t := reliabilityTable{Group: group, Alpha: fixed(r.Alpha, 2), Note: r.Note}
	for _, it := range r.Items {
		row := reliabilityRow{ID: it.ID, Reverse: it.Reverse, ItemRest: fixed(it.ItemRestR, 2), AlphaIfDeleted: fixed(it.AlphaIfDeleted, 2), Note: it.Note}
		if item := form.Item(it.ID); item != nil {
			row.Text = item.Text
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func choiceOf(rep *stats.Report, i int) choiceView {
	first := rep.Groups[0].Items[i]
	v := choiceView{ID: first.ID, Text: first.Text, Multiple: first.Type == survey.MultipleChoice}
	if v.Multiple {
		v.Note = tr("admin.results.multiple_note")
	}
	for oi, o := range first.Options {
		row := choiceRow{Label: o.Label}
		for _, g := range rep.Groups {
			row.Cells = append(row.Cells, countPercent(g.Items[i].Options[oi]))
		}
		v.Rows = append(v.Rows, row)
	}
	for _, g := range rep.Groups {
		v.N = append(v.N, g.Items[i].N)
		v.Missing = append(v.Missing, g.Items[i].Missing)
	}
	return v
}

func integerOf(rep *stats.Report, i int, label func(stats.Group) string) integerView {
	first := rep.Groups[0].Items[i]
	v := integerView{ID: first.ID, Text: first.Text}
	for _, g := range rep.Groups {
		s := g.Items[i]
		v.Rows = append(v.Rows, scoreRow{Group: label(g), N: s.N, Missing: s.Missing, HasMissing: true,
			Mean: fixed(s.Mean, 1), SD: fixed(s.SD, 1), Median: fixed(s.Median, 1), Note: s.Note})
	}
	return v
}

// shorten cuts s to at most n characters, at a space, with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
