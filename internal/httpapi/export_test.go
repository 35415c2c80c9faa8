package httpapi_test

// Tests of the export routes through the real router, over a real SQLite
// file: the CSV is parsed back with encoding/csv and compared with values
// worked out by hand from the answers below.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/xuri/excelize/v2"
	"io"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

var exportInstrument = fixtures.Instrument("export-check.yaml")

var exportHeader = []string{"response_id", "instrument_version", "status", "started_at", "submitted_at", "duration_s", "language",
	"use", "tools__1", "tools__2", "tools__3", "p1", "p2", "p3", "l1", "l2", "l3", "a1", "a2", "a3", "years", "note",
	"score_pos", "score_load", "score_all3",
	"duration_about_s", "duration_views_s", "dq_speeder", "dq_straightline", "dq_attention", "dq_any"}

// exportTexts are free-text answers that break naive CSV handling; each
// becomes one complete response.
var exportTexts = []string{
	`He said "hi", then left`,
	"commas, everywhere, ,",
	"line one\nline two\n\nline four",
	"emoji 😀👩‍⚕️ and ünïcödé",
	"right-to-left: مرحبا بالعالم שלום",
	"=SUM(A1:A3)",
	"+1 -1 @x",
	" leading and trailing spaces ",
	`back\slash and 'single' quotes; "quoted"`,
	"NA",
}

type exportFixture struct {
	*testEnv
	survey, empty string
	scanner       *countingScanner
}

// countingScanner wraps the store to see what the export routes ask of
// it: how many rows they read and how the scan ended. failAfter > 0 makes
// the scan fail after that many rows.
type countingScanner struct {
	survey.ResponseScanner
	mu        sync.Mutex
	rows      int
	err       error
	done      chan struct{}
	failAfter int
}

var errScanFailed = errors.New("disk I/O error (simulated)")

func (s *countingScanner) ScanResponses(ctx context.Context, f survey.ExportFilter, fn func(*survey.Response) error) error {
	s.mu.Lock()
	s.rows, s.err, s.done = 0, nil, make(chan struct{})
	done, failAfter := s.done, s.failAfter
	s.mu.Unlock()
	err := s.ResponseScanner.ScanResponses(ctx, f, func(r *survey.Response) error {
		s.mu.Lock()
		s.rows++
		n := s.rows
		s.mu.Unlock()
		if failAfter > 0 && n > failAfter {
			return errScanFailed
		}
		return fn(r)
	})
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
	close(done)
	return err
}

func (s *countingScanner) wait(tb testing.TB) (int, error) {
	tb.Helper()
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		tb.Fatal("the scan did not end")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows, s.err
}

