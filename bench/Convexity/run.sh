#!/usr/bin/env bash
# Convexity verdicts' speed (issue "Convexity certificates"): builds bench/Convexity in Release and times each of the
# seed's losses (and three others) end to end on a quiet machine; writes bench/results/convexity.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
dotnet build -c Release bench/Convexity -v q -nologo
{
  echo "# Convexity verdicts: time per call"; echo; echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo
  quiet
  dotnet bench/Convexity/bin/Release/net10.0/Nabla.Convexity.Bench.dll
  echo
  echo "Each call parses, binds, derives the Hessian, simplifies it and runs the certificate; \`not convex\` verdicts also run the seeded witness search until the first confirmed witness. One run."
} | tee bench/results/convexity.md
