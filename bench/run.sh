#!/usr/bin/env bash
# Symbolic-speed benchmark: Nabla (bind+differentiate+simplify+print) and SymPy on the same expressions, one run.
# Writes bench/results/symbolic.md (and the raw JSON beside it).
# Usage: bench/run.sh [nabla-budget-ms per expression, default 300] [sympy-budget-s per expression, default 1]
# Needs: dotnet (.NET 10 SDK), /usr/bin/python3 with python3-sympy and python3-numpy (apt-get install -y python3-sympy python3-numpy).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
budget_ms=${1:-300}
budget_s=${2:-1}
out="$here/results"
mkdir -p "$out"
dotnet build "$here/Nabla.Bench" -c Release -v quiet --nologo
dotnet "$here/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll" --quick --budget-ms "$budget_ms" --json "$out/nabla.json"
/usr/bin/python3 "$here/sympy_compare.py" --nabla "$out/nabla.json" --out "$out/sympy.json" --md "$out/symbolic.md" --budget-s "$budget_s"
echo "wrote $out/symbolic.md"
