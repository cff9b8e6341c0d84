#!/usr/bin/python3
"""SymPy side of the symbolic-speed benchmark (bench/run.sh runs it after Nabla.Bench --json).

For each case of bench/Nabla.Bench/Cases.cs that SymPy's matrix expressions can express, build the objective
from MatrixSymbols, differentiate with .diff and print the result (str), and time that in this warm process:
median over single calls after warm-up, with SymPy's cache cleared before every call (otherwise every call after
the first is a cache hit, which is not what differentiating a new expression costs). No simplify(): SymPy's
simplify() does not apply to matrix expressions beyond what .diff already does, and a user reads .diff's output.

Each SymPy result is checked numerically against Nabla's gradient at the random point Nabla.Bench --json
writes (dimension symbols take the sizes of that point), and Nabla's gradient itself has passed its own central
finite-difference check there. Verdicts:
  correct      numerically equal to Nabla's (finite-difference-checked) gradient
  unevaluated  SymPy returns Derivative(...) (it does not know the rule)
  missing      SymPy raises an exception, or the objective cannot be written with matrix expressions
  wrong        a result that evaluates differently (often a silent 0)
"""
import argparse, json, os, platform, statistics, subprocess, sys, time, datetime

import numpy as np
import sympy as sp
from sympy import (MatrixSymbol, Symbol, Trace, Determinant, Inverse, HadamardProduct, OneMatrix,
                   ImmutableMatrix, exp, log, sqrt, Abs)
from sympy.core.cache import clear_cache

n, m, p = sp.symbols('n m p', integer=True, positive=True)

def V(name, d=n): return MatrixSymbol(name, d, 1)
def M(name, r=n, c=n): return MatrixSymbol(name, r, c)
def ones(d): return OneMatrix(1, d)
def softplus(t): return log(1 + exp(t))
def sigmoid(t): return 1 / (1 + exp(-t))

