package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/survey"
)

// exportConfig is what `dyad export` is told.
type exportConfig struct {
	DB, Survey, Out, Format string
	Opt                     export.Options
	Filter                  survey.ExportFilter
}

const exportUsage = `Usage: dyad export --survey ID [--db FILE] [--out FILE] [options]

Writes a survey's responses (as CSV, or SPSS .sav, Stata .dta or Excel
.xlsx files), their codebook, R/SPSS/Stata syntax, or a zip of CSV,
codebook and syntax, from the database file, without a running server. The
output is the same as the API's /api/v1/surveys/{id}/export.* routes; see
docs/export.md. Without --out it goes to standard output; with --out it
is written to a temporary file renamed into place when complete, so a
failed export leaves no partial file.

Options:
`

// exportFlagOptions maps the flags that set export options to the
// options' names in the format registry.
var exportFlagOptions = map[string]string{
	"layout": export.OptLayout, "values": export.OptValues, "line-breaks": export.OptLineBreaks,
	"bom": export.OptBOM, "excel-safe": export.OptExcelSafe,
}

func parseExport(args []string, getenv func(string) string, stderr io.Writer) (exportConfig, error) {
	cfg := exportConfig{DB: "dyad.db"}
	if v := getenv("DYAD_DB"); v != "" {
		cfg.DB = v
	}
	var status, since, until string
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, exportUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite database file, or a postgres:// URL (env DYAD_DB)")
	fs.StringVar(&cfg.Survey, "survey", "", "survey id (required)")
	fs.StringVar(&cfg.Out, "out", "", "output file (default: standard output)")
	fs.StringVar(&cfg.Format, "format", "csv", orList(export.FormatNames()))
	fs.StringVar(&cfg.Opt.Layout, "layout", export.LayoutWide, "wide (one row per response) or long (one row per answer)")
	fs.StringVar(&cfg.Opt.Values, "values", export.ValuesCodes, "codes or labels")
	fs.StringVar(&status, "status", string(survey.StatusComplete), "complete, in_progress or all")
	fs.StringVar(&since, "since", "", "only responses submitted at or after this RFC 3339 time or date (UTC)")
	fs.StringVar(&until, "until", "", "only responses submitted before this RFC 3339 time or date (UTC)")
	fs.BoolVar(&cfg.Opt.BOM, "bom", false, "start with a UTF-8 byte-order mark (for Excel)")
	fs.BoolVar(&cfg.Opt.ExcelSafe, "excel-safe", false, "prefix text cells that a spreadsheet could run as formulas (= + - @ or full-width ＝ ＋ － ＠, after any blanks; tab, CR) with ' (alters text)")
	fs.StringVar(&cfg.Opt.LineBreaks, "line-breaks", export.LineBreaksKeep, "keep, or space (for SPSS)")
	fs.StringVar(&cfg.Opt.Lang, "lang", "", "the labels' language, one of the instrument's (default: its own)")
	fs.BoolVar(&cfg.Filter.IncludeTest, "include-test", false, "include the responses made while the survey was in test mode")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if fs.NArg() > 0 {
		bad("unexpected argument %q", fs.Arg(0))
	}
	if cfg.Survey == "" {
		bad("--survey is required")
	}
	if export.FormatByName(cfg.Format) == nil {
		bad("--format must be %s, got %q", orList(export.FormatNames()), cfg.Format)
	}
	oneOf := func(flag, v string, allowed []string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		bad("--%s must be %s, got %q", flag, orList(allowed), v)
	}
	// As the API does: a format with responses refuses the options it
	// would ignore, where a silently different file would mislead.
	if ft := export.FormatByName(cfg.Format); ft != nil && ft.Responses {
		fs.Visit(func(f *flag.Flag) {
			if opt, ok := exportFlagOptions[f.Name]; ok && !ft.Takes(opt) {
				bad("--%s is not accepted by --format %s: %s", f.Name, ft.Name, ft.Fixed)
			}
		})
	}
	oneOf("layout", cfg.Opt.Layout, export.OptionValues[export.OptLayout])
	oneOf("values", cfg.Opt.Values, export.OptionValues[export.OptValues])
	oneOf("line-breaks", cfg.Opt.LineBreaks, export.OptionValues[export.OptLineBreaks])
	var sp survey.Problems
	cfg.Filter.Status = survey.ParseStatusFilter(&sp, status, survey.StatusComplete).Status()
	for _, d := range sp {
		bad("--%s %s", d.Path, d.Message)
	}
	for _, tv := range []struct {
		name, v string
		dst     **time.Time
	}{{"since", since, &cfg.Filter.Since}, {"until", until, &cfg.Filter.Until}} {
		if tv.v == "" {
			continue
		}
		t, err := export.ParseTime(tv.v)
		if err != nil {
			bad("--%s must be an RFC 3339 time such as 2026-01-14T09:30:00Z or a date such as 2026-01-14, got %q", tv.name, tv.v)
			continue
		}
		*tv.dst = &t
	}
	if s, u := cfg.Filter.Since, cfg.Filter.Until; s != nil && u != nil && !s.Before(*u) {
		bad("--until must be after --since")
	}
	if len(problems) > 0 {
		return cfg, errors.New(strings.Join(problems, "; "))
	}
	cfg.Filter.SurveyID = cfg.Survey
	cfg.Filter.RawAnswers = true // the writer reads the stored JSON itself
	return cfg, nil
}

