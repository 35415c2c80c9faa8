package psychometrics

// The analysis flow, run once for every reader of it: the API's GET
// /surveys/{id}/psychometrics and the dashboard's validation page both
// call Service.Analyze, which reads the query (every bad parameter at
// once, each with its path), finds the survey and its form, streams the
// responses into a matrix of scored values and runs the analyses. The
// adapters only turn the Report into JSON or a page.
//
// What fails and what warns: a query that breaks a rule, an item without
// variance, a perfectly collinear pair and too few respondents make the
// exploratory analysis meaningless, so they fail with an EInvalid
// *survey.Error naming each item at fault; a solution that did not
// converge, a Heywood case or a subscale whose omega cannot be computed
// still leave the rest meaningful, so they come back as Warnings in the
// Report. No figure is ever NaN: a value that cannot be computed is left
// out (nil) with a warning saying why.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
	"gonum.org/v1/gonum/mat"
)

// Query is an analysis as the caller gives it (query parameters or form
// fields, unparsed); "" means the default.
type Query struct {
	SurveyID string
	// Status is complete (the default), in_progress or all.
	Status string
	// Items is a comma-separated list of Likert item ids; default every
	// Likert item that belongs to a subscale.
	Items string
	// Factors is the number of factors; default the number parallel
	// analysis suggests (at least 1).
	Factors string
	// Extraction is minres (default) or ml; Rotation oblimin (default),
	// promax, varimax or none.
	Extraction, Rotation string
	// Correlation is pearson (default) or polychoric; Deletion pairwise
	// (default) or listwise.
	Correlation, Deletion string
	// Seed drives the bootstrap and the simulations (default 1);
	// Resamples is the bootstrap's size (default 200, 0 for none);
	// Simulations the parallel analysis's (default 20, as psych).
	Seed, Resamples, Simulations string
	// CFA asks for a confirmatory factor analysis of the subscales
	// ("true" or "false", the default).
	CFA string
	// Exclude is "" or dq: leave out the responses a data-quality rule
	// flags (survey/quality.go); SpeederFraction is the speeder rule's
	// fraction of the median ("" for the default, 0.3).
	Exclude, SpeederFraction string
}

// Bounds of a query.
const (
	DefaultResamples   = 200
	MaxResamples       = 2000
	DefaultSimulations = 20
	MaxSimulations     = 1000
	DefaultSeed        = 1
)

// options is a Query parsed.
type options struct {
	items       []*survey.Item
	factors     int // 0: parallel analysis decides
	extraction  Extraction
	rotation    Rotation
	deletion    Deletion
	polychoric  bool
	seed        uint64
	resamples   int
	simulations int
	cfa         bool
}

// Warning is something the reader of a Report should know: a solution
// that did not converge, a figure left out and why. Path names the part
// of the report (or the item) it is about.
type Warning struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Report is the answer to a Query.
type Report struct {
	Survey *survey.Survey `json:"-"`
	Form   *survey.Form   `json:"-"`
	// Status is the response filter applied.
	Status string `json:"status"`
	// Exclude is "dq" when the responses a data-quality rule flags were
	// left out (exclude=dq), and Excluded how many.
	Exclude  string `json:"exclude,omitempty"`
	Excluded *int   `json:"excluded,omitempty"`
	// Respondents is the number of responses with an answer to at least
	// one of the items.
	Respondents int `json:"respondents"`
	// Items are the items analysed, in form order.
	Items       []string       `json:"items"`
	Correlation CorrelationDoc `json:"correlation"`
	KMO         KMODoc         `json:"kmo"`
	Bartlett    Bartlett       `json:"bartlett"`
	// Eigenvalues are the correlation matrix's, largest first (a scree
	// plot's points).
	Eigenvalues []float64     `json:"eigenvalues"`
	Parallel    *ParallelDoc  `json:"parallel"`
	EFA         *EFADoc       `json:"efa"`
	Omega       []OmegaDoc    `json:"omega"`
	Hierarchy   *HierarchyDoc `json:"omega_hierarchical"`
	CFA         *CFADoc       `json:"cfa"`
	Warnings    []Warning     `json:"warnings"`
}

