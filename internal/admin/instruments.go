package admin

// The dashboard's write pages for instruments: upload (or paste) an
// instrument, read its problems and fix them in place, then publish a
// draft and deploy a published version as a survey. They make the same
// domain calls as the API's handlers (survey.Service CreateInstrument,
// Publish, CreateSurvey) and read files with the same format detection
// (instrument.Detect and the importers, with their warnings), so a file
// gets the same verdict on both paths.
//
// Bodies are bounded by the server's limit on every request body
// (server.MaxBodyBytes), as the API's upload is: a larger upload is
// refused before it is read, and the multipart parser keeps at most that
// much in memory.

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// instrumentNewView is the upload form, with the problems of the last try.
type instrumentNewView struct {
	// Study is the study a new key joins (?study=N, else the home
	// study), named in the form's address.
	Study int64
	// Source is the text in the editor: what was pasted or uploaded, or
	// the YAML an imported file was converted to.
	Source string
	// Format names the detected format of the last upload ("" before one).
	Format   string
	Message  string
	Problems []problem
	Warnings []problem
	// Converted is set when Source is the YAML of a file of another format.
	Converted bool
	// Edit is the version the editor changes; nil on the upload form.
	Edit *editTarget
	// Starts are the versions a new instrument can start from; From the
	// one it started from.
	Starts []startOption
	From   string
	// native is set when Source is the text that was read, in Dyad's
	// own syntax, so that problems can be placed in it.
	native bool
}

// problem is one detail of an error or a warning, with the place in the
// text when the parser gives it.
type problem struct {
	Path, Message string
	Line, Column  int
	// Anchor is the id of the form field at fault, when there is one.
	Anchor string
	// Item is the id of the item at fault, when the problem lies in one.
	Item string
}

func problemsOf(ds []survey.Detail) []problem {
	out := make([]problem, 0, len(ds))
	for _, pr := range instrument.Place(ds, nil) {
		out = append(out, problem{Path: pr.Path, Message: pr.Message, Line: pr.Line, Column: pr.Column})
	}
	return out
}

// instrumentNew: GET /admin/instruments/new, empty, or with ?from=KEY/V
// the text of an existing version (a shipped instrument among them) to
// start a new instrument from: its key is to be changed.
func (p *Pages) instrumentNew(c *gin.Context) {
	nv := &instrumentNewView{}
	list, err := p.svc.Instruments(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	for _, s := range list {
		nv.Starts = append(nv.Starts, startOption{Value: s.Key + "/" + strconv.Itoa(s.Version),
			Label: tr("admin.validation.instrument", "Title", s.Title, "Key", s.Key, "Version", s.Version)})
	}
	if from := c.Query("from"); from != "" {
		key, vs, _ := strings.Cut(from, "/")
		v, _ := strconv.Atoi(vs)
		iv, err := p.svc.Instrument(c.Request.Context(), key, v)
		if err != nil {
			p.fail(c, err)
			return
		}
		in := iv.Instrument
		in.Key, in.Version = key+"-copy", 1
		src, err := instrument.EncoderFor("yaml").Encode(&in)
		if err != nil {
			p.fail(c, err)
			return
		}
		nv.Source, nv.From = string(src), from
	}
	p.instrumentNewPage(c, http.StatusOK, nv)
}

// startOption is an existing version to start a new instrument from.
type startOption struct{ Value, Label string }

func (p *Pages) instrumentNewPage(c *gin.Context, status int, nv *instrumentNewView) {
	title := tr("admin.instrument_new.title")
	if et := nv.Edit; et != nil && et.Draft {
		title = tr("admin.instrument_new.title_edit", "Key", et.Key, "Version", et.Version)
	} else if et != nil {
		title = tr("admin.instrument_new.title_next", "Key", et.Key, "Next", et.Next)
	}
	if len(nv.Problems) > 0 {
		title = tr("admin.crumbs.error_title", "Title", title)
	}
	act, _ := server.ActorFrom(c.Request.Context())
	nv.Study = act.StudyID
	v := p.newView(c, title)
	v.page, v.status, v.InstrumentNew = "instrument_new", status, nv
	v.Scripts = []string{"/admin/static/" + editorName}
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {"", title}}
	if et := nv.Edit; et != nil {
		v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {et.Href, tr("admin.crumbs.version", "Name", et.Key, "Version", et.Version)}, {"", title}}
	}
	p.render(c, v)
}

