package httpapi_test

// Tests of GET /api/v1/surveys/{id}/psychometrics: the analysis over a
// real SQLite store through the real router. The figures themselves are
// held equal to R by internal/psychometrics' reference tests; these check
// the route: parameters, filters, the JSON shape, and a clear 4xx (never
// NaN or a 500) for every input that makes the analysis meaningless.

import (
	"encoding/json"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// psychometricsAnswer is the document as a client reads it.
type psychometricsAnswer struct {
	SurveyID    string   `json:"survey_id"`
	Status      string   `json:"status"`
	Respondents int      `json:"respondents"`
	Items       []string `json:"items"`
	Correlation struct {
		Method   string `json:"method"`
		Deletion string `json:"deletion"`
		N        int    `json:"n"`
	} `json:"correlation"`
	KMO struct {
		Overall float64 `json:"overall"`
		Items   []struct {
			Item string  `json:"item"`
			MSA  float64 `json:"msa"`
		} `json:"items"`
	} `json:"kmo"`
	Bartlett struct {
		ChiSquare float64 `json:"chi_square"`
		DF        float64 `json:"df"`
		P         float64 `json:"p"`
	} `json:"bartlett"`
	Eigenvalues []float64 `json:"eigenvalues"`
	Parallel    *struct {
		SuggestedFactors int       `json:"suggested_factors"`
		Simulations      int       `json:"simulations"`
		Seed             uint64    `json:"seed"`
		Simulated95      []float64 `json:"simulated_95"`
	} `json:"parallel"`
	EFA *struct {
		Factors     int    `json:"factors"`
		FactorsFrom string `json:"factors_from"`
		Extraction  string `json:"extraction"`
		Rotation    string `json:"rotation"`
		Converged   bool   `json:"converged"`
		Loadings    []struct {
			Item          string    `json:"item"`
			Loadings      []float64 `json:"loadings"`
			PrimaryFactor int       `json:"primary_factor"`
		} `json:"loadings"`
		FactorCorrelations [][]float64 `json:"factor_correlations"`
	} `json:"efa"`
	Omega []struct {
		Subscale   string   `json:"subscale"`
		Items      []string `json:"items"`
		OmegaTotal *float64 `json:"omega_total"`
		Interval   *struct {
			Lower float64 `json:"lower"`
			Upper float64 `json:"upper"`
		} `json:"interval"`
	} `json:"omega"`
	Hierarchy *struct {
		OmegaH float64 `json:"omega_h"`
	} `json:"omega_hierarchical"`
	Warnings []struct {
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"warnings"`
}

func getPsychometrics(tb testing.TB, e *testEnv, url string) (psychometricsAnswer, []byte) {
	tb.Helper()
	status, _, body := e.do(tb, request{Method: "GET", URL: url, Authorization: bearer})
	if status != http.StatusOK {
		tb.Fatalf("GET %s: status %d: %s", url, status, body)
	}
	var a psychometricsAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		tb.Fatalf("GET %s: %v: %s", url, err, body)
	}
	return a, body
}

// TestPsychometricsAPI runs on SQLite only: fillStudySurvey writes the
// file directly (a bulk fill of 400 responses). The read path is the
// statistics' response scanner, whose PostgreSQL half TestStatsAPI and
// TestPsychometricsDegenerateData cover.
func TestPsychometricsAPI(t *testing.T) {
	t.Parallel()
	e := statsEnv(t, enginetest.SQLite)
	id := fillStudySurvey(t, e, 400)
	base := "/api/v1/surveys/" + id + "/psychometrics"

	t.Run("Default", func(t *testing.T) {
		a, _ := getPsychometrics(t, e, base+"?resamples=40&simulations=10")
		if a.SurveyID != id || a.Status != "complete" || a.Respondents != 400 || len(a.Items) != 25 {
			t.Fatalf("survey %s status %s respondents %d items %d", a.SurveyID, a.Status, a.Respondents, len(a.Items))
		}
		if a.Correlation.Method != "pearson" || a.Correlation.Deletion != "pairwise" || a.Correlation.N != 400 {
			t.Errorf("correlation %+v", a.Correlation)
		}
		if a.KMO.Overall <= 0 || a.KMO.Overall > 1 || len(a.KMO.Items) != 25 || a.KMO.Items[0].Item != a.Items[0] {
			t.Errorf("KMO %+v", a.KMO)
		}
		if a.Bartlett.DF != 300 || a.Bartlett.ChiSquare <= 0 {
			t.Errorf("Bartlett %+v", a.Bartlett)
		}
		var sum float64
		for _, v := range a.Eigenvalues {
			sum += v
		}
		if len(a.Eigenvalues) != 25 || math.Abs(sum-25) > 1e-9 || !slices.IsSortedFunc(a.Eigenvalues, func(x, y float64) int { return int(math.Copysign(1, y-x)) }) {
			t.Errorf("eigenvalues %v (sum %g)", a.Eigenvalues, sum)
		}
		// The simulated respondents hold one latent attitude per
		// subscale: parallel analysis must find the five of them.
		if a.Parallel == nil || a.Parallel.Simulations != 10 || a.Parallel.Seed != 1 || a.Parallel.SuggestedFactors != 5 {
			t.Fatalf("parallel %+v", a.Parallel)
		}
		if a.EFA == nil || a.EFA.Factors != 5 || a.EFA.FactorsFrom != "parallel_analysis" || a.EFA.Extraction != "minres" ||
			a.EFA.Rotation != "oblimin" || !a.EFA.Converged || len(a.EFA.Loadings) != 25 || len(a.EFA.FactorCorrelations) != 5 {
			t.Fatalf("efa %+v", a.EFA)
		}
		// Sorted as fa.sort: items of one subscale share their primary
		// factor and come together.
		primary := map[string]int{}
		for _, l := range a.EFA.Loadings {
			sub := l.Item[:3]
			if f, ok := primary[sub]; ok && f != l.PrimaryFactor {
				t.Errorf("%s loads mainly on factor %d, its subscale on %d", l.Item, l.PrimaryFactor, f)
			}
			primary[sub] = l.PrimaryFactor
		}
		if len(a.Omega) != 5 {
			t.Fatalf("omega %+v", a.Omega)
		}
		for _, o := range a.Omega {
			if o.OmegaTotal == nil || *o.OmegaTotal <= 0 || *o.OmegaTotal > 1 || o.Interval == nil ||
				o.Interval.Lower > *o.OmegaTotal || o.Interval.Upper < *o.OmegaTotal || len(o.Items) != 5 {
				t.Errorf("omega of %s: %+v (interval %+v)", o.Subscale, o.OmegaTotal, o.Interval)
			}
		}
		if a.Hierarchy == nil || a.Hierarchy.OmegaH <= 0 || a.Hierarchy.OmegaH >= 1 {
			t.Errorf("omega hierarchical %+v", a.Hierarchy)
		}
	})

	t.Run("Seeded", func(t *testing.T) {
		// The same seed gives the same document; another seed another
		// bootstrap.
		q := "?resamples=30&simulations=5&seed=7"
		_, b1 := getPsychometrics(t, e, base+q)
		_, b2 := getPsychometrics(t, e, base+q)
		if string(b1) != string(b2) {
			t.Error("two answers with one seed differ")
		}
		_, b3 := getPsychometrics(t, e, base+"?resamples=30&simulations=5&seed=8")
		if string(b1) == string(b3) {
			t.Error("two seeds give the same answer")
		}
	})

	t.Run("Options", func(t *testing.T) {
		items := "eff_1,eff_2,eff_3,eff_4,eff_5,com_1,com_2,com_3,com_4,com_5"
		a, _ := getPsychometrics(t, e, base+"?items="+items+"&factors=2&extraction=ml&rotation=promax&deletion=listwise&resamples=0&simulations=5")
		if len(a.Items) != 10 || a.EFA == nil || a.EFA.Factors != 2 || a.EFA.FactorsFrom != "request" || a.EFA.Extraction != "ml" ||
			a.EFA.Rotation != "promax" || len(a.EFA.FactorCorrelations) != 2 || a.Correlation.Deletion != "listwise" {
			t.Fatalf("%+v", a)
		}
		if a.Omega[0].Interval != nil {
			t.Error("an interval with resamples=0")
		}
		// Two group factors: omega hierarchical with psych's warning.
		found := false
		for _, w := range a.Warnings {
			found = found || w.Path == "omega_hierarchical"
		}
		if !found {
			t.Errorf("no warning about two group factors: %+v", a.Warnings)
		}
		pc, _ := getPsychometrics(t, e, base+"?items="+items+"&correlation=polychoric&resamples=20&simulations=5")
		if pc.Correlation.Method != "polychoric" || pc.Correlation.Deletion != "pairwise" || pc.EFA == nil || pc.Omega[0].Interval == nil {
			t.Errorf("polychoric: %+v", pc)
		}
		// Polychoric correlations undo the attenuation of cutting the
		// latent attitudes into 1–5 answers: stronger than the Pearson
		// ones, so a larger Bartlett's chi-square on the same respondents.
		pe, _ := getPsychometrics(t, e, base+"?items="+items+"&resamples=0&simulations=5")
		if pc.Bartlett.ChiSquare <= pe.Bartlett.ChiSquare || pc.Correlation.N != pe.Correlation.N {
			t.Errorf("Bartlett's chi-square: polychoric %+v, Pearson %+v", pc.Bartlett, pe.Bartlett)
		}
		v, _ := getPsychometrics(t, e, base+"?items="+items+"&factors=2&rotation=varimax&resamples=0&simulations=5")
		if v.EFA.FactorCorrelations != nil {
			t.Errorf("factor correlations for an orthogonal rotation: %v", v.EFA.FactorCorrelations)
		}
	})

	t.Run("NoCommonFactor", func(t *testing.T) {
		// One item of each subscale: the simulated attitudes are drawn
		// independently, so nothing is shared beyond chance.
		a, _ := getPsychometrics(t, e, base+"?items=eff_1,com_1,emp_1,sdm_1,trn_1&resamples=0&simulations=20")
		if a.Parallel == nil || a.Parallel.SuggestedFactors != 0 || a.EFA == nil || a.EFA.Factors != 1 {
			t.Fatalf("parallel %+v, efa %+v", a.Parallel, a.EFA)
		}
		found := false
		for _, w := range a.Warnings {
			found = found || (w.Path == "efa" && strings.Contains(w.Message, "no common factor"))
		}
		if !found {
			t.Errorf("no warning that no factor was found: %+v", a.Warnings)
		}
	})

	t.Run("CFA", func(t *testing.T) {
		// The declared structure: a fit when the server has the
		// confirmatory analysis, a warning saying so when it has not.
		_, body := getPsychometrics(t, e, base+"?cfa=true&resamples=0&simulations=5")
		var doc struct {
			CFA *struct {
				Factors   []string `json:"factors"`
				CFI       float64  `json:"cfi"`
				RMSEA     float64  `json:"rmsea"`
				Converged bool     `json:"converged"`
			} `json:"cfa"`
			Warnings []struct{ Path, Message string } `json:"warnings"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.CFA != nil {
			if len(doc.CFA.Factors) != 5 || !doc.CFA.Converged || doc.CFA.CFI <= 0 || doc.CFA.CFI > 1 || doc.CFA.RMSEA < 0 {
				t.Errorf("cfa %+v", doc.CFA)
			}
			return
		}
		for _, w := range doc.Warnings {
			if w.Path == "cfa" {
				return
			}
		}
		t.Errorf("no cfa and no warning about it: %s", body)
	})

	t.Run("Errors", func(t *testing.T) {
		for _, c := range []struct {
			name, url, auth string
			status          int
			code            string
			paths           []string
		}{
			{"BadParameters", base + "?factors=x&extraction=pca&rotation=quartimax&correlation=spearman&deletion=some&seed=-1&resamples=99999&simulations=0&cfa=maybe&status=done",
				bearer, 422, survey.EInvalid, []string{"cfa", "correlation", "deletion", "extraction", "factors", "resamples", "rotation", "seed", "simulations", "status"}},
			{"TooManyFactors", base + "?factors=25", bearer, 422, survey.EInvalid, []string{"factors"}},
			{"BadItems", base + "?items=eff_1,nope,specialty,eff_1", bearer, 422, survey.EInvalid, []string{"items[1]", "items[2]", "items[3]"}},
			{"TwoItems", base + "?items=eff_1,eff_2", bearer, 422, survey.EInvalid, []string{"items"}},
			{"NoSurvey", "/api/v1/surveys/nosuchsurv/psychometrics", bearer, 404, survey.ENotFound, nil},
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
}

// TestPsychometricsDegenerateData: data that make the analysis
// meaningless get a 422 naming what is wrong, never NaN or a 500.
func TestPsychometricsDegenerateData(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, testPsychometricsDegenerateData)
}

func testPsychometricsDegenerateData(t *testing.T, engine string) {
	e := statsEnv(t, engine)
	id := resultsFixture(t, e) // 9 complete responses; pair_2 is always 3
	base := "/api/v1/surveys/" + id + "/psychometrics"

	status, _, body := e.do(t, request{Method: "GET", URL: base + "?items=att_1,att_2,att_3,att_4", Authorization: bearer})
	if status != 422 || decodeError(t, body).Error.Code != survey.EInvalid {
		t.Fatalf("too few respondents: status %d: %s", status, body)
	}

	// Three more respondents: enough for four items; pair_2 stays
	// constant. (A collinear pair is tested in internal/psychometrics.)
	for i := range 3 {
		a := map[string]any{"att_1": 1 + i, "att_2": 3 - i, "att_3": 2, "att_4": 1 + i, "pair_1": 2, "pair_2": 3, "role": 1}
		b, _ := json.Marshal(map[string]any{"answers": a})
		e.submit(t, id, string(b), http.StatusCreated)
	}
	status, _, body = e.do(t, request{Method: "GET", URL: base + "?items=att_1,att_2,pair_1,pair_2", Authorization: bearer})
	if status != 422 {
		t.Fatalf("constant item: status %d: %s", status, body)
	}
	if got := decodeError(t, body).detailPaths(); !slices.Equal(got, []string{"items.pair_2"}) {
		t.Errorf("constant item: paths %v: %s", got, body)
	}
	// The default analysis (every subscale item) names pair_2 too.
	status, _, body = e.do(t, request{Method: "GET", URL: base, Authorization: bearer})
	if status != 422 {
		t.Fatalf("default analysis: status %d: %s", status, body)
	}
	if got := decodeError(t, body).detailPaths(); !slices.Equal(got, []string{"items.pair_2"}) {
		t.Errorf("default analysis: paths %v: %s", got, body)
	}
}

// BenchmarkSurveyPsychometrics answers GET /api/v1/surveys/{id}/psychometrics
// over 100,000 stored responses to the study instrument (the responses of
// BenchmarkSurveyStats): the store's scan, the analysis of 25 items with
// 20 simulations and 200 bootstrap resamples per subscale.
//
//	go test -run '^$' -bench SurveyPsychometrics -benchtime 3x ./internal/httpapi
func BenchmarkSurveyPsychometrics(b *testing.B) {
	e := statsEnv(b, enginetest.SQLite)
	id := fillStudySurvey(b, e, 100000)
	for _, q := range []string{"", "?simulations=100&extraction=ml"} {
		b.Run("query="+q, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				e.mustDo(b, request{Method: "GET", URL: "/api/v1/surveys/" + id + "/psychometrics" + q, Authorization: bearer}, http.StatusOK)
			}
			b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