func newExportFixture(tb testing.TB, engine string) *exportFixture {
	tb.Helper()
	ctx := context.Background()
	data := enginetest.Open(tb, engine)
	st := data.Store
	svc := survey.NewService(st)
	svc.Now = func() time.Time { return time.Date(2026, 2, 3, 12, 0, 0, 0, time.UTC) }
	sc := &countingScanner{ResponseScanner: st}
	e := serveEnv(tb, data, svc, func(c *config) { c.API.Responses = sc })

	in, err := instrument.Parse([]byte(exportInstrument), instrument.YAML)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.CreateInstrument(ctx, in); err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.Publish(ctx, in.Key, in.Version); err != nil {
		tb.Fatal(err)
	}
	fx := &exportFixture{testEnv: e, scanner: sc}
	for i, title := range []string{"Export check: ward 3 (pilot)", "Nobody answered"} {
		s, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: in.Key, InstrumentVersion: 1, Title: title, Access: survey.AccessOpen})
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			fx.survey = s.ID
		} else {
			fx.empty = s.ID
		}
	}
	n := 0
	add := func(status, started, submitted string, a survey.Answers) {
		tb.Helper()
		n++
		r := &survey.Response{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", n), SurveyID: fx.survey, InstrumentKey: in.Key, InstrumentVersion: 1,
			Status: status, Answers: a, StartedAt: mustTime(tb, started), Digest: []byte{byte(n)}}
		if submitted != "" {
			t := mustTime(tb, submitted)
			r.SubmittedAt = &t
		}
		if _, _, err := st.CreateResponse(ctx, r, nil); err != nil {
			tb.Fatal(err)
		}
	}
	iv, tv, lv := survey.IntVal, survey.TextVal, survey.ListVal
	add(survey.ResponseComplete, "2026-01-10T09:00:00Z", "2026-01-10T09:12:30.5Z", survey.Answers{"use": iv(1), "tools": lv(2, 3),
		"p1": iv(4), "p2": iv(2), "p3": iv(5), "l1": iv(1), "l2": iv(3), "l3": iv(2), "a1": iv(1), "a2": iv(2), "a3": iv(4), "years": iv(12), "note": tv("first")})
	add(survey.ResponseComplete, "2026-01-15T10:00:00Z", "2026-01-15T10:05:00Z", survey.Answers{"use": iv(0),
		"p1": iv(2), "l1": iv(3), "l2": iv(1), "a1": iv(5), "a2": iv(5), "years": iv(-3), "note": tv("=SUM(A1:A3)")})
	add(survey.ResponseInProgress, "2026-01-16T08:00:00Z", "", survey.Answers{"use": iv(1), "tools": lv(), "p1": iv(3), "p2": iv(3), "p3": iv(3), "note": tv("draft")})
	add(survey.ResponseComplete, "2026-01-20T23:59:00Z", "2026-01-21T00:01:00Z", survey.Answers{"use": iv(1), "tools": lv(1),
		"p1": iv(5), "p2": iv(1), "p3": iv(5), "l1": iv(0), "l2": iv(0), "l3": iv(0), "a1": iv(3), "a2": iv(3), "a3": iv(3), "years": iv(0)})
	for _, text := range exportTexts {
		add(survey.ResponseComplete, "2026-01-25T12:00:00Z", "2026-01-25T12:00:59.9Z", survey.Answers{"use": iv(0), "note": tv(text)})
	}
	return fx
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// get fetches a researcher route.
func (fx *exportFixture) get(tb testing.TB, url string) (int, http.Header, []byte) {
	tb.Helper()
	return fx.do(tb, request{Method: "GET", URL: url, Authorization: bearer})
}

// table fetches an export and parses it, failing unless it is a 200 CSV
// whose rows all have the header's width.
func (fx *exportFixture) table(tb testing.TB, url string) [][]string {
	tb.Helper()
	status, h, body := fx.get(tb, url)
	if status != 200 {
		tb.Fatalf("GET %s: %d %s", url, status, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv; charset=utf-8") {
		tb.Errorf("Content-Type %q", ct)
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		tb.Fatalf("GET %s: not CSV: %v\n%s", url, err, body)
	}
	return recs
}

// rowsByColumn turns records into maps column → cell.
func rowsByColumn(recs [][]string) []map[string]string {
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, name := range recs[0] {
			m[name] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func ids(rows []map[string]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.TrimLeft(r["response_id"][24:], "0"))
	}
	return out
}

func TestExportWide(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		recs := fx.table(t, "/api/v1/surveys/"+fx.survey+"/export.csv")
		if !reflect.DeepEqual(recs[0], exportHeader) {
			t.Fatalf("header\n got %q\nwant %q", recs[0], exportHeader)
		}
		rows := rowsByColumn(recs)
		if got, want := ids(rows), []string{"1", "2", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("responses %q, want the complete ones in arrival order %q", got, want)
		}
		// Worked by hand. p2 and a3 are reversed on 1–5 (6 − value), l2 on
		// 0–3 (3 − value); pos needs 2 of 3 items, load 2 of 3 (prorated sum),
		// all3 all 3.
		want := []map[string]string{
			{"instrument_version": "1", "status": "complete", "started_at": "2026-01-10T09:00:00Z", "submitted_at": "2026-01-10T09:12:30Z", "duration_s": "750",
				"use": "1", "tools__1": "0", "tools__2": "1", "tools__3": "1", "p1": "4", "p2": "2", "p3": "5", "l1": "1", "l2": "3", "l3": "2",
				"a1": "1", "a2": "2", "a3": "4", "years": "12", "note": "first",
				"score_pos": "4.333333333333333", "score_load": "3", "score_all3": "1.6666666666666667"},
			{"started_at": "2026-01-15T10:00:00Z", "submitted_at": "2026-01-15T10:05:00Z", "duration_s": "300",
				"use": "0", "tools__1": "", "tools__2": "", "tools__3": "", "p1": "2", "p2": "", "p3": "", "l1": "3", "l2": "1", "l3": "",
				"a1": "5", "a2": "5", "a3": "", "years": "-3", "note": "=SUM(A1:A3)",
				"score_pos": "", "score_load": "7.5", "score_all3": ""},
			{"submitted_at": "2026-01-21T00:01:00Z", "duration_s": "120", "use": "1", "tools__1": "1", "tools__2": "0", "tools__3": "0",
				"p2": "1", "l2": "0", "years": "0", "note": "", "score_pos": "5", "score_load": "3", "score_all3": "3"},
		}
		for i, w := range want {
			for col, v := range w {
				if got := rows[i][col]; got != v {
					t.Errorf("response %s, %s = %q, want %q", ids(rows)[i], col, got, v)
				}
			}
		}
		for i, text := range exportTexts {
			r := rows[3+i]
			if r["note"] != text {
				t.Errorf("text %d came back as %q, want %q", i, r["note"], text)
			}
			if r["duration_s"] != "59" || r["p1"] != "" || r["score_pos"] != "" || r["tools__1"] != "" {
				t.Errorf("text response %d: %v", i, r)
			}
		}
	})
}

