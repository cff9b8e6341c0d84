#!/usr/bin/python3
"""The native command's smoke test (issue 15): the NativeAOT build of `nabla` must do what the JIT build does.

Trimming and ahead-of-time compilation can break what reflection or run-time code generation would have done
(JSON, the web server's request binding, DuckDB.NET and Parquet.Net readers, SkiaSharp's plots), and such a break
shows only when the native binary runs. This runs the same commands through both binaries and compares: the exit
code (0, except for the one syntax error, 1), and the output — text that differs only in the last digits of numbers
(the two builds may vectorise a sum differently) counts as the same when every number agrees to 1e-9 relative. Also:
a Parquet file written and read back, a plot decoded as a PNG, the JSON Lines protocol, and the web server answering the page and the API.

Usage: smoke.py NATIVE_EXE JIT_EXE   (exit 0 when every check passes; one line per check)
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "Nabla.Tests", "Data", "fixtures")
NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def same_text(a: str, b: str) -> bool:
    if a == b:
        return True
    if NUM.sub("#", a) != NUM.sub("#", b):
        return False
    for x, y in zip(NUM.findall(a), NUM.findall(b)):
        u, v = float(x), float(y)
        if abs(u - v) > 1e-9 * max(1.0, abs(u), abs(v)):
            return False
    return True


def run(exe, args, cwd, stdin=None):
    p = subprocess.run([exe] + args, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def main() -> int:
    native, jit = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    failures = 0
    houses = os.path.join(FIX, "houses.csv")
    events = os.path.join(FIX, "events.csv")
    with tempfile.TemporaryDirectory() as tmp:
        values = os.path.join(tmp, "at.json")
        with open(values, "w") as f:
            json.dump({"A": [[2, 1], [0, 3]], "x": [1, -2]}, f)
        commands = [
            ["grad", "log(1+exp(-y*<w,x>))", "--wrt", "w", "--check"],
            ["grad", "tr(expm(A)*B)", "--wrt", "A", "--steps", "--latex"],
            ["hess", "x'*A*x", "--wrt", "x", "--json"],
            ["jac", "sigmoid(W*x)", "--wrt", "x", "--at", values.replace("at.json", "at2.json")],
            ["grad", "x'*A*x", "--wrt", "x", "--at", values, "--json"],
            ["grad", "sum(tanh(W*x+b))", "--wrt", "W", "--emit", "numpy"],
            ["check", "x'*A*x + det(A)"],
            ["convex", "logdet(X)", "--wrt", "X", "--var", "X:spd", "--json"],
            ["grad", "x'*", "--wrt", "x"],                      # a syntax error: the same message and exit code
            ["regress", houses, "price ~ sqft + beds + C(city)", "--json"],
            ["regress", houses, "price ~ sqft + beds + city", "--engine", "duckdb"],
            ["glm", events, "bought ~ x1 + x2 + grp", "--family", "binomial", "--engine", "duckdb", "--json"],
            ["glm", events, "bought ~ x1 + x2 + grp", "--family", "binomial"],
            ["fit", "sum(softplus(-y.*(X*w))) + lambda*w'*w", "--data", events, "--target", "bought",
             "--features", "x1,x2", "--intercept", "--wrt", "w", "--set", "lambda=0.5", "--json"],
        ]
        with open(values.replace("at.json", "at2.json"), "w") as f:
            json.dump({"W": [[1, 2], [3, 4], [5, 6]], "x": [0.5, -1]}, f)
        for args in commands:
            rn, on, en = run(native, args, tmp)
            rj, oj, ej = run(jit, args, tmp)
            expected = 1 if args[1] == "x'*" else 0
            ok = rn == rj == expected and same_text(on, oj) and same_text(en, ej)
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {' '.join(args)[:100]}" + ("" if ok else f"\n  native rc {rn}: {(on + en)[:400]}\n  jit rc {rj}: {(oj + ej)[:400]}"))

        # Parquet written by the native binary and read back by it: the same fit as from the CSV.
        pq = os.path.join(tmp, "houses.parquet")
        rc, out, err = run(native, ["regress", houses, "price ~ sqft", "--predict", houses, "--output", pq], tmp)
        r1 = run(native, ["regress", pq, "price ~ sqft + beds + city", "--json"], tmp)
        r2 = run(jit, ["regress", houses, "price ~ sqft + beds + city", "--json"], tmp)
        ok = rc == 0 and os.path.getsize(pq) > 0 and r1[0] == 0 and same_text(
            json.dumps(json.loads(r1[1])["coefficients"]), json.dumps(json.loads(r2[1])["coefficients"]))
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} Parquet written and read back" + ("" if ok else f": {err} {r1[2]}"))

        # A plot: a PNG with the signature and a plausible size.
        png = os.path.join(tmp, "diag.png")
        rc, out, err = run(native, ["regress", houses, "price ~ sqft + beds", "--plot", png], tmp)
        ok = rc == 0 and os.path.exists(png) and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(png) > 10000
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} regress --plot draws a PNG" + ("" if ok else f": rc {rc} {err[:300]}"))

        # The protocol.
        lines = "\n".join([
            json.dumps({"id": 1, "expr": "x'*A*x", "wrt": ["x"], "derivative": "hessian"}),
            json.dumps({"id": 2, "expr": "det(X)", "wrt": ["X"], "check": True}),
            "{not json",
            json.dumps({"id": 4, "expr": "norm2(A*x-b)^2", "wrt": ["x"], "steps": True}),
        ]) + "\n"
        rn = run(native, ["jsonl"], tmp, stdin=lines)
        rj = run(jit, ["jsonl"], tmp, stdin=lines)
        ok = rn[0] == rj[0] == 0 and len(rn[1].splitlines()) == 4 and same_text(rn[1], rj[1])
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} jsonl" + ("" if ok else f"\n  native: {rn[1][:400]}{rn[2][:200]}\n  jit: {rj[1][:400]}"))

        # The web server: the page, a script, the API, a 404.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        server = subprocess.Popen([native, "serve", "--urls", f"http://127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    page = urllib.request.urlopen(base + "/", timeout=2).read().decode()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                page = ""
            req = urllib.request.Request(base + "/api/derive", data=json.dumps({"expr": "x'*A*x", "wrt": ["x"]}).encode(),
                                         headers={"Content-Type": "application/json"})
            answer = json.loads(urllib.request.urlopen(req, timeout=10).read())
            script = urllib.request.urlopen(base + "/app.js", timeout=5).status
            try:
                urllib.request.urlopen(base + "/no-such-file", timeout=5)
                missing = 200
            except urllib.error.HTTPError as e:
                missing = e.code
            ok = "<html" in page.lower() and answer.get("ok") and answer["results"][0]["text"] == "(A+A')*x" and script == 200 and missing == 404
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} serve: the page, /app.js, /api/derive, a 404" + ("" if ok else f": {page[:100]} {answer} {script} {missing}"))
        except Exception as e:  # noqa: BLE001 — any failure of the server is this check's failure
            failures += 1
            print(f"FAIL serve: {e}")
        finally:
            server.terminate()
            server.wait(10)
    print(f"native smoke: {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
