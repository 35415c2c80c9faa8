package httpapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
)

var validate = validator.New(validator.WithRequiredStructEnabled())

// publicSurveyDoc is what a client needs to render the form: the content
// of the instrument, without scoring internals (subscales, reverse keying)
// that could bias answers.
type publicSurveyDoc struct {
	ID string `json:"id"`
	// Title is the public title: respondents never see the internal name.
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Access      string     `json:"access"`
	Status      string     `json:"status"`
	Accepting   bool       `json:"accepting"`
	TimeZone    string     `json:"time_zone"`
	OpensAt     *time.Time `json:"opens_at"`
	ClosesAt    *time.Time `json:"closes_at"`
	// Instrument is spliced in by publicSurvey (see there).
}

type publicInstrument struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
	Title   string `json:"title"`
	// Language is the texts' language (?lang=); Languages every language
	// the form is offered in, its own first.
	Language         string          `json:"language"`
	Languages        []string        `json:"languages"`
	Introduction     string          `json:"introduction,omitempty"`
	Consent          string          `json:"consent,omitempty"`
	EstimatedMinutes int             `json:"estimated_minutes,omitempty"`
	Sections         []publicSection `json:"sections"`
	// Randomize, Fixed (here and below) say which parts the web form
	// shows in an order of each response's own (survey/order.go), so that
	// a client rendering the form can do the same.
	Randomize string `json:"randomize,omitempty"`
}

type publicSection struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Description string       `json:"description,omitempty"`
	Items       []publicItem `json:"items"`
	Randomize   string       `json:"randomize,omitempty"`
	Fixed       bool         `json:"fixed,omitempty"`
	// ShowIf skips the section unless it holds (survey.Section.ShowIf).
	ShowIf *survey.Condition `json:"show_if,omitempty"`
}

type publicItem struct {
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	Text      string            `json:"text"`
	Help      string            `json:"help,omitempty"`
	Required  bool              `json:"required"`
	Options   []survey.Option   `json:"options,omitempty"`
	Min       any               `json:"min,omitempty"` // an integer, a decimal or an ISO date (publicBound)
	Max       any               `json:"max,omitempty"`
	Multiline bool              `json:"multiline,omitempty"`
	MaxLength int               `json:"max_length,omitempty"`
	ShowIf    *survey.Condition `json:"show_if,omitempty"`
	Fixed     bool              `json:"fixed,omitempty"`
	Decimals  int               `json:"decimals,omitempty"`
	Unit      string            `json:"unit,omitempty"`
	MinLabel  string            `json:"min_label,omitempty"`
	MaxLabel  string            `json:"max_label,omitempty"`
	Decline   string            `json:"decline,omitempty"`
	Other     *publicOther      `json:"other,omitempty"`
}

// publicOther tells a client which option of a choice item is "Other,
// please specify" and where its text goes.
type publicOther struct {
	Value int64  `json:"value"`
	Label string `json:"label"`
	Item  string `json:"item"` // the answer key of the text
}

// publicBound is an item's min or max as the format writes it: an integer
// item's integer, a number item's decimal (as a JSON number), a date
// item's ISO date; nil when unset.
func publicBound(it *survey.Item, n *int64, text string) any {
	switch {
	case text != "" && it.Type == survey.Number:
		return json.Number(text)
	case text != "":
		return text
	case n != nil:
		return *n
	}
	return nil
}

func toPublicInstrument(f *survey.Form) publicInstrument {
	in := f.Instrument
	out := publicInstrument{Key: in.Key, Version: in.Version, Title: in.Title, Language: f.Lang, Languages: in.AllLanguages(),
		Introduction: in.Introduction, Consent: in.Consent, EstimatedMinutes: in.EstimatedMinutes, Randomize: in.Randomize}
	for _, s := range in.Sections {
		ps := publicSection{ID: s.ID, Title: s.Title, Description: s.Description, Items: make([]publicItem, len(s.Items)), ShowIf: s.ShowIf,
			Randomize: s.Randomize, Fixed: s.Fixed}
		for i := range s.Items {
			it := &s.Items[i]
			pi := publicItem{ID: it.ID, Type: it.Type, Text: it.Text, Help: it.Help, Required: it.IsRequired(),
				Options: f.Options(it.ID), Min: publicBound(it, it.Min, it.MinText), Max: publicBound(it, it.Max, it.MaxText),
				Multiline: it.Multiline, ShowIf: it.ShowIf, Decimals: it.Decimals, Unit: it.Unit,
				MinLabel: it.MinLabel, MaxLabel: it.MaxLabel, Decline: it.Decline, Fixed: it.Fixed}
			if o := f.OtherItem(it.ID); o != nil {
				pi.Other = &publicOther{Value: it.OtherValue(), Label: it.OtherText(), Item: o.ID}
			}
			if it.Type == survey.Text {
				pi.MaxLength = it.TextLimit()
			}
			ps.Items[i] = pi
		}
		out.Sections = append(out.Sections, ps)
	}
	return out
}

