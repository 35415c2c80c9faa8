package admin

// The validation page of a survey: the analysis of GET
// /api/v1/surveys/{id}/psychometrics, computed the same way
// (psychometrics.Service.Analyze), shown as a scree plot with its table,
// a loadings table shaded by size, omega per subscale and, when the server
// has it, the confirmatory fit of the declared subscales read against the
// conventional cut-offs. The form's fields are the API's parameters.

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/chart"
	"github.com/dyad-survey/dyad/internal/psychometrics"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// validationView is the validation page.
type validationView struct {
	ID, Title  string
	Instrument string
	Form       validationForm
	Scope      string
	// Problem, when set, says why the analysis cannot run, Problems list
	// the parameters or items at fault (the page is then a 422 with the
	// form to change them).
	Problem  string
	Problems []survey.Detail
	Warnings []psychometrics.Warning

	Figures []figure
	KMORows []kmoRow

	Scree, ScreeNarrow template.HTML
	ScreeRows          []screeRow
	Suggested          int

	EFA        *efaView
	Omega      []omegaRow
	Hierarchy  string       // omega hierarchical, formatted; "" without
	General    []generalRow // each item's loading on the general factor
	CFA        *cfaView
	CFAMissing string // why there is no CFA, when asked for
}

type validationForm struct {
	Status, Extraction, Rotation, Correlation, Deletion []option
	Exclude                                             []option // flagged responses: keep or leave out
	Factors, Seed                                       string
	CFA                                                 bool
}

type kmoRow struct {
	Item, MSA, Reading string
}

type generalRow struct {
	Item, Loading string
}

type screeRow struct {
	N                               int
	Eigen, Observed, SimMean, Sim95 string
	Retained                        bool
}

type efaView struct {
	Factors     []string // column heads: "F1", ...
	From        string
	Rows        []loadingRow
	Variance    [][]string // rows: SS loadings, proportion, cumulative; first cell the label
	Correlation [][]string // oblique only
	Method      string
	Converged   bool
}

type loadingRow struct {
	Item, Text  string
	Reverse     bool
	Cells       []loadingCell
	Communality string
	Uniqueness  string
}

// loadingCell is one loading with its shade: the class l0 (below .2) to
// l3 (.6 and above), so the pattern shows at a glance; the number is
// always written, and the primary loading is bold too.
type loadingCell struct {
	Value   string
	Shade   string
	Primary bool
}

type omegaRow struct {
	ID, Title string
	Items, N  int
	Omega, CI string
	Alpha     string
	Note      string
}

type cfaView struct {
	Factors   string
	ChiSquare string
	Readings  []fitReading
	Converged bool
}

type fitReading struct {
	Index, Value, Reading string
}

// validation: GET /admin/surveys/{id}/validation.
func (p *Pages) validation(c *gin.Context) {
	q := psychometrics.Query{SurveyID: c.Param("id"), Status: c.Query("status"), Factors: c.Query("factors"),
		Extraction: c.Query("extraction"), Rotation: c.Query("rotation"), Correlation: c.Query("correlation"), Deletion: c.Query("deletion"),
		Seed: c.Query("seed"), CFA: c.Query("cfa"), Exclude: c.Query("exclude")}
	rep, err := psychometrics.NewService(p.svc, p.responses).Analyze(c.Request.Context(), q)
	var se *survey.Error
	if err != nil && !(errors.As(err, &se) && se.Code == survey.EInvalid) {
		p.fail(c, err)
		return
	}
	sv, err2 := p.svc.Survey(c.Request.Context(), q.SurveyID)
	if err2 != nil {
		p.fail(c, err2)
		return
	}
	vv := &validationView{ID: sv.ID, Title: sv.Title, Form: validationFormOf(q)}
	v := p.newView(c, tr("admin.validation.title", "Survey", sv.Title))
	v.page, v.Validation = "validation", vv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {"/admin/surveys/" + sv.ID, sv.Title}, {"", tr("admin.validation.crumb")}}
	if err != nil {
		// The analysis cannot run: say why, keep the form.
		v.status = http.StatusUnprocessableEntity
		vv.Problem, vv.Problems = se.Message, se.Details
		p.render(c, v)
		return
	}
	in := rep.Form.Instrument
	vv.Instrument = tr("admin.validation.instrument", "Title", in.Title, "Key", in.Key, "Version", in.Version)
	vv.Scope = scopes[survey.StatusFilter(rep.Status)]
	if rep.Excluded != nil {
		vv.Scope = trn("admin.results.scope_less", *rep.Excluded, "Scope", vv.Scope)
	}
	vv.Warnings = rep.Warnings
	fillValidation(vv, rep)
	p.render(c, v)
}