// exportMemoryLimit is `dyad export`'s soft heap limit.
const exportMemoryLimit = 40 << 20

func cmdExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseExport(args, getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "dyad export: %v\n", err)
		return 2
	}
	// One export is all this process does, so its heap can be held
	// tight: a soft limit makes the collector reclaim the writers'
	// transient buffers (the workbook writer's 16 MiB chunk, copied when
	// it grows, above all) before the heap doubles, which keeps `dyad
	// export` of 100,000 responses in any format under 100 MB
	// (docs/performance.md: at 48 MiB a workbook peaked at 102–104 MB in
	// one run out of four; at 40 MiB, 88–90 MB in eleven, for about 10 %
	// more CPU). The limit is soft: a larger live heap only costs more
	// collections. GOMEMLIMIT, when set, wins.
	if getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(exportMemoryLimit))
	}
	n, name, err := runExport(ctx, cfg, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "dyad export: %v\n", err)
		return 1
	}
	if cfg.Out != "" {
		if n >= 0 {
			fmt.Fprintf(stderr, "dyad export: %d responses written to %s (file name suggested by the API: %s)\n", n, cfg.Out, name)
		} else {
			fmt.Fprintf(stderr, "dyad export: written to %s (file name suggested by the API: %s)\n", cfg.Out, name)
		}
	}
	return 0
}

// runExport writes the export and returns the number of responses
// written (-1 for files without responses) and the file name the API
// would give it.
func runExport(ctx context.Context, cfg exportConfig, stdout io.Writer) (int, string, error) {
	// MustExist: an export of nothing is better refused than an empty
	// database left behind.
	st, err := store.Open(ctx, cfg.DB, store.Options{MustExist: true})
	if err != nil {
		return 0, "", err
	}
	defer st.Close()
	svc := survey.NewService(st)
	sv, err := svc.Survey(ctx, cfg.Survey)
	if err != nil {
		return 0, "", err
	}
	f, err := svc.Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		return 0, "", err
	}
	if f, err = export.InLanguage(f, cfg.Opt.Lang); err != nil {
		return 0, "", err
	}
	if cfg.Opt.Lang == f.Instrument.DefaultLanguage() {
		cfg.Opt.Lang = "" // the file is the default one, named so
	}
	// The format registry gives the writer and the file-name rule, the
	// same as the API's.
	ft := export.FormatByName(cfg.Format)
	now := svc.Now()
	job := export.Job{Form: f, Options: cfg.Opt,
		Info: export.SyntaxInfo{Survey: sv, Base: export.BaseName(sv, now), Generated: now}}
	name := ft.FileName(job.Info.Base, cfg.Opt)

	count := -1
	if ft.Responses && cfg.Opt.Layout != export.LayoutLong {
		// The speeder rule's median, over the responses exported
		// (the dq_* columns; the API's exports do the same).
		q, err := survey.ScanQuality(ctx, st, f, cfg.Filter, survey.DefaultSpeederFraction)
		if err != nil {
			return 0, "", err
		}
		job.Options.Quality, job.Info.Quality = q, q
	}
	if ft.Responses {
		job.Scan = func(ctx context.Context, fn func(*survey.Response) error) error {
			count = 0
			return st.ScanResponses(ctx, cfg.Filter, func(r *survey.Response) error {
				count++
				return fn(r)
			})
		}
	}
	write := func(w io.Writer) error { return ft.Write(ctx, w, job) }
	if cfg.Out == "" || cfg.Out == "-" {
		return count, name, write(stdout)
	}
	return count, name, writeFileAtomic(cfg.Out, write)
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// writeFileAtomic writes to a temporary file beside path and renames it
// into place only when write succeeded.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
