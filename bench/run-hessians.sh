#!/usr/bin/env bash
# The Hessian benchmark of issue 4: Nabla's compiled Hessian plans against torch.autograd.functional.hessian
# (vectorize=True and False) and the hand-written NumPy closed forms, same data, case by case in the same run.
# Usage: bench/run-hessians.sh [rounds] [cap seconds for one PyTorch call]
# Writes bench/results/hessians-raw.txt (every measurement) and bench/results/hessians-table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
cap=${2:-60}
dotnet build bench/Nabla.Numerics.Bench -c Release -v quiet --nologo >/dev/null
# As in run-numerics.sh: OpenBLAS's own CPU detection for every process (NumPy, PyTorch and Nabla's native backend).
clean=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
nabla=("${clean[@]}" dotnet bench/Nabla.Numerics.Bench/bin/Release/net10.0/Nabla.Numerics.Bench.dll hess)
peers=("${clean[@]}" /usr/bin/python3 bench/peers_hessians.py)  # then numpy|torch, the cap, the case: one peer per process
raw=bench/results/hessians-raw.txt
{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "${clean[@]}" ./nabla info | sed 's/^/# /'
  for ((r = 1; r <= rounds; r++)); do
    for c in quad logistic; do
      echo "# round $r, $c, load $(cut -d' ' -f1 /proc/loadavg)"
      "${nabla[@]}" "$c"
      "${peers[@]}" numpy "$cap" "$c"
      "${peers[@]}" torch "$cap" "$c"
    done
  done
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$raw"
/usr/bin/python3 bench/hessians_table.py "$raw" | tee bench/results/hessians-table.md