// CorrelationDoc says how the correlations were computed.
type CorrelationDoc struct {
	Method   string   `json:"method"`
	Deletion Deletion `json:"deletion"`
	// N is the sample size the tests use (see Correlation.N), MinPairN
	// the fewest respondents behind one correlation.
	N        int `json:"n"`
	MinPairN int `json:"min_pair_n"`
}

// KMODoc is the KMO measure with its items named.
type KMODoc struct {
	Overall float64   `json:"overall"`
	Items   []ItemMSA `json:"items"`
}

// ItemMSA is one item's measure of sampling adequacy.
type ItemMSA struct {
	Item string  `json:"item"`
	MSA  float64 `json:"msa"`
}

// ParallelDoc is a parallel analysis's result.
type ParallelDoc struct {
	SuggestedFactors int       `json:"suggested_factors"`
	Simulations      int       `json:"simulations"`
	Seed             uint64    `json:"seed"`
	Observed         []float64 `json:"observed"`
	SimulatedMean    []float64 `json:"simulated_mean"`
	Simulated95      []float64 `json:"simulated_95"`
}

// EFADoc is an exploratory factor analysis.
type EFADoc struct {
	Factors int `json:"factors"`
	// FactorsFrom is "request" or "parallel_analysis".
	FactorsFrom string     `json:"factors_from"`
	Extraction  Extraction `json:"extraction"`
	Rotation    Rotation   `json:"rotation"`
	Converged   bool       `json:"converged"`
	// Loadings lists the items sorted as psych::fa.sort shows them.
	Loadings []ItemLoadings `json:"loadings"`
	Variance []FactorDoc    `json:"variance"`
	// FactorCorrelations is Φ for an oblique rotation, null otherwise.
	FactorCorrelations [][]float64 `json:"factor_correlations"`
}

// ItemLoadings is one item's row of a loadings matrix.
type ItemLoadings struct {
	Item          string    `json:"item"`
	Loadings      []float64 `json:"loadings"`
	Communality   float64   `json:"communality"`
	Uniqueness    float64   `json:"uniqueness"`
	PrimaryFactor int       `json:"primary_factor"` // 1-based
}

// FactorDoc is the variance one factor explains.
type FactorDoc struct {
	SSLoadings float64 `json:"ss_loadings"`
	Proportion float64 `json:"proportion"`
	Cumulative float64 `json:"cumulative"`
}

// OmegaDoc is omega total of one subscale.
type OmegaDoc struct {
	Subscale string   `json:"subscale"`
	Title    string   `json:"title"`
	Items    []string `json:"items"`
	// N is the respondents with an answer to at least one of its items.
	N                 int           `json:"n"`
	OmegaTotal        *float64      `json:"omega_total"`
	AlphaStandardized *float64      `json:"alpha_standardized"`
	Loadings          []ItemLoading `json:"loadings"`
	Interval          *Interval     `json:"interval"`
}

// ItemLoading is one item's loading on one factor.
type ItemLoading struct {
	Item    string  `json:"item"`
	Loading float64 `json:"loading"`
}

// HierarchyDoc is omega hierarchical of the analysed items.
type HierarchyDoc struct {
	GroupFactors int           `json:"group_factors"`
	OmegaH       float64       `json:"omega_h"`
	OmegaTotal   float64       `json:"omega_total"`
	General      []ItemLoading `json:"general_loadings"`
}