# id -> (SymPy source as a user would type it, builder returning (objective, wrt)) or a string saying why not.
CASES = {
    'seed_ax':      ("(a.T*x).diff(x)", lambda: ((V('a').T * V('x')), V('x'))),
    'seed_xAx':     ("(x.T*A*x).diff(x)", lambda: (V('x').T * M('A') * V('x'), V('x'))),
    'seed_xAx_sym': ("(x.T*A*x).diff(x)  [no symmetric MatrixSymbol]", lambda: (V('x').T * M('A') * V('x'), V('x'))),
    'seed_det':     ("Determinant(A).diff(A)", lambda: (Determinant(M('A')), M('A'))),
    'seed_trAB':    ("Trace(A*B).diff(A)", lambda: (Trace(M('A', n, m) * M('B', m, n)), M('A', n, m))),
    'seed_xAy_A':   ("(x.T*A*y).diff(A)", lambda: (V('x', m).T * M('A', m, n) * V('y', n), M('A', m, n))),
    'seed_logistic': ("log(1+exp(-y*Trace(w.T*x))).diff(w)",
                      lambda: (log(1 + exp(-Symbol('y') * Trace(V('w').T * V('x')))), V('w'))),
    'seed_lsq':     ("((y-X*w).T*(y-X*w)).diff(w)",
                     lambda: ((V('y', m) - M('X', m, n) * V('w')).T * (V('y', m) - M('X', m, n) * V('w')), V('w'))),
    'cb_trX':       ("Trace(X).diff(X)", lambda: (Trace(M('X')), M('X'))),
    'cb_trAXB':     ("Trace(A*X*B).diff(X)", lambda: (Trace(M('A', p, m) * M('X', m, n) * M('B', n, p)), M('X', m, n))),
    'cb_trXtAX':    ("Trace(X.T*A*X).diff(X)", lambda: (Trace(M('X', m, n).T * M('A', m, m) * M('X', m, n)), M('X', m, n))),
    'cb_trAXBXt':   ("Trace(A*X*B*X.T).diff(X)",
                     lambda: (Trace(M('A', m, m) * M('X', m, n) * M('B', n, n) * M('X', m, n).T), M('X', m, n))),
    'cb_trXX':      ("Trace(X*X).diff(X)", lambda: (Trace(M('X') * M('X')), M('X'))),
    'cb_trXtX':     ("Trace(X.T*X).diff(X)", lambda: (Trace(M('X', m, n).T * M('X', m, n)), M('X', m, n))),
    'cb_inner':     ("Trace(A.T*X).diff(X)", lambda: (Trace(M('A', m, n).T * M('X', m, n)), M('X', m, n))),
    'cb_trinvXA':   ("Trace(Inverse(X)*A).diff(X)", lambda: (Trace(Inverse(M('X')) * M('A')), M('X'))),
    'cb_ainvXb':    ("(a.T*Inverse(X)*b).diff(X)", lambda: (V('a').T * Inverse(M('X')) * V('b'), M('X'))),
    'cb_aXb':       ("(a.T*X*b).diff(X)", lambda: (V('a', m).T * M('X', m, n) * V('b', n), M('X', m, n))),
    'cb_aXtb':      ("(a.T*X.T*b).diff(X)", lambda: (V('a', n).T * M('X', m, n).T * V('b', m), M('X', m, n))),
    'cb_logdet':    ("log(Determinant(X)).diff(X)", lambda: (log(Determinant(M('X'))), M('X'))),
    'cb_detinv':    ("Determinant(Inverse(X)).diff(X)", lambda: (Determinant(Inverse(M('X'))), M('X'))),
    'cb_xAx_A':     ("(x.T*A*x).diff(A)", lambda: (V('x').T * M('A') * V('x'), M('A'))),
    'norm2':        ("sqrt(Trace(x.T*x)).diff(x)", lambda: (sqrt(Trace(V('x').T * V('x'))), V('x'))),
    'norm2_sq_res': ("((A*x-b).T*(A*x-b)).diff(x)",
                     lambda: ((M('A', m, n) * V('x') - V('b', m)).T * (M('A', m, n) * V('x') - V('b', m)), V('x'))),
    'norm1':        ("(OneMatrix(1,n)*x.applyfunc(Abs)).diff(x)", lambda: (ones(n) * V('x').applyfunc(Abs), V('x'))),
    'xx':           ("(x.T*x).diff(x)", lambda: (V('x').T * V('x'), V('x'))),
    'rayleigh':     ("(Trace(x.T*A*x)/Trace(x.T*x)).diff(x)",
                     lambda: (Trace(V('x').T * M('A') * V('x')) / Trace(V('x').T * V('x')), V('x'))),
    'ridge':        ("((y-X*w).T*(y-X*w) + c*w.T*w).diff(w)",
                     lambda: ((V('y', m) - M('X', m, n) * V('w')).T * (V('y', m) - M('X', m, n) * V('w'))
                              + Symbol('c') * V('w').T * V('w'), V('w'))),
    'logistic_sum': ("(OneMatrix(1,m)*HadamardProduct(-y, X*w).applyfunc(softplus)).diff(w)",
                     lambda: (ones(m) * HadamardProduct(-V('y', m), M('X', m, n) * V('w')).applyfunc(softplus), V('w'))),
    'softmax_ce':   ("(-y.T*(z.applyfunc(exp)/Trace(OneMatrix(1,n)*z.applyfunc(exp))).applyfunc(log)).diff(z)",
                     lambda: (-V('y').T * (V('z').applyfunc(exp) / Trace(ones(n) * V('z').applyfunc(exp))).applyfunc(log), V('z'))),
    'logsumexp':    ("(log(Trace(OneMatrix(1,n)*z.applyfunc(exp))) - Trace(y.T*z)).diff(z)",
                     lambda: (log(Trace(ones(n) * V('z').applyfunc(exp))) - Trace(V('y').T * V('z')), V('z'))),
    'exp_quad':     ("exp(-Trace(x.T*A*x)/2).diff(x)", lambda: (exp(-Trace(V('x').T * M('A') * V('x')) / 2), V('x'))),
    'sum_sigmoid':  ("(OneMatrix(1,m)*(X*w).applyfunc(sigmoid)).diff(w)",
                     lambda: (ones(m) * (M('X', m, n) * V('w')).applyfunc(sigmoid), V('w'))),
}


def pipeline(build):
    f, x = build()
    r = f.diff(x)
    return r, str(r), f


def time_case(build, budget_s):
    for _ in range(2):
        clear_cache(); pipeline(build)
    samples = []
    start = time.perf_counter()
    while len(samples) < 5 or (time.perf_counter() - start < budget_s and len(samples) < 500):
        clear_cache()
        t0 = time.perf_counter_ns()
        pipeline(build)
        samples.append((time.perf_counter_ns() - t0) / 1e6)
    return statistics.median(samples), len(samples)


