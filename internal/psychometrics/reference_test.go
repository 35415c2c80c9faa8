package psychometrics

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// reference is a golden file written by scripts/r/psychometrics-reference.R.
type reference struct {
	Items       []string    `json:"items"`
	N           int         `json:"n"`
	Correlation [][]float64 `json:"correlation"`
	KMO         struct {
		Overall float64   `json:"overall"`
		Items   []float64 `json:"items"`
	} `json:"kmo"`
	Bartlett struct {
		ChiSquare float64 `json:"chi_square"`
		DF        float64 `json:"df"`
		P         float64 `json:"p"`
	} `json:"bartlett"`
	Eigenvalues []float64             `json:"eigenvalues"`
	Factors     int                   `json:"factors"`
	EFA         map[string]refFactors `json:"efa"`
	Omega       map[string]struct {
		Items      []string  `json:"items"`
		OmegaTotal float64   `json:"omega_total"`
		Alpha      float64   `json:"alpha"`
		Loadings   []float64 `json:"loadings"`
	} `json:"omega"`
	OmegaHierarchical struct {
		Factors    int       `json:"factors"`
		OmegaH     float64   `json:"omega_h"`
		OmegaTotal float64   `json:"omega_total"`
		Alpha      float64   `json:"alpha"`
		General    []float64 `json:"general"`
	} `json:"omega_hierarchical"`
	Parallel struct {
		Simulations int       `json:"simulations"`
		Suggested   int       `json:"suggested"`
		Observed    []float64 `json:"observed"`
	} `json:"parallel"`
	Polychoric [][]float64 `json:"polychoric"`
}

type refFactors struct {
	Loadings      [][]float64 `json:"loadings"`
	Communalities []float64   `json:"communalities"`
	Phi           [][]float64 `json:"phi"`
}

// loadReference reads testdata/<name>.csv and .json from dir.
func loadReference(tb testing.TB, dir, name string) (*Data, *reference) {
	tb.Helper()
	ref := &reference{}
	b, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, ref); err != nil {
		tb.Fatal(err)
	}
	return readCSV(tb, filepath.Join(dir, name+".csv")), ref
}

// readCSV reads a header row of item names and rows of numbers, "" or NA
// for a missing answer.
func readCSV(tb testing.TB, path string) *Data {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	d := NewData(rows[0])
	row := make([]float64, len(rows[0]))
	for _, r := range rows[1:] {
		for j, s := range r {
			row[j] = math.NaN()
			if s != "" && s != "NA" {
				if row[j], err = strconv.ParseFloat(s, 64); err != nil {
					tb.Fatal(err)
				}
			}
		}
		d.Add(row)
	}
	return d
}

func TestReferenceBFI(t *testing.T)   { checkReference(t, "testdata", "bfi") }
func TestReferenceStudy(t *testing.T) { checkReference(t, "testdata", "study") }

// TestReferenceRegenerated compares with golden files the R script wrote
// afresh into DYAD_PSYCHOMETRICS_REFERENCE (scripts/test.sh sets it when R
// with psych and GPArotation is installed): the committed files must still
// be what R computes.
func TestReferenceRegenerated(t *testing.T) {
	dir := os.Getenv("DYAD_PSYCHOMETRICS_REFERENCE")
	if dir == "" {
		t.Skip("DYAD_PSYCHOMETRICS_REFERENCE is not set: scripts/test.sh sets it after running scripts/r/psychometrics-reference.R")
	}
	for _, name := range []string{"bfi", "study"} {
		t.Run(name, func(t *testing.T) {
			for _, ext := range []string{".csv", ".json"} {
				fresh, err := os.ReadFile(filepath.Join(dir, name+ext))
				if err != nil {
					t.Fatal(err)
				}
				committed, err := os.ReadFile(filepath.Join("testdata", name+ext))
				if err != nil {
					t.Fatal(err)
				}
				if ext == ".csv" {
					if string(fresh) != string(committed) {
						t.Errorf("%s%s: R writes other data than testdata holds", name, ext)
					}
					continue
				}
				var a, b any
				if err := json.Unmarshal(fresh, &a); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(committed, &b); err != nil {
					t.Fatal(err)
				}
				sameJSON(t, name+ext, a, b)
			}
			checkReference(t, dir, name)
		})
	}
}

// sameJSON reports where two decoded JSON documents differ, numbers
// compared to 1e-6 (relative above 1: Bartlett's chi-square is in the
// tens of thousands).
func sameJSON(t *testing.T, path string, a, b any) {
	t.Helper()
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(bm) != len(a) {
			t.Errorf("%s: %v, committed %v", path, a, b)
			return
		}
		for k, v := range a {
			sameJSON(t, path+"."+k, v, bm[k])
		}
	case []any:
		bs, ok := b.([]any)
		if !ok || len(bs) != len(a) {
			t.Errorf("%s: %v, committed %v", path, a, b)
			return
		}
		for i, v := range a {
			sameJSON(t, path+"["+strconv.Itoa(i)+"]", v, bs[i])
		}
	case float64:
		bf, ok := b.(float64)
		if !ok || math.Abs(a-bf) > 1e-6*max(1, math.Abs(bf)) {
			t.Errorf("%s: R now %v, committed %v", path, a, b)
		}
	default:
		if a != b {
			t.Errorf("%s: R now %v, committed %v", path, a, b)
		}
	}
}

