#!/usr/bin/env bash
# Logistic regression on X 10⁶×50 in memory (issue "Train any differentiable model"): Nabla's Glm.Fit (Newton on the
# Hessian Nabla derives) and the user-written loss by L-BFGS (what `nabla fit` runs), against scikit-learn
# LogisticRegression(penalty=None, solver="lbfgs"), statsmodels Logit().fit() and R's glm(family=binomial) where R is
# installed: each in a process of its own, on the same binary files, threads set and printed. Writes bench/results/glm.md.
#   bench/Glm/run.sh [N] [D] [REPS]     (default 1000000 50 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
N=${1:-1000000}; D=${2:-50}; REPS=${3:-3}
DATA=${DATA:-/tmp/nabla-glm-bench}
T=$(nproc)
# The peers' OpenBLAS on the kernel it should use on this CPU: forced to the CPU's family where DYNAMIC_ARCH fell back
# to a generic one (bench/machine.sh decides; the kernel is printed with the results).
CORE=${family:+OPENBLAS_CORETYPE=$family}
PY="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $CORE OPENBLAS_NUM_THREADS=$T OMP_NUM_THREADS=$T /usr/bin/python3 bench/Glm/peers.py"
# R's glm.fit (IRLS) on the benchmark's X with the given family and target file; prints <key>_s, _iterations, _w.
r_fit() {
  env -u OPENBLAS_CORETYPE $CORE OPENBLAS_NUM_THREADS=$T Rscript -e "
    n <- $N; d <- $D
    X <- matrix(readBin('$DATA/logit_X.bin', 'double', n * d), nrow = n, byrow = TRUE)
    y <- readBin('$DATA/$2.bin', 'double', n)
    ts <- c(); for (k in 1:$REPS) { t <- system.time(m <- glm.fit(cbind(1, X), y, family = $1()))[['elapsed']]; ts <- c(ts, t) }
    cat(sprintf('$3_s %.3f\\n', median(ts))); cat(sprintf('$3_iterations %d\\n', m\$iter))
    cat(sprintf('$3_w %.15g %.15g %.15g\\n', m\$coefficients[1], m\$coefficients[2], m\$coefficients[3]))"
}
dotnet build bench/Nabla.Fitting.Bench -c Release -v quiet --nologo >/dev/null
B=bench/Nabla.Fitting.Bench/bin/Release/net10.0/Nabla.Fitting.Bench
[ -f "$DATA/logit_X.bin" ] && [ "$(stat -c %s "$DATA/logit_X.bin")" = "$((N * D * 8))" ] || $B logit-gen "$DATA" "$N" "$D"
OUT=$(mktemp)
{
  echo "openblas_kernel ${kernel:-unknown}${family:+ (generic: peers forced to $family)}"
  quiet
  $B logit "$DATA" "$N" "$D" "$REPS"
  if /usr/bin/python3 -c "import sklearn" 2>/dev/null; then quiet; $PY sklearn "$DATA" "$N" "$D" "$REPS"; else echo "sklearn_s skipped"; fi
  if /usr/bin/python3 -c "import statsmodels" 2>/dev/null; then quiet; $PY statsmodels "$DATA" "$N" "$D" "$REPS"; else echo "statsmodels_s skipped"; fi
  if command -v Rscript >/dev/null; then quiet; r_fit binomial logit_y r; echo "r_version $(Rscript -e 'cat(R.version.string)')"; else echo "r_s skipped"; fi
  # Poisson counts on the same X.
  [ -f "$DATA/pois_y.bin" ] && [ "$(stat -c %s "$DATA/pois_y.bin")" = "$((N * 8))" ] || $B poisson-gen "$DATA" "$N" "$D"
  quiet
  $B poisson "$DATA" "$N" "$D" "$REPS"
  if /usr/bin/python3 -c "import sklearn" 2>/dev/null; then quiet; $PY sklearn-poisson "$DATA" "$N" "$D" "$REPS" | grep -v '^threads'; fi
  if /usr/bin/python3 -c "import statsmodels" 2>/dev/null; then quiet; $PY statsmodels-poisson "$DATA" "$N" "$D" "$REPS" | grep -v '^threads'; fi
  if command -v Rscript >/dev/null; then quiet; r_fit poisson pois_y r_poisson; fi
  echo "# after: load $(cut -d' ' -f1 /proc/loadavg)"
} | tee "$OUT"
v() { grep -m1 "^$1 " "$OUT" | cut -d' ' -f2-; }
ratio() { /usr/bin/python3 -c "a, b = '$1', '$2'; print('—' if 'skipped' in (a, b) or not a or not b else f'{float(a) / float(b):.2f}')"; }
glm=$(v nabla_glm_s)
cat > bench/results/glm.md <<MD
# Logistic regression, X ${N}×${D} in memory, no penalty

