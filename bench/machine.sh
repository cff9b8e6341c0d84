# Sourced by the benchmark scripts: how busy the machine is, waiting for it to be quiet, and the OpenBLAS kernel
# NumPy runs (with the CPU family to force where OpenBLAS's DYNAMIC_ARCH fell back to a generic kernel).
busy() { # percent of CPU time busy over one second, from /proc/stat
  read -r _ a b c d e f g _ < /proc/stat; sleep 1; read -r _ A B C D E F G _ < /proc/stat
  local total=$(( (A+B+C+D+E+F+G) - (a+b+c+d+e+f+g) )) idle=$(( (D+E) - (d+e) ))
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
quiet() { # waits (up to 60 s) for a quiet machine; prints what it saw
  local b; for _ in $(seq 12); do b=$(busy); [ "$b" -le 20 ] && break; sleep 4; done
  echo "# before: ${b}% busy, load $(cut -d' ' -f1 /proc/loadavg)"
}
# kernel: what threadpoolctl reports for NumPy's OpenBLAS; family: the OPENBLAS_CORETYPE to force, or empty.
kernel=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 -c "import numpy; from threadpoolctl import threadpool_info as t; print(next((p['architecture'] for p in t() if p.get('internal_api') == 'openblas'), ''))" 2>/dev/null || true)
family=""
case "$kernel" in
  Prescott|Core2|Katmai|Coppermine|Northwood|Penryn|Dunnington|Nehalem|Atom|Generic|"")
    if grep -qw avx512f /proc/cpuinfo; then family=SkylakeX; elif grep -q AMD /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo; then family=Zen; elif grep -qw avx2 /proc/cpuinfo; then family=Haswell; fi ;;
esac
