package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// appendSubmittedDoc writes what encoding/json writes, or declines; the
// answer writeSubmitted sends is c.JSON's, byte for byte, headers and all.
func TestSubmittedDocEncoding(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 123456700, time.UTC)
	berlin := time.FixedZone("CET", 3600)
	yes := true
	docs := []responseDoc{
		{ID: "3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b", SurveyID: "k3j9x2m4pq", InstrumentKey: "ai-therapeutic-relationship",
			InstrumentVersion: 2, Status: survey.ResponseComplete, StartedAt: at, SubmittedAt: &at},
		{ID: "a", SurveyID: "b", InstrumentKey: "c", Status: "complete", StartedAt: at.In(berlin), Language: "de"},
		{StartedAt: time.Time{}, SubmittedAt: &time.Time{}},
		{ID: "<script>&", SurveyID: "s", StartedAt: at},                                            // HTML characters: declined
		{ID: "naïve", StartedAt: at},                                                               // non-ASCII: declined
		{ID: "quote\"back\\slash\ttab\x7f", StartedAt: at},                                         // escapes: declined
		{ID: "x", StartedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},                         // MarshalJSON refuses
		{ID: "x", StartedAt: at, Answers: survey.Answers{}},                                        // answers: declined
		{ID: "x", StartedAt: at, Test: &yes},                                                       // test flag: declined
		{ID: "x", InstrumentVersion: -7, StartedAt: at.In(time.FixedZone("", -(23*3600 + 59*60)))}, // far offset
	}
	for i, d := range docs {
		want, wantErr := json.Marshal(d)
		got, ok := appendSubmittedDoc(nil, &d)
		if ok && (wantErr != nil || !bytes.Equal(got, want)) {
			t.Errorf("doc %d: wrote\n%s\nencoding/json:\n%s (%v)", i, got, want, wantErr)
		}
		if !ok && i < 3 {
			t.Errorf("doc %d declined", i)
		}
		if wantErr != nil {
			continue // c.JSON would panic: the handler never sends such a time
		}
		for _, status := range []int{http.StatusCreated, http.StatusOK} {
			ref, mine := httptest.NewRecorder(), httptest.NewRecorder()
			rc, _ := gin.CreateTestContext(ref)
			rc.JSON(status, d)
			mc, _ := gin.CreateTestContext(mine)
			writeSubmitted(mc, status, &d)
			if ref.Code != mine.Code || ref.Body.String() != mine.Body.String() || ref.Header().Get("Content-Type") != mine.Header().Get("Content-Type") ||
				len(ref.Header()) != len(mine.Header()) {
				t.Errorf("doc %d, %d: sent %d %v %s, c.JSON %d %v %s", i, status, mine.Code, mine.Header(), mine.Body, ref.Code, ref.Header(), ref.Body)
			}
		}
	}
}

// FuzzSubmittedDoc holds appendSubmittedDoc to encoding/json on any
// strings, version and time.
func FuzzSubmittedDoc(f *testing.F) {
	f.Add("3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b", "k3j9x2m4pq", "key", "complete", "", 1, int64(1772355600), int64(5), 0, true)
	f.Add("<&>", "\u2028", "\xff", "\"", "de", -1, int64(-62135596800), int64(999999999), 3600, false)
	f.Fuzz(func(t *testing.T, id, sid, key, status, lang string, version int, sec, nsec int64, off int, submitted bool) {
		st := time.Unix(sec, nsec).In(time.FixedZone("", off))
		d := responseDoc{ID: id, SurveyID: sid, InstrumentKey: key, InstrumentVersion: version, Status: status, StartedAt: st, Language: lang}
		if submitted {
			d.SubmittedAt = &st
		}
		want, err := json.Marshal(d)
		got, ok := appendSubmittedDoc(nil, &d)
		if ok && (err != nil || !bytes.Equal(got, want)) {
			t.Errorf("wrote\n%s\nencoding/json:\n%s (%v)", got, want, err)
		}
	})
}