// maxFormMemory is what the multipart parser may hold in memory; the body
// limit is smaller, so nothing goes to temporary files.
const maxFormMemory = server.MaxBodyBytes + 4096

// createInstrument: POST /admin/instruments. The file, when one was
// chosen, else the editor's text; saved as a draft, then 303 to the
// version's page (or that page at once, when the import has warnings to
// show).
func (p *Pages) createInstrument(c *gin.Context) {
	if err := c.Request.ParseMultipartForm(maxFormMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		p.uploadFailed(c, &instrumentNewView{}, readError(err))
		return
	}
	if !p.sessionCSRFOK(c) {
		return
	}
	nv := &instrumentNewView{Source: c.PostForm("source")}
	if key, v := c.PostForm("from_key"), c.PostForm("from_version"); key != "" {
		// The editor of a published version: its problems are shown on
		// that editor again.
		if n, err := strconv.Atoi(v); err == nil {
			if next, err := p.nextVersion(c, key); err == nil {
				nv.Edit = &editTarget{Key: key, Version: n, Next: next, Href: versionHref(key, n)}
			}
		}
	}
	data, name, mediaType := []byte(nv.Source), "", ""
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			p.uploadFailed(c, nv, readError(err))
			return
		}
		data, err = io.ReadAll(f)
		f.Close()
		if err != nil {
			p.uploadFailed(c, nv, readError(err))
			return
		}
		name = fh.Filename
		mediaType, _, _ = mime.ParseMediaType(fh.Header.Get("Content-Type"))
		// Text the editor can hold is kept for correction; a spreadsheet
		// is not text, and is replaced by its YAML once it imports.
		nv.Source = ""
		if utf8.Valid(data) {
			nv.Source = string(data)
		}
	} else if strings.TrimSpace(nv.Source) == "" {
		p.uploadFailed(c, nv, &survey.Error{Code: survey.EInvalid, Message: tr("admin.instrument_new.nothing"),
			Details: []survey.Detail{{Path: "file", Message: tr("admin.instrument_new.nothing_file")}}})
		return
	} else {
		mediaType = "application/yaml" // what the editor holds, unless the content says otherwise
	}
	dec := instrument.Detect(mediaType, name, data)
	if dec == nil {
		p.uploadFailed(c, nv, &survey.Error{Code: survey.EUnsupported, Message: tr("admin.instrument_new.unknown_format"),
			Details: []survey.Detail{{Path: "file", Message: tr("admin.instrument_new.unknown_format_file", "Name", strconv.Quote(name), "Formats", instrument.ForeignNames())}}})
		return
	}
	nv.Format = dec.Name
	nv.native = dec.Sniff == nil && nv.Source == string(data)
	res, err := dec.Import(data)
	if res != nil && dec.Sniff != nil {
		// Converted, even when it is not valid, so that a researcher
		// fixes the instrument Dyad will keep rather than the file it
		// came from.
		nv.Warnings = problemsOf(res.Warnings)
		if enc := instrument.EncoderFor("yaml"); enc != nil {
			if y, err := enc.Encode(res.Instrument); err == nil {
				nv.Source, nv.Converted = string(y), true
			}
		}
	}
	if err != nil {
		p.uploadFailed(c, nv, err)
		return
	}
	act, _ := server.ActorFrom(c.Request.Context())
	iv, err := p.svc.CreateInstrumentIn(c.Request.Context(), act.StudyID, res.Instrument)
	if err != nil {
		p.uploadFailed(c, nv, err)
		return
	}
	if len(nv.Warnings) > 0 {
		p.versionPage(c, http.StatusCreated, iv, &deployForm{}, nv)
		return
	}
	c.Redirect(http.StatusSeeOther, versionHref(iv.Key, iv.Version))
}

// readError words a failure to read the upload; over the body limit is a 413.
func readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return survey.Errorf(survey.ETooLarge, "the upload is over the limit of %d bytes", mbe.Limit)
	}
	return survey.Errorf(survey.EMalformed, "the upload could not be read: send the form again")
}

// uploadFailed shows the form again with err's problems and the text, at
// the status the server's table gives err (422 for an invalid instrument).
func (p *Pages) uploadFailed(c *gin.Context, nv *instrumentNewView, err error) {
	se, status := server.Classify(c, err)
	nv.Message = se.Message
	nv.Problems = problemsOf(se.Details)
	if len(nv.Problems) == 0 {
		nv.Problems = []problem{{Message: se.Message}}
	}
	placeProblems(nv)
	p.instrumentNewPage(c, status, nv)
}

