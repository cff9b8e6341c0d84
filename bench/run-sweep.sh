#!/usr/bin/env bash
# The 10^5 random-expression sweep (issue 11): every derivative of each expression derived, checked against
# finite differences and read back; writes bench/results/sweep.md. Usage: bench/run-sweep.sh [count] [first-seed]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Nabla.Sweep -- "${1:-100000}" "${2:-1000000}" | tee bench/results/sweep.md
