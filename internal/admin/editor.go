package admin

// The instrument editor: a version's text in a plain textarea (no
// external assets; editor.js adds live checking and moves the cursor to a
// problem), saved over a draft (survey.Service.UpdateDraft, as the API's
// PUT), or, for a published or retired version, saved as the next version
// (the upload form's path, survey.Service.CreateInstrument). Live checks
// post the text to /admin/instruments/check, which parses it as a save
// would and stores nothing.

import (
	"net/http"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// editTarget is the version an editor page changes.
type editTarget struct {
	Key     string
	Version int
	// Draft: saving replaces the draft; else it makes version Next.
	Draft bool
	Next  int
	Href  string
}

// instrumentEdit: GET /admin/instruments/{key}/versions/{version}/edit.
// A draft opens as it is; a published or retired version opens as the
// next version number, to be saved as a new draft.
func (p *Pages) instrumentEdit(c *gin.Context) {
	iv, ok := p.loadVersion(c)
	if !ok {
		return
	}
	et := &editTarget{Key: iv.Key, Version: iv.Version, Draft: iv.Status == survey.StatusDraft, Href: versionHref(iv.Key, iv.Version)}
	in := iv.Instrument
	if !et.Draft {
		next, err := p.nextVersion(c, iv.Key)
		if err != nil {
			p.fail(c, err)
			return
		}
		et.Next, in.Version = next, next
	}
	src, err := instrument.EncoderFor("yaml").Encode(&in)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.instrumentNewPage(c, http.StatusOK, &instrumentNewView{Source: string(src), Edit: et})
}

// nextVersion is the number after the highest version of key.
func (p *Pages) nextVersion(c *gin.Context, key string) (int, error) {
	list, err := p.svc.Instruments(c.Request.Context())
	if err != nil {
		return 0, err
	}
	next := 1
	for _, s := range list {
		if s.Key == key {
			next = max(next, s.Version+1)
		}
	}
	return next, nil
}

// saveDraft: POST /admin/instruments/{key}/versions/{version}/edit.
func (p *Pages) saveDraft(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	iv, ok := p.loadVersion(c)
	if !ok {
		return
	}
	nv := &instrumentNewView{Source: c.PostForm("source"),
		Edit: &editTarget{Key: iv.Key, Version: iv.Version, Draft: true, Href: versionHref(iv.Key, iv.Version)}}
	in, err := parseSource(nv)
	if err == nil {
		_, err = p.svc.UpdateDraft(c.Request.Context(), iv.Key, iv.Version, in)
	}
	if err != nil {
		p.uploadFailed(c, nv, err)
		return
	}
	c.Redirect(http.StatusSeeOther, versionHref(iv.Key, iv.Version))
}

// parseSource reads the editor's text as a save reads it (instrument.Check:
// the upload's format detection, Dyad's YAML or JSON or a pasted file of
// another format).
func parseSource(nv *instrumentNewView) (*survey.Instrument, error) {
	if strings.TrimSpace(nv.Source) == "" {
		return nil, &survey.Error{Code: survey.EInvalid, Message: tr("admin.instrument_new.nothing"),
			Details: []survey.Detail{{Path: "source", Message: tr("admin.instrument_new.nothing_editor")}}}
	}
	res := instrument.Check("application/yaml", []byte(nv.Source))
	nv.Format, nv.native = res.Format, res.Native
	return res.Instrument, res.Err
}

// checkResult is the answer of a live check.
type checkResult struct {
	Valid    bool           `json:"valid"`
	Message  string         `json:"message,omitempty"`
	Title    string         `json:"title,omitempty"`
	Items    int            `json:"items"`
	Problems []checkProblem `json:"problems"`
}

type checkProblem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Item    string `json:"item,omitempty"`
}

// checkInstrument: POST /admin/instruments/check, the editor's live
// check: the text's problems with their places, as saving it would
// report them (instrument.Check, as POST /api/v1/instruments/check);
// nothing is stored. It answers 200 whatever the verdict (the check
// itself succeeded); a body over the limit is the server's 413.
func (p *Pages) checkInstrument(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	res := instrument.Check("application/yaml", []byte(c.PostForm("source")))
	out := checkResult{Valid: res.Err == nil, Problems: []checkProblem{}}
	if res.Err != nil {
		se, _ := server.Classify(c, res.Err)
		out.Message = se.Message
		for _, pr := range res.Problems {
			out.Problems = append(out.Problems, checkProblem{pr.Path, pr.Message, pr.Line, pr.Column, pr.Item})
		}
	} else {
		out.Title = res.Instrument.Title
		for _, s := range res.Instrument.Sections {
			out.Items += len(s.Items)
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// retireVersion: POST /admin/instruments/{key}/versions/{version}/retire.
func (p *Pages) retireVersion(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	iv, ok := p.loadVersion(c)
	if !ok {
		return
	}
	if _, err := p.svc.Retire(c.Request.Context(), iv.Key, iv.Version); err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, versionHref(iv.Key, iv.Version))
}
