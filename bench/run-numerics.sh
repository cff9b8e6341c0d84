#!/usr/bin/env bash
# Nabla and its peers (NumPy, PyTorch from Debian) on the same data, case by case in the same run, each peer in a
# process of its own (NumPy never beside torch). Before each measurement the CPUs must be quiet: the share of busy
# time over one second (everything on the machine) is recorded, and above 20% the script waits and samples again.
# Usage: bench/run-numerics.sh [rounds] [cases...]   (cases: gemm logistic quadratic logdet expm)
# Writes bench/results/numerics-raw.txt (every measurement) and bench/results/numerics-table.md (with cases named:
# numerics-<cases>-raw.txt and -table.md).
# The logistic case holds a 10^6x100 matrix (800 MB) in each process; the processes run one after another.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}; shift || true
cases=${*:-gemm logistic quadratic logdet expm}
dotnet build bench/Nabla.Numerics.Bench -c Release -v quiet --nologo >/dev/null
# Everyone runs with OpenBLAS's own CPU detection (the notes: unset these two if set), so Nabla's native
# backend and NumPy/PyTorch use the same OpenBLAS kernel; `nabla info` below reports which.
clean=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
nabla=("${clean[@]}" dotnet bench/Nabla.Numerics.Bench/bin/Release/net10.0/Nabla.Numerics.Bench.dll)
peers=("${clean[@]}" /usr/bin/python3 bench/peers.py)
# busy, quiet, and the kernel NumPy runs (family: the OPENBLAS_CORETYPE to rerun NumPy with where it is generic).
source bench/machine.sh
# The full run writes numerics-raw.txt and numerics-table.md; a run of chosen cases writes numerics-<cases>-raw.txt and
# -table.md beside them, so it never replaces the full run's committed results.
tag=""; [ $# -gt 0 ] && tag="-$(echo "$cases" | tr ' ' '-')"
raw=bench/results/numerics${tag}-raw.txt
{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# environment had: $(env | grep -E '^OPENBLAS_(CORETYPE|L2_SIZE)=' | tr '\n' ' ') (unset for every run below)"
  "${clean[@]}" ./nabla info | sed 's/^/# /'
  "${nabla[@]}" peak
  echo "# OpenBLAS kernel for NumPy: ${kernel:-unknown}${family:+ (generic: NumPy also runs with OPENBLAS_CORETYPE=$family)}"
  for ((r = 1; r <= rounds; r++)); do
    for c in $cases; do
      quiet; "${nabla[@]}" side "$c"
      quiet; "${peers[@]}" numpy "$c"
      if [ -n "$family" ]; then quiet; env OPENBLAS_CORETYPE="$family" /usr/bin/python3 bench/peers.py numpy "$c"; fi
      quiet; "${peers[@]}" torch "$c"
    done
  done
  "${nabla[@]}" peak
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$raw"
/usr/bin/python3 bench/table.py "$raw" | tee "bench/results/numerics${tag}-table.md"
