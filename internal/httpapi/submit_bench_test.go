package httpapi_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// BenchmarkSubmit sends complete responses to the study instrument
// through the real router (every middleware, decoding, validation, the
// group-commit writer with synchronous=FULL, a SQLite file), as the load
// tool's submit path does, from 64 goroutines so that commits are shared
// as under load. Requests go to the handler directly, without a socket,
// so the process's CPU time per request (cpu-s/op) is the server's own.
//
//	go test -run '^$' -bench Submit -benchtime 5000x ./internal/httpapi
func BenchmarkSubmit(b *testing.B) {
	e := statsEnv(b, enginetest.SQLite)
	id, form := studySurvey(b, e)
	rng := rand.New(rand.NewPCG(3, 4))
	bodies := make([][]byte, 512)
	for i := range bodies {
		bodies[i] = sample.JSONBody(sample.Answers(form, rng))
	}
	h := e.Srv.Config.Handler
	url := "/api/v1/public/surveys/" + id + "/responses"
	b.SetParallelism(32) // × GOMAXPROCS goroutines
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := bodies[int(next.Add(1))%len(bodies)]
			req := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusCreated {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
	})
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// studySurvey publishes the study instrument and deploys it in an open
// survey.
func studySurvey(tb testing.TB, e *testEnv) (string, *survey.Form) {
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
	sv, err := e.Svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: instruments.Study, InstrumentVersion: form.Instrument.Version, Title: "Benchmark", Access: survey.AccessOpen})
	if err != nil {
		tb.Fatal(err)
	}
	return sv.ID, form
}
