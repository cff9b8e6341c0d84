#!/usr/bin/env bash
# Generated C# against CompiledPlan (issue "From formula to code": the generated C# at least as fast as the plan):
# writes the modules with ./nabla --emit csharp into bench/codegen/csharp/generated, builds the bench in Release and
# times value + gradient of each on both backends (managed, and OpenBLAS where it loads), on a quiet machine.
# Writes bench/results/codegen-csharp.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
gen=bench/codegen/csharp/generated
rm -rf "$gen"; mkdir -p "$gen"
./nabla grad "sum(softplus(-y.*(X*w)))" --wrt w --var "X:matrix(m,n)" --var "y:vector(m)" --var "w:vector(n)" --emit csharp --function logistic > "$gen/logistic.cs"
./nabla grad "x'*A*x" --wrt x --var "x:vector(n)" --var "A:matrix(n,n)" --emit csharp --function quadratic > "$gen/quadratic.cs"
./nabla grad "tr(inv(X)*A)" --wrt X --var "X:matrix(n,n)" --var "A:matrix(n,n)" --emit csharp --function trinv > "$gen/trinv.cs"
./nabla grad "-logdet(S)/2-(x-m)'*inv(S)*(x-m)/2" --wrt m --wrt S --var "x:vector(n)" --var "m:vector(n)" --var "S:symmetric(n)" --emit csharp --function gauss > "$gen/gauss.cs"
dotnet build -c Release bench/codegen/csharp -v q -nologo
{
  echo "# Generated C# against CompiledPlan"; echo; echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo
  quiet
  dotnet bench/codegen/csharp/bin/Release/net10.0/Nabla.Codegen.Bench.dll
  echo "# after: load $(cut -d' ' -f1 /proc/loadavg)"
} | tee bench/results/codegen-csharp.md