func validationFormOf(q psychometrics.Query) validationForm {
	pick := func(value, dflt string, opts [][2]string) []option {
		if value == "" {
			value = dflt
		}
		var out []option
		for _, o := range opts {
			out = append(out, option{o[0], o[1], o[0] == value})
		}
		return out
	}
	return validationForm{
		Status:      pick(q.Status, survey.ResponseComplete, [][2]string{{survey.ResponseComplete, tr("admin.status.complete")}, {survey.ResponseInProgress, tr("admin.status.in_progress")}, {"all", tr("admin.status.all")}}),
		Extraction:  pick(q.Extraction, "minres", [][2]string{{"minres", tr("admin.validation.minres")}, {"ml", tr("admin.validation.ml")}}),
		Rotation:    pick(q.Rotation, "oblimin", [][2]string{{"oblimin", tr("admin.validation.oblimin")}, {"promax", tr("admin.validation.promax")}, {"varimax", tr("admin.validation.varimax")}, {"none", tr("admin.validation.no_rotation")}}),
		Correlation: pick(q.Correlation, "pearson", [][2]string{{"pearson", tr("admin.validation.pearson")}, {"polychoric", tr("admin.validation.polychoric")}}),
		Deletion:    pick(q.Deletion, "pairwise", [][2]string{{"pairwise", tr("admin.validation.pairwise")}, {"listwise", tr("admin.validation.listwise")}}),
		Factors:     q.Factors, Seed: q.Seed, CFA: q.CFA == "true",
		Exclude: pick(q.Exclude, "", [][2]string{{"", tr("admin.status.keep")}, {"dq", tr("admin.status.leave_out")}}),
	}
}

// f3 and f2 format a figure with 3 or 2 decimals; a value that rounds to
// zero is written 0, never −0.
func f3(v float64) string { return fixedNoNegZero(v, 3) }
func f2(v float64) string { return fixedNoNegZero(v, 2) }

func fixedNoNegZero(v float64, d int) string {
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.Trim(s, "-0.") == "" {
		return strings.TrimPrefix(s, "-")
	}
	return s
}

// kmoReading is Kaiser's (1974) wording for a measure of sampling
// adequacy.
func kmoReading(v float64) string {
	switch {
	case v >= 0.9:
		return tr("admin.validation.kmo_marvelous")
	case v >= 0.8:
		return tr("admin.validation.kmo_meritorious")
	case v >= 0.7:
		return tr("admin.validation.kmo_middling")
	case v >= 0.6:
		return tr("admin.validation.kmo_mediocre")
	case v >= 0.5:
		return tr("admin.validation.kmo_miserable")
	default:
		return tr("admin.validation.kmo_unacceptable")
	}
}

func pValue(p float64) string {
	if p < 0.001 {
		return "< .001"
	}
	return f3(p)
}

