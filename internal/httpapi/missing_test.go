package httpapi_test

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
)

// TestMissingCodesThroughTheAPI answers with missing codes through the
// real router and reads the statistics and the export back: the code is
// stored and exported as the answer, never scored, and counted apart.
func TestMissingCodesThroughTheAPI(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := statsEnv(t, engine)
		e.createInstrument(t, testInstrument(withMissingCodes), ctJSON)
		e.publish(t, "wellbeing-test", 1)
		id := e.createSurvey(t, nil)
		// The public form offers the codes, marked, so a client can draw
		// them apart.
		pub := e.mustDo(t, request{Method: "GET", URL: "/api/v1/public/surveys/" + id}, http.StatusOK)
		if !bytes.Contains(pub, []byte(`{"value":9,"label":"Not applicable","missing":true}`)) {
			t.Errorf("public form without the marked missing code: %s", pub)
		}
		for _, a := range []map[string]any{
			// q_rev is reverse-keyed: 9 must count as unanswered, not as 1 + 5 − 9.
			{"q_like": 4, "q_rev": 9, "q_use": 9, "q_years": 3},
			{"q_like": 2, "q_rev": 2, "q_use": 0, "q_years": 5},
			{"q_like": 9, "q_rev": 9, "q_use": 0, "q_years": 5},
		} {
			b, _ := json.Marshal(map[string]any{"answers": a})
			e.submit(t, id, string(b), http.StatusCreated)
		}
		// A multiple-choice missing code stands alone or not at all.
		e.submit(t, id, `{"answers": {"q_like": 3, "q_rev": 3, "q_use": 1, "q_tools": [9], "q_years": 1}}`, http.StatusCreated)
		bad := e.mustDo(t, request{Method: "POST", URL: "/api/v1/public/surveys/" + id + "/responses", ContentType: ctJSON,
			Body: `{"answers": {"q_like": 3, "q_rev": 3, "q_use": 1, "q_tools": [1, 9], "q_years": 1}}`}, http.StatusUnprocessableEntity)
		if !bytes.Contains(bad, []byte(`{"path":"answers.q_tools","message":"9 (Don't know) is a missing code and cannot be selected with other options"}`)) {
			t.Errorf("a missing code beside an option: %s", bad)
		}
		body := e.mustDo(t, request{Method: "GET", URL: "/api/v1/surveys/" + id + "/stats", Authorization: bearer}, http.StatusOK)
		var st struct {
			Groups []struct {
				Items []struct {
					ID           string   `json:"id"`
					N            int      `json:"n"`
					MissingCodes int      `json:"missing_codes"`
					Mean         *float64 `json:"mean"`
				} `json:"items"`
				Subscales []struct {
					N    int      `json:"n"`
					Mean *float64 `json:"mean"`
					Max  float64  `json:"max"`
				} `json:"subscales"`
			} `json:"groups"`
		}
		mustUnmarshal(t, body, &st)
		g := st.Groups[0]
		want := map[string][2]int{"q_like": {3, 1}, "q_rev": {2, 2}, "q_use": {3, 1}, "q_tools": {0, 1}}
		for _, it := range g.Items {
			if w, ok := want[it.ID]; ok && (it.N != w[0] || it.MissingCodes != w[1]) {
				t.Errorf("%s: n %d, missing_codes %d; want %d, %d", it.ID, it.N, it.MissingCodes, w[0], w[1])
			}
			if it.ID == "q_use" && (it.Mean == nil || math.Abs(*it.Mean-1.0/3) > 1e-12) {
				t.Errorf("q_use mean %v, want 1/3 (0, 0, 1; 9 left out)", it.Mean)
			}
		}
		// mood (mean, min_answered 1): 4 (q_rev's 9 unanswered), then
		// (2 + (6 − 2)) / 2 = 3, the third has no substantive answer, the
		// fourth (3 + 3) / 2 = 3: (4 + 3 + 3) / 3.
		if s := g.Subscales[0]; s.N != 3 || s.Mean == nil || math.Abs(*s.Mean-10.0/3) > 1e-12 || s.Max != 5 {
			t.Errorf("mood: %+v (mean %v), want n 3, mean 10/3 on 1–5", s, s.Mean)
		}
		csv := e.mustDo(t, request{Method: "GET", URL: "/api/v1/surveys/" + id + "/export.csv", Authorization: bearer}, http.StatusOK)
		if !bytes.Contains(csv, []byte(",4,9,9,")) {
			t.Errorf("the CSV does not keep the codes as answered:\n%s", csv)
		}
	})
}
