#!/usr/bin/env bash
# Writes the four generated C# modules the C# benchmark compiles (bench/codegen/csharp/generated/*.cs), with ./nabla.
set -euo pipefail
cd "$(dirname "$0")/../.."
gen=bench/codegen/csharp/generated
rm -rf "$gen"; mkdir -p "$gen"
./nabla grad "sum(softplus(-y.*(X*w)))" --wrt w --var "X:matrix(m,n)" --var "y:vector(m)" --var "w:vector(n)" --emit csharp --function logistic > "$gen/logistic.cs"
./nabla grad "x'*A*x" --wrt x --var "x:vector(n)" --var "A:matrix(n,n)" --emit csharp --function quadratic > "$gen/quadratic.cs"
./nabla grad "tr(inv(X)*A)" --wrt X --var "X:matrix(n,n)" --var "A:matrix(n,n)" --emit csharp --function trinv > "$gen/trinv.cs"
./nabla grad "-logdet(S)/2-(x-m)'*inv(S)*(x-m)/2" --wrt m --wrt S --var "x:vector(n)" --var "m:vector(n)" --var "S:symmetric(n)" --emit csharp --function gauss > "$gen/gauss.cs"
