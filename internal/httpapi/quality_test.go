package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// qualityYAML: a subscale of five likert items on one scale in one
// section (a Likert block) and an attention check.
const qualityYAML = `key: quality-api
version: 1
title: Quality
scales:
  - id: a5
    options: [{value: 1, label: "1"}, {value: 2, label: "2"}, {value: 3, label: "3"}, {value: 4, label: "4"}, {value: 5, label: "5"}]
subscales:
  - {id: mood, title: Mood}
sections:
  - id: s
    title: S
    items:
      - {id: m1, type: likert, text: M1, scale: a5, subscale: mood}
      - {id: m2, type: likert, text: M2, scale: a5, subscale: mood}
      - {id: m3, type: likert, text: M3, scale: a5, subscale: mood}
      - {id: m4, type: likert, text: M4, scale: a5, subscale: mood}
      - {id: m5, type: likert, text: M5, scale: a5, subscale: mood}
      - {id: check, type: likert, text: Please choose 4, scale: a5, attention: {expect: 4}}
`

// TestStatsExcludeDQ: exclude=dq leaves out the responses a data-quality
// rule flags (here a straight block and failed attention checks), on the
// stats and psychometrics routes, and says how many; a bad exclude or
// speeder_fraction is a 422 naming the parameter.
func TestStatsExcludeDQ(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := statsEnv(t, engine)
		e.createInstrument(t, qualityYAML, ctYAML)
		e.publish(t, "quality-api", 1)
		id := e.createSurvey(t, map[string]any{"instrument_key": "quality-api"})
		rows := [][]int{
			{1, 2, 3, 4, 5, 4}, {2, 2, 3, 3, 4, 4}, {5, 4, 4, 3, 2, 4}, {3, 4, 2, 1, 2, 4}, // clean
			{3, 3, 3, 3, 3, 4}, // straight block
			{1, 2, 3, 4, 5, 1}, // attention failed
			{2, 3, 4, 5, 1},    // attention unanswered
		}
		for i := range 8 { // more clean ones, for the factor analysis's ten
			rows = append(rows, []int{1 + i%5, 1 + (i+1)%5, 1 + (i*2)%5, 1 + (i+3)%5, 1 + (i*3+1)%5, 4})
		}
		for _, r := range rows {
			a := map[string]any{}
			for i, v := range r {
				a[[]string{"m1", "m2", "m3", "m4", "m5", "check"}[i]] = v
			}
			b, _ := json.Marshal(map[string]any{"answers": a})
			e.submit(t, id, string(b), http.StatusCreated)
		}
		base := "/api/v1/surveys/" + id
		all := getStats(t, e, base+"/stats")
		if n := all.Groups[0].Responses.N; n != 15 {
			t.Fatalf("without exclude: %d responses, want 15", n)
		}
		body := e.mustDo(t, request{Method: "GET", URL: base + "/stats?exclude=dq&speeder_fraction=0.2", Authorization: bearer}, http.StatusOK)
		var doc struct {
			Exclude  string `json:"exclude"`
			Excluded *int   `json:"excluded"`
			Groups   []struct {
				Responses struct {
					N int `json:"n"`
				} `json:"responses"`
				Items []struct {
					ID string `json:"id"`
					N  int    `json:"n"`
				} `json:"items"`
			} `json:"groups"`
		}
		mustUnmarshal(t, body, &doc)
		if doc.Exclude != "dq" || doc.Excluded == nil || *doc.Excluded != 3 || doc.Groups[0].Responses.N != 12 {
			t.Fatalf("exclude=dq: %s", body)
		}
		for _, it := range doc.Groups[0].Items {
			if it.N != 12 {
				t.Errorf("item %s counts %d responses, want the 12 unflagged", it.ID, it.N)
			}
		}
		// Without exclude the document says nothing of it.
		if plain := e.mustDo(t, request{Method: "GET", URL: base + "/stats", Authorization: bearer}, http.StatusOK); json.Valid(plain) {
			var m map[string]any
			mustUnmarshal(t, plain, &m)
			if _, ok := m["excluded"]; ok {
				t.Errorf("excluded without exclude=dq: %s", plain)
			}
		}
		body = e.mustDo(t, request{Method: "GET", URL: base + "/psychometrics?exclude=dq&items=m1,m2,m3,m4,m5&factors=1&resamples=0", Authorization: bearer}, http.StatusOK)
		var psy struct {
			Exclude     string `json:"exclude"`
			Excluded    *int   `json:"excluded"`
			Respondents int    `json:"respondents"`
		}
		mustUnmarshal(t, body, &psy)
		if psy.Exclude != "dq" || psy.Excluded == nil || *psy.Excluded != 3 || psy.Respondents != 12 {
			t.Errorf("psychometrics exclude=dq: exclude %q excluded %v respondents %d", psy.Exclude, psy.Excluded, psy.Respondents)
		}

		for _, c := range []struct {
			name, url, auth string
			status          int
			code            string
			paths           []string
		}{
			{"StatsBadExclude", base + "/stats?exclude=speeders", bearer, 422, survey.EInvalid, []string{"exclude"}},
			{"StatsBadFraction", base + "/stats?exclude=dq&speeder_fraction=1.2", bearer, 422, survey.EInvalid, []string{"speeder_fraction"}},
			{"StatsBadBoth", base + "/stats?exclude=all&speeder_fraction=x&status=done", bearer, 422, survey.EInvalid, []string{"status", "exclude", "speeder_fraction"}},
			{"PsychometricsBadExclude", base + "/psychometrics?exclude=1", bearer, 422, survey.EInvalid, []string{"exclude"}},
			{"StatsUnknownSurvey", "/api/v1/surveys/nosuchsurv/stats?exclude=dq", bearer, 404, survey.ENotFound, nil},
			{"StatsNoToken", base + "/stats?exclude=dq", "", 401, survey.EUnauthorized, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, _, body := e.do(t, request{Method: "GET", URL: c.url, Authorization: c.auth})
				if status != c.status {
					t.Fatalf("status %d, want %d: %s", status, c.status, body)
				}
				apiErr := decodeError(t, body)
				paths := apiErr.detailPaths()
				slices.Sort(paths)
				want := slices.Clone(c.paths)
				slices.Sort(want)
				if apiErr.Error.Code != c.code || !slices.Equal(paths, want) {
					t.Errorf("error %+v, want code %s paths %v", apiErr.Error, c.code, c.paths)
				}
			})
		}
	})
}