// CFADoc is the confirmatory factor analysis of the declared structure:
// each subscale a factor, its items loading on it only, the factors
// correlated, fitted by maximum likelihood as lavaan::cfa(..., std.lv =
// TRUE) fits it, on the analysed items' correlations.
type CFADoc struct {
	// Factors are the subscales fitted, in instrument order.
	Factors []string `json:"factors"`
	// N is the sample size of the fit.
	N          int     `json:"n"`
	ChiSquare  float64 `json:"chi_square"`
	DF         int     `json:"df"`
	P          float64 `json:"p"`
	CFI        float64 `json:"cfi"`
	TLI        float64 `json:"tli"`
	RMSEA      float64 `json:"rmsea"`
	RMSEALower float64 `json:"rmsea_lower"`
	RMSEAUpper float64 `json:"rmsea_upper"`
	SRMR       float64 `json:"srmr"`
	Converged  bool    `json:"converged"`
	Iterations int     `json:"iterations"`
	// Loadings are the standardized loadings, factor by factor.
	Loadings []CFADocLoading `json:"loadings"`
	// FactorCorrelations is the factors' correlation matrix.
	FactorCorrelations [][]float64 `json:"factor_correlations"`
}

// CFADocLoading is one item's standardized loading on its factor, as the
// analysis reports it (FitCFA's CFALoading carries more).
type CFADocLoading struct {
	Factor  string  `json:"factor"`
	Item    string  `json:"item"`
	Loading float64 `json:"loading"`
}

// cfaFunc fits the declared structure: groups[g] are the columns of r
// (the analysed items' correlations, from n respondents) that load on
// factor names[g]. It returns the fit, or nil and warnings saying why not.
type cfaFunc func(r *mat.SymDense, n int, items []string, groups [][]int, names []string) (*CFADoc, []Warning)

// Service runs the analysis over the survey service and a response
// scanner.
type Service struct {
	surveys   *survey.Service
	responses survey.ResponseScanner
	// cfa fits the declared structure; nil when the package has no
	// confirmatory analysis built in (see fitDeclared).
	cfa cfaFunc
}

// NewService returns a Service; a nil scanner makes every Analyze
// EUnavailable.
func NewService(surveys *survey.Service, responses survey.ResponseScanner) *Service {
	return &Service{surveys: surveys, responses: responses, cfa: fitDeclared}
}

// fitDeclared is the confirmatory analysis of the declared structure:
// nil here, set by analysis_cfa.go, the one file that joins this flow to
// FitCFA, so that the two halves of the package meet in one place.
var fitDeclared cfaFunc

// Analyze runs the analysis q asks for. Errors: EUnavailable without a
// scanner; ENotFound for an unknown survey; EInvalid with every bad
// parameter at once, or with every item that makes the correlation
// matrix degenerate, or for too few respondents; the scanner's.
func (s *Service) Analyze(ctx context.Context, q Query) (*Report, error) {
	if s.responses == nil {
		return nil, survey.Errorf(survey.EUnavailable, "statistics are not configured on this server")
	}
	var p survey.Problems
	status := survey.ParseStatusFilter(&p, q.Status, survey.StatusComplete)
	quality := survey.ParseQualityOptions(&p, q.Exclude, q.SpeederFraction)
	sv, err := s.surveys.Survey(ctx, q.SurveyID)
	if err != nil {
		return nil, err
	}
	form, err := s.surveys.Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		return nil, err
	}
	opt := parseQuery(&p, q, form)
	if err := p.Err(survey.EInvalid, "the query is not valid"); err != nil {
		return nil, err
	}
	// One scan reads the analysed items and every subscale's items.
	var all []*survey.Item
	seen := map[string]bool{}
	add := func(it *survey.Item) {
		if !seen[it.ID] {
			seen[it.ID] = true
			all = append(all, it)
		}
	}
	for _, it := range opt.items {
		add(it)
	}
	for i := range form.Instrument.Subscales {
		for _, it := range form.SubscaleItems(form.Instrument.Subscales[i].ID) {
			add(it)
		}
	}
	filter := survey.ExportFilter{SurveyID: sv.ID, Status: status.Status()}
	sc, ex, err := survey.ExcludeIfAsked(ctx, s.responses, form, filter, quality)
	if err != nil {
		return nil, err
	}
	data, err := scanData(ctx, sc, filter, form, all)
	if err != nil {
		return nil, err
	}
	rep := &Report{Survey: sv, Form: form, Status: string(status), Warnings: []Warning{}}
	if ex != nil {
		n := ex.Excluded()
		rep.Exclude, rep.Excluded = "dq", &n
	}
	if err := s.run(ctx, rep, data, opt); err != nil {
		return nil, err
	}
	return rep, nil
}

