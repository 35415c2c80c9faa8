package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

type instrumentRef struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
	Status  string `json:"status"`
	// Warnings, on upload, name what an imported file (a REDCap
	// dictionary, a FHIR Questionnaire, ...) had that Dyad could not map.
	Warnings []survey.Detail `json:"warnings,omitempty"`
}

type instrumentListItem struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	Surveys int    `json:"surveys"`
}

type instrumentDoc struct {
	Key         string             `json:"key"`
	Version     int                `json:"version"`
	Status      string             `json:"status"`
	CreatedAt   time.Time          `json:"created_at"`
	PublishedAt *time.Time         `json:"published_at"`
	RetiredAt   *time.Time         `json:"retired_at"`
	Definition  *survey.Instrument `json:"definition"`
}

func toInstrumentDoc(iv *survey.InstrumentVersion) instrumentDoc {
	return instrumentDoc{Key: iv.Key, Version: iv.Version, Status: iv.Status, CreatedAt: iv.CreatedAt,
		PublishedAt: iv.PublishedAt, RetiredAt: iv.RetiredAt, Definition: &iv.Instrument}
}

// readInstrument parses an instrument body with the same decoders as
// `dyad validate`, so both report the same problems: Dyad's JSON or YAML,
// or a file of another format (the table of instrument decoders tells it
// by content, else by Content-Type).
// foreign tells whether the file was of another format, whose key and
// version Dyad made up.
func readInstrument(c *gin.Context) (res *interop.Result, foreign bool, err error) {
	body, err := readBody(c)
	if err != nil {
		return nil, false, err
	}
	dec := instrument.Detect(mediaType(c), "", body)
	if dec == nil {
		return nil, false, survey.Errorf(survey.EUnsupported,
			"Content-Type must be application/json or application/yaml (also application/x-yaml, text/yaml), or the body a file of a format Dyad imports (%s), got %q",
			instrument.ForeignNames(), c.GetHeader("Content-Type"))
	}
	res, err = dec.Import(body)
	return res, dec.Sniff != nil, err
}

// versionParams reads :key and :version.
func versionParams(c *gin.Context) (string, int, error) {
	key := c.Param("key")
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 {
		return "", 0, survey.Errorf(survey.ENotFound, "instrument %s version %q not found: versions are positive integers", key, c.Param("version"))
	}
	return key, v, nil
}

func (a *api) createInstrument(c *gin.Context) {
	res, _, err := readInstrument(c)
	if err != nil {
		writeError(c, err)
		return
	}
	// A new key joins the request's study (?study=N, else the actor's
	// home study: internal/server/study.go).
	act, _ := server.ActorFrom(c.Request.Context())
	iv, err := a.svc.CreateInstrumentIn(c.Request.Context(), act.StudyID, res.Instrument)
	if err != nil {
		writeError(c, err)
		return
	}
	server.AuditNote(c, "study", strconv.FormatInt(act.StudyID, 10))
	auditInstrument(c, nil, iv)
	c.Header("Location", "/api/v1/instruments/"+iv.Key+"/versions/"+strconv.Itoa(iv.Version))
	c.JSON(http.StatusCreated, instrumentRef{iv.Key, iv.Version, iv.Status, res.Warnings})
}