func fillValidation(vv *validationView, rep *psychometrics.Report) {
	form := rep.Form
	vv.Figures = []figure{
		{Label: tr("admin.validation.respondents"), Value: itoa(rep.Respondents), Note: trn("admin.validation.respondents_note", len(rep.Items),
			"Method", rep.Correlation.Method, "Deletion", rep.Correlation.Deletion)},
		{Label: "KMO", Value: f2(rep.KMO.Overall), Note: tr("admin.validation.kmo_note", "Reading", kmoReading(rep.KMO.Overall))},
		{Label: tr("admin.validation.bartlett"), Value: fmt.Sprintf("%.1f", rep.Bartlett.ChiSquare), Note: fmt.Sprintf("df %.0f, p %s", rep.Bartlett.DF, pValue(rep.Bartlett.P))},
	}
	for _, k := range rep.KMO.Items {
		vv.KMORows = append(vv.KMORows, kmoRow{Item: k.Item, MSA: f2(k.MSA), Reading: kmoReading(k.MSA)})
	}
	if pa := rep.Parallel; pa != nil {
		vv.Suggested = pa.SuggestedFactors
		vv.Figures = append(vv.Figures, figure{Label: tr("admin.validation.factors_suggested"), Value: itoa(pa.SuggestedFactors),
			Note: tr("admin.validation.parallel_note", "Simulations", fmt.Sprint(pa.Simulations), "Seed", fmt.Sprint(pa.Seed))})
		sc := chart.Scree{ID: "scree", Title: tr("admin.validation.scree"), Observed: pa.Observed, Simulated: pa.Simulated95,
			ObservedLabel: tr("admin.validation.observed"), SimulatedLabel: tr("admin.validation.random_data"), Suggested: pa.SuggestedFactors}
		vv.Scree = sc.Render()
		sc.ID, sc.Width = "scree-n", 400
		vv.ScreeNarrow = sc.Render()
		for i := range pa.Observed {
			vv.ScreeRows = append(vv.ScreeRows, screeRow{N: i + 1, Eigen: f3(rep.Eigenvalues[i]), Observed: f3(pa.Observed[i]),
				SimMean: f3(pa.SimulatedMean[i]), Sim95: f3(pa.Simulated95[i]), Retained: i < pa.SuggestedFactors})
		}
	}
	if e := rep.EFA; e != nil {
		ev := &efaView{Converged: e.Converged, From: tr("admin.validation.as_asked")}
		if e.FactorsFrom == "parallel_analysis" {
			ev.From = tr("admin.validation.as_suggested")
		}
		ev.Method = tr("admin.validation.method", "Extraction", map[psychometrics.Extraction]string{psychometrics.Minres: tr("admin.validation.minres_short"),
			psychometrics.ML: tr("admin.validation.ml_short")}[e.Extraction], "Rotation", e.Rotation)
		for j := range e.Factors {
			ev.Factors = append(ev.Factors, "F"+itoa(j+1))
		}
		for _, r := range e.Loadings {
			it := form.Item(r.Item)
			row := loadingRow{Item: r.Item, Communality: f2(r.Communality), Uniqueness: f2(r.Uniqueness)}
			if it != nil {
				row.Text, row.Reverse = shorten(it.Text, 48), it.Reverse
			}
			for j, l := range r.Loadings {
				a := math.Abs(l)
				shade := "l0"
				switch {
				case a >= 0.6:
					shade = "l3"
				case a >= 0.4:
					shade = "l2"
				case a >= 0.2:
					shade = "l1"
				}
				row.Cells = append(row.Cells, loadingCell{Value: f2(l), Shade: shade, Primary: j+1 == r.PrimaryFactor})
			}
			ev.Rows = append(ev.Rows, row)
		}
		for _, line := range []struct {
			label string
			get   func(psychometrics.FactorDoc) string
		}{
			{tr("admin.validation.ss_loadings"), func(f psychometrics.FactorDoc) string { return f2(f.SSLoadings) }},
			{tr("admin.validation.proportion"), func(f psychometrics.FactorDoc) string { return f2(f.Proportion) }},
			{tr("admin.validation.cumulative"), func(f psychometrics.FactorDoc) string { return f2(f.Cumulative) }},
		} {
			row := []string{line.label}
			for _, f := range e.Variance {
				row = append(row, line.get(f))
			}
			ev.Variance = append(ev.Variance, row)
		}
		for j, r := range e.FactorCorrelations {
			row := []string{"F" + itoa(j+1)}
			for _, v := range r {
				row = append(row, f2(v))
			}
			ev.Correlation = append(ev.Correlation, row)
		}
		vv.EFA = ev
	}
	for _, o := range rep.Omega {
		row := omegaRow{ID: o.Subscale, Title: o.Title, Items: len(o.Items), N: o.N, Omega: "–", CI: "–", Alpha: "–"}
		if o.OmegaTotal != nil {
			row.Omega = f2(*o.OmegaTotal)
			row.Alpha = f2(*o.AlphaStandardized)
		} else {
			row.Note = tr("admin.validation.not_computed")
		}
		if o.Interval != nil {
			row.CI = fmt.Sprintf("%s–%s", f2(o.Interval.Lower), f2(o.Interval.Upper))
		}
		vv.Omega = append(vv.Omega, row)
	}
	if h := rep.Hierarchy; h != nil {
		vv.Hierarchy = trn("admin.validation.hierarchy", h.GroupFactors, "OmegaH", f2(h.OmegaH), "OmegaTotal", f2(h.OmegaTotal))
		for _, g := range h.General {
			vv.General = append(vv.General, generalRow{Item: g.Item, Loading: f2(g.Loading)})
		}
	}
	if vv.Form.CFA {
		if rep.CFA == nil {
			vv.CFAMissing = tr("admin.validation.cfa_missing")
		} else {
			vv.CFA = cfaViewOf(rep.CFA)
		}
	}
}

