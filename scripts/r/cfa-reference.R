#!/usr/bin/env Rscript
# Reference values for Dyad's confirmatory factor analysis
# (internal/psychometrics/cfa.go): lavaan's cfa(model, data, std.lv = TRUE)
# on two data sets, written as golden JSON files that the Go tests read
# without R.
#
#   Rscript scripts/r/cfa-reference.R [output directory]
#
# The output directory defaults to internal/psychometrics/testdata (run from
# the repository root). Needs Debian's r-cran-lavaan (0.6.14) and
# r-cran-psych (2.2.9, for the bfi data set).
#
# Data sets:
#   bfi  psych's bfi: 2,800 respondents, the five 5-item scales A1-A5, C1-C5,
#        E1-E5, N1-N5, O1-O5, listwise deletion (2,436 complete cases).
#   sim  a simulated pilot of the study instrument (instruments/
#        ai-therapeutic-relationship.yaml): 300 respondents, the five theme
#        subscales of 5 items each on a 1-5 agreement scale, reverse-keyed
#        items as the instrument declares them, answers stored as given (not
#        reverse-scored, so reverse-keyed items load negatively). Simulated
#        once with the seed below and kept in cfa_sim.csv, so that the
#        reference does not depend on R's random number generator staying
#        the same; delete the file to simulate it afresh.
#
# Each JSON file holds the input (item names, factors as 0-based item
# indexes, n, and the sample covariance matrix divided by n, as lavaan's ML
# uses it) and lavaan's results: chi-square, df, p value, baseline
# chi-square and df, CFI, TLI, RMSEA with its 90 % interval, SRMR,
# standardized loadings (std.all) and factor correlations.

suppressPackageStartupMessages({
  library(lavaan)
  library(psych)
})

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "internal/psychometrics/testdata"
here <- "internal/psychometrics/testdata"

# JSON by hand (17 significant digits), so that the script needs nothing
# beyond lavaan and psych.
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
str <- function(x) paste0("\"", gsub("\"", "\\\\\"", x), "\"")
strs <- function(x) paste0("[", paste(str(x), collapse = ", "), "]")

reference <- function(name, source, data, factors) {
  model <- paste(sprintf("%s =~ %s", names(factors),
                         sapply(factors, paste, collapse = " + ")), collapse = "\n")
  items <- unlist(factors, use.names = FALSE)
  d <- data[, items]
  d <- d[complete.cases(d), ]
  fit <- cfa(model, data = d, std.lv = TRUE)
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
                           "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "npar"))
  std <- standardizedSolution(fit)
  S <- lavInspect(fit, "sampstat")$cov[items, items]
  loadings <- lapply(names(factors), function(f) {
    sapply(factors[[f]], function(i) std$est.std[std$lhs == f & std$op == "=~" & std$rhs == i])
  })
  phi <- lavInspect(fit, "std")$psi[names(factors), names(factors)]
  fac <- sapply(names(factors), function(f) {
    sprintf("{\"name\": %s, \"items\": %s}", str(f), vec(match(factors[[f]], items) - 1))
  })
  json <- c(
    "{",
    sprintf("  \"source\": %s,", str(source)),
    sprintf("  \"lavaan\": %s,", str(as.character(packageVersion("lavaan")))),
    sprintf("  \"items\": %s,", strs(items)),
    sprintf("  \"factors\": [%s],", paste(fac, collapse = ", ")),
    sprintf("  \"n\": %d,", lavInspect(fit, "nobs")),
    sprintf("  \"covariance\": [\n    %s\n  ],", paste(apply(S, 1, vec), collapse = ",\n    ")),
    sprintf("  \"converged\": %s,", tolower(as.character(lavInspect(fit, "converged")))),
    sprintf("  \"free_parameters\": %s,", num(fm[["npar"]])),
    sprintf("  \"chi_square\": %s,", num(fm[["chisq"]])),
    sprintf("  \"df\": %s,", num(fm[["df"]])),
    sprintf("  \"p_value\": %s,", num(fm[["pvalue"]])),
    sprintf("  \"baseline_chi_square\": %s,", num(fm[["baseline.chisq"]])),
    sprintf("  \"baseline_df\": %s,", num(fm[["baseline.df"]])),
    sprintf("  \"cfi\": %s,", num(fm[["cfi"]])),
    sprintf("  \"tli\": %s,", num(fm[["tli"]])),
    sprintf("  \"rmsea\": %s,", num(fm[["rmsea"]])),
    sprintf("  \"rmsea_ci_lower\": %s,", num(fm[["rmsea.ci.lower"]])),
    sprintf("  \"rmsea_ci_upper\": %s,", num(fm[["rmsea.ci.upper"]])),
    sprintf("  \"srmr\": %s,", num(fm[["srmr"]])),
    sprintf("  \"standardized_loadings\": [%s],", paste(sapply(loadings, vec), collapse = ", ")),
    sprintf("  \"factor_correlations\": [%s]", paste(apply(phi, 1, vec), collapse = ", ")),
    "}")
  writeLines(json, file.path(out, sprintf("cfa_%s.json", name)))
}

data(bfi, package = "psych")
scales <- c("A", "C", "E", "N", "O")
reference("bfi", "psych::bfi (psych 2.2.9), listwise deletion", bfi,
          setNames(lapply(scales, function(s) paste0(s, 1:5)), scales))

themes <- c("eff", "com", "emp", "sdm", "trn")
reversed <- c("eff_3", "eff_5", "com_3", "com_5", "emp_3", "emp_5", "sdm_2", "sdm_5", "trn_2", "trn_4")
simfile <- file.path(here, "cfa_sim.csv")
if (!file.exists(simfile)) {
  # Five correlated latent attitudes (correlations 0.1 to 0.4), loadings
  # 0.45 to 0.8, answers cut into 5 categories at fixed thresholds.
  set.seed(20261201)
  n <- 300
  phi <- matrix(0.25, 5, 5)
  phi[lower.tri(phi)] <- phi[upper.tri(phi)] <- c(0.1, 0.3, 0.2, 0.4, 0.15, 0.35, 0.25, 0.1, 0.3, 0.2)
  diag(phi) <- 1
  eta <- matrix(rnorm(n * 5), n, 5) %*% chol(phi)
  sim <- data.frame(row.names = NULL, check.names = FALSE, matrix(0L, n, 0))
  for (k in seq_along(themes)) {
    for (j in 1:5) {
      id <- sprintf("%s_%d", themes[k], j)
      l <- runif(1, 0.45, 0.8)
      z <- l * eta[, k] + sqrt(1 - l^2) * rnorm(n)
      if (id %in% reversed) z <- -z
      sim[[id]] <- as.integer(cut(z, c(-Inf, -1.3, -0.45, 0.35, 1.1, Inf)))
    }
  }
  write.csv(sim, simfile, row.names = FALSE)
}
sim <- read.csv(simfile)
reference("sim", "simulated study instrument pilot (cfa_sim.csv, 300 respondents)", sim,
          setNames(lapply(themes, function(s) sprintf("%s_%d", s, 1:5)), themes))
