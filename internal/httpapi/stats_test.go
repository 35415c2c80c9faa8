package httpapi_test

// Tests of the results routes, GET /api/v1/surveys/{id}/stats and
// /api/v1/surveys/{id}/text/{item_id}, through the real router over a real
// SQLite store, and the benchmark of the statistics over 100,000 responses.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/stats"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// statsEnv is newEnv with the store as the router's response scanner, which
// the results routes read through.
func statsEnv(tb testing.TB, engine string) *testEnv {
	tb.Helper()
	data := enginetest.Open(tb, engine)
	return serveEnv(tb, data, survey.NewService(data.Store), func(c *config) { c.API.Responses = data.Store })
}

// resultsYAML: subscale att holds the four items of the hand-worked
// dataset (att_3 reverse-keyed; reference values in
// internal/stats/reliability_test.go); subscale pair holds a constant item;
// tools is shown to psychiatrists (role 1) only.
var resultsYAML = fixtures.Instrument("results-test.yaml")

// resultsFixture deploys resultsYAML and answers it: the 8 respondents of
// the hand-worked dataset (roles alternating 1, 2, ...; pair_2 always 3),
// one more that skipped att_2 and role, and one web response in progress.
// It returns the survey id.
func resultsFixture(tb testing.TB, e *testEnv) string {
	tb.Helper()
	e.createInstrument(tb, resultsYAML, ctYAML)
	e.publish(tb, "results-test", 1)
	id := e.createSurvey(tb, map[string]any{"instrument_key": "results-test"})
	raw := [][]int{{4, 3, 2, 5}, {2, 2, 4, 3}, {5, 4, 1, 4}, {3, 3, 3, 2}, {1, 2, 4, 2}, {4, 5, 2, 3}, {2, 1, 5, 3}, {3, 4, 3, 4}}
	comments := map[int]string{0: "Good", 1: "Zu wenig Zeit", 2: "Ärzte brauchen Zeit", 4: "good enough", 6: "Fine"}
	for i, row := range raw {
		a := map[string]any{"att_1": row[0], "att_2": row[1], "att_3": row[2], "att_4": row[3],
			"pair_1": 1 + i%5, "pair_2": 3, "role": 1 + i%2}
		if i%2 == 0 && i != 4 {
			a["tools"] = []int{1}
		}
		if c, ok := comments[i]; ok {
			a["comment"] = c
		}
		b, _ := json.Marshal(map[string]any{"answers": a})
		e.submit(tb, id, string(b), http.StatusCreated)
	}
	e.submit(tb, id, `{"answers":{"att_1":5,"att_3":1,"att_4":5,"comment":"no role given"}}`, http.StatusCreated)
	ctx := context.Background()
	_, token, err := e.Svc.StartProgress(ctx, id, "", "")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.Svc.SaveProgress(ctx, id, token, survey.Answers{"role": survey.IntVal(1), "comment": survey.TextVal("in progress note")}); err != nil {
		tb.Fatal(err)
	}
	return id
}

// statsAnswer is the stats document as a client reads it.
type statsAnswer struct {
	SurveyID   string `json:"survey_id"`
	Instrument struct {
		Key     string `json:"key"`
		Version int    `json:"version"`
	} `json:"instrument"`
	Status string `json:"status"`
	Survey struct {
		Complete       int      `json:"complete"`
		InProgress     int      `json:"in_progress"`
		CompletionRate *float64 `json:"completion_rate"`
	} `json:"survey"`
	stats.Report
}

func (s statsAnswer) item(tb testing.TB, group int, id string) stats.ItemStats {
	tb.Helper()
	for _, it := range s.Groups[group].Items {
		if it.ID == id {
			return it
		}
	}
	tb.Fatalf("no item %s in group %d", id, group)
	return stats.ItemStats{}
}

func getStats(tb testing.TB, e *testEnv, url string) statsAnswer {
	tb.Helper()
	body := e.mustDo(tb, request{Method: "GET", URL: url, Authorization: bearer}, http.StatusOK)
	if strings.Contains(string(body), "NaN") {
		tb.Fatalf("NaN in %s", body)
	}
	var s statsAnswer
	mustUnmarshal(tb, body, &s)
	return s
}

