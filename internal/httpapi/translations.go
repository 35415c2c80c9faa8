package httpapi

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// The translator's round trip over the API:
//
//	GET /api/v1/instruments/{key}/versions/{version}/translations/{lang}
//	    the translator's table as CSV (id, source, target), the targets
//	    empty or, for a language the version has, its texts;
//	PUT the same path
//	    the filled table (text/csv), or the texts as a translation file
//	    (JSON or YAML, as instrument.ParseTranslationFile reads), stored as
//	    the version's lang translation in any state of the version: only a
//	    change of the default language's texts needs a new version
//	    (survey/translation.go). A table with a missing, extra or stale
//	    row is refused whole, each row named.

type translationDoc struct {
	Key       string                  `json:"key"`
	Version   int                     `json:"version"`
	Language  string                  `json:"language"`
	Languages []string                `json:"languages"`
	Report    *instrument.TableReport `json:"report"`
}

// translationParams reads :key, :version and :lang.
func translationParams(c *gin.Context) (string, int, string, error) {
	key, v, err := versionParams(c)
	if err != nil {
		return "", 0, "", err
	}
	lang := c.Param("lang")
	if !survey.IsLanguageTag(lang) {
		return "", 0, "", invalid("lang", "must be a BCP 47 language tag such as de or pt-BR, got %q", lang)
	}
	return key, v, lang, nil
}

func (a *api) getTranslationTable(c *gin.Context) {
	key, v, lang, err := translationParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	iv, err := a.svc.Instrument(c.Request.Context(), key, v)
	if err != nil {
		writeError(c, err)
		return
	}
	if lang == iv.DefaultLanguage() {
		writeError(c, invalid("lang", "%s is the language the instrument is written in: ask for the table of another language", lang))
		return
	}
	var buf bytes.Buffer
	if err := instrument.WriteTable(&buf, &iv.Instrument, lang); err != nil {
		writeError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+key+"-v"+strconv.Itoa(v)+"."+lang+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (a *api) putTranslation(c *gin.Context) {
	key, v, lang, err := translationParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	body, err := readBody(c)
	if err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	before, err := a.svc.Instrument(ctx, key, v)
	if err != nil {
		writeError(c, err)
		return
	}
	if lang == before.DefaultLanguage() {
		writeError(c, invalid("lang", "%s is the language the instrument is written in: its texts change only with a new version", lang))
		return
	}
	var tr survey.Translation
	var rep *instrument.TableReport
	switch mt := mediaType(c); {
	case mt == "text/csv":
		tr, rep, err = instrument.ReadTable(bytes.NewReader(body), &before.Instrument)
	case isJSON(mt) || isYAMLType(mt):
		format := instrument.YAML
		if isJSON(mt) {
			format = instrument.JSON
		}
		var tf *instrument.TranslationFile
		if tf, err = instrument.ParseTranslationFile(body, format); err == nil {
			err = tf.For(&before.Instrument, lang)
			tr = tf.Texts
		}
	default:
		err = survey.Errorf(survey.EUnsupported, "Content-Type must be text/csv (the translator's table) or application/json or application/yaml (a translation file), got %q", c.GetHeader("Content-Type"))
	}
	if err != nil {
		writeError(c, err)
		return
	}
	iv, err := a.svc.SetTranslation(ctx, key, v, lang, tr)
	if err != nil {
		writeError(c, err)
		return
	}
	server.AuditNote(c, "language", lang)
	server.AuditNote(c, "status", iv.Status)
	if _, had := before.Translations[lang]; had {
		server.AuditNote(c, "replaced", "true")
	}
	if rep == nil {
		rep = &instrument.TableReport{Translated: len(tr), Missing: []string{}, Extra: []string{}, Stale: []string{}}
	}
	c.JSON(http.StatusOK, translationDoc{Key: iv.Key, Version: iv.Version, Language: lang, Languages: iv.AllLanguages(), Report: rep})
}

// isYAMLType tells the media types of YAML (the instrument decoders' own).
func isYAMLType(mt string) bool {
	d := instrument.DecoderFor(mt)
	return d != nil && d.Name == "YAML"
}
