#!/usr/bin/env bash
# Generated C# against CompiledPlan (issue "From formula to code": the generated C# at least as fast as the plan):
# writes the modules with ./nabla --emit csharp into bench/codegen/csharp/generated, builds the bench in Release and
# times value + gradient of each on both backends (managed, and OpenBLAS where it loads), on a quiet machine.
# Writes bench/results/codegen-csharp.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
bash bench/codegen/generate-csharp.sh
dotnet build -c Release bench/codegen/csharp -v q -nologo
{
  echo "# Generated C# against CompiledPlan"; echo; echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo
  quiet
  dotnet bench/codegen/csharp/bin/Release/net10.0/Nabla.Codegen.Bench.dll
  echo "# after: load $(cut -d' ' -f1 /proc/loadavg)"
} | tee bench/results/codegen-csharp.md