// MinRespondents is the fewest respondents an analysis of p items runs
// on: more than items (else the correlation matrix is singular), and never
// fewer than 10.
func MinRespondents(p int) int { return max(10, p+1) }

func (s *Service) run(ctx context.Context, rep *Report, all *Data, opt options) error {
	at := map[string]int{}
	for j, id := range all.Items {
		at[id] = j
	}
	cols := make([]int, len(opt.items))
	for k, it := range opt.items {
		cols[k] = at[it.ID]
		rep.Items = append(rep.Items, it.ID)
	}
	d := all.Select(cols)
	rep.Respondents = d.Rows()
	if need := MinRespondents(d.Cols()); d.Rows() < need {
		return survey.Errorf(survey.EInvalid, "too few respondents for a factor analysis of %d items: it needs at least %d with answers to them, there are %d", d.Cols(), need, d.Rows())
	}
	c, cw, err := opt.correlate(d)
	for _, w := range cw {
		rep.warn("correlation", "%s", w)
	}
	var deg *ErrDegenerate
	if err != nil && !errors.As(err, &deg) {
		return survey.Errorf(survey.EInvalid, "%v", err)
	}
	if deg != nil {
		var p survey.Problems
		for _, pr := range deg.Problems {
			p.Add(pr.Path, "%s", pr.Message)
		}
		return p.Err(survey.EInvalid, "the items' correlation matrix cannot be analysed: leave out the items named")
	}
	if opt.deletion == Listwise && c.N < MinRespondents(d.Cols()) {
		return survey.Errorf(survey.EInvalid, "too few complete cases for listwise deletion: %d respondents answered all %d items, at least %d are needed; use deletion=pairwise", c.N, d.Cols(), MinRespondents(d.Cols()))
	}
	rep.Correlation = CorrelationDoc{Method: c.Method, Deletion: c.Deletion, N: c.N, MinPairN: c.MinPairN}
	if c.MinPairN < 3 {
		return survey.Errorf(survey.EInvalid, "some pairs of items were answered together by only %d respondents: too few to correlate", c.MinPairN)
	}
	kmo, err := ComputeKMO(c.R)
	if errors.Is(err, ErrUncorrelated) {
		return survey.Errorf(survey.EInvalid, "an item's correlations with all the others are exactly zero: there is nothing to factor")
	}
	if err != nil {
		// Pairwise deletion can give a matrix that is not positive
		// definite without any one pair being collinear.
		return survey.Errorf(survey.EInvalid, "the items' correlation matrix is not positive definite (pairwise deletion over different respondents can do this, as can items that are linear combinations of others): try deletion=listwise or fewer items")
	}
	rep.KMO = KMODoc{Overall: kmo.Overall}
	for j, id := range d.Items {
		rep.KMO.Items = append(rep.KMO.Items, ItemMSA{Item: id, MSA: kmo.Items[j]})
	}
	rep.Bartlett, _ = ComputeBartlett(c.R, c.N)
	rep.Eigenvalues = Eigenvalues(c.R)

	if err := ctx.Err(); err != nil {
		return err
	}
	pa, err := parallelAnalysis(ctx, c.R, c.N, opt.simulations, opt.seed)
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if err != nil {
		rep.warn("parallel", "parallel analysis failed: %v", err)
	} else {
		rep.Parallel = &ParallelDoc{SuggestedFactors: pa.Suggested, Simulations: pa.Simulations, Seed: pa.Seed,
			Observed: pa.Observed, SimulatedMean: pa.SimulatedMean, Simulated95: pa.Simulated95}
	}
	k, from := opt.factors, "request"
	if k == 0 {
		k, from = 1, "parallel_analysis"
		if pa != nil {
			k = min(max(pa.Suggested, 1), d.Cols()-1)
			if pa.Suggested == 0 {
				rep.warn("efa", "parallel analysis suggests no common factor: no eigenvalue exceeds random data's; one factor is shown")
			}
		}
	}
	efa, err := FitEFA(c.R, EFAOptions{Factors: k, Extraction: opt.extraction, Rotation: opt.rotation})
	if err != nil {
		rep.warn("efa", "the factor analysis failed: %v", err)
	} else {
		rep.EFA = efaDoc(efa, d.Items, from)
		for _, w := range efa.Warnings {
			rep.warn("efa", "%s", w)
		}
		p := d.Cols()
		if dof := ((p-k)*(p-k) - (p + k)) / 2; dof < 0 && opt.extraction == ML {
			rep.warn("efa", "%d factors of %d items leave %d degrees of freedom: the model has more parameters than the correlations it explains", k, p, dof)
		}
	}
	if k >= 2 && d.Cols() >= 2*k {
		h, err := OmegaHierarchical(c.R, k)
		if err != nil {
			rep.warn("omega_hierarchical", "%v", err)
		} else {
			rep.Hierarchy = &HierarchyDoc{GroupFactors: k, OmegaH: h.OmegaH, OmegaTotal: h.OmegaTotal}
			for j, id := range d.Items {
				rep.Hierarchy.General = append(rep.Hierarchy.General, ItemLoading{Item: id, Loading: h.General[j]})
			}
			for _, w := range h.Warnings {
				rep.warn("omega_hierarchical", "%s", w)
			}
		}
	} else {
		rep.warn("omega_hierarchical", "omega hierarchical needs at least two group factors (three to be identified) and two items per factor: %d factors of %d items", k, d.Cols())
	}

	var groups [][]int
	var names []string
	for i := range rep.Form.Instrument.Subscales {
		if err := ctx.Err(); err != nil {
			return err
		}
		sub := &rep.Form.Instrument.Subscales[i]
		doc, idx := omegaDoc(ctx, rep, all, at, sub, opt)
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Omega = append(rep.Omega, doc)
		if idx != nil {
			groups = append(groups, idx)
			names = append(names, sub.ID)
		}
	}
	if opt.cfa {
		switch {
		case s.cfa == nil:
			rep.warn("cfa", "confirmatory factor analysis is not available on this server")
		default:
			rep.CFA, rep.Warnings = s.cfaOfSubscales(c.R, c.N, d.Items, groups, names, all.Items, rep.Warnings)
		}
	}
	return nil
}

