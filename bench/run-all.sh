#!/usr/bin/env bash
# Every benchmark, one after another (never two at once), then bench/results/SUMMARY.md: the machine, the peers'
# versions and BLAS kernels, and each work item with Nabla's figure, the best peer's, the ratio, the goal and
# whether it is met. About 15 minutes on 2 cores. Usage: bench/run-all.sh
# Needs /usr/bin/python3 with numpy, torch, sympy, threadpoolctl (Debian: python3-numpy python3-torch python3-sympy
# python3-threadpoolctl); the regression benchmark also needs python3-scipy python3-sklearn python3-pandas and is
# skipped, and said so in the summary, without them.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date -u '+%Y-%m-%d %H:%M UTC')
bash bench/run.sh
bash bench/run-numerics.sh 2
bash bench/run-hessians.sh 2 20
bash bench/Sql/run.sh
bash bench/Fitting/run-wide.sh
regression="skipped: /usr/bin/python3 lacks scipy, sklearn or pandas (apt-get install -y python3-scipy python3-sklearn python3-pandas)"
if /usr/bin/python3 -c "import scipy, sklearn, pandas" 2>/dev/null; then
  bash bench/Fitting/run.sh && regression="bench/results/regression.md"
fi
/usr/bin/python3 bench/summary.py "$start" "$regression" > bench/results/SUMMARY.md
echo "wrote bench/results/SUMMARY.md"
