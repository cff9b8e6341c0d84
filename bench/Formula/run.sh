#!/usr/bin/env bash
# Issue 18's benchmark: a CSV of ROWS rows with 10 numeric and 3 categorical columns (50 levels each), a formula with
# interactions (208 columns), `nabla regress FILE "FORMULA" --json` against statsmodels' smf.ols(formula).fit() (its
# default pinv, and method="qr") and R's lm, end to end (reading included), on the same file, in the same run, each in
# a process of its own, timed and measured (wall, peak RSS) from outside by timed.py. Writes bench/results/formula.md.
#   bench/Formula/run.sh [ROWS]     (default 1000000: a ~230 MB CSV)
# NABLA_BENCH_SKIP_NABLA=1 leaves Nabla out (the peers and the write-up only); NABLA_BENCH_NO_WAIT=1 does not wait for
# a quiet machine before each tool; NABLA=PATH runs that CLI instead of ./nabla (no build check); MISSING=FRACTION
# blanks that fraction of the cells (a check of the harness: every tool leaves out the same rows); RESULT=FILE writes
# the write-up there instead. The CSV and the tools' outputs stay in bench/Formula/data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
ROWS=${1:-1000000}
T=$(nproc)
FORMULA='y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + C(c1) + C(c2) + C(c3) + x1:x2 + x1:C(c1)'
RFORMULA='y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + c1 + c2 + c3 + x1:x2 + x1:c1'
DATA=bench/Formula/data
TAG=$ROWS${MISSING:+_missing$MISSING}
CSV=$DATA/formula_$TAG.csv
O=$DATA/out_$TAG
mkdir -p "$O"
rm -f "$O"/*
# The peers' OpenBLAS on the kernel it should use on this CPU: forced to the CPU's family where DYNAMIC_ARCH fell back
# to a generic one (bench/machine.sh decides; the kernel is printed with the results).
CORE=${family:+OPENBLAS_CORETYPE=$family}
BLAS="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $CORE OPENBLAS_NUM_THREADS=$T OMP_NUM_THREADS=$T"
TIMED="/usr/bin/python3 bench/Formula/timed.py"
settle() { if [ -n "${NABLA_BENCH_NO_WAIT:-}" ]; then echo "# before: not waited, load $(cut -d' ' -f1 /proc/loadavg)"; else quiet; fi; }
if [ ! -s "$CSV" ]; then
  /usr/bin/python3 bench/Formula/make_data.py "$ROWS" "$CSV.tmp" ${MISSING:+--missing "$MISSING"}
  mv "$CSV.tmp" "$CSV"
fi
cat "$CSV" > /dev/null  # in the page cache for every tool alike
LOG=$O/log.txt
{
  echo "openblas_kernel ${kernel:-unknown}${family:+ (generic: peers forced to $family)}"
  echo "csv $CSV $(stat -c %s "$CSV") bytes"
  if [ -z "${NABLA_BENCH_SKIP_NABLA:-}" ]; then
    [ -n "${NABLA:-}" ] || ./nabla --help > /dev/null  # builds the CLI if the sources are newer: not inside the timing
    settle; $TIMED "$O/nabla.json" -- ${NABLA:-./nabla} regress "$CSV" "$FORMULA" --json
  else
    echo "nabla skipped (NABLA_BENCH_SKIP_NABLA)"
  fi
  for m in statsmodels statsmodels-qr; do
    settle; $TIMED "$O/$m.json" -- $BLAS /usr/bin/python3 bench/Formula/peers.py "$m" "$CSV" "$FORMULA"
  done
  if command -v Rscript > /dev/null; then
    settle; $TIMED "$O/R.json" -- $BLAS Rscript bench/Formula/peers.R "$CSV" "$RFORMULA"
  else
    echo "R skipped (no Rscript)"
  fi
  echo "# after: load $(cut -d' ' -f1 /proc/loadavg)"
} 2>&1 | tee "$LOG"
/usr/bin/python3 bench/Formula/compare.py "$O" --rows "$ROWS" --csv "$CSV" --formula "$FORMULA" --r-formula "$RFORMULA" \
  --kernel "${kernel:-}" --family "${family:-}" --threads "$T" --log "$LOG" \
  --command "${MISSING:+MISSING=$MISSING }bench/Formula/run.sh $ROWS" --out "${RESULT:-bench/results/formula.md}"