// cfaOfSubscales fits the declared structure on the analysed items: each
// subscale whose items are all analysed is a factor.
func (s *Service) cfaOfSubscales(r *mat.SymDense, n int, items []string, groups [][]int, names []string, allItems []string, w []Warning) (*CFADoc, []Warning) {
	pos := map[string]int{}
	for j, id := range items {
		pos[id] = j
	}
	var gs [][]int
	var ns []string
	for g, idx := range groups {
		var cols []int
		for _, j := range idx {
			if k, ok := pos[allItems[j]]; ok {
				cols = append(cols, k)
			}
		}
		if len(cols) != len(idx) {
			w = append(w, Warning{Path: "cfa", Message: fmt.Sprintf("subscale %s is left out of the confirmatory analysis: not all of its items are analysed", names[g])})
			continue
		}
		gs = append(gs, cols)
		ns = append(ns, names[g])
	}
	if len(gs) == 0 {
		return nil, append(w, Warning{Path: "cfa", Message: "no subscale has all its items among the analysed items: nothing to confirm"})
	}
	res, more := s.cfa(r, n, items, gs, ns)
	return res, append(w, more...)
}

func (r *Report) warn(path, format string, args ...any) {
	r.Warnings = append(r.Warnings, Warning{Path: path, Message: fmt.Sprintf(format, args...)})
}