func (a *api) publicSurvey(c *gin.Context) {
	ctx := c.Request.Context()
	s, err := a.svc.PublicSurvey(ctx, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	accepting := s.CheckOpen(time.Now()) == nil
	f, err := a.svc.Form(ctx, s.InstrumentKey, s.InstrumentVersion)
	if err != nil {
		writeError(c, err)
		return
	}
	// ?lang= asks for the texts in one of the instrument's languages.
	if lang, set := c.GetQuery("lang"); set {
		if !f.Instrument.HasLanguage(lang) {
			writeError(c, invalid("lang", "must be one of the survey's languages (%s), got %q", strings.Join(f.Instrument.AllLanguages(), ", "), lang))
			return
		}
		f = f.In(lang)
	}
	// The whole answer depends only on the survey row (which the service
	// replaces, never changes, so its pointer is a version), the form in
	// the language asked for (a new one when the version gains a
	// translation) and whether it accepts responses now; both encodings
	// are made once.
	key := publicKey{s, f, accepting}
	v, ok := a.publicBodies.Load(key)
	if !ok {
		body, err := a.publicSurveyBody(s, f, accepting)
		if err != nil {
			writeError(c, err)
			return
		}
		v, _ = a.publicBodies.LoadOrStore(key, body)
	}
	b := v.(*encodedBody)
	c.Header("Vary", "Accept-Encoding")
	if server.AcceptsGzip(c.GetHeader("Accept-Encoding")) {
		c.Header("Content-Encoding", "gzip")
		c.Data(http.StatusOK, "application/json; charset=utf-8", b.gzip)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b.plain)
}

type publicKey struct {
	survey    *survey.Survey
	form      *survey.Form
	accepting bool
}

// encodedBody is a response body kept plain and gzip-compressed.
type encodedBody struct{ plain, gzip []byte }

func (a *api) publicSurveyBody(s *survey.Survey, f *survey.Form, accepting bool) (*encodedBody, error) {
	title, description := s.PublicTexts(f)
	head, err := json.Marshal(publicSurveyDoc{
		ID: s.ID, Title: title, Description: description, Access: s.Access, Status: s.Status,
		Accepting: accepting, TimeZone: s.TimeZone, OpensAt: s.OpensAt, ClosesAt: s.ClosesAt,
	})
	if err != nil {
		return nil, err
	}
	// Splice the instrument in as bytes: handing a RawMessage to the
	// encoder would make it re-validate and re-compact it.
	inst := a.publicInstrumentJSON(f)
	buf := make([]byte, 0, len(head)+len(inst)+16)
	buf = append(buf, head[:len(head)-1]...)
	buf = append(buf, `,"instrument":`...)
	buf = append(buf, inst...)
	buf = append(buf, '}')
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(buf)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &encodedBody{plain: buf, gzip: z.Bytes()}, nil
}

// publicInstrumentJSON encodes a form's public view once per published
// version: forms are immutable, and encoding a 40-item instrument on every
// request would cost more than everything else the route does.
func (a *api) publicInstrumentJSON(f *survey.Form) json.RawMessage {
	// Keyed by the form itself: the service keeps one per published
	// version and makes a new one if a deleted version is created again.
	k := f
	if b, ok := a.publicJSON.Load(k); ok {
		return b.(json.RawMessage)
	}
	b, err := json.Marshal(toPublicInstrument(f))
	if err != nil {
		panic(err) // plain structs of strings and numbers always encode
	}
	a.publicJSON.Store(k, json.RawMessage(b))
	return b
}

type submitRequest struct {
	ID             string         `json:"id"`
	InvitationCode string         `json:"invitation_code"`
	StartedAt      timeField      `json:"started_at"`
	Answers        survey.Answers `json:"answers"`
}

type responseDoc struct {
	ID                string     `json:"id"`
	SurveyID          string     `json:"survey_id"`
	InstrumentKey     string     `json:"instrument_key"`
	InstrumentVersion int        `json:"instrument_version"`
	Status            string     `json:"status"`
	StartedAt         time.Time  `json:"started_at"`
	SubmittedAt       *time.Time `json:"submitted_at"`
	// Language is the respondent pages' interface language; left out for
	// a response sent through the API.
	Language string         `json:"language,omitempty"`
	Answers  survey.Answers `json:"answers,omitempty"`
	// Test is given in the researcher's list (with the answers): whether
	// the response was made in test mode. A submission's answer leaves it
	// out: the store decides it as it writes.
	Test *bool `json:"test,omitempty"`
}

func toResponseDoc(r *survey.Response, withAnswers bool) responseDoc {
	d := responseDoc{ID: r.ID, SurveyID: r.SurveyID, InstrumentKey: r.InstrumentKey, InstrumentVersion: r.InstrumentVersion,
		Status: r.Status, StartedAt: r.StartedAt, SubmittedAt: r.SubmittedAt, Language: r.Language}
	if withAnswers {
		d.Answers = r.Answers
		if d.Answers == nil {
			d.Answers = survey.Answers{}
		}
		test := r.Test
		d.Test = &test
	}
	return d
}

func (a *api) submitResponse(c *gin.Context) {
	body, err := readJSON(c)
	if err != nil {
		writeError(c, err)
		return
	}
	sub, err := decodeSubmission(body)
	if err != nil {
		writeError(c, err)
		return
	}
	r, created, err := a.svc.Submit(c.Request.Context(), c.Param("id"), sub)
	if err != nil {
		writeError(c, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // a retry: the stored response, nothing new
	}
	// Echo identifiers only: the respondent knows their answers, and a
	// response body is one more place they could leak from.
	d := toResponseDoc(r, false)
	writeSubmitted(c, status, &d)
}

type listResponsesQuery struct {
	Limit  *int   `form:"limit" validate:"omitempty,min=1,max=1000"`
	Cursor string `form:"cursor" validate:"omitempty,number"`
	Status string `form:"status"` // survey.ParseStatusFilter, default all
	// IncludeTest is survey.ParseIncludeTest's: responses made in test
	// mode are listed only when it is true.
	IncludeTest string `form:"include_test"`
}

func (a *api) listResponses(c *gin.Context) {
	var q listResponsesQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		// Only limit is parsed as a number here; the rest are strings.
		writeError(c, invalid("limit", "must be an integer between 1 and 1000, got %q", c.Query("limit")))
		return
	}
	var p survey.Problems
	status := survey.ParseStatusFilter(&p, q.Status, survey.StatusAll)
	includeTest := survey.ParseIncludeTest(&p, q.IncludeTest)
	if err := validate.Struct(q); err != nil || len(p) > 0 {
		writeError(c, queryProblems(err, p))
		return
	}
	f := survey.ResponseFilter{SurveyID: c.Param("id"), Limit: 100}
	if q.Limit != nil {
		f.Limit = *q.Limit
	}
	if q.Cursor != "" {
		f.After, _ = strconv.ParseInt(q.Cursor, 10, 64)
	}
	f.Status, f.IncludeTest = status.Status(), includeTest
	list, last, err := a.svc.Responses(c.Request.Context(), f)
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]responseDoc, len(list))
	for i, r := range list {
		items[i] = toResponseDoc(r, true)
	}
	var next *string
	if len(list) == f.Limit {
		s := strconv.FormatInt(last, 10)
		next = &s
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}

// queryProblems names each query parameter that failed validation,
// followed by the problems found by other readers (more).
func queryProblems(err error, more survey.Problems) error {
	var p survey.Problems
	if ve, ok := err.(validator.ValidationErrors); ok {
		for _, fe := range ve {
			name := map[string]string{"Limit": "limit", "Cursor": "cursor"}[fe.Field()]
			switch fe.Tag() {
			case "min", "max":
				p.Add(name, "must be between 1 and 1000, got %v", fe.Value())
			default:
				p.Add(name, "is not valid (%s), got %q", fe.Tag(), fe.Value())
			}
		}
	}
	p = append(p, more...)
	return p.Err(survey.EInvalid, "the query is not valid")
}