func TestExportLabelsAndLong(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		rows := rowsByColumn(fx.table(t, "/api/v1/surveys/"+fx.survey+"/export.csv?values=labels&status=all"))
		r := rows[0]
		for col, v := range map[string]string{"use": "Yes", "p1": "Agree", "p3": `Strongly agree, "really"`, "l1": "Sometimes",
			"tools__2": "1", "years": "12", "score_pos": "4.333333333333333"} {
			if r[col] != v {
				t.Errorf("labels: %s = %q, want %q", col, r[col], v)
			}
		}
		if rows[2]["status"] != "in_progress" || rows[2]["submitted_at"] != "" || rows[2]["duration_s"] != "" || rows[2]["tools__1"] != "0" {
			t.Errorf("in-progress row: %v", rows[2])
		}

		long := fx.table(t, "/api/v1/surveys/"+fx.survey+"/export.csv?layout=long&until=2026-01-15T10:05:00Z")
		if !reflect.DeepEqual(long[0], []string{"response_id", "instrument_version", "status", "started_at", "submitted_at", "duration_s", "language", "item_id", "value"}) {
			t.Fatalf("long header %q", long[0])
		}
		var got []string
		for _, r := range long[1:] {
			if r[5] != "750" {
				t.Errorf("row %q: metadata of response 1 expected", r)
			}
			got = append(got, r[7]+"="+r[8])
		}
		want := []string{"use=1", "tools=2", "tools=3", "p1=4", "p2=2", "p3=5", "l1=1", "l2=3", "l3=2", "a1=1", "a2=2", "a3=4", "years=12", "note=first"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("long rows\n got %q\nwant %q", got, want)
		}
	})
}

func TestExportFilters(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		texts := []string{"5", "6", "7", "8", "9", "10", "11", "12", "13", "14"}
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", append([]string{"1", "2", "4"}, texts...)},
			{"status=complete", append([]string{"1", "2", "4"}, texts...)},
			{"status=in_progress", []string{"3"}},
			{"status=all", append([]string{"1", "2", "3", "4"}, texts...)},
			{"since=2026-01-15", append([]string{"2", "4"}, texts...)},
			{"since=2026-01-15T10:05:00Z", append([]string{"2", "4"}, texts...)},
			{"since=2026-01-15T10:05:00.000001Z", append([]string{"4"}, texts...)},
			{"until=2026-01-15T10:05:00Z", []string{"1"}},
			{"since=2026-01-21&until=2026-01-22", []string{"4"}},
			{"status=all&until=2026-01-22", []string{"1", "2", "4"}}, // in progress: no submission time
			{"since=2026-01-15T11:00:00%2B01:00&until=2026-01-15T11:05:00.000001%2B01:00", []string{"2"}},
			{"since=2030-01-01", nil},
		} {
			t.Run(tc.query, func(t *testing.T) {
				if got := ids(rowsByColumn(fx.table(t, "/api/v1/surveys/"+fx.survey+"/export.csv?"+tc.query))); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			})
		}
	})
}

