# R's lm for bench/Formula/run.sh (issue 18), end to end on the CSV Nabla reads: base read.csv (text columns as
# factors through colClasses, numbers as numeric), then lm(FORMULA, data). Prints one JSON line: peer, seconds
# (read + fit), read_seconds, fit_seconds (lm: model frame, model matrix, QR), n, columns, coefficients under patsy's
# names (R's "c1a01" is patsy's "C(c1)[T.a01]", "x1:c1a01" is "x1:C(c1)[T.a01]", "(Intercept)" is "Intercept"; mapped
# by name, not by order) and coefficients_r under R's own. lm's QR is LINPACK's dqrdc2 (level-1 BLAS): one thread.
#   Rscript peers.R FILE [FORMULA]
args <- commandArgs(trailingOnly = TRUE)
file <- args[1]
formula <- if (length(args) > 1) args[2] else
  "y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + c1 + c2 + c3 + x1:x2 + x1:c1"
na <- c("NA", "NaN", "null", "")  # what Nabla reads as missing; lm leaves those rows out (na.omit)
now <- function() proc.time()[["elapsed"]]

t0 <- now()
# Column classes from the first rows: text columns are factors, the rest numeric.
head <- read.csv(file, nrows = 1000, na.strings = na, stringsAsFactors = FALSE)
classes <- ifelse(vapply(head, is.character, TRUE), "factor", "numeric")
df <- read.csv(file, colClasses = classes, na.strings = na)
t1 <- now()
m <- lm(as.formula(formula), data = df)
t2 <- now()

factors <- names(df)[vapply(df, is.factor, TRUE)]
# One part of an R name ("x1", "c1a01") to patsy's; the longest factor name that prefixes it with a level after it wins.
part <- function(p) {
  if (p == "(Intercept)") return("Intercept")
  for (f in factors[order(-nchar(factors))])
    if (startsWith(p, f) && substring(p, nchar(f) + 1) %in% levels(df[[f]]))
      return(sprintf("C(%s)[T.%s]", f, substring(p, nchar(f) + 1)))
  p
}
patsy <- function(name) paste(vapply(strsplit(name, ":", fixed = TRUE)[[1]], part, ""), collapse = ":")
b <- coef(m)
q <- function(s) paste0('"', gsub('(["\\\\])', "\\\\\\1", s), '"')
num <- function(v) ifelse(is.finite(v), sprintf("%.17g", v), "null")
obj <- function(keys, vals) paste0("{", paste(q(keys), num(vals), sep = ": ", collapse = ", "), "}")
cat(paste0("{", paste(
  '"peer": "R"', '"method": "lm (QR, LINPACK dqrdc2)"', paste0('"formula": ', q(formula)),
  sprintf('"seconds": %.6f, "read_seconds": %.6f, "fit_seconds": %.6f', t2 - t0, t1 - t0, t2 - t1),
  sprintf('"n": %d, "n_read": %d, "columns": %d, "rank": %d', length(m$residuals), nrow(df), length(b), m$rank),
  paste0('"coefficients": ', obj(vapply(names(b), patsy, ""), b)),
  paste0('"coefficients_r": ', obj(names(b), b)),
  paste0('"blas": ', q(paste(extSoftVersion()[["BLAS"]], "threads env", Sys.getenv("OPENBLAS_NUM_THREADS")))),
  paste0('"version": ', q(R.version.string)), sep = ", "), "}\n"))
