package instrument

// Translation files and the translator's table.
//
// A translation may be written inline (the instrument's translations
// field) or in a file of its own next to the instrument, named for it and
// the language: ai-therapeutic-relationship.de.yaml beside
// ai-therapeutic-relationship.yaml. A file per language suits how
// instruments are translated for a study: each language has its own
// translators and reviewers, its own history, and its own sign-off by an
// ethics board, while the source instrument stays as it was approved.
// The file holds the texts by the same ids as the inline form:
//
//	key: ai-therapeutic-relationship   # optional; checked when given
//	version: 1                          # optional; checked when given
//	language: de                        # optional; checked when given
//	texts:
//	  title: ...
//	  items.q1.text: ...
//
// The translator's table is CSV with a header of three columns, id,
// source and target (Table, ReadTable). CSV rather than XLIFF: forward and
// back translation of clinical instruments is done and reconciled in
// spreadsheets, side by side, by translators who are clinicians more
// often than users of translation tools; every spreadsheet and every
// translation tool (memoQ, Trados, Phrase) reads CSV, and a table diffs
// line by line in review. What XLIFF adds (segmentation, inline markup,
// translation memory states) an instrument's plain texts do not need.
// The source column makes a filled table checkable: a row whose source
// is no longer the instrument's text was translated from another wording
// (stale), and is refused with the rows that are missing or extra.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TranslationFile is one language's texts in a file of their own.
type TranslationFile struct {
	Key      string
	Version  int
	Language string
	Texts    survey.Translation
}

// ParseTranslationFile reads a translation file (YAML or JSON, as an
// instrument). It checks the file's shape; whether its texts fit an
// instrument is WithTranslation's to say. Errors are *survey.Error as
// Parse's.
func ParseTranslationFile(data []byte, f Format) (*TranslationFile, error) {
	if len(data) > survey.MaxDocumentBytes {
		return nil, &survey.Error{Code: survey.ETooLarge, Message: "the translation is too large",
			Details: []survey.Detail{{Path: "", Message: fmt.Sprintf("the document is %d bytes; at most %d are allowed", len(data), survey.MaxDocumentBytes)}}}
	}
	if err := checkBounds(data, f); err != nil {
		return nil, &survey.Error{Code: survey.EMalformed, Message: "the translation is not well-formed " + f.String(),
			Details: []survey.Detail{{Path: "", Message: err.Error()}}}
	}
	tree, err := decodeTree(data, f)
	if err != nil {
		return nil, &survey.Error{Code: survey.EMalformed, Message: "the translation is not well-formed " + f.String(),
			Details: []survey.Detail{{Path: "", Message: err.Error()}}}
	}
	d := &decoder{}
	tf := &TranslationFile{}
	if m := d.object("", tree, "key", "version", "language", "texts"); m != nil {
		tf.Key = d.str(m, "", "key")
		tf.Version = d.intField(m, "", "version")
		tf.Language = d.str(m, "", "language")
		if tf.Language != "" && !survey.IsLanguageTag(tf.Language) {
			d.fail("language", "must be a BCP 47 language tag such as en or en-GB, got %q", tf.Language)
		}
		if v, ok := m["texts"]; ok && v != nil {
			tf.Texts = d.translation("texts", v)
		} else {
			d.fail("texts", "is required")
		}
	}
	if err := d.p.Err(survey.EInvalid, "the translation is not valid"); err != nil {
		return nil, err
	}
	return tf, nil
}

// TranslationName tells a translation file's name apart: stem.lang.ext,
// where ext is .yaml, .yml or .json and lang a language tag. ok is false
// for any other name. Whether stem names an instrument is the caller's
// to check.
func TranslationName(name string) (stem, lang string, ok bool) {
	ext := strings.ToLower(path.Ext(name))
	if ext != ".yaml" && ext != ".yml" && ext != ".json" {
		return "", "", false
	}
	base := strings.TrimSuffix(name, path.Ext(name))
	i := strings.LastIndexByte(base, '.')
	if i <= 0 || !survey.IsLanguageTag(base[i+1:]) {
		return "", "", false
	}
	return base[:i], base[i+1:], true
}