func TestExportZeroResponses(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		for _, q := range []string{"", "?layout=long", "?status=all&values=labels"} {
			status, _, body := fx.get(t, "/api/v1/surveys/"+fx.empty+"/export.csv"+q)
			want := strings.Join(exportHeader, ",") + "\r\n"
			if q == "?layout=long" {
				want = "response_id,instrument_version,status,started_at,submitted_at,duration_s,language,item_id,value\r\n"
			}
			if status != 200 || string(body) != want {
				t.Errorf("%s: %d %q, want the header alone", q, status, body)
			}
		}
	})
}

func TestExportFormatOptions(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		base := "/api/v1/surveys/" + fx.survey + "/export.csv"
		status, h, body := fx.get(t, base+"?bom=1&excel_safe=1")
		if status != 200 || !bytes.HasPrefix(body, []byte("\xEF\xBB\xBFresponse_id,")) {
			t.Fatalf("bom: %d %q", status, body[:min(20, len(body))])
		}
		if cd := h.Get("Content-Disposition"); cd != `attachment; filename="export-check-ward-3-pilot_20260203.csv"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		recs, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		rows := rowsByColumn(recs)
		if rows[1]["note"] != "'=SUM(A1:A3)" || rows[1]["years"] != "-3" {
			t.Errorf("excel_safe: note %q, years %q", rows[1]["note"], rows[1]["years"])
		}
		for i, text := range exportTexts {
			want := text
			if strings.ContainsAny(text[:1], "=+-@") {
				want = "'" + text
			}
			if got := rows[3+i]["note"]; got != want {
				t.Errorf("excel_safe text %d: %q, want %q", i, got, want)
			}
		}

		_, h, body = fx.get(t, base+"?line_breaks=space&layout=long&values=labels")
		if cd := h.Get("Content-Disposition"); !strings.Contains(cd, `_20260203_long_labels_spss.csv"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		if n := bytes.Count(body, []byte("\n")); n != bytes.Count(body, []byte("\r\n")) {
			t.Errorf("line_breaks=space left line breaks inside values")
		}
		if !bytes.Contains(body, []byte("line one line two  line four")) {
			t.Errorf("line breaks not folded to spaces")
		}
	})
}