func TestStatsAPI(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := statsEnv(t, engine)
		id := resultsFixture(t, e)
		base := "/api/v1/surveys/" + id + "/stats"

		t.Run("DefaultCompleteOnly", func(t *testing.T) {
			s := getStats(t, e, base)
			if s.SurveyID != id || s.Instrument.Key != "results-test" || s.Status != "complete" || s.By != nil {
				t.Errorf("head %+v", s)
			}
			if s.Survey.Complete != 9 || s.Survey.InProgress != 1 || s.Survey.CompletionRate == nil || *s.Survey.CompletionRate != 0.9 {
				t.Errorf("survey totals %+v", s.Survey)
			}
			if len(s.Groups) != 1 || s.Groups[0].Label != stats.LabelAll || s.Groups[0].Responses.N != 9 || s.Groups[0].Responses.InProgress != 0 {
				t.Fatalf("groups %+v", s.Groups)
			}
			r := s.Groups[0].Responses
			perDay := 0
			for _, d := range r.PerDay {
				perDay += d.Complete
			}
			if perDay != 9 || r.MedianCompletionSeconds == nil {
				t.Errorf("responses %+v", r)
			}
			// The hand-worked dataset's figures, through submission, storage,
			// the streaming read and JSON (att_3 reversed by the scoring rules).
			att := s.Groups[0].Subscales[0]
			rel := att.Reliability
			if att.ID != "att" || att.N != 9 || rel.CompleteCases != 8 || rel.Alpha == nil || rel.AlphaCI95 == nil {
				t.Fatalf("att %+v", att)
			}
			for _, c := range []struct {
				what      string
				got, want float64
			}{
				{"alpha", *rel.Alpha, 704.0 / 789},
				{"CI lower", rel.AlphaCI95.Lower, 0.6801855786110165},
				{"CI upper", rel.AlphaCI95.Upper, 0.9758018241452864},
				{"att_1 alpha if deleted", *rel.Items[0].AlphaIfDeleted, 4.0 / 5},
				{"att_2 alpha if deleted", *rel.Items[1].AlphaIfDeleted, 132.0 / 151},
				{"att_3 r", *rel.Items[2].ItemRestR, 0.9135468796041984},
				{"att_4 r", *rel.Items[3].ItemRestR, 0.5217491947499509},
				{"mean score", *att.Mean, (98.0/4 + 5) / 9},
			} {
				if math.Abs(c.got-c.want) > 1e-9 {
					t.Errorf("%s: %.10f, want %.10f", c.what, c.got, c.want)
				}
			}
			if !rel.Items[2].Reverse {
				t.Error("att_3 not marked reverse-keyed")
			}
			// pair_2 is 3 for everyone: null correlation with a note.
			pair := s.Groups[0].Subscales[1].Reliability
			if pair.Items[1].ItemRestR != nil || pair.Items[1].Note == "" {
				t.Errorf("constant pair_2: %+v", pair.Items[1])
			}
			if it := s.item(t, 0, "att_2"); it.N != 8 || it.Missing != 1 {
				t.Errorf("att_2 n %d missing %d, want 8 and 1", it.N, it.Missing)
			}
			// tools: shown to the 4 psychiatrists; one skipped it.
			if it := s.item(t, 0, "tools"); it.N != 3 || it.Missing != 1 || it.Options[0].Count != 3 || it.Options[1].Count != 0 {
				t.Errorf("tools %+v", it)
			}
			if txt := s.Groups[0].Texts[0]; txt.ID != "comment" || txt.N != 6 || txt.Missing != 3 {
				t.Errorf("comment %+v", txt)
			}
		})

		t.Run("StatusAllAndInProgress", func(t *testing.T) {
			all := getStats(t, e, base+"?status=all")
			if r := all.Groups[0].Responses; all.Status != "all" || r.N != 10 || r.InProgress != 1 || *r.CompletionRate != 0.9 {
				t.Errorf("all: %+v", r)
			}
			// The response in progress answered role only: every other item
			// counts as missing there, and tools (shown to role 1) too.
			if it := all.item(t, 0, "tools"); it.Missing != 2 {
				t.Errorf("tools missing %d, want 2", it.Missing)
			}
			ip := getStats(t, e, base+"?status=in_progress")
			if r := ip.Groups[0].Responses; r.N != 1 || r.Complete != 0 || *r.CompletionRate != 0 || r.MedianCompletionSeconds != nil {
				t.Errorf("in progress: %+v", r)
			}
			if rel := ip.Groups[0].Subscales[0].Reliability; rel.Alpha != nil || !strings.Contains(rel.Note, "3 complete cases") {
				t.Errorf("in progress att: %+v", rel)
			}
		})

		t.Run("ByRole", func(t *testing.T) {
			s := getStats(t, e, base+"?by=role&status=all")
			if s.By == nil || s.By.ID != "role" {
				t.Fatalf("by %+v", s.By)
			}
			var got []string
			for _, g := range s.Groups {
				got = append(got, fmt.Sprintf("%s:%d", g.Label, g.Responses.N))
			}
			if want := []string{"Psychiatry:5", "Family medicine:4", "Not answered:1"}; !slices.Equal(got, want) {
				t.Errorf("groups %v, want %v", got, want)
			}
			if it := s.item(t, 1, "tools"); it.N != 0 || it.Missing != 0 {
				t.Errorf("tools among family physicians %+v", it)
			}
		})

		t.Run("Errors", func(t *testing.T) {
			for _, c := range []struct {
				name, url, auth string
				status          int
				code            string
				paths           []string
			}{
				{"BadStatus", base + "?status=done", bearer, 422, survey.EInvalid, []string{"status"}},
				{"UnknownBy", base + "?by=nope", bearer, 422, survey.EInvalid, []string{"by"}},
				{"ByMultipleChoice", base + "?by=tools", bearer, 422, survey.EInvalid, []string{"by"}},
				{"ByText", base + "?by=comment&status=x", bearer, 422, survey.EInvalid, []string{"by", "status"}},
				{"NoSurvey", "/api/v1/surveys/nosuchsurv/stats", bearer, 404, survey.ENotFound, nil},
				{"NoToken", base, "", 401, survey.EUnauthorized, nil},
			} {
				t.Run(c.name, func(t *testing.T) {
					status, _, body := e.do(t, request{Method: "GET", URL: c.url, Authorization: c.auth})
					if status != c.status {
						t.Fatalf("status %d, want %d: %s", status, c.status, body)
					}
					apiErr := decodeError(t, body)
					if apiErr.Error.Code != c.code || !slices.Equal(apiErr.detailPaths(), append([]string{}, c.paths...)) {
						t.Errorf("error %+v, want code %s paths %v", apiErr.Error, c.code, c.paths)
					}
				})
			}
		})
	})
}

