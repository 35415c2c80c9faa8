// Package i18n is the message catalog of the respondent interface: every
// string the respondent pages show (buttons, headings, error pages,
// validation messages, "About 5 minutes", "3 sections") in each shipped
// language, with CLDR plural rules (English one/other, Arabic's six
// forms), and numbers and dates written the way each language writes them.
//
// The messages are JSON files embedded from locales/, one per language,
// read by github.com/nicksnyder/go-i18n (plural forms chosen by the CLDR
// rules of golang.org/x/text). A *Lang is built once per language when
// the package loads; its methods are safe for concurrent use. A message
// missing from a language falls back to English; the package's tests fail
// if any language lacks a message, or a plural form its rules need.
//
// Choosing the language of a request (a link's ?lang=, the respondent's
// cookie, the browser's Accept-Language matched against the languages the
// survey offers) is the caller's; Match does the matching.
//
// The translations were written for the project, not by native speakers:
// they must be reviewed by native speakers before a study relies on them
// (docs/web.md).
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed locales/*.json
var localesFS embed.FS

// Default is the language of the catalog's source messages, and the
// fallback for a message a language lacks.
const Default = "en"

// Lang is one language of the interface.
type Lang struct {
	// Code is the BCP 47 tag as written in <html lang>, cookies and
	// exports: "en", "de", "fr", "es", "ar".
	Code string
	// Dir is the writing direction for <html dir>: "ltr" or "rtl".
	Dir string
	// Name is the language's name in itself, for the language switcher.
	Name string

	tag language.Tag
	loc *goi18n.Localizer
	num *message.Printer
}

// names are the languages' names in themselves; the order is the
// switcher's.
var names = []struct{ code, name string }{
	{"en", "English"}, {"de", "Deutsch"}, {"fr", "Français"}, {"es", "Español"}, {"ar", "العربية"},
}

var (
	bundle = goi18n.NewBundle(language.English)
	langs  = map[string]*Lang{}
	all    []*Lang
	// sources are the message files as read, for the tests.
	sources = map[string]map[string]any{}
)

func init() {
	for _, n := range names {
		path := "locales/" + n.code + ".json"
		buf, err := localesFS.ReadFile(path)
		if err != nil {
			panic(err)
		}
		bundle.MustParseMessageFileBytes(buf, n.code+".json")
		var raw map[string]any
		if err := json.Unmarshal(buf, &raw); err != nil {
			panic(err)
		}
		sources[n.code] = raw
		tag := language.MustParse(n.code)
		// Numbers keep Western digits in Arabic too (the -u-nu-latn
		// extension): the number fields read them, and a page that wrote
		// "٦٠" in its hint but refused "٦٠" typed back would confuse.
		numTag := tag
		if n.code == "ar" {
			numTag = language.MustParse("ar-u-nu-latn")
		}
		dir := "ltr"
		if n.code == "ar" {
			dir = "rtl"
		}
		l := &Lang{Code: n.code, Dir: dir, Name: n.name, tag: tag,
			loc: goi18n.NewLocalizer(bundle, n.code, Default), num: message.NewPrinter(numTag)}
		langs[n.code] = l
		all = append(all, l)
	}
}

// All returns the shipped languages, English first, in the switcher's
// order.
func All() []*Lang { return all }

// Get returns the language with the code, or nil if none is shipped.
func Get(code string) *Lang { return langs[code] }

// Or returns the language with the code, or English.
func Or(code string) *Lang {
	if l := langs[code]; l != nil {
		return l
	}
	return langs[Default]
}

// Tag is the language's tag.
func (l *Lang) Tag() language.Tag { return l.tag }

// T returns message id with the named arguments, given as pairs (name,
// value): T("section.progress", "N", 2, "Total", 5). Integers are written
// as the language writes numbers.
func (l *Lang) T(id string, args ...any) string {
	return l.localize(id, nil, args)
}

// N returns the plural message id for count n (as .Count, written as the
// language writes numbers), with further named arguments as T takes them.
func (l *Lang) N(id string, n int, args ...any) string {
	return l.localize(id, n, args)
}

func (l *Lang) localize(id string, count any, args []any) string {
	data := make(map[string]any, len(args)/2+1)
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		data[name] = l.arg(args[i+1])
	}
	if count != nil {
		data["Count"] = l.Num(count.(int))
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		// A missing message is a bug the tests catch; the page still
		// says something rather than nothing.
		return id
	}
	return s
}

// arg writes integer arguments as numbers of the language; the rest as
// they are.
func (l *Lang) arg(v any) any {
	switch x := v.(type) {
	case int:
		return l.Num(x)
	case int64:
		if x >= 0 && x < 1000 {
			return strconv.FormatInt(x, 10)
		}
		return l.num.Sprintf("%d", x)
	}
	return v
}

// Num writes n as the language writes numbers: 2,000, 2.000, 2 000.
func (l *Lang) Num(n int) string {
	if n >= 0 && n < 1000 {
		// No grouping below a thousand, no sign (Arabic marks a minus
		// with U+200E), and every shipped language
		// writes Western digits (Arabic too, see init): the printer's
		// work, a visible cost on every page, is not needed.
		return strconv.Itoa(n)
	}
	return l.num.Sprintf("%d", n)
}

// Date writes t (in its own location) as a long date with weekday and
// time: "Monday 2 January 2006 at 15:04", "Montag, 2. Januar 2006, 15:04".
func (l *Lang) Date(t time.Time) string {
	return l.T("date.long",
		"Weekday", l.T("date.weekday."+strconv.Itoa(int(t.Weekday()))),
		"Day", strconv.Itoa(t.Day()),
		"Month", l.T("date.month."+strconv.Itoa(int(t.Month()))),
		"Year", strconv.Itoa(t.Year()),
		"Time", t.Format("15:04"))
}

// PluralForms returns the forms of plural message id in this language, by
// CLDR category ("one", "few", "other", ...), with "#" where the number
// goes: what the page's script needs to word a count itself
// (Intl.PluralRules picks the category in the browser).
func (l *Lang) PluralForms(id string) map[string]string {
	forms, _ := sources[l.Code][id].(map[string]any)
	if forms == nil {
		forms, _ = sources[Default][id].(map[string]any)
	}
	out := make(map[string]string, len(forms))
	for k, v := range forms {
		s, _ := v.(string)
		out[k] = strings.ReplaceAll(s, "{{.Count}}", "#")
	}
	return out
}

// PluralJSON is PluralForms as a JSON object, for a data- attribute.
func (l *Lang) PluralJSON(id string) string {
	b, _ := json.Marshal(l.PluralForms(id))
	return string(b)
}

// NumberLocale is the locale the page's script formats numbers with, so
// that they match the server's (Western digits in Arabic, see Num).
func (l *Lang) NumberLocale() string {
	if l.Code == "ar" {
		return "ar-u-nu-latn"
	}
	return l.Code
}

// maxAcceptLanguage is the longest Accept-Language header Match reads.
const maxAcceptLanguage = 512

// Match returns the code of the language among offered (codes) that best
// fits an Accept-Language header, by golang.org/x/text/language's
// Matcher; def when the header is empty or matches none of them well
// enough (a confidence below High would give e.g. a Spanish speaker the
// first offered language only because it is first).
func Match(acceptLanguage string, offered []string, def string) string {
	// Real headers are a few dozen bytes; a longer one is not worth
	// parsing (any request may send one: the parse must stay cheap).
	if acceptLanguage == "" || len(offered) == 0 || len(acceptLanguage) > maxAcceptLanguage {
		return def
	}
	desired, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(desired) == 0 {
		return def
	}
	_, i, conf := matcher(offered).Match(desired...)
	if conf < language.High {
		return def
	}
	return offered[i]
}

// matchers are the Matchers of the sets of languages offered, made once
// each: a survey offers the same few languages on every request.
var matchers sync.Map // "en,de" -> language.Matcher

func matcher(offered []string) language.Matcher {
	key := strings.Join(offered, ",")
	if m, ok := matchers.Load(key); ok {
		return m.(language.Matcher)
	}
	tags := make([]language.Tag, len(offered))
	for i, c := range offered {
		tags[i] = language.Make(c)
	}
	m, _ := matchers.LoadOrStore(key, language.NewMatcher(tags))
	return m.(language.Matcher)
}

// messageIDs returns the ids of the source catalog, sorted.
func messageIDs() []string {
	ids := make([]string, 0, len(sources[Default]))
	for id := range sources[Default] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Literals returns the fixed text of every message of the language
// (template arguments cut out, each plural form apart), by message id:
// what a test looks for to find a language's words on another's page.
func Literals(code string) map[string][]string {
	out := map[string][]string{}
	for _, id := range messageIDs() {
		var texts []string
		switch v := sources[code][id].(type) {
		case string:
			texts = []string{v}
		case map[string]any:
			for _, f := range v {
				if s, ok := f.(string); ok {
					texts = append(texts, s)
				}
			}
		}
		for _, t := range texts {
			for _, part := range splitArgs(t) {
				if p := strings.TrimSpace(part); p != "" {
					out[id] = append(out[id], p)
				}
			}
		}
	}
	return out
}

// splitArgs cuts a message at its {{...}} actions.
func splitArgs(s string) []string {
	var parts []string
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return append(parts, s)
		}
		parts = append(parts, s[:i])
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return parts
		}
		s = s[i+j+2:]
	}
}

// String is the language's code, for %s.
func (l *Lang) String() string { return fmt.Sprint(l.Code) }