// placeProblems gives the problems of the editor's text their line and
// column in it. In Dyad's own syntax a problem's path is the element's;
// in YAML converted from another format the path is the place in that
// file, and the message starts with the element's path. Only a problem
// with a path is placed, and the parser gives one only to text that has
// passed its bounds on size and nesting (a text over them gets a single
// problem without a path), so the text parsed again here is bounded too.
func placeProblems(nv *instrumentNewView) {
	if !nv.native && !nv.Converted {
		return
	}
	var l *instrument.Locator
	for i, pr := range nv.Problems {
		if pr.Line != 0 {
			continue
		}
		path := pr.Path
		if nv.Converted {
			path, _, _ = strings.Cut(pr.Message, ": ")
		}
		if path == "" || strings.ContainsAny(path, " \"") {
			continue
		}
		if l == nil {
			if l = instrument.NewLocator([]byte(nv.Source)); l == nil {
				return
			}
		}
		nv.Problems[i].Line, nv.Problems[i].Column, _ = l.Find(path)
		nv.Problems[i].Item = l.ItemID(path)
	}
}

func versionHref(key string, v int) string {
	return "/admin/instruments/" + url.PathEscape(key) + "/versions/" + strconv.Itoa(v)
}

// versionView is one instrument version's summary and its actions.
type versionView struct {
	Key, Title, Description string
	Version                 int
	Status                  status
	Draft, Published        bool
	Created, PublishedAt    string
	Sections                []sectionRow
	Items                   int
	Scales                  []scaleRow
	Subscales               []subscaleRow
	Href                    string
	// Import is set right after an upload whose import had warnings.
	Import *instrumentNewView
	Deploy *deployForm
	// Retired: no new surveys; CanChange: the actor may edit, publish,
	// retire and deploy (the policy's rule for the editor).
	Retired, CanChange bool
	// Prev is the version before this one, for the link to the changes
	// since it; 0 when there is none.
	Prev     int
	DiffHref string
}

type sectionRow struct {
	ID, Title string
	Items     int
}

type scaleRow struct {
	ID     string
	Labels string
}

type subscaleRow struct {
	ID, Title string
	Items     int
	Scoring   string
}

// deployForm is the "Deploy as a survey" form, with its values and
// problems after a try.
type deployForm struct {
	Title, Access, ClosesAt string
	// Test: start the survey in test mode.
	Test     bool
	Problems []problem
	// Errors maps a field to its message, for the inline errors.
	Errors map[string]string
}

// instrumentVersion: GET /admin/instruments/{key}/versions/{version}.
func (p *Pages) instrumentVersion(c *gin.Context) {
	iv, ok := p.loadVersion(c)
	if !ok {
		return
	}
	p.versionPage(c, http.StatusOK, iv, &deployForm{}, nil)
}

// loadVersion reads the version of the path, answering the error page
// when there is none.
func (p *Pages) loadVersion(c *gin.Context) (*survey.InstrumentVersion, bool) {
	key := c.Param("key")
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 {
		p.fail(c, survey.Errorf(survey.ENotFound, "instrument %s version %q not found", key, c.Param("version")))
		return nil, false
	}
	iv, err := p.svc.Instrument(c.Request.Context(), key, v)
	if err != nil {
		p.fail(c, err)
		return nil, false
	}
	return iv, true
}

