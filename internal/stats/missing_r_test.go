//go:build integration

package stats

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMissingCodesAgainstR checks the figures of the missing-code data set
// against R's psych package reading the same data with the missing code
// 9 (and 99) set to NA: item means, SDs and medians (psych::describe),
// the subscale scores (the row means of at least 3 answered items, m2
// reversed) and Cronbach's alpha of the complete cases (psych::alpha).
// It needs Rscript with psych (Debian: r-cran-psych) and skips without.
func TestMissingCodesAgainstR(t *testing.T) {
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		t.Skip("Rscript not installed (apt-get install r-cran-psych); TestMissingCodesHandComputed checks the same figures by hand")
	}
	if err := exec.Command(rscript, "-e", "library(psych)").Run(); err != nil {
		t.Skip("R package psych not installed (apt-get install r-cran-psych)")
	}
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("m1,m2,m3,m4,sex\n")
	for i, row := range missingData {
		fmt.Fprintf(&csv, "%d,%d,%d,%d,%d\n", row[0], row[1], row[2], row[3], missingSex[i])
	}
	if err := os.WriteFile(filepath.Join(dir, "data.csv"), []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	const script = `suppressMessages(library(psych))
d <- read.csv("data.csv")
for (v in c("m1", "m2", "m3", "m4")) d[[v]][d[[v]] == 9] <- NA
d$sex[d$sex == 99] <- NA
ds <- describe(d)
for (v in rownames(ds)) cat("ITEM", v, sprintf("%.12f", ds[v, "mean"]), sprintf("%.12f", ds[v, "sd"]), sprintf("%.12f", ds[v, "median"]), ds[v, "n"], "\n")
m <- d[, c("m1", "m2", "m3", "m4")]
m$m2 <- 6 - m$m2
answered <- rowSums(!is.na(m))
s <- ifelse(answered >= 3, rowMeans(m, na.rm = TRUE), NA)
cat("SCORE", sprintf("%.12f", mean(s, na.rm = TRUE)), sprintf("%.12f", sd(s, na.rm = TRUE)), sprintf("%.12f", median(s, na.rm = TRUE)), sum(!is.na(s)), "\n")
a <- suppressWarnings(psych::alpha(na.omit(d[, c("m1", "m2", "m3", "m4")]), keys = c("m2")))
cat("ALPHA", sprintf("%.12f", a$total$raw_alpha), nrow(na.omit(m)), "\n")
for (v in rownames(a$alpha.drop)) cat("DROP", sub("-$", "", v), sprintf("%.12f", a$alpha.drop[v, "raw_alpha"]), sprintf("%.12f", a$item.stats[v, "r.drop"]), "\n")
`
	if err := os.WriteFile(filepath.Join(dir, "check.R"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(rscript, "--vanilla", "check.R")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Rscript: %v\n%s", err, out)
	}

	g := build(t, missingForm(t), Options{}, missingResponses(false)).Groups[0]
	near := func(what string, got *float64, field string) {
		t.Helper()
		want, err := strconv.ParseFloat(field, 64)
		if err != nil {
			t.Fatalf("%s: R printed %q", what, field)
		}
		if got == nil || math.Abs(*got-want) > 1e-9 {
			t.Errorf("%s: Dyad %v, R %v", what, deref(got), want)
		}
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		seen[f[0]]++
		switch f[0] {
		case "ITEM":
			it := itemOf(t, g, f[1])
			near(f[1]+" mean", it.Mean, f[2])
			near(f[1]+" sd", it.SD, f[3])
			near(f[1]+" median", it.Median, f[4])
			if strconv.Itoa(it.N) != f[5] {
				t.Errorf("%s n: Dyad %d, R %s", f[1], it.N, f[5])
			}
		case "SCORE":
			s := g.Subscales[0]
			near("score mean", s.Mean, f[1])
			near("score sd", s.SD, f[2])
			near("score median", s.Median, f[3])
			if strconv.Itoa(s.N) != f[4] {
				t.Errorf("scores: Dyad %d, R %s", s.N, f[4])
			}
		case "ALPHA":
			rel := g.Subscales[0].Reliability
			near("alpha", rel.Alpha, f[1])
			if strconv.Itoa(rel.CompleteCases) != f[2] {
				t.Errorf("complete cases: Dyad %d, R %s", rel.CompleteCases, f[2])
			}
		case "DROP":
			for _, it := range g.Subscales[0].Reliability.Items {
				if it.ID == f[1] {
					near(f[1]+" alpha if deleted", it.AlphaIfDeleted, f[2])
					near(f[1]+" corrected item-total r", it.ItemRestR, f[3])
					seen["DROP "+f[1]]++
				}
			}
		}
	}
	if seen["ITEM"] != 5 || seen["SCORE"] != 1 || seen["ALPHA"] != 1 || seen["DROP"] != 4 {
		t.Errorf("R printed %v, want 5 ITEM, 1 SCORE, 1 ALPHA, 4 DROP lines", seen)
	}
	for _, id := range []string{"m1", "m2", "m3", "m4"} {
		if seen["DROP "+id] != 1 {
			t.Errorf("no alpha-if-deleted line of R matched %s", id)
		}
	}
	if t.Failed() {
		t.Logf("R output:\n%s", out)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
