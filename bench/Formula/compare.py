#!/usr/bin/python3
"""Reads what bench/Formula/run.sh left in its output folder (nabla.json, statsmodels.json, statsmodels-qr.json, R.json,
each with its .time.json from timed.py) and writes the markdown write-up: machine, each tool's seconds (its own
read/fit split, and the process's wall time and peak RSS measured from outside), the ratio of each peer's time to
Nabla's, the coefficients' agreement (by patsy's names), the goal line (issue 18: ≥ 10× faster than statsmodels end
to end). Prints the table too.
    compare.py FOLDER --rows N --csv FILE --formula F --r-formula F --kernel K [--family F] --threads T [--log LOG] --out MD"""
import argparse
import datetime
import json
import math
import os

PEERS = [  # file stem, what it is
    ("statsmodels", "statsmodels `smf.ols(formula, data=df).fit()` (default: pinv)"),
    ("statsmodels-qr", "statsmodels `smf.ols(formula, data=df).fit(method=\"qr\")`"),
    ("R", "R `lm(formula, data)` on base `read.csv` (colClasses: text as factor)"),
]
GOAL = 10.0

ap = argparse.ArgumentParser()
for a in ("folder",):
    ap.add_argument(a)
for a in ("--rows", "--csv", "--formula", "--r-formula", "--kernel", "--threads", "--out"):
    ap.add_argument(a, required=True)
ap.add_argument("--family", default="")
ap.add_argument("--log", default="")
ap.add_argument("--command", default="", help="how run.sh was called, for the write-up")
args = ap.parse_args()


def load(stem):
    """(result, timing, error): the tool's JSON line, timed.py's record, and why there is no result."""
    path = os.path.join(args.folder, stem + ".json")
    if not os.path.exists(path + ".time.json"):
        return None, None, "not run"
    timing = json.load(open(path + ".time.json"))
    lines = [l for l in open(path, encoding="utf-8", errors="replace").read().splitlines() if l.startswith("{")]
    if timing["rc"] != 0 or not lines:
        err = open(path + ".err", encoding="utf-8", errors="replace").read().strip().splitlines() if os.path.exists(path + ".err") else []
        return None, timing, f"failed (exit {timing['rc']}): {err[-1] if err else 'no JSON line'}"
    return json.loads(lines[-1]), timing, None


def f3(v):
    return "—" if v is None else f"{v:.3f}"


def agreement(a, b):
    """Max relative difference over the coefficients both name, |a−b|/|b| (the worst name), the norm-wise
    max|a−b|/max|b|, and the names only one side has."""
    if a is None or b is None:
        return None
    ca, cb = a["coefficients"], b["coefficients"]
    common = [k for k in cb if k in ca and ca[k] is not None and cb[k] is not None]
    only = sorted(set(ca) ^ set(cb))
    if not common:
        return {"text": "no names in common", "only": only}
    rel = {k: abs(ca[k] - cb[k]) / abs(cb[k]) if cb[k] != 0 else (0.0 if ca[k] == 0 else math.inf) for k in common}
    worst = max(rel, key=rel.get)
    norm = max(abs(ca[k] - cb[k]) for k in common) / max(abs(cb[k]) for k in common)
    return {"max_rel": rel[worst], "worst": worst, "norm": norm, "common": len(common), "only": only}


def agree_text(g):
    if g is None:
        return "—"
    if "text" in g:
        return g["text"]
    s = f"{g['max_rel']:.1e} (`{g['worst']}`), norm-wise {g['norm']:.1e}, {g['common']} names"
    if g["only"]:
        s += f"; names on one side only: {len(g['only'])} (e.g. `{g['only'][0]}`)"
    return s


nabla, nabla_t, nabla_err = load("nabla")
peers = {stem: load(stem) for stem, _ in PEERS}
# Nabla's time: the process's wall time, from outside (the .NET start-up and the CLI's parsing included).
nab_s = nabla_t["wall_seconds"] if nabla else None


def ratio(peer_s):
    return f"{peer_s / nab_s:.1f}×" if nab_s and peer_s else "—"


rows = []
nab_read = nabla.get("read_seconds") if nabla else None
nab_fit = nabla.get("fit_seconds") if nabla else None
rows.append(("**Nabla** `nabla regress FILE \"FORMULA\" --json`", f"**{f3(nab_s)}**" if nabla else nabla_err,
             f3(nab_read), f3(nab_fit), f3(nab_s), f"{nabla_t['max_rss_mb']:.0f}" if nabla_t else "—", "", ""))
for stem, what in PEERS:
    r, t, err = peers[stem]
    if r is None:
        rows.append((what, err, "—", "—", f3(t["wall_seconds"]) if t else "—", f"{t['max_rss_mb']:.0f}" if t else "—", "—", "—"))
        continue
    rows.append((what, f3(r["seconds"]), f3(r["read_seconds"]), f3(r["fit_seconds"]), f3(t["wall_seconds"]),
                 f"{t['max_rss_mb']:.0f}", ratio(r["seconds"]), ratio(t["wall_seconds"])))