def to_numeric(expr, point, objective):
    """Evaluate a SymPy matrix expression at Nabla's point: dimension symbols take that point's sizes."""
    dims = {}
    for s in objective.atoms(MatrixSymbol):
        v = point.get(s.name)
        if v is None: continue
        for d, size in ((s.shape[0], v['rows']), (s.shape[1], v['cols'])):
            if isinstance(d, sp.Symbol):
                if dims.get(d, size) != size:
                    raise ValueError(f'dimension {d} would need both {dims[d]} and {size}')
                dims[d] = size
    e = expr.subs(dims)
    rep = {}
    for s in e.atoms(MatrixSymbol):
        v = point[s.name]
        rep[s] = ImmutableMatrix(v['rows'], v['cols'], v['data'])
    for s in e.atoms(sp.Symbol):
        if s.name in point:
            rep[s] = sp.Float(point[s.name]['data'][0])
    e = e.xreplace(rep).doit()
    if type(e).__module__.startswith('sympy.tensor.array'):
        # SymPy answers some matrix gradients as array expressions (PermuteDims(ArrayTensorProduct(...))).
        arr = e.as_explicit() if hasattr(e, 'as_explicit') else e
        return np.array(sp.Array(arr).tolist(), dtype=float).squeeze().reshape(-1, 1)
    if isinstance(e, sp.MatrixBase) or getattr(e, 'is_Matrix', False):
        e = sp.Matrix(e.as_explicit() if hasattr(e, 'as_explicit') else e)
        return np.array(e.evalf(), dtype=float)
    return np.array([[float(e)]])


def verdict(case, res_expr, res_text, objective):
    if res_expr is None:
        return 'missing', res_text
    if res_expr.has(sp.Derivative):
        return 'unevaluated', 'returns Derivative(...)'
    if 'gradient' not in case:
        return 'unchecked', 'Nabla has no value to compare with'
    g = case['gradient']
    want = np.array(g['data'], dtype=float).reshape(g['rows'], g['cols'])
    if (res_expr == 0 or isinstance(res_expr, sp.ZeroMatrix)) and np.max(np.abs(want)) > 0:
        return 'wrong', 'silently 0'
    try:
        got = to_numeric(res_expr, case['point'], objective)
    except Exception as e:  # noqa: BLE001 - any failure to evaluate is reported, not fatal
        return 'unchecked', f'could not evaluate: {type(e).__name__}: {e}'[:160]
    if got.size == 1 and want.size > 1 and abs(got.item()) == 0:
        return 'wrong', 'silently 0'
    note = ''
    if type(res_expr).__module__.startswith('sympy.tensor.array'):
        note = ' (as an array expression, not a matrix)'
    if got.shape != want.shape:
        if got.size == want.size:
            got = got.reshape(want.shape)
        else:
            return 'wrong', f'shape {got.shape}, expected {want.shape}'
    err = np.max(np.abs(got - want)) / max(1.0, np.max(np.abs(want)))
    if err <= 1e-8:
        return 'correct', f'max rel. diff {err:.1e}{note}'
    if np.max(np.abs(got)) == 0:
        return 'wrong', 'silently 0'
    return 'wrong', f'max rel. diff {err:.2g} from the checked gradient'