func TestExportErrors(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		base := "/api/v1/surveys/" + fx.survey
		for _, tc := range []struct {
			url        string
			anonymous  bool
			wantStatus int
			wantPaths  []string
		}{
			{base + "/export.csv?layout=tall", false, 422, []string{"layout"}},
			{base + "/export.csv?values=names&status=done&bom=yes", false, 422, []string{"values", "bom", "status"}},
			{base + "/export.csv?since=yesterday", false, 422, []string{"since"}},
			{base + "/export.csv?since=2026-02-01&until=2026-01-01", false, 422, []string{"until"}},
			{base + "/export.csv?layout=wide&layout=long", false, 422, []string{"layout"}},
			{base + "/export.csv?excel_safe=2", false, 422, []string{"excel_safe"}},
			{base + "/export.csv?line_breaks=crlf", false, 422, []string{"line_breaks"}},
			{base + "/export.csv?speeder_fraction=1.5", false, 422, []string{"speeder_fraction"}},
			{base + "/export.sav?speeder_fraction=none&status=done", false, 422, []string{"speeder_fraction", "status"}},
			{base + "/export.zip?layout=long&bom=1", false, 422, []string{"layout", "bom"}},
			{base + "/export.zip?until=soon", false, 422, []string{"until"}},
			{base + "/codebook.csv?bom=2", false, 422, []string{"bom"}},
			{"/api/v1/surveys/nosuchsurv/export.csv", false, 404, nil},
			{"/api/v1/surveys/nosuchsurv/export.zip", false, 404, nil},
			{"/api/v1/surveys/nosuchsurv/codebook.csv", false, 404, nil},
			{"/api/v1/surveys/nosuchsurv/export.R", false, 404, nil},
			{"/api/v1/surveys/nosuchsurv/export.sps", false, 404, nil},
			{"/api/v1/surveys/nosuchsurv/export.do", false, 404, nil},
			{base + "/export.csv", true, 401, nil},
			{base + "/export.zip", true, 401, nil},
			{base + "/export.R", true, 401, nil},
			{base + "/export.sav?values=labels&line_breaks=space", false, 422, []string{"values", "line_breaks"}},
			{base + "/export.sav?status=done", false, 422, []string{"status"}},
			{base + "/export.dta?layout=long&excel_safe=1", false, 422, []string{"layout", "excel_safe"}},
			{base + "/export.dta?since=later", false, 422, []string{"since"}},
			{base + "/export.xlsx?values=names", false, 422, []string{"values"}},
			{base + "/export.xlsx?bom=1&layout=long", false, 422, []string{"bom", "layout"}},
			{"/api/v1/surveys/nosuchsurv/export.sav", false, 404, nil},
			{"/api/v1/surveys/nosuchsurv/export.dta", false, 404, nil},
			{"/api/v1/surveys/nosuchsurv/export.xlsx", false, 404, nil},
			{base + "/export.sav", true, 401, nil},
			{base + "/export.dta", true, 401, nil},
			{base + "/export.xlsx", true, 401, nil},
		} {
			t.Run(tc.url, func(t *testing.T) {
				r := request{Method: "GET", URL: tc.url}
				if !tc.anonymous {
					r.Authorization = bearer
				}
				status, h, body := fx.do(t, r)
				if status != tc.wantStatus {
					t.Fatalf("status %d, want %d: %s", status, tc.wantStatus, body)
				}
				if h.Get("Content-Disposition") != "" || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
					t.Errorf("an error must be a JSON answer, not an attachment: %v", h)
				}
				var e struct {
					Error struct {
						Details []survey.Detail `json:"details"`
					} `json:"error"`
				}
				if err := json.Unmarshal(body, &e); err != nil {
					t.Fatalf("error body: %v: %s", err, body)
				}
				var paths []string
				for _, d := range e.Error.Details {
					paths = append(paths, d.Path)
				}
				slices.Sort(paths)
				want := slices.Clone(tc.wantPaths)
				slices.Sort(want)
				if !reflect.DeepEqual(paths, want) {
					t.Errorf("detail paths %q, want %q (%s)", paths, want, body)
				}
			})
		}
	})
}

func TestExportSyntaxAndCodebook(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		base := "/api/v1/surveys/" + fx.survey
		codebook := fx.table(t, base+"/codebook.csv")
		var shorts []string
		for i, r := range codebook[1:] {
			if r[0] != exportHeader[i] {
				t.Errorf("codebook row %d is %s, want %s", i+1, r[0], exportHeader[i])
			}
			shorts = append(shorts, r[1])
		}
		if len(codebook)-1 != len(exportHeader) {
			t.Fatalf("codebook has %d rows for %d columns", len(codebook)-1, len(exportHeader))
		}
		for _, tc := range []struct {
			path, ext string
			names     []string
		}{
			{"/export.R", ".R", exportHeader},
			{"/export.sps", ".sps", shorts},
			{"/export.do", ".do", shorts},
		} {
			status, h, body := fx.get(t, base+tc.path)
			if status != 200 {
				t.Fatalf("%s: %d %s", tc.path, status, body)
			}
			if cd := h.Get("Content-Disposition"); cd != `attachment; filename="export-check-ward-3-pilot_20260203`+tc.ext+`"` {
				t.Errorf("%s: Content-Disposition %q", tc.path, cd)
			}
			for _, name := range tc.names {
				if !containsWord(body, name) {
					t.Errorf("%s does not name column %s", tc.path, name)
				}
			}
		}
	})
}

