# Golden cases for Kettle's canary judge (lib/kettle/analysis/mann-whitney.ts):
# R's wilcox.test(canary, baseline, conf.int = TRUE, conf.level = 0.98) on
# samples of several sizes and shapes: small without ties (R's exact
# distribution), with ties and large (the normal approximation with the tie and
# continuity corrections). Regenerate with:
#   Rscript scripts/mann-whitney-golden.R > test/golden/mann-whitney.json
# The tests compare against the committed JSON (CI has no R).
set.seed(2026)
r3 <- function(v) round(v, 3)
cases <- list(
  list(name = "small, no ties, equal", canary = r3(rnorm(8, 10, 1)), baseline = r3(rnorm(8, 10, 1))),
  list(name = "small, no ties, canary higher", canary = r3(rnorm(10, 13, 1)), baseline = r3(rnorm(10, 10, 1))),
  list(name = "small, no ties, canary lower", canary = r3(rnorm(6, 7, 1)), baseline = r3(rnorm(9, 10, 1))),
  list(name = "uneven sizes, no ties", canary = r3(rexp(15, 1 / 5)), baseline = r3(rexp(30, 1 / 4))),
  list(name = "ties (integers)", canary = rpois(20, 6), baseline = rpois(20, 5)),
  list(name = "ties, few values", canary = c(1, 1, 2, 2, 2, 3, 3, 4), baseline = c(1, 2, 2, 3, 3, 3, 4, 4, 5)),
  list(name = "large, shifted", canary = r3(rnorm(60, 0.052, 0.01)), baseline = r3(rnorm(60, 0.05, 0.01))),
  list(name = "large, skewed latencies", canary = r3(rlnorm(80, log(120), 0.3)), baseline = r3(rlnorm(70, log(100), 0.3))),
  list(name = "error rates (ties at zero)", canary = c(0, 0, 0, 0.01, 0.02, 0.01, 0, 0.03, 0.05, 0.04), baseline = c(0, 0, 0, 0, 0.01, 0, 0, 0.01, 0, 0))
)
num <- function(v) if (is.na(v)) "null" else format(v, digits = 15)
arr <- function(v) paste0("[", paste(sapply(v, num), collapse = ", "), "]")
out <- sapply(cases, function(c) {
  t <- suppressWarnings(wilcox.test(c$canary, c$baseline, conf.int = TRUE, conf.level = 0.98))
  sprintf('  { "name": "%s", "canary": %s, "baseline": %s, "W": %s, "pValue": %s, "confInt": %s, "estimate": %s, "method": "%s" }',
    c$name, arr(c$canary), arr(c$baseline), num(t$statistic[[1]]), num(t$p.value), arr(t$conf.int), num(t$estimate[[1]]), t$method)
})
cat(paste0("[\n", paste(out, collapse = ",\n"), "\n]\n"))