func checkReference(t *testing.T, dir, name string) {
	d, ref := loadReference(t, dir, name)
	if d.Rows() != ref.N {
		t.Fatalf("rows = %d, R has %d", d.Rows(), ref.N)
	}
	c, err := Pearson(d, Pairwise)
	if err != nil {
		t.Fatal(err)
	}
	p := d.Cols()
	for i := range p {
		for j := range p {
			near(t, "correlation", c.R.At(i, j), ref.Correlation[i][j], 1e-10)
		}
	}
	k, err := ComputeKMO(c.R)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "KMO", k.Overall, ref.KMO.Overall, 1e-6)
	for i := range p {
		near(t, "KMO "+d.Items[i], k.Items[i], ref.KMO.Items[i], 1e-6)
	}
	b, err := ComputeBartlett(c.R, c.N)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Bartlett chi-square", b.ChiSquare, ref.Bartlett.ChiSquare, 1e-6)
	near(t, "Bartlett df", b.DF, ref.Bartlett.DF, 0)
	near(t, "Bartlett p", b.P, ref.Bartlett.P, 1e-6)
	ev := Eigenvalues(c.R)
	for i := range p {
		near(t, "eigenvalue", ev[i], ref.Eigenvalues[i], 1e-6)
	}
	for key, opt := range map[string]EFAOptions{
		"minres_oblimin": {Factors: ref.Factors, Extraction: Minres, Rotation: Oblimin},
		"ml_oblimin":     {Factors: ref.Factors, Extraction: ML, Rotation: Oblimin},
		"minres_varimax": {Factors: ref.Factors, Extraction: Minres, Rotation: Varimax},
		"minres_promax":  {Factors: ref.Factors, Extraction: Minres, Rotation: Promax},
	} {
		t.Run(key, func(t *testing.T) {
			e, err := FitEFA(c.R, opt)
			if err != nil {
				t.Fatal(err)
			}
			want := ref.EFA[key]
			for i := range p {
				near(t, "communality "+d.Items[i], e.Communalities[i], want.Communalities[i], 1e-3)
			}
			perm, sign := matchFactors(e.Loadings, want.Loadings)
			for i := range p {
				for j := range ref.Factors {
					near(t, "loading "+d.Items[i], sign[j]*e.Loadings.At(i, perm[j]), want.Loadings[i][j], 1e-3)
				}
			}
			if want.Phi != nil {
				for a := range ref.Factors {
					for b := range ref.Factors {
						near(t, "phi", sign[a]*sign[b]*e.Phi.At(perm[a], perm[b]), want.Phi[a][b], 1e-3)
					}
				}
			}
		})
	}
	at := map[string]int{}
	for j, id := range d.Items {
		at[id] = j
	}
	for scale, want := range ref.Omega {
		cols := make([]int, len(want.Items))
		for i, id := range want.Items {
			cols[i] = at[id]
		}
		sc, err := Pearson(d.Select(cols), Pairwise)
		if err != nil {
			t.Fatal(err)
		}
		o, err := OmegaTotal(sc.R)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "omega total "+scale, o.Omega, want.OmegaTotal, 1e-3)
		near(t, "alpha "+scale, o.Alpha, want.Alpha, 1e-6)
		for i := range want.Loadings {
			near(t, "omega loading "+scale, math.Abs(o.Loadings[i]), math.Abs(want.Loadings[i]), 1e-3)
		}
	}
	h, err := OmegaHierarchical(c.R, ref.OmegaHierarchical.Factors)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "omega_h", h.OmegaH, ref.OmegaHierarchical.OmegaH, 1e-3)
	near(t, "omega_h total", h.OmegaTotal, ref.OmegaHierarchical.OmegaTotal, 1e-3)
	for i := range p {
		near(t, "general loading "+d.Items[i], math.Abs(h.General[i]), math.Abs(ref.OmegaHierarchical.General[i]), 1e-3)
	}
	// psych's optimize stops within about 1e-4 of each correlation.
	pc, _, err := Polychoric(d)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p {
		for j := range p {
			near(t, "polychoric "+d.Items[i]+" "+d.Items[j], pc.R.At(i, j), ref.Polychoric[i][j], 1e-3)
		}
	}
	pa, err := ParallelAnalysis(c.R, c.N, ref.Parallel.Simulations, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p {
		near(t, "parallel observed", pa.Observed[i], ref.Parallel.Observed[i], 1e-3)
	}
	if pa.Suggested != ref.Parallel.Suggested {
		t.Errorf("parallel analysis suggests %d factors, psych %d (observed %v, simulated 95th percentile %v)",
			pa.Suggested, ref.Parallel.Suggested, pa.Observed, pa.Simulated95)
	}
}

// matchFactors pairs each reference factor j with the factor perm[j] of
// got whose loadings are closest up to sign.
func matchFactors(got *mat.Dense, want [][]float64) (perm []int, sign []float64) {
	p, k := got.Dims()
	used := make([]bool, k)
	for j := range k {
		best, bestSign, bestD := -1, 1.0, math.Inf(1)
		for g := range k {
			if used[g] {
				continue
			}
			for _, s := range []float64{1, -1} {
				var d float64
				for i := range p {
					x := s*got.At(i, g) - want[i][j]
					d += x * x
				}
				if d < bestD {
					best, bestSign, bestD = g, s, d
				}
			}
		}
		used[best] = true
		perm = append(perm, best)
		sign = append(sign, bestSign)
	}
	return perm, sign
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.10g, R %.10g (tolerance %g)", what, got, want, tol)
	}
}