Run by \`bench/Glm/run.sh $N $D $REPS\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $T CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); medians of $REPS fits; each peer in a process of its own.

| what | seconds | iterations | Nabla glm's time over it (goal) |
|---|---|---|---|
| **Nabla** \`Glm.Fit\` (Newton on the Hessian Nabla derives, X'diag(s)X) | **$glm** | $(v nabla_glm_iterations) | |
| Nabla, \`sum(softplus(-y.*(X*w)))\` by L-BFGS (the \`nabla fit\` path, gradient ≤ 1e-6) | $(v nabla_fit_lbfgs_s) | $(v nabla_fit_lbfgs_iterations) | fit/glm = $(ratio "$(v nabla_fit_lbfgs_s)" "$glm") (goal ≤ 1.5) |
| scikit-learn \`LogisticRegression(penalty=None, solver="lbfgs", tol=1e-6)\` | $(v sklearn_s) | $(v sklearn_iterations) | $(ratio "$glm" "$(v sklearn_s)") (goal ≤ 0.2) |
| statsmodels \`Logit().fit()\` (Newton) | $(v statsmodels_s) | $(v statsmodels_iterations) | $(ratio "$glm" "$(v statsmodels_s)") (goal ≤ 0.1) |
| R \`glm.fit(family = binomial())\` (IRLS) | $(v r_s) | $(v r_iterations) | $(ratio "$glm" "$(v r_s)") |

Same coefficients (intercept, w₁, w₂): Nabla glm $(v nabla_glm_w); Nabla L-BFGS $(v nabla_fit_lbfgs_w);
scikit-learn $(v sklearn_w); statsmodels $(v statsmodels_w); R $(v r_w).

## Poisson regression, the same X, counts with a mean near 1.6

| what | seconds | iterations | Nabla's time over it (goal) |
|---|---|---|---|
| **Nabla** \`Glm.Fit\` (family Poisson) | **$(v nabla_poisson_s)** | $(v nabla_poisson_iterations) | |
| scikit-learn \`PoissonRegressor(alpha=0, tol=1e-8)\` (L-BFGS) | $(v sklearn_poisson_s) | $(v sklearn_poisson_iterations) | $(ratio "$(v nabla_poisson_s)" "$(v sklearn_poisson_s)") |
| statsmodels \`GLM(family=Poisson()).fit()\` (IRLS) | $(v statsmodels_poisson_s) | $(v statsmodels_poisson_iterations) | $(ratio "$(v nabla_poisson_s)" "$(v statsmodels_poisson_s)") (goal ≤ 0.1, as for logistic) |
| R \`glm.fit(family = poisson())\` (IRLS) | $(v r_poisson_s) | $(v r_poisson_iterations) | $(ratio "$(v nabla_poisson_s)" "$(v r_poisson_s)") |

Same coefficients (intercept, w₁, w₂): Nabla $(v nabla_poisson_w); scikit-learn $(v sklearn_poisson_w);
statsmodels $(v statsmodels_poisson_w); R $(v r_poisson_w).

Raw output:

\`\`\`
$(cat "$OUT")
\`\`\`
MD
rm -f "$OUT"
echo "wrote bench/results/glm.md"