def machine_info():
    cpu = 'unknown'
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip(); break
    except OSError:
        pass
    try:
        dn = subprocess.run(['dotnet', '--version'], capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception:  # noqa: BLE001
        dn = 'unknown'
    return {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'), 'cpu': cpu,
            'cores': os.cpu_count(), 'dotnet': dn, 'python': platform.python_version(), 'sympy': sp.__version__,
            'numpy': np.__version__, 'kernel': platform.release()}


def md_cell(s):
    return str(s).replace('|', '\\|').replace('\n', ' ')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--nabla', required=True, help='JSON written by Nabla.Bench --json')
    ap.add_argument('--out', help='JSON with SymPy timings and verdicts')
    ap.add_argument('--md', help='markdown report to write')
    ap.add_argument('--budget-s', type=float, default=1.0, help='timing budget per case')
    args = ap.parse_args()
    sys.setrecursionlimit(3000)  # SymPy 1.11 recurses without bound on some elementwise functions; fail fast
    nabla = json.load(open(args.nabla))
    rows = []
    for case in nabla['cases']:
        spec = CASES.get(case['id'])
        row = {'id': case['id'], 'expr': case['expr'], 'wrt': case['wrt'], 'vars': case.get('vars', []),
               'nabla_us': case.get('median_us'), 'nabla_text': case.get('text', 'ERROR ' + str(case.get('error'))),
               'nabla_fd': case.get('fd_passed'), 'nabla_fd_err': case.get('fd_max_rel_error')}
        if spec is None:
            row.update(sympy_src='-', sympy_text='-', sympy_ms=None, verdict='missing', detail='not expressible')
            rows.append(row); continue
        src, build = spec
        row['sympy_src'] = src
        try:
            clear_cache()
            res, text, objective = pipeline(build)
        except RecursionError:
            res, text, objective = None, 'RecursionError', None
        except Exception as e:  # noqa: BLE001
            res, objective = None, None
            text = f'{type(e).__name__}: {e}'.strip().rstrip(':')[:120]
        row['sympy_text'] = text
        row['verdict'], row['detail'] = verdict(case, res, text, objective)
        row['sympy_ms'] = None
        if res is not None:
            row['sympy_ms'], row['sympy_samples'] = time_case(build, args.budget_s)
        rows.append(row)
        print(f"{row['id']:16} {format(row['sympy_ms'], '.2f') if row['sympy_ms'] is not None else '-':>10} ms  "
              f"{row['verdict']:11} {text[:70]}", flush=True)
    info = machine_info()
    info['runtime'] = nabla.get('runtime')
    if args.out:
        json.dump({'machine': info, 'cases': rows}, open(args.out, 'w'), indent=1)
    if args.md:
        write_md(args.md, info, rows, nabla, args.budget_s)


def write_md(path, info, rows, nabla, budget_s):
    nb = [r['nabla_us'] for r in rows if r['nabla_us'] is not None]
    both = [r for r in rows if r['nabla_us'] and r['sympy_ms']]
    ratios = [r['sympy_ms'] * 1000 / r['nabla_us'] for r in both]
    worst = max(rows, key=lambda r: r['nabla_us'] or 0)
    counts = {}
    for r in rows: counts[r['verdict']] = counts.get(r['verdict'], 0) + 1
    L = []
    L.append('# Symbolic speed: Nabla vs SymPy\n')
    L.append('Generated by `bench/run.sh`. Each time is the median of single calls in one warm process, after warm-up.')
    L.append('Nabla: bind the text, differentiate, simplify, print text and LaTeX (`Binder.Bind` + `Derivation.Compute`),'
             f' {nabla.get("budget_ms")} ms of samples per expression after a warm-up of every expression.')
    L.append('SymPy: build the objective from MatrixSymbols, `.diff`, `str()`; the SymPy cache is cleared before every'
             f' call (else repeated calls are cache hits); {budget_s} s of samples per expression (at least 5).')
    L.append('SymPy verdicts are numerical comparisons with Nabla\'s gradient at one random point; Nabla\'s gradient is'
             ' itself checked against central finite differences (column "FD").\n')
    L.append('## Machine\n')
    for k in ('date', 'cpu', 'cores', 'kernel', 'dotnet', 'runtime', 'python', 'sympy', 'numpy'):
        L.append(f'- {k}: {info.get(k)}')
    L.append('- note: 2 cores shared with other builds while this ran; expect noise of tens of percent.\n')
    L.append('## Headline\n')
    if nb:
        L.append(f'- Nabla median over {len(nb)} expressions: **{statistics.median(nb):.1f} µs** '
                 f'(goal ≤ 1000 µs); worst: {worst["nabla_us"]:.1f} µs (`{worst["expr"]}` wrt {worst["wrt"]}); '
                 f'all {sum(1 for r in rows if r["nabla_fd"])} of {len(rows)} pass the finite-difference check.')
    if ratios:
        L.append(f'- SymPy / Nabla time, over the {len(ratios)} expressions SymPy returns something for: median '
                 f'**{statistics.median(ratios):.0f}×**, range {min(ratios):.0f}× – {max(ratios):.0f}×.')
    ok = [r for r in both if r['verdict'] == 'correct']
    if ok:
        okr = [r['sympy_ms'] * 1000 / r['nabla_us'] for r in ok]
        L.append(f'- Over the {len(ok)} expressions where SymPy is correct: median ratio {statistics.median(okr):.0f}×.')
    L.append('- SymPy verdicts: ' + ', '.join(f'{k} {v}' for k, v in sorted(counts.items())) + '.\n')
    L.append('## Per expression\n')
    L.append('| id | expression | wrt | Nabla µs | FD | SymPy ms | ratio | Nabla result | SymPy input | SymPy result | verdict |')
    L.append('|---|---|---|---:|---|---:|---:|---|---|---|---|')
    for r in rows:
        decl = (' (' + ', '.join(r['vars']) + ')') if r['vars'] else ''
        ratio = f"{r['sympy_ms'] * 1000 / r['nabla_us']:.0f}×" if r['nabla_us'] and r['sympy_ms'] else '-'
        nus = f"{r['nabla_us']:.1f}" if r['nabla_us'] is not None else '-'
        sms = f"{r['sympy_ms']:.2f}" if r['sympy_ms'] is not None else '-'
        fd = 'ok' if r['nabla_fd'] else ('FAIL' if r['nabla_fd'] is False else '-')
        L.append(f"| {r['id']} | `{md_cell(r['expr'])}`{md_cell(decl)} | {r['wrt']} | {nus} | {fd} | {sms} | {ratio} | "
                 f"`{md_cell(r['nabla_text'])}` | `{md_cell(r['sympy_src'])}` | `{md_cell(r['sympy_text'][:90])}` | "
                 f"**{r['verdict']}**: {md_cell(r['detail'])} |")
    L.append('')
    open(path, 'w').write('\n'.join(L) + '\n')


if __name__ == '__main__':
    main()
