#!/usr/bin/env bash
# Nabla and its peers (NumPy, PyTorch from Debian) on the same data, case by case in the same run.
# Usage: bench/run-numerics.sh [rounds] [cases...]   (cases: gemm logistic quadratic logdet)
# Writes bench/results/numerics-raw.txt (every measurement) and bench/results/numerics-table.md.
# The logistic case holds a 10^6x100 matrix (800 MB) in each process; the processes run one after another.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}; shift || true
cases=${*:-gemm logistic quadratic logdet}
dotnet build bench/Nabla.Numerics.Bench -c Release -v quiet --nologo >/dev/null
# Everyone runs with OpenBLAS's own CPU detection (the notes: unset these two if set), so Nabla's native
# backend and NumPy/PyTorch use the same OpenBLAS kernel; `nabla info` below reports which.
clean=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
nabla=("${clean[@]}" dotnet bench/Nabla.Numerics.Bench/bin/Release/net10.0/Nabla.Numerics.Bench.dll)
peers=("${clean[@]}" /usr/bin/python3 bench/peers.py)
raw=bench/results/numerics-raw.txt
{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# environment had: $(env | grep -E '^OPENBLAS_(CORETYPE|L2_SIZE)=' | tr '\n' ' ') (unset for every run below)"
  "${clean[@]}" ./nabla info | sed 's/^/# /'
  "${nabla[@]}" peak
  /usr/bin/python3 -c "import numpy, torch; print('# numpy', numpy.__version__, 'torch', torch.__version__)"
  for ((r = 1; r <= rounds; r++)); do
    for c in $cases; do
      "${nabla[@]}" side "$c"
      "${peers[@]}" "$c"
    done
  done
  "${nabla[@]}" peak
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$raw"
/usr/bin/python3 bench/table.py "$raw" | tee bench/results/numerics-table.md
