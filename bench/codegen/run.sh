#!/usr/bin/env bash
# Generated NumPy against hand-written NumPy on the same data (issue "From formula to code"): generates the
# modules with ./nabla, then times value+gradient of each in one python3 process (NumPy only, threads set and
# checked with threadpoolctl). Writes bench/results/codegen.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
threads=$(nproc)
./nabla grad "sum(softplus(-y.*(X*w)))" --wrt w --var "X:matrix(m,n)" --var "y:vector(m)" --var "w:vector(n)" --emit numpy --function logistic > "$out/logistic.py"
./nabla grad "x'*A*x" --wrt x --var "x:vector(n)" --var "A:matrix(n,n)" --emit numpy --function quadratic > "$out/quadratic.py"
./nabla grad "tr(inv(X)*A)" --wrt X --var "X:matrix(n,n)" --var "A:matrix(n,n)" --emit numpy --function trinv > "$out/trinv.py"
./nabla grad "-logdet(S)/2-(x-m)'*inv(S)*(x-m)/2" --wrt m --wrt S --var "x:vector(n)" --var "m:vector(n)" --var "S:symmetric(n)" --emit numpy --function gauss > "$out/gauss.py"
OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads /usr/bin/python3 bench/codegen/compare.py "$out" | tee bench/results/codegen.md