func efaDoc(e *EFA, items []string, from string) *EFADoc {
	doc := &EFADoc{Factors: e.Factors, FactorsFrom: from, Extraction: e.Extraction, Rotation: e.Rotation,
		Converged: e.Converged}
	for _, i := range e.Order {
		row := ItemLoadings{Item: items[i], Communality: e.Communalities[i], Uniqueness: e.Uniquenesses[i]}
		for j := range e.Factors {
			row.Loadings = append(row.Loadings, e.Loadings.At(i, j))
			if math.Abs(e.Loadings.At(i, j)) > math.Abs(e.Loadings.At(i, row.PrimaryFactor)) {
				row.PrimaryFactor = j
			}
		}
		row.PrimaryFactor++
		doc.Loadings = append(doc.Loadings, row)
	}
	for j := range e.Factors {
		doc.Variance = append(doc.Variance, FactorDoc{SSLoadings: e.Variance[j], Proportion: e.Proportion[j], Cumulative: e.Cumulative[j]})
	}
	if e.Phi != nil {
		for a := range e.Factors {
			row := make([]float64, e.Factors)
			for b := range e.Factors {
				row[b] = e.Phi.At(a, b)
			}
			doc.FactorCorrelations = append(doc.FactorCorrelations, row)
		}
	}
	return doc
}

// omegaDoc computes omega total of one subscale, with a warning in rep
// instead of a figure when it cannot be computed. It returns the
// subscale's columns in all when its correlation matrix is usable.
func omegaDoc(ctx context.Context, rep *Report, all *Data, at map[string]int, sub *survey.Subscale, opt options) (OmegaDoc, []int) {
	doc := OmegaDoc{Subscale: sub.ID, Title: sub.Title, Items: []string{}, Loadings: []ItemLoading{}}
	var cols []int
	for _, it := range rep.Form.SubscaleItems(sub.ID) {
		doc.Items = append(doc.Items, it.ID)
		cols = append(cols, at[it.ID])
	}
	path := "omega." + sub.ID
	d := all.Select(cols)
	doc.N = d.Rows()
	if len(cols) < 3 {
		rep.warn(path, "omega needs at least three items, subscale %s has %d", sub.ID, len(cols))
		return doc, nil
	}
	if need := MinRespondents(len(cols)); d.Rows() < need {
		rep.warn(path, "too few respondents for omega of subscale %s: %d, at least %d are needed", sub.ID, d.Rows(), need)
		return doc, nil
	}
	c, _, err := opt.correlate(d)
	var deg *ErrDegenerate
	if errors.As(err, &deg) {
		for _, pr := range deg.Problems {
			rep.warn(path, "no omega for subscale %s: %s %s", sub.ID, strings.TrimPrefix(pr.Path, "items."), pr.Message)
		}
		return doc, nil
	}
	if err != nil {
		rep.warn(path, "no omega for subscale %s: %v", sub.ID, err)
		return doc, nil
	}
	o, err := OmegaTotal(c.R)
	if err != nil || math.IsNaN(o.Omega) || math.IsInf(o.Omega, 0) {
		rep.warn(path, "no omega for subscale %s: the one-factor model could not be fitted", sub.ID)
		return doc, nil
	}
	doc.OmegaTotal, doc.AlphaStandardized = &o.Omega, &o.Alpha
	for j, id := range doc.Items {
		doc.Loadings = append(doc.Loadings, ItemLoading{Item: id, Loading: o.Loadings[j]})
	}
	if opt.resamples > 0 {
		doc.Interval = bootstrapOmega(ctx, d, opt.weightedCorrelation, opt.resamples, opt.seed)
		if doc.Interval == nil && ctx.Err() == nil {
			rep.warn(path, "no bootstrap interval for subscale %s: fewer than half of the %d resamples gave an omega", sub.ID, opt.resamples)
		}
	}
	return doc, cols
}

// correlate correlates d's items as the options say, with warnings.
func (o options) correlate(d *Data) (*Correlation, []string, error) {
	return o.weightedCorrelation(d, nil)
}

// weightedCorrelation is correlate with respondent i counted w[i] times
// (w nil: once each).
func (o options) weightedCorrelation(d *Data, w []float64) (*Correlation, []string, error) {
	if !o.polychoric {
		c, err := pearson(d, w, o.deletion)
		return c, nil, err
	}
	if o.deletion == Listwise {
		d, w = d.completeRows(w)
	}
	c, warnings, err := polychoric(d, w)
	if c != nil {
		c.Deletion = o.deletion
	}
	return c, warnings, err
}