// cfaViewOf reads a confirmatory fit against the cut-offs of Hu and
// Bentler (1999) and Browne and Cudeck (1993), the ones most papers cite.
func cfaViewOf(c *psychometrics.CFADoc) *cfaView {
	v := &cfaView{Converged: c.Converged,
		ChiSquare: fmt.Sprintf("χ²(%d) = %.1f, p %s, n = %d", c.DF, c.ChiSquare, pValue(c.P), c.N)}
	for i, f := range c.Factors {
		if i > 0 {
			v.Factors += ", "
		}
		v.Factors += f
	}
	incr := func(v, good, fair float64) string {
		switch {
		case v >= good:
			return tr("admin.validation.fit_good_above", "Good", f2(good))
		case v >= fair:
			return tr("admin.validation.fit_acceptable", "Fair", f2(fair), "Good", f2(good))
		default:
			return tr("admin.validation.fit_poor_below", "Fair", f2(fair))
		}
	}
	v.Readings = []fitReading{
		{"CFI", f3(c.CFI), incr(c.CFI, 0.95, 0.90)},
		{"TLI", f3(c.TLI), incr(c.TLI, 0.95, 0.90)},
	}
	rmsea := tr("admin.validation.rmsea_poor")
	switch {
	case c.RMSEA <= 0.05:
		rmsea = tr("admin.validation.rmsea_close")
	case c.RMSEA <= 0.08:
		rmsea = tr("admin.validation.rmsea_reasonable")
	case c.RMSEA <= 0.10:
		rmsea = tr("admin.validation.rmsea_mediocre")
	}
	v.Readings = append(v.Readings, fitReading{tr("admin.validation.rmsea"), fmt.Sprintf("%s (%s–%s)", f3(c.RMSEA), f3(c.RMSEALower), f3(c.RMSEAUpper)), rmsea})
	srmr := tr("admin.validation.srmr_good")
	if c.SRMR > 0.08 {
		srmr = tr("admin.validation.srmr_poor")
	}
	v.Readings = append(v.Readings, fitReading{"SRMR", f3(c.SRMR), srmr})
	return v
}