// textPage is one page of GET /surveys/{id}/text/{item_id}.
type textPage struct {
	ItemID string `json:"item_id"`
	Items  []struct {
		ResponseID  string     `json:"response_id"`
		Status      string     `json:"status"`
		SubmittedAt *time.Time `json:"submitted_at"`
		Text        string     `json:"text"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func (p textPage) texts() []string {
	out := []string{}
	for _, it := range p.Items {
		out = append(out, it.Text)
	}
	return out
}

func TestTextAnswersAPI(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := statsEnv(t, engine)
		id := resultsFixture(t, e)
		base := "/api/v1/surveys/" + id + "/text/comment"
		get := func(t *testing.T, query string) textPage {
			t.Helper()
			var p textPage
			mustUnmarshal(t, e.mustDo(t, request{Method: "GET", URL: base + query, Authorization: bearer}, http.StatusOK), &p)
			return p
		}

		for _, c := range []struct{ name, query string }{
			{"CompleteInOrder", ""},
			{"SearchIgnoresCase", "?q=GOOD"},
			{"SearchFoldsUnicode", "?q=" + url.QueryEscape("ÄRZTE")},
			{"SearchNothing", "?q=xyz"},
			{"All", "?status=all"},
			{"InProgress", "?status=in_progress"},
			{"ByRole", "?by=role&value=2"},
			{"ByRoleNotAnswered", "?by=role&value=none&status=all"},
			{"ByRoleAndSearch", "?by=role&value=1&q=zeit"},
		} {
			t.Run(c.name, func(t *testing.T) {
				want := map[string][]string{
					"CompleteInOrder":    {"Good", "Zu wenig Zeit", "Ärzte brauchen Zeit", "good enough", "Fine", "no role given"},
					"SearchIgnoresCase":  {"Good", "good enough"},
					"SearchFoldsUnicode": {"Ärzte brauchen Zeit"},
					"SearchNothing":      {},
					"All":                {"Good", "Zu wenig Zeit", "Ärzte brauchen Zeit", "good enough", "Fine", "no role given", "in progress note"},
					"InProgress":         {"in progress note"},
					"ByRole":             {"Zu wenig Zeit"},
					"ByRoleNotAnswered":  {"no role given"},
					"ByRoleAndSearch":    {"Ärzte brauchen Zeit"},
				}[c.name]
				p := get(t, c.query)
				if !slices.Equal(p.texts(), want) || p.NextCursor != nil || p.ItemID != "comment" {
					t.Errorf("texts %q (next %v), want %q", p.texts(), p.NextCursor, want)
				}
			})
		}

		t.Run("Pages", func(t *testing.T) {
			var got []string
			query := "?limit=4&q=e"
			for pages := 0; ; pages++ {
				p := get(t, query)
				got = append(got, p.texts()...)
				if p.NextCursor == nil {
					if pages != 1 {
						t.Errorf("%d pages, want 2", pages+1)
					}
					break
				}
				if len(p.Items) != 4 {
					t.Fatalf("a page before the last has %d items", len(p.Items))
				}
				query = "?limit=4&q=e&cursor=" + *p.NextCursor
			}
			want := []string{"Zu wenig Zeit", "Ärzte brauchen Zeit", "good enough", "Fine", "no role given"}
			if !slices.Equal(got, want) {
				t.Errorf("pages hold %q, want %q", got, want)
			}
			p := get(t, "?limit=1")
			if len(p.Items) != 1 || p.Items[0].SubmittedAt == nil || p.Items[0].Status != "complete" || p.Items[0].ResponseID == "" {
				t.Errorf("first answer %+v", p.Items)
			}
		})

		t.Run("Errors", func(t *testing.T) {
			for _, c := range []struct {
				name, url string
				status    int
				code      string
				paths     []string
			}{
				{"LimitZero", base + "?limit=0", 422, survey.EInvalid, []string{"limit"}},
				{"LimitTooBig", base + "?limit=1001", 422, survey.EInvalid, []string{"limit"}},
				{"LimitText", base + "?limit=ten", 422, survey.EInvalid, []string{"limit"}},
				{"BadCursor", base + "?cursor=-1", 422, survey.EInvalid, []string{"cursor"}},
				{"BadStatus", base + "?status=done&limit=x", 422, survey.EInvalid, []string{"limit", "status"}},
				{"LongQuery", base + "?q=" + strings.Repeat("x", 201), 422, survey.EInvalid, []string{"q"}},
				{"ValueWithoutBy", base + "?value=1", 422, survey.EInvalid, []string{"value"}},
				{"ByWithoutValue", base + "?by=role", 422, survey.EInvalid, []string{"value"}},
				{"ValueNotOption", base + "?by=role&value=7", 422, survey.EInvalid, []string{"value"}},
				{"ByNotSingleChoice", base + "?by=tools&value=1", 422, survey.EInvalid, []string{"by"}},
				{"NotATextItem", "/api/v1/surveys/" + id + "/text/att_1", 422, survey.EInvalid, []string{"item_id"}},
				{"UnknownItem", "/api/v1/surveys/" + id + "/text/nope", 404, survey.ENotFound, nil},
				{"NoSurvey", "/api/v1/surveys/nosuchsurv/text/comment", 404, survey.ENotFound, nil},
			} {
				t.Run(c.name, func(t *testing.T) {
					status, _, body := e.do(t, request{Method: "GET", URL: c.url, Authorization: bearer})
					if status != c.status {
						t.Fatalf("status %d, want %d: %s", status, c.status, body)
					}
					apiErr := decodeError(t, body)
					if apiErr.Error.Code != c.code || !slices.Equal(apiErr.detailPaths(), append([]string{}, c.paths...)) {
						t.Errorf("error %+v, want code %s paths %v", apiErr.Error, c.code, c.paths)
					}
				})
			}
			status, _, _ := e.do(t, request{Method: "GET", URL: base})
			if status != http.StatusUnauthorized {
				t.Errorf("without a token: status %d", status)
			}
		})
	})
}

// BenchmarkSurveyStats answers GET /api/v1/surveys/{id}/stats over 100,000
// complete responses to the study instrument stored in SQLite: the whole
// request, from the streaming read to the JSON. Filling the database takes
// a few seconds before the timer starts; the responses cycle through 5,000
// distinct synthetic respondents (internal/sample).
//
//	go test -run '^$' -bench SurveyStats -benchtime 5x ./internal/httpapi
func BenchmarkSurveyStats(b *testing.B) {
	e := statsEnv(b, enginetest.SQLite) // fillStudySurvey writes the SQLite file
	id := fillStudySurvey(b, e, 100000)
	for _, q := range []string{"", "?by=specialty", "?status=all&by=ai_use"} {
		b.Run("query="+q, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				e.mustDo(b, request{Method: "GET", URL: "/api/v1/surveys/" + id + "/stats" + q, Authorization: bearer}, http.StatusOK)
			}
			// CPU time tells the work apart from waiting for a core on a
			// shared machine.
			b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
	// The store's read alone, as the default query makes it: the part of
	// the request that package stats does not control.
	b.Run("scan-only", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			n := 0
			f := survey.ExportFilter{SurveyID: id, Status: survey.ResponseComplete}
			if err := e.Store.ScanResponses(context.Background(), f, func(*survey.Response) error { n++; return nil }); err != nil || n != 100000 {
				b.Fatal(n, err)
			}
		}
		b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	})
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fillStudySurvey deploys the study instrument and writes n complete
// responses to it straight into the database file, in one transaction
// (the submission path would take minutes for 100,000).
func fillStudySurvey(tb testing.TB, e *testEnv, n int) string {
	tb.Helper()
	ctx := context.Background()
	form, err := sample.StudyForm()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.Svc.CreateInstrument(ctx, form.Instrument); err != nil {
		tb.Fatal(err)
	}
	if _, err := e.Svc.Publish(ctx, form.Instrument.Key, form.Instrument.Version); err != nil {
		tb.Fatal(err)
	}
	sv, err := e.Svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: instruments.Study, InstrumentVersion: instruments.StudyVersion, Title: "Benchmark", Access: survey.AccessOpen})
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	answers := make([]string, 5000)
	for i := range answers {
		answers[i] = string(sample.Answers(form, rng).Canonical())
	}

	db, err := sql.Open("sqlite3", "file:"+e.DSN+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO responses (id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at)
		VALUES (?, ?, ?, ?, 'complete', ?, x'00', ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	const layout = "2006-01-02T15:04:05.000000Z"
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	for i := range n {
		sub := start.Add(time.Duration(i) * 37 * time.Second) // about 43 days
		began := sub.Add(-time.Duration(5+rng.IntN(20)) * time.Minute)
		if _, err := ins.Exec(fmt.Sprintf("r%07d", i), sv.ID, instruments.Study, instruments.StudyVersion, answers[i%len(answers)],
			began.Format(layout), sub.Format(layout)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return sv.ID
}