// parseQuery reads q into options, adding a problem per bad parameter.
func parseQuery(p *survey.Problems, q Query, form *survey.Form) options {
	opt := options{extraction: Minres, rotation: Oblimin, deletion: Pairwise, seed: DefaultSeed,
		resamples: DefaultResamples, simulations: DefaultSimulations}
	if strings.TrimSpace(q.Items) == "" {
		for _, it := range form.Items() {
			if it.Type == survey.Likert && it.Subscale != "" {
				opt.items = append(opt.items, it)
			}
		}
		if len(opt.items) < 3 {
			p.Add("items", "the instrument has %d Likert items in subscales: a factor analysis needs at least 3; name the items to analyse", len(opt.items))
		}
	} else {
		seen := map[string]bool{}
		ids := strings.Split(q.Items, ",")
		if len(ids) > len(form.Items()) {
			p.Add("items", "lists %d items, the instrument has %d", len(ids), len(form.Items()))
			ids = nil
		}
		for i, id := range ids {
			id = strings.TrimSpace(id)
			path := "items[" + strconv.Itoa(i) + "]"
			it := form.Item(id)
			switch {
			case it == nil:
				p.Add(path, "unknown item %q", id)
			case it.Type != survey.Likert:
				p.Add(path, "item %s is a %s item: only Likert items can be factor analysed", id, it.Type)
			case seen[id]:
				p.Add(path, "item %s is listed twice", id)
			default:
				seen[id] = true
				opt.items = append(opt.items, it)
			}
		}
		if len(ids) > 0 && len(ids) < 3 {
			p.Add("items", "a factor analysis needs at least 3 items, got %d", len(ids))
		}
		// Form order, whatever the order asked: the report's rows then
		// follow the questionnaire.
		slices.SortStableFunc(opt.items, func(a, b *survey.Item) int { return form.Position(a.ID) - form.Position(b.ID) })
	}
	if s := q.Factors; s != "" {
		n, err := strconv.Atoi(s)
		maxK := max(len(opt.items)-1, 1)
		if err != nil || n < 1 || n > maxK {
			p.Add("factors", "must be an integer between 1 and %d (one less than the items), got %q", maxK, s)
		} else {
			opt.factors = n
		}
	}
	switch q.Extraction {
	case "", string(Minres):
	case string(ML):
		opt.extraction = ML
	default:
		p.Add("extraction", "must be minres or ml, got %q", q.Extraction)
	}
	switch r := Rotation(q.Rotation); r {
	case "":
	case Oblimin, Promax, Varimax, NoRotation:
		opt.rotation = r
	default:
		p.Add("rotation", "must be oblimin, promax, varimax or none, got %q", q.Rotation)
	}
	switch q.Correlation {
	case "", "pearson":
	case "polychoric":
		opt.polychoric = true
	default:
		p.Add("correlation", "must be pearson or polychoric, got %q", q.Correlation)
	}
	switch d := Deletion(q.Deletion); d {
	case "":
	case Pairwise, Listwise:
		opt.deletion = d
	default:
		p.Add("deletion", "must be pairwise or listwise, got %q", q.Deletion)
	}
	if s := q.Seed; s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			p.Add("seed", "must be a non-negative integer below 2^64, got %q", s)
		}
		opt.seed = n
	}
	opt.resamples = intParam(p, "resamples", q.Resamples, DefaultResamples, 0, MaxResamples)
	opt.simulations = intParam(p, "simulations", q.Simulations, DefaultSimulations, 1, MaxSimulations)
	switch q.CFA {
	case "", "false":
	case "true":
		opt.cfa = true
	default:
		p.Add("cfa", "must be true or false, got %q", q.CFA)
	}
	return opt
}

func intParam(p *survey.Problems, path, s string, dflt, lo, hi int) int {
	if s == "" {
		return dflt
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		p.Add(path, "must be an integer between %d and %d, got %q", lo, hi, s)
		return dflt
	}
	return n
}
