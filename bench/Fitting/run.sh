#!/usr/bin/env bash
# Nabla's linear regression against its peers, same data, same run. Writes bench/results/regression.md.
#   bench/Fitting/run.sh [N] [D] [CSV_ROWS] [CSV_COLS]     (default 1000000 100 900000 20: X is 800 MB, the CSV ~190 MB)
# Needs: apt-get install -y python3-numpy python3-scipy python3-sklearn python3-pandas
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}; D=${2:-100}; CN=${3:-900000}; CD=${4:-20}; REPS=${REPS:-5}
DATA=${DATA:-/tmp/nabla-fit-bench}
PY="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/Fitting/peers.py"
dotnet build bench/Nabla.Fitting.Bench -c Release -v quiet --nologo >/dev/null
B=bench/Nabla.Fitting.Bench/bin/Release/net10.0/Nabla.Fitting.Bench
[ -f "$DATA/X.bin" ] && [ "$(stat -c %s "$DATA/X.bin")" = "$((N * D * 8))" ] || $B gen "$DATA" "$N" "$D" "$CN" "$CD"
OUT=$(mktemp)
{
  $PY config "$DATA"
  $B fit "$DATA" "$N" "$D" "$REPS"
  $PY memory "$DATA" "$N" "$D" "$REPS"
  $B fit "$DATA" "$N" "$D" "$REPS" | sed 's/^nabla_/nabla2_/'
  $B csv "$DATA" 3
  $PY csv "$DATA" 3
} | tee "$OUT"
v() { grep -m1 "^$1 " "$OUT" | cut -d' ' -f2-; }
ratio() { /usr/bin/python3 -c "print(f'{$1/$2:.2f}')"; }
nab=$(/usr/bin/python3 -c "print(min($(v nabla_fit_s), $(v nabla2_fit_s)))")
np_best=$(/usr/bin/python3 -c "print(min($(v numpy_syrk_normal_s), $(v numpy_gemm_normal_s)))")
cat > bench/results/regression.md <<MD
# Linear regression: Nabla against NumPy, scikit-learn and pandas

Run by \`bench/Fitting/run.sh $N $D $CN $CD\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), cpu family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs)),
load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: differences under ~10% mean nothing).
Peers: Debian's python3 (numpy $(v numpy_version)), OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset: $(v openblas_config).
Medians of $REPS runs (scikit-learn, lstsq: one run); Nabla ran twice, before and after the peers, and the better median is used.

## X ${N}×${D} in memory, with an intercept

| what | seconds | Nabla is |
|---|---|---|
| **Nabla** \`LinearRegression.Fit\` (solver $(v nabla_fit_solver): one-pass X'X/X'y syrk kernel, Cholesky, summary) | **$nab** | |
| Nabla, the X'X/X'y pass alone | $(v nabla_gram_s) ($(v nabla_gram_gflops) GFLOP/s counted on the triangle) | |
| NumPy/SciPy normal equations, X'X by \`dsyrk\`, + sums, X'y, \`cho_solve\` | $(v numpy_syrk_normal_s) | $(ratio "$nab" "$(v numpy_syrk_normal_s)")× its time |
| NumPy normal equations, X'X by \`X.T @ X\` (gemm) | $(v numpy_gemm_normal_s) | $(ratio "$nab" "$(v numpy_gemm_normal_s)")× its time |
| SciPy \`dsyrk\` alone | $(v numpy_syrk_only_s) | |
| scikit-learn \`LinearRegression().fit\` | $(v sklearn_s) | $(ratio "$(v sklearn_s)" "$nab")× faster |
| \`numpy.linalg.lstsq\` on [1, X] | $(v lstsq_s) | $(ratio "$(v lstsq_s)" "$nab")× faster |

Goal: ≤ 0.5× NumPy's time — measured $(ratio "$nab" "$np_best")× the faster NumPy variant; ≥ 20× faster than scikit-learn — measured $(ratio "$(v sklearn_s)" "$nab")×.
Same answer: intercept, w₁, w₁₀₀ — Nabla $(v nabla_fit_w0); NumPy $(v numpy_w0); scikit-learn $(v sklearn_w0).

## From a CSV ($(v nabla_csv_mb) MB, $(v nabla_csv_rows) rows × $CD features + y; ~200 MB rather than 1 GB to keep the shared disk and time small)

| what | seconds | MB/s |
|---|---|---|
| **Nabla** \`CsvRegression.Fit\` (Sep, chunks, parallel accumulation, one pass) | $(v nabla_csv_s) | **$(v nabla_csv_mbps)** |
| \`pandas.read_csv\` + NumPy normal equations | $(v pandas_csv_s) | $(v pandas_csv_mbps) |

Nabla's peak working set while streaming: $(v nabla_peak_working_set_mb) MB (the rows are not kept: memory does not grow with the file).
Same answer: intercept, w₁ — Nabla $(v nabla_csv_w0); pandas + NumPy $(v pandas_w0).

Raw output:

\`\`\`
$(cat "$OUT")
\`\`\`
MD
rm -f "$OUT"
echo "wrote bench/results/regression.md"
