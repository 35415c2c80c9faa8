package admin_test

import (
	"encoding/json"
	"fmt"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"net/http"
	"strings"
	"testing"
)

// apiPsychometrics is the part of the psychometrics API's answer the
// validation page shows.
type apiPsychometrics struct {
	KMO struct {
		Overall float64 `json:"overall"`
	} `json:"kmo"`
	Parallel struct {
		SuggestedFactors int `json:"suggested_factors"`
	} `json:"parallel"`
	Omega []struct {
		Subscale   string   `json:"subscale"`
		OmegaTotal *float64 `json:"omega_total"`
	} `json:"omega"`
}

func getAPIPsychometrics(t *testing.T, f *fixture, query string) apiPsychometrics {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/v1/surveys/"+f.study.ID+"/psychometrics"+query, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep apiPsychometrics
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("psychometrics API: %d %v", resp.StatusCode, err)
	}
	return rep
}

func TestValidation(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, testValidation)
}

func testValidation(t *testing.T, engine string) {
	f := newFixture(t, engine, seed{complete: 150, days: 3})
	c := f.signedIn(t)
	base := "/admin/surveys/" + f.study.ID + "/validation"

	if p := c.get("/admin/surveys/" + f.study.ID); !strings.Contains(p.body, `href="`+base+`"`) {
		t.Error("the results page does not link the validation page")
	}
	p := c.get(base)
	if p.status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	checkPageHeaders(t, p)
	for _, want := range []string{"Validation: Physician survey 2026", `class="chart-svg scree"`, "Scree plot: table",
		"Exploratory factor analysis", "Factor correlations", "ω total", `class="num l3"`, "Kaiser&#39;s label", "Loadings on the general factor"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// The API's figures, computed the same way.
	api := getAPIPsychometrics(t, f, "")
	if want := fmt.Sprintf(`<dd class="value">%.2f</dd>`, api.KMO.Overall); !strings.Contains(p.body, want) {
		t.Errorf("page lacks the API's KMO %s", want)
	}
	if want := fmt.Sprintf("here <strong>%d</strong>", api.Parallel.SuggestedFactors); !strings.Contains(p.body, want) {
		t.Errorf("page lacks the API's suggestion %s", want)
	}
	for _, o := range api.Omega {
		if o.OmegaTotal == nil {
			t.Fatalf("no omega for %s", o.Subscale)
		}
		if want := fmt.Sprintf(`<td class="num">%.2f</td>`, *o.OmegaTotal); !strings.Contains(p.body, want) {
			t.Errorf("page lacks omega %s of %s", want, o.Subscale)
		}
	}

	// The form's choices reach the analysis.
	p = c.get(base + "?factors=2&rotation=varimax&extraction=ml&cfa=true&correlation=polychoric")
	if p.status != http.StatusOK || !strings.Contains(p.body, "2 factors as asked") || !strings.Contains(p.body, "Maximum-likelihood extraction, varimax rotation") ||
		strings.Contains(p.body, "Factor correlations") || !strings.Contains(p.body, "Confirmatory fit of the declared subscales") ||
		!strings.Contains(p.body, "Fit indices and their conventional reading") ||
		!strings.Contains(p.body, "polychoric correlations, pairwise deletion") || !strings.Contains(p.body, `<option value="polychoric" selected>`) {
		t.Errorf("status %d; the options are not shown as chosen", p.status)
	}

	// A bad choice: the page says what is wrong and keeps the form.
	p = c.get(base + "?factors=99&rotation=spin")
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "The analysis cannot run:</strong> the query is not valid") ||
		!strings.Contains(p.body, `<span class="id">factors</span>`) || !strings.Contains(p.body, `<span class="id">rotation</span>`) || !strings.Contains(p.body, `id="v-factors"`) {
		t.Errorf("bad query: status %d\n%s", p.status, p.body)
	}
	// Too few respondents: the same.
	p = c.get("/admin/surveys/" + f.empty.ID + "/validation")
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "too few respondents") {
		t.Errorf("empty survey: status %d\n%s", p.status, p.body)
	}
	if p = c.get("/admin/surveys/nosuchsurv/validation"); p.status != http.StatusNotFound {
		t.Errorf("unknown survey: status %d", p.status)
	}
}