// isTranslationOf tells whether name is a translation file of the
// instrument file instrumentName, both in one folder.
func isTranslationOf(name, instrumentName string) (string, bool) {
	stem, lang, ok := TranslationName(name)
	return lang, ok && stem == strings.TrimSuffix(instrumentName, path.Ext(instrumentName))
}

// AddTranslationFiles adds to in the translations in the files next to
// its file, name, in fsys (name's folder): those named
// stem.lang.{yaml,yml,json}. It returns the instrument with them, the
// names of the files read, and an error naming the file at fault; in
// itself when there are none.
func AddTranslationFiles(fsys fs.FS, name string, in *survey.Instrument) (*survey.Instrument, []string, error) {
	dir := path.Dir(name)
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, nil, err
	}
	var read []string
	for _, e := range entries {
		lang, ok := isTranslationOf(e.Name(), path.Base(name))
		if e.IsDir() || !ok {
			continue
		}
		file := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, nil, err
		}
		tf, err := ParseTranslationFile(data, FormatOf(file))
		if err == nil {
			err = tf.For(in, lang)
		}
		if err == nil {
			in, err = in.WithTranslation(lang, tf.Texts)
			inFile(err, lang)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		read = append(read, e.Name())
	}
	return in, read, nil
}

// inFile turns the paths of WithTranslation's problems
// (translations.de.items.q1.text) into those of the file (texts.items.q1.text).
func inFile(err error, lang string) {
	var se *survey.Error
	if !errors.As(err, &se) {
		return
	}
	for i, d := range se.Details {
		if rest, ok := strings.CutPrefix(d.Path, "translations."+lang+"."); ok {
			se.Details[i].Path = "texts." + rest
		}
	}
}

// For tells whether the file is for in and lang (as its name, or the
// API's path, says): each of its key, version and language that is given
// must be those.
func (tf *TranslationFile) For(in *survey.Instrument, lang string) error {
	var p survey.Problems
	if tf.Language != "" && tf.Language != lang {
		p.Add("language", "is %q, but the file's name says %q", tf.Language, lang)
	}
	if tf.Key != "" && tf.Key != in.Key {
		p.Add("key", "is %q, but the instrument is %q", tf.Key, in.Key)
	}
	if tf.Version != 0 && tf.Version != in.Version {
		p.Add("version", "is %d, but the instrument is version %d", tf.Version, in.Version)
	}
	return p.Err(survey.EInvalid, "the translation is not for this instrument")
}

// Table header: the columns of the translator's table.
var tableHeader = []string{"id", "source", "target"}