sm = [peers[s][0] for s in ("statsmodels", "statsmodels-qr") if peers[s][0] is not None]
sm_best = min(sm, key=lambda r: r["seconds"]) if sm else None
if nabla and sm_best:
    x = sm_best["seconds"] / nab_s
    goal = (f"**Goal (issue 18): ≥ {GOAL:.0f}× faster than statsmodels end to end, reading included — measured "
            f"{x:.1f}× ({'met' if x >= GOAL else 'not met'})**: statsmodels at its best ({sm_best['method']}, "
            f"{sm_best['seconds']:.3f} s, its own clock from `read_csv` to the coefficients, the interpreter's start-up "
            f"and imports left out) over Nabla's whole process ({nab_s:.3f} s, start-up included).")
else:
    goal = f"**Goal (issue 18): ≥ {GOAL:.0f}× faster than statsmodels end to end** — not measured in this run (" + \
           ("Nabla: " + nabla_err if not nabla else "statsmodels did not run") + ")."

ref = peers["statsmodels"][0]
agree_rows = []
for stem, what in [("nabla", "Nabla")] + PEERS:
    r = nabla if stem == "nabla" else peers[stem][0]
    if r is None:
        continue
    n = r.get("n")
    agree_rows.append((what.split(" `")[0] if stem != "statsmodels-qr" else "statsmodels (qr)", str(n),
                       str(r.get("columns") if not isinstance(r.get("columns"), list) else len(r["columns"])),
                       "—" if stem == "nabla" else agree_text(agreement(nabla, r)),
                       "—" if stem == "statsmodels" else agree_text(agreement(r, ref))))

peer_meta = next((p[0] for p in peers.values() if p[0] is not None and "blas" in p[0] and p[0]["peer"] != "R"), None)
r_meta = peers["R"][0]
csv_mb = os.path.getsize(args.csv) / 1e6 if os.path.exists(args.csv) else float("nan")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
ncols = (len(nabla["columns"]) if nabla else None) or (ref or r_meta or {}).get("columns")

rows_text = f"{int(args.rows):,}".replace(",", " ")
md = [f"# Formula regression from a CSV: {rows_text} rows, 10 numeric and 3 categorical columns (50 levels)",
      "",
      f"Run by `{args.command or 'bench/Formula/run.sh ' + args.rows}` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores "
      f"({cpu}), load average at the end {' '.join(open('/proc/loadavg').read().split()[:3])}; one run, each tool in a process of its own, "
      f"the CSV ({csv_mb:.0f} MB, `bench/Formula/make_data.py`, seed 18) in the page cache before the first.",
      f"Peers' OpenBLAS: kernel {args.kernel or 'unknown'}{f' (a generic fallback: OPENBLAS_CORETYPE={args.family} forced)' if args.family else ''}, "
      f"{args.threads} threads (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS); threadpoolctl in statsmodels' process: "
      f"{peer_meta['blas'] if peer_meta else '—'}. R: {r_meta['blas'] if r_meta else '—'} (lm's QR is LINPACK's dqrdc2: one thread).",
      f"Versions: {peer_meta['version'] if peer_meta else 'statsmodels —'}; {r_meta['version'] if r_meta else 'R —'}.",
      "",
      f"Formula (Nabla and statsmodels): `{args.formula}`; R: `{args.r_formula}` — {ncols if ncols else '?'} columns "
      "(1 + 10 + 3·49 + 1 + 49 = 208).",
      "",
      "| what | seconds, end to end | read | fit | process wall | peak RSS MB | its time over Nabla's | its wall over Nabla's |",
      "|---|---|---|---|---|---|---|---|"]
md += ["| " + " | ".join(r) + " |" for r in rows]
md += ["",
       "*seconds* is each tool's own clock from reading the CSV to the coefficients (statsmodels: `read_csv`, then "
       "`smf.ols` — patsy's design — and `.fit()`; R: `read.csv`, then `lm`); *read*/*fit* split it "
       "(statsmodels' fit = design + solve). Nabla has no clock of its own in `--json`, so its seconds are the whole "
       "process measured from outside (.NET start-up included). *process wall* and *peak RSS* are measured from outside "
       "for every tool (`timed.py`: perf_counter around the process, ru_maxrss by wait4), the Python and R start-up and "
       "imports included.",
       "",
       goal,
       ""]
if sm:
    for r in sm:
        md.append(f"statsmodels {r['method']}: read {r['read_seconds']:.3f} s, design (patsy) {r['design_seconds']:.3f} s, "
                  f"solve {r['solve_seconds']:.3f} s; imports {r['import_seconds']:.3f} s (not counted).  ")
    md.append("")
md += ["## Same coefficients",
       "",
       "Max relative difference |a−b|/|b| over the coefficients, by name (the worst name given), and norm-wise "
       "max|a−b|/max|b|.",
       "",
       "| tool | rows used | columns | against Nabla | against statsmodels (pinv) |",
       "|---|---|---|---|---|"]
md += ["| " + " | ".join(r) + " |" for r in agree_rows]
if nabla:
    md += ["", f"Nabla: solver {nabla.get('solver')}, rank {nabla.get('rank')}, n {nabla.get('n')}, "
               f"dropped {nabla.get('n_dropped')}, warnings {nabla.get('warnings') or 'none'}."]
if args.log and os.path.exists(args.log):
    md += ["", "Raw output:", "", "```", open(args.log).read().rstrip(), "```"]
open(args.out, "w").write("\n".join(md) + "\n")
print("\n".join(l for l in md if not l.startswith("Raw output")).split("```")[0].rstrip())
print(f"wrote {args.out}")
