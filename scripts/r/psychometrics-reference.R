# Reference values for internal/psychometrics, computed with R's psych and
# GPArotation: the figures the Go code must equal.
#
#   Rscript scripts/r/psychometrics-reference.R [outdir]
#
# outdir defaults to internal/psychometrics/testdata. Two data sets:
#   - bfi: psych's own bfi (2,800 respondents, the 25 personality items
#     A1..O5 with missing values; five 5-item scales), written as bfi.csv;
#   - study: a simulated pilot of the study instrument (25 items eff_1..
#     trn_5 on a 1-5 scale, five subscales, scored values, reverse-keyed
#     items already reversed, 2 % missing), drawn with set.seed and written
#     as study.csv.
# For each, <name>.json holds the correlations (pairwise deletion), KMO,
# Bartlett's test, the eigenvalues, minres and ML factor solutions under
# oblimin (and minres under varimax and promax), omega total per scale,
# omega hierarchical with psych's Schmid-Leiman, and the factor count of a
# parallel analysis, and the polychoric correlations (psych::polychoric's
# defaults). The Go tests read the CSV, compute the same figures
# and compare (TestReference* in internal/psychometrics).
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
outdir <- if (length(args) >= 1) args[1] else "internal/psychometrics/testdata"
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

# The study instrument: five correlated factors, five items each.
simulate_study <- function() {
  set.seed(20261201)
  n <- 600
  k <- 5
  names <- c("eff", "com", "emp", "sdm", "trn")
  phi <- matrix(0.3, k, k)
  diag(phi) <- 1
  f <- matrix(rnorm(n * k), n, k) %*% chol(phi)
  lambda <- c(0.75, 0.7, 0.6, 0.65, 0.55)
  x <- matrix(0, n, k * 5)
  cols <- character(0)
  for (s in 1:k) {
    for (i in 1:5) {
      j <- (s - 1) * 5 + i
      l <- lambda[i]
      y <- l * f[, s] + sqrt(1 - l^2) * rnorm(n)
      x[, j] <- as.integer(cut(y, c(-Inf, -1.5, -0.5, 0.5, 1.5, Inf)))
      cols <- c(cols, paste0(names[s], "_", i))
    }
  }
  x[matrix(runif(n * k * 5) < 0.02, n)] <- NA
  colnames(x) <- cols
  as.data.frame(x)
}

fa_solution <- function(r, n, nf, fm, rotate) {
  f <- fa(r, nfactors = nf, n.obs = n, fm = fm, rotate = rotate, warnings = FALSE)
  out <- list(loadings = unclass(f$loadings), communalities = unname(f$communality))
  if (!is.null(f$Phi)) out$phi <- f$Phi
  out
}

reference <- function(x, scales, nf) {
  r <- cor(x, use = "pairwise")
  n <- nrow(x)
  k <- KMO(r)
  b <- cortest.bartlett(r, n = n)
  omegas <- lapply(scales, function(items) {
    o <- suppressWarnings(suppressMessages(omega(r[items, items], nfactors = 1, plot = FALSE)))
    list(items = items, omega_total = o$omega.tot, alpha = o$alpha,
         loadings = unname(o$schmid$sl[, 1]))
  })
  oh <- suppressWarnings(suppressMessages(omega(r, nfactors = nf, n.obs = n, plot = FALSE)))
  set.seed(42)
  pa <- suppressWarnings(suppressMessages(
    fa.parallel(x, fa = "fa", fm = "minres", n.iter = 20, plot = FALSE)))
  list(
    items = colnames(x), n = n, correlation = unname(r),
    kmo = list(overall = k$MSA, items = unname(k$MSAi)),
    bartlett = list(chi_square = b$chisq, df = b$df, p = b$p.value),
    eigenvalues = eigen(r)$values,
    factors = nf,
    efa = list(
      minres_oblimin = fa_solution(r, n, nf, "minres", "oblimin"),
      ml_oblimin = fa_solution(r, n, nf, "ml", "oblimin"),
      minres_varimax = fa_solution(r, n, nf, "minres", "varimax"),
      minres_promax = fa_solution(r, n, nf, "minres", "promax")
    ),
    omega = omegas,
    omega_hierarchical = list(factors = nf, omega_h = oh$omega_h, omega_total = oh$omega.tot,
                              alpha = oh$alpha, general = unname(oh$schmid$sl[, 1])),
    parallel = list(simulations = 20, suggested = pa$nfact, observed = pa$fa.values),
    polychoric = unname(suppressWarnings(suppressMessages(polychoric(x)))$rho)
  )
}

bfi_items <- psych::bfi[, 1:25]
write.csv(bfi_items, file.path(outdir, "bfi.csv"), row.names = FALSE, na = "")
bfi_scales <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
                   N = paste0("N", 1:5), O = paste0("O", 1:5))
writeLines(toJSON(reference(bfi_items, bfi_scales, 5), digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path(outdir, "bfi.json"))

study <- simulate_study()
write.csv(study, file.path(outdir, "study.csv"), row.names = FALSE, na = "")
study_scales <- lapply(c(eff = "eff", com = "com", emp = "emp", sdm = "sdm", trn = "trn"),
                       function(s) paste0(s, "_", 1:5))
writeLines(toJSON(reference(study, study_scales, 5), digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path(outdir, "study.json"))
