// Package psychometrics validates an instrument's structure from its
// responses: how well the items hold together the way the instrument
// declares, with figures that equal R's (psych, GPArotation, lavaan).
//
// The exploratory side (this package's own files):
//   - data.go: the respondents × items matrix of scored answers;
//   - corr.go: Pearson correlations with pairwise or listwise deletion;
//   - polychoric.go and bvn.go: polychoric correlations (as
//     psych::polychoric), on Genz's bivariate normal probabilities;
//   - adequacy.go: Kaiser–Meyer–Olkin sampling adequacy (overall and per
//     item, psych::KMO) and Bartlett's test of sphericity
//     (psych::cortest.bartlett);
//   - efa.go: factor extraction by minres and maximum likelihood (as
//     psych::fa with fm = "minres" and "ml");
//   - rotate.go: varimax (stats::varimax), oblimin (GPArotation) and
//     promax (psych::Promax);
//   - omega.go: omega total per subscale from a one-factor minres model
//     with a seeded bootstrap interval, and omega hierarchical with a
//     Schmid–Leiman transformation (psych::omega);
//   - parallel.go: Horn's parallel analysis (psych::fa.parallel, fa = "fa");
//   - scan.go and analysis.go: the answers streamed from the store, and
//     the analysis the API and the dashboard ask for (Service.Analyze),
//     with every failure a clear error or warning, never NaN.
//
// The confirmatory side: cfa*.go fit the declared structure (each subscale
// a factor, its items loading on it only, factors correlated) by maximum
// likelihood as lavaan::cfa(..., std.lv = TRUE) does, with FitCFA;
// analysis_cfa.go joins it to the analysis (CFADoc in the report).
//
// Reference values come from scripts/r/psychometrics-reference.R and
// scripts/r/cfa-reference.R, written as golden JSON under testdata/; the
// tests compare against them.
package psychometrics