// containsWord reports whether name occurs in b as a whole identifier.
func containsWord(b []byte, name string) bool {
	word := func(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') }
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(name))
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		if (j == 0 || !word(b[j-1])) && (end == len(b) || !word(b[end])) {
			return true
		}
		i = j + 1
	}
}

func TestExportZip(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		base := "/api/v1/surveys/" + fx.survey
		status, h, body := fx.get(t, base+"/export.zip?since=2026-01-15")
		if status != 200 || h.Get("Content-Type") != "application/zip" {
			t.Fatalf("%d %v", status, h)
		}
		if cd := h.Get("Content-Disposition"); cd != `attachment; filename="export-check-ward-3-pilot_20260203.zip"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		var names []string
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			files[f.Name] = b
			names = append(names, f.Name)
		}
		b := "export-check-ward-3-pilot_20260203"
		if want := []string{b + ".csv", b + "_codebook.csv", b + ".R", b + ".sps", b + ".do", b + "_spss.csv"}; !reflect.DeepEqual(names, want) {
			t.Fatalf("zip holds %q, want %q", names, want)
		}
		for name, url := range map[string]string{
			b + ".csv":          "/export.csv?since=2026-01-15",
			b + "_spss.csv":     "/export.csv?since=2026-01-15&line_breaks=space",
			b + "_codebook.csv": "/codebook.csv",
			b + ".R":            "/export.R",
			b + ".sps":          "/export.sps",
			b + ".do":           "/export.do",
		} {
			_, _, direct := fx.get(t, base+url)
			if !bytes.Equal(files[name], direct) {
				t.Errorf("%s in the zip differs from GET %s", name, url)
			}
		}
	})
}

// TestExportStreamsAndStops reads the first bytes of a large export and
// hangs up: the scan must end with the request's cancellation, long before
// the last row.
func TestExportStreamsAndStops(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		bulkResponses(t, fx, 3000)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", fx.Srv.URL+"/api/v1/surveys/"+fx.survey+"/export.csv", nil)
		req.Header.Set("Authorization", bearer)
		res, err := fx.Srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 || res.ContentLength != -1 {
			t.Fatalf("status %d, length %d: want 200, streamed", res.StatusCode, res.ContentLength)
		}
		if _, err := io.ReadFull(res.Body, make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
		cancel()
		res.Body.Close()
		rows, err := fx.scanner.wait(t)
		// Either the request's cancellation reaches the scan first, or the
		// write to the closed connection fails first: both stop it early.
		hangUp := errors.Is(err, context.Canceled) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
		if !hangUp {
			t.Errorf("scan ended with %v after %d rows, want context.Canceled or a write error on the closed connection", err, rows)
		}
		if rows >= 3000 {
			t.Errorf("the scan read all %d rows after the client left", rows)
		}
	})
}

// TestExportFailure: a failure before anything was sent is a JSON error; a
// failure after the download began cuts the connection, so the client
// gets an error rather than a short file that looks complete.
func TestExportFailure(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		fx := newExportFixture(t, engine)
		bulkResponses(t, fx, 3000)
		url := "/api/v1/surveys/" + fx.survey + "/export.csv"

		fx.scanner.failAfter = 1
		status, h, body := fx.get(t, url)
		if status != 500 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("Content-Disposition") != "" {
			t.Errorf("early failure: %d %v %s", status, h, body)
		}

		// Well past the first 64 KiB. The long layout: the wide one reads
		// the responses once before its first byte (the speeder rule's
		// median), where a failure is still the early one above.
		fx.scanner.failAfter = 2000
		req, _ := http.NewRequest("GET", fx.Srv.URL+url+"?layout=long", nil)
		req.Header.Set("Authorization", bearer)
		res, err := fx.Srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		got, err := io.ReadAll(res.Body)
		if err == nil {
			t.Fatalf("a failed export ended cleanly after %d bytes", len(got))
		}
		if res.StatusCode != 200 || len(got) == 0 {
			t.Errorf("status %d after %d bytes", res.StatusCode, len(got))
		}
	})
}

// bulkResponses adds n complete responses with a long note each.
func bulkResponses(tb testing.TB, fx *exportFixture, n int) {
	tb.Helper()
	ctx := context.Background()
	note := strings.Repeat("A fairly long free-text answer, to fill the pipe. ", 4)
	// From several goroutines, so that the store's group commit writes
	// them in batches: one at a time, each would wait for its own commit
	// (on PostgreSQL, its own WAL flush). Their order does not matter here.
	const writers = 16
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := w; i < n; i += writers {
				at := time.Date(2026, 1, 26, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
				r := &survey.Response{ID: fmt.Sprintf("10000000-0000-4000-8000-%012d", i), SurveyID: fx.survey, InstrumentKey: "export-check",
					InstrumentVersion: 1, Status: survey.ResponseComplete, StartedAt: at, SubmittedAt: &at, Digest: []byte{1},
					Answers: survey.Answers{"use": survey.IntVal(0), "note": survey.TextVal(note)}}
				if _, _, err := fx.Store.CreateResponse(ctx, r, nil); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// TestExportDataFiles downloads the SPSS, Stata and Excel files through
// the API: media type, file name, the format's signature, and the same
// responses as the CSV (the workbook is read back with excelize; the .sav
// and .dta are read by PSPP, R and readstat in internal/export's
// integration tests).
func TestExportDataFiles(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, testExportDataFiles)
}

func testExportDataFiles(t *testing.T, engine string) {
	fx := newExportFixture(t, engine)
	base := "/api/v1/surveys/" + fx.survey
	csvRows := fx.table(t, base+"/export.csv?status=all&values=labels")
	for _, tc := range []struct {
		path, name, mediaType, magic string
	}{
		{"/export.sav?status=all", "export-check-ward-3-pilot_20260203.sav", "application/x-spss-sav", "$FL2"},
		{"/export.dta?status=all", "export-check-ward-3-pilot_20260203.dta", "application/x-stata-dta", "<stata_dta><header><release>118</release>"},
		{"/export.xlsx?status=all&values=labels", "export-check-ward-3-pilot_20260203_labels.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\x03\x04"},
	} {
		status, h, body := fx.get(t, base+tc.path)
		if status != 200 {
			t.Fatalf("%s: %d %s", tc.path, status, body)
		}
		if h.Get("Content-Type") != tc.mediaType {
			t.Errorf("%s: Content-Type %q", tc.path, h.Get("Content-Type"))
		}
		if cd := h.Get("Content-Disposition"); cd != `attachment; filename="`+tc.name+`"` {
			t.Errorf("%s: Content-Disposition %q", tc.path, cd)
		}
		if !bytes.HasPrefix(body, []byte(tc.magic)) {
			t.Errorf("%s does not start with %q: %q", tc.path, tc.magic, body[:min(len(body), 40)])
		}
		if !strings.HasPrefix(tc.path, "/export.xlsx") {
			continue
		}
		x, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("data", excelize.Options{RawCellValue: true})
		x.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(csvRows) {
			t.Fatalf("the workbook has %d rows, the CSV %d", len(rows), len(csvRows))
		}
		for i := range rows {
			for j := range csvRows[i] {
				got := ""
				if j < len(rows[i]) {
					got = rows[i][j]
				}
				// Times are date-times in the workbook, RFC 3339 in the CSV.
				if j == 3 || j == 4 || i == 0 {
					continue
				}
				if got != csvRows[i][j] && !sameTo15Digits(got, csvRows[i][j]) {
					t.Errorf("row %d column %s: workbook %q, CSV %q", i, csvRows[0][j], got, csvRows[i][j])
				}
			}
		}
	}
}

// sameTo15Digits reports whether two numbers agree to Excel's 15
// significant digits, which is what a workbook keeps of a score.
func sameTo15Digits(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && math.Abs(x-y) <= 1e-14*math.Abs(y)
}