func (p *Pages) versionPage(c *gin.Context, status int, iv *survey.InstrumentVersion, df *deployForm, imported *instrumentNewView) {
	in := &iv.Instrument
	vv := &versionView{Key: iv.Key, Title: in.Title, Description: in.Description, Version: iv.Version,
		Status: instrumentStatus(iv.Status), Draft: iv.Status == survey.StatusDraft, Published: iv.Status == survey.StatusPublished,
		Created: iv.CreatedAt.UTC().Format("2 January 2006"), Href: versionHref(iv.Key, iv.Version),
		Import: imported, Deploy: df}
	if iv.PublishedAt != nil {
		vv.PublishedAt = iv.PublishedAt.UTC().Format("2 January 2006")
	}
	vv.Retired = iv.Status == survey.StatusRetired
	vv.CanChange = may(c, "/admin/instruments/:key/versions/:version/edit")
	if list, err := p.svc.Instruments(c.Request.Context()); err == nil {
		for _, s := range list {
			if s.Key == iv.Key && s.Version < iv.Version && s.Version > vv.Prev {
				vv.Prev = s.Version
			}
		}
	}
	if vv.Prev > 0 {
		vv.DiffHref = diffHref(iv.Key, vv.Prev, iv.Version)
	}
	perSubscale := map[string]int{}
	for _, s := range in.Sections {
		vv.Sections = append(vv.Sections, sectionRow{s.ID, s.Title, len(s.Items)})
		vv.Items += len(s.Items)
		for _, it := range s.Items {
			if it.Subscale != "" {
				perSubscale[it.Subscale]++
			}
		}
	}
	for _, sc := range in.Scales {
		labels := make([]string, len(sc.Options))
		for i, o := range sc.Options {
			labels[i] = strconv.FormatInt(o.Value, 10) + " " + o.Label
		}
		vv.Scales = append(vv.Scales, scaleRow{sc.ID, strings.Join(labels, " · ")})
	}
	for _, sub := range in.Subscales {
		vv.Subscales = append(vv.Subscales, subscaleRow{sub.ID, sub.Title, perSubscale[sub.ID], sub.Scoring})
	}
	if df.Access == "" {
		df.Access = survey.AccessOpen
	}
	title := tr("admin.crumbs.version", "Name", in.Title, "Version", iv.Version)
	if len(df.Problems) > 0 {
		title = tr("admin.crumbs.error_title", "Title", title)
	}
	v := p.newView(c, title)
	v.page, v.status, v.Version = "instrument_version", status, vv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.instruments")}, {"", title}}
	p.render(c, v)
}

// publishVersion: POST /admin/instruments/{key}/versions/{version}/publish.
func (p *Pages) publishVersion(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	iv, ok := p.loadVersion(c)
	if !ok {
		return
	}
	if _, err := p.svc.Publish(c.Request.Context(), iv.Key, iv.Version); err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, versionHref(iv.Key, iv.Version))
}

// deployVersion: POST /admin/instruments/{key}/versions/{version}/surveys.
// A closing date without a time means the end of that day in the
// survey's time zone (UTC at deployment; survey.Moment), as in the API.
func (p *Pages) deployVersion(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	iv, ok := p.loadVersion(c)
	if !ok {
		return
	}
	df := &deployForm{Title: strings.TrimSpace(c.PostForm("title")), Access: c.PostForm("access"), ClosesAt: strings.TrimSpace(c.PostForm("closes_at")),
		Test: c.PostForm("mode") == survey.ModeTest}
	var probs survey.Problems
	n := survey.NewSurvey{InstrumentKey: iv.Key, InstrumentVersion: iv.Version, Title: df.Title, Access: df.Access}
	if df.Test {
		n.Mode = survey.ModeTest
	}
	if m := readMoment(&probs, "closes_at", df.ClosesAt, time.UTC); m != nil {
		n.ClosesAt, n.ClosesOn = m.At, m.On
		if closes := m.Resolve(time.UTC, true); closes != nil && !closes.After(p.svc.Now()) {
			probs.Add("closes_at", "%s", tr("admin.instrument_version.closes_past"))
		}
	}
	err := probs.Err(survey.EInvalid, tr("admin.instrument_version.survey_invalid"))
	var sv *survey.Survey
	if err == nil {
		sv, err = p.svc.CreateSurvey(c.Request.Context(), n)
	}
	if err != nil {
		se, status := server.Classify(c, err)
		df.Problems = problemsOf(se.Details)
		if len(df.Problems) == 0 {
			df.Problems = []problem{{Message: se.Message}}
		}
		// Said with the form's own words: "Name is required".
		df.Errors = map[string]string{}
		for i, pr := range df.Problems {
			if f, ok := deployFields[pr.Path]; ok {
				df.Problems[i] = problem{Message: f[0] + " " + pr.Message, Anchor: f[1]}
				df.Errors[pr.Path] = df.Problems[i].Message
			}
		}
		p.versionPage(c, status, iv, df, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/surveys/"+url.PathEscape(sv.ID))
}

// deployFields are the deploy form's label and input id of each field a
// problem can name.
var deployFields = map[string][2]string{"title": {tr("admin.instrument_version.field_name"), "title"},
	"access": {tr("admin.instrument_version.field_access"), "access-open"}, "closes_at": {tr("admin.instrument_version.field_closes"), "closes_at"}}