// WriteTable writes the translator's table of in into lang: a row per
// text of the default language (survey.Instrument.SourceTexts), with the
// lang translation as target where in has one, else an empty target.
func WriteTable(w io.Writer, in *survey.Instrument, lang string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(tableHeader); err != nil {
		return err
	}
	tr := in.Translations[lang]
	for _, s := range in.SourceTexts() {
		if err := cw.Write([]string{s.ID, s.Text, tr[s.ID]}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// TableReport is what ReadTable found in a filled table.
type TableReport struct {
	// Translated counts the rows taken.
	Translated int `json:"translated"`
	// Missing are texts of the instrument without a row or with an empty
	// target; Extra rows whose id is not a text of the instrument; Stale
	// rows whose source is not the instrument's text (translated from
	// another wording). Each by text id.
	Missing []string `json:"missing"`
	Extra   []string `json:"extra"`
	Stale   []string `json:"stale"`
}

// ReadTable reads a filled translator's table of in (a CSV of WriteTable's
// columns, in any order, separated by commas, semicolons or tabs, a
// UTF-8 byte-order mark allowed) into a
// translation, with the report. err is a *survey.Error: EMalformed when
// the CSV cannot be read or lacks a column, EInvalid when the report
// has a missing, extra or stale row (each a detail: the text id as the
// path for a missing text, rows[n] for a row, the header being rows[0]
// so that rows[n] is line n+1 of the file), with nothing taken.
func ReadTable(r io.Reader, in *survey.Instrument) (survey.Translation, *TableReport, error) {
	data, err := io.ReadAll(io.LimitReader(r, survey.MaxDocumentBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > survey.MaxDocumentBytes {
		return nil, nil, &survey.Error{Code: survey.ETooLarge, Message: "the table is too large",
			Details: []survey.Detail{{Path: "", Message: fmt.Sprintf("at most %d bytes are allowed", survey.MaxDocumentBytes)}}}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.Comma = delimiter(data)
	malformed := func(path, format string, args ...any) error {
		return &survey.Error{Code: survey.EMalformed, Message: "the table is not a translation table (CSV with the columns id, source and target)",
			Details: []survey.Detail{{Path: path, Message: fmt.Sprintf(format, args...)}}}
	}
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, malformed("", "the table is empty")
	}
	if err != nil {
		return nil, nil, malformed("", "%v", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range tableHeader {
		if _, ok := col[c]; !ok {
			return nil, nil, malformed("rows[0]", "the header has no %s column (it has: %s)", c, strings.Join(head, ", "))
		}
	}
	source := map[string]string{}
	for _, s := range in.SourceTexts() {
		source[s.ID] = s.Text
	}
	tr := survey.Translation{}
	rep := &TableReport{Missing: []string{}, Extra: []string{}, Stale: []string{}}
	var p survey.Problems
	cell := func(rec []string, c string) string {
		if i := col[c]; i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, malformed(fmt.Sprintf("rows[%d]", n), "%v", err)
		}
		id := strings.TrimSpace(cell(rec, "id"))
		if id == "" && strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // a blank line a spreadsheet left
		}
		src, ok := source[id]
		switch {
		case !ok:
			rep.Extra = append(rep.Extra, id)
			p.Add(fmt.Sprintf("rows[%d].id", n), "%q is not a text of the instrument: remove the row", id)
		case normalizeSpace(cell(rec, "source")) != normalizeSpace(src):
			rep.Stale = append(rep.Stale, id)
			p.Add(fmt.Sprintf("rows[%d].source", n), "is not the instrument's text of %s, which is now %q: translate the current text", id, src)
		case strings.TrimSpace(cell(rec, "target")) != "":
			if _, dup := tr[id]; dup {
				rep.Extra = append(rep.Extra, id)
				p.Add(fmt.Sprintf("rows[%d].id", n), "%s has a row already", id)
				continue
			}
			tr[id] = cell(rec, "target")
		}
	}
	for _, s := range in.SourceTexts() {
		if _, ok := tr[s.ID]; !ok && !contains(rep.Stale, s.ID) {
			rep.Missing = append(rep.Missing, s.ID)
			p.Add(s.ID, "has no translation: fill the target of its row (%q)", s.Text)
		}
	}
	sort.Strings(rep.Missing)
	rep.Translated = len(tr)
	if err := p.Err(survey.EInvalid, "the table is not complete: nothing was taken"); err != nil {
		return nil, rep, err
	}
	return tr, rep, nil
}

// delimiter tells the table's separator from its header line: a comma,
// or the semicolon a spreadsheet in a German or French locale writes, or
// a tab (a table pasted from a spreadsheet). The header's names hold
// none of them, so the first that occurs there is the separator.
func delimiter(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	if i := bytes.IndexAny(line, ",;\t"); i >= 0 {
		return rune(line[i])
	}
	return ','
}

// normalizeSpace compares sources as a spreadsheet may give them back:
// line ends as \n, no space at either end.
func normalizeSpace(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// WriteTranslationFile writes in's lang translation as a translation file
// (YAML, the texts in document order), for saving next to the instrument.
func WriteTranslationFile(w io.Writer, in *survey.Instrument, lang string) error {
	tr := in.Translations[lang]
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s translation of %s version %d.\n", lang, in.Key, in.Version)
	fmt.Fprintf(&b, "key: %s\nversion: %d\nlanguage: %s\ntexts:\n", in.Key, in.Version, lang)
	for _, s := range in.SourceTexts() {
		t, ok := tr[s.ID]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "  %s: %s\n", s.ID, quoteYAML(t))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// quoteYAML writes s as a YAML double-quoted scalar: JSON's string syntax
// is a subset of it, without HTML escaping.
func quoteYAML(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
