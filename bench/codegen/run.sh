#!/usr/bin/env bash
# Generated NumPy against hand-written NumPy on the same data (issue "From formula to code"): generates the
# modules with ./nabla, then times value+gradient of each in one python3 process of its own (NumPy only, never
# beside torch; threads set and checked with threadpoolctl), on a quiet machine (busy share and load recorded),
# once more with OPENBLAS_CORETYPE set where OpenBLAS fell back to a generic kernel. Writes bench/results/codegen.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
threads=$(nproc)
./nabla grad "sum(softplus(-y.*(X*w)))" --wrt w --var "X:matrix(m,n)" --var "y:vector(m)" --var "w:vector(n)" --emit numpy --function logistic > "$out/logistic.py"
./nabla grad "x'*A*x" --wrt x --var "x:vector(n)" --var "A:matrix(n,n)" --emit numpy --function quadratic > "$out/quadratic.py"
./nabla grad "tr(inv(X)*A)" --wrt X --var "X:matrix(n,n)" --var "A:matrix(n,n)" --emit numpy --function trinv > "$out/trinv.py"
./nabla grad "-logdet(S)/2-(x-m)'*inv(S)*(x-m)/2" --wrt m --wrt S --var "x:vector(n)" --var "m:vector(n)" --var "S:symmetric(n)" --emit numpy --function gauss > "$out/gauss.py"
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$@" /usr/bin/python3 bench/codegen/compare.py "$out"; }
{
  echo "# Generated NumPy against hand-written NumPy"; echo; echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo
  quiet
  run
  if [ -n "$family" ]; then echo; echo "OpenBLAS chose a generic kernel ($kernel): again with OPENBLAS_CORETYPE=$family"; quiet; run OPENBLAS_CORETYPE="$family"; fi
  echo "# after: load $(cut -d' ' -f1 /proc/loadavg)"
} | tee bench/results/codegen.md