func (a *api) listInstruments(c *gin.Context) {
	list, err := a.svc.Instruments(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	studies, err := a.svc.InstrumentStudies(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]instrumentListItem, 0, len(list))
	for _, s := range list {
		if server.InList(c.Request.Context(), survey.StudyOf(studies, s.Key)) {
			items = append(items, instrumentListItem{s.Key, s.Version, s.Title, s.Status, s.Surveys})
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (a *api) getInstrument(c *gin.Context) {
	key, v, err := versionParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	iv, err := a.svc.Instrument(c.Request.Context(), key, v)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toInstrumentDoc(iv))
}

func (a *api) updateInstrument(c *gin.Context) {
	key, v, err := versionParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	res, foreign, err := readInstrument(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if foreign {
		// A REDCap dictionary or a Questionnaire has no Dyad key; the
		// draft it replaces gives it.
		res.Instrument.Key, res.Instrument.Version = key, v
	}
	before, _ := a.svc.Instrument(c.Request.Context(), key, v) // for the audit trail's summary only
	iv, err := a.svc.UpdateDraft(c.Request.Context(), key, v, res.Instrument)
	if err != nil {
		writeError(c, err)
		return
	}
	auditInstrument(c, before, iv)
	c.JSON(http.StatusOK, toInstrumentDoc(iv))
}

func (a *api) deleteInstrument(c *gin.Context) {
	key, v, err := versionParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	before, _ := a.svc.Instrument(c.Request.Context(), key, v)
	if err := a.svc.DeleteInstrument(c.Request.Context(), key, v); err != nil {
		writeError(c, err)
		return
	}
	auditInstrument(c, before, nil)
	c.Status(http.StatusNoContent)
}

func (a *api) publishInstrument(c *gin.Context) {
	a.transition(c, a.svc.Publish)
}

func (a *api) retireInstrument(c *gin.Context) {
	a.transition(c, a.svc.Retire)
}

func (a *api) transition(c *gin.Context, do func(context.Context, string, int) (*survey.InstrumentVersion, error)) {
	key, v, err := versionParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	before, _ := a.svc.Instrument(c.Request.Context(), key, v)
	iv, err := do(c.Request.Context(), key, v)
	if err != nil {
		writeError(c, err)
		return
	}
	auditInstrument(c, before, iv)
	c.JSON(http.StatusOK, instrumentRef{Key: iv.Key, Version: iv.Version, Status: iv.Status})
}

// exportInstrument writes a version in another format, as `dyad convert
// --to` does: ?format=yaml, json, redcap (a REDCap data dictionary) or
// fhir (a FHIR R4 Questionnaire); see docs/interop.md.
func (a *api) exportInstrument(c *gin.Context) {
	key, v, err := versionParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	format := c.Query("format")
	enc := instrument.EncoderFor(format)
	if enc == nil {
		var names []string
		for _, e := range instrument.Encoders {
			names = append(names, e.Name)
		}
		writeError(c, &survey.Error{Code: survey.EInvalid, Message: "unknown export format",
			Details: []survey.Detail{{Path: "format", Message: fmt.Sprintf("must be one of %s, got %q", strings.Join(names, ", "), format)}}})
		return
	}
	iv, err := a.svc.Instrument(c.Request.Context(), key, v)
	if err != nil {
		writeError(c, err)
		return
	}
	data, err := enc.Encode(&iv.Instrument)
	if err != nil {
		writeError(c, err)
		return
	}
	name := fmt.Sprintf("%s-v%d-%s%s", iv.Key, iv.Version, enc.Name, enc.Extension)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	ct := enc.MediaType
	if strings.HasPrefix(ct, "text/") {
		ct += "; charset=utf-8"
	}
	c.Data(http.StatusOK, ct, data)
}

// auditInstrument notes a before/after summary of an instrument version
// for the audit trail (server.AuditNote): its status, title and number
// of items on each side; nil is "none" (created, deleted).
func auditInstrument(c *gin.Context, before, after *survey.InstrumentVersion) {
	side := func(prefix string, iv *survey.InstrumentVersion) {
		if iv == nil {
			server.AuditNote(c, prefix+"status", "none")
			return
		}
		n := 0
		for _, sec := range iv.Sections {
			n += len(sec.Items)
		}
		server.AuditNote(c, prefix+"status", iv.Status)
		server.AuditNote(c, prefix+"title", iv.Title)
		server.AuditNote(c, prefix+"items", strconv.Itoa(n))
	}
	side("before_", before)
	side("after_", after)
}
