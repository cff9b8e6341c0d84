#!/usr/bin/python3
"""The soak test (issue 13): many mixed good and bad requests against one long-lived process.

  soak.py jsonl EXE [N]           N requests (default 100000) through one `nabla jsonl` process
  soak.py web EXE [SECONDS]       a mixed load on `nabla serve` on loopback (default 60 s): 7 client threads of cheap
                                  good and bad requests, one of heavy numeric checks (each over the time budget)

Good requests are the seed cases (answers in tests/cases/seed.jsonl) and random instances of closed forms computed
here (x'*A*x, a'*x, x'*x, tr(A*B), sum(exp(x)), logistic loss); every answer is compared with its expected value.
Bad requests (malformed JSON, a raw CR, a lone surrogate, a BOM, duplicate keys, unknown fields and functions, shape
mismatches, absurd sizes, values outside a domain) must each get exactly one answer with ok false, a known error code
and the request's id. Memory is sampled as the process's resident set: it must stay flat (the last half's peak at
most 1.3 × the first quarter's + 40 MB). Exit status 0 only when there are no crashes, no wrong or missing answers,
and memory stays flat. Standard library only.
"""
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = [json.loads(line) for line in open(os.path.join(HERE, "..", "cases", "seed.jsonl")) if line.strip()]
CODES = {"bad_request", "parse_error", "type_error", "shape_error", "unknown_function", "unknown_variable",
         "domain_error", "limit_exceeded", "not_differentiable", "unsupported", "internal_error"}


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def vec(rng, n):
    return [round(rng.uniform(-1, 1), 6) for _ in range(n)]


def mat(rng, n, m):
    return [vec(rng, m) for _ in range(n)]


def good(rng, rid):
    """A request and its expected value (a number, a list, or a list of lists)."""
    k = rng.randrange(8)
    n = rng.randint(1, 6)
    if k == 0:
        case = rng.choice(SEEDS)
        req = dict(case["request"], id=rid)
        return req, case["expect_value"]
    if k == 1:
        x, a = vec(rng, n), mat(rng, n, n)
        g = [sum((a[i][j] + a[j][i]) * x[j] for j in range(n)) for i in range(n)]
        return {"id": rid, "expr": "x'*A*x", "wrt": ["x"], "at": {"x": x, "A": a}}, g
    if k == 2:
        a, x = vec(rng, n), vec(rng, n)
        return {"id": rid, "expr": "a'*x", "wrt": ["x"], "at": {"a": a, "x": x}}, a
    if k == 3:
        x = vec(rng, n)
        return {"id": rid, "expr": "x'*x", "wrt": ["x"], "at": {"x": x}}, [2 * v for v in x]
    if k == 4:
        a, b = mat(rng, n, n), mat(rng, n, n)
        return {"id": rid, "expr": "tr(A*B)", "wrt": ["A"], "at": {"A": a, "B": b}}, [[b[j][i] for j in range(n)] for i in range(n)]
    if k == 5:
        x = vec(rng, n)
        return {"id": rid, "expr": "sum(exp(x))", "wrt": ["x"], "at": {"x": x}}, [math.exp(v) for v in x]
    if k == 6:
        w, x, y = vec(rng, n), vec(rng, n), rng.choice([-1.0, 1.0])
        z = -y * sum(wi * xi for wi, xi in zip(w, x))
        s = 1 / (1 + math.exp(-z))
        return ({"id": rid, "expr": "log(1+exp(-y*w'*x))", "vars": {"y": "scalar"}, "wrt": ["w"], "at": {"w": w, "x": x, "y": y}},
                [-s * y * xi for xi in x])
    # a symbolic request: the gradient's text only
    return {"id": rid, "expr": "x'*A*x", "vars": {"x": "vector", "A": "matrix"}, "wrt": ["x"]}, None


def bad(rng, rid):
    """A request line (text) that must be refused, and whether its id is readable."""
    k = rng.randrange(14)
    if k == 0:
        return '{"id": %d, "expr": "x\'*A*x", "wrt": ["x"]' % rid, False  # truncated JSON
    if k == 1:
        return '{"id": %d, "expr": "x\'*x", "wrt": ["x"], "wrt": ["y"]}' % rid, True  # duplicate key
    if k == 2:
        return '{"id": %d, "expr": "\\ud800", "wrt": ["x"]}' % rid, True  # lone surrogate
    if k == 3:
        return '\ufeff{"id": %d, "expr": "x\'*x", "wrt": ["x"]}' % rid, False  # a BOM before the object
    if k == 4:
        return json.dumps({"id": rid, "expr": "x'*x", "wrt": ["x"], "colour": "blue"}), True  # unknown field
    if k == 5:
        return json.dumps({"id": rid, "expr": "frobnicate(x)", "wrt": ["x"]}), True
    if k == 6:
        return json.dumps({"id": rid, "expr": "A*x", "vars": {"A": "matrix(3,4)", "x": "vector(3)"}, "wrt": ["x"]}), True
    if k == 7:
        return json.dumps({"id": rid, "expr": "x'*x", "vars": {"x": "vector(2000000000)"}, "wrt": ["x"], "at": {"x": [1, 2]}}), True
    if k == 8:
        return json.dumps({"id": rid, "expr": "log(x)", "wrt": ["x"], "at": {"x": -1.0}}), True  # outside the domain
    if k == 9:
        return json.dumps({"id": rid, "expr": "x'*A*x", "wrt": ["x"], "at": {"x": [1, 2], "A": [[1, 2, 3]]}}), True
    if k == 10:
        return json.dumps({"id": rid, "expr": "x + + ", "wrt": ["x"]}), True
    if k == 11:
        return json.dumps([rid, "not an object"]), False
    if k == 12:
        return json.dumps({"id": rid, "expr": 42, "wrt": ["x"]}), True
    return json.dumps({"id": rid, "expr": "x'*x", "wrt": ["x"], "derivative": "sideways"}), True


def close(expected, actual, tol=1e-8):
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(close(e, a, tol) for e, a in zip(expected, actual))
    return isinstance(actual, (int, float)) and abs(expected - actual) <= tol * (1 + abs(expected))


def judge(kind, want, readable_id, rid, response, failures):
    """Checks one answer; records a failure message when it is wrong."""
    if len(failures) > 20:
        return
    if kind == "good":
        if not response.get("ok"):
            failures.append(f"good request {rid} refused: {json.dumps(response)[:300]}")
        elif response.get("id") != rid:
            failures.append(f"good request {rid} answered with id {response.get('id')}")
        elif want is not None and not close(want, response["results"][0].get("value")):
            failures.append(f"good request {rid}: wrong value {json.dumps(response['results'][0].get('value'))[:200]}, expected {json.dumps(want)[:200]}")
    else:
        code = (response.get("error") or {}).get("code")
        if response.get("ok") is not False or code not in CODES or code == "internal_error":
            failures.append(f"bad request {rid}: {json.dumps(response)[:300]}")
        elif readable_id and response.get("id") != rid:
            failures.append(f"bad request {rid} lost its id: {json.dumps(response)[:200]}")


def mixed(rng, rid):
    if rng.random() < 0.6:
        req, want = good(rng, rid)
        line = json.dumps(req)
        if want is None:
            line = line.replace(", ", ",\r ", 1)  # a raw CR is JSON white space: still one request, one answer
        return "good", line, want, True
    line, readable = bad(rng, rid)
    return "bad", line, None, readable


def flat(samples):
    if len(samples) < 4:
        return True, "too few samples"
    q = max(1, len(samples) // 4)
    first, last = max(samples[:q]), max(samples[len(samples) // 2:])
    return last <= 1.3 * first + 40, f"resident set: first quarter peak {first:.0f} MB, last half peak {last:.0f} MB"


def soak_jsonl(exe, n):
    rng = random.Random(13)
    plan = [mixed(rng, i) for i in range(n)]
    proc = subprocess.Popen([exe, "jsonl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def write():
        for _, line, _, _ in plan:
            proc.stdin.write(line.encode("utf-8", "surrogatepass") + b"\n")
        proc.stdin.close()
    writer = threading.Thread(target=write, daemon=True)
    start = time.time()
    writer.start()
    failures, samples, answered = [], [], 0
    for i, (kind, _, want, readable) in enumerate(plan):
        raw = proc.stdout.readline()
        if not raw:
            failures.append(f"the process stopped answering after {i} of {n} requests (exit {proc.poll()}): {proc.stderr.read()[-500:]!r}")
            break
        answered += 1
        try:
            response = json.loads(raw)
        except ValueError:
            failures.append(f"answer {i} is not JSON: {raw[:200]!r}")
            continue
        judge(kind, want, readable, i, response, failures)
        if i % 2000 == 0:
            samples.append(rss_mb(proc.pid))
    extra = proc.stdout.read()
    if extra.strip():
        failures.append(f"{len(extra.splitlines())} answers more than requests (first: {extra[:200]!r})")
    proc.wait(timeout=60)
    if proc.returncode != 0:
        failures.append(f"exit status {proc.returncode}")
    ok, memory = flat(samples)
    if not ok:
        failures.append("memory grew: " + memory)
    print(f"jsonl soak: {answered} of {n} requests answered in {time.time() - start:.1f} s, "
          f"{sum(k == 'good' for k, *_ in plan)} good; {memory}; {len(failures)} failures")
    return failures


def soak_web(exe, seconds):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([exe, "serve", "--urls", url], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    failures, samples, counts = [], [], {"good": 0, "bad": 0, "heavy": 0, "busy": 0}
    lock = threading.Lock()
    latencies = []
    stop = time.time() + seconds

    def post(path, body):
        req = urllib.request.Request(url + path, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def client(seed):
        rng = random.Random(seed)
        i = seed * 10_000_000
        while time.time() < stop and len(failures) <= 20:
            i += 1
            if seed == 1:  # one client sends expensive numeric checks, one after another: they must not starve the others
                status, body = post("/api/check", json.dumps({"id": i, "expr": "logdet(X)", "wrt": "X", "vars": {"X": "symmetric(600)"}}).encode())
                with lock:
                    counts["heavy"] += 1
                    if status == 503:
                        counts["busy"] += 1
                    elif status != 200:
                        failures.append(f"heavy check {i}: HTTP {status} {json.dumps(body)[:200]}")
                continue
            kind, line, want, readable = mixed(rng, i)
            began = time.time()
            status, body = post("/api/derive", line.encode("utf-8", "surrogatepass"))
            with lock:
                latencies.append(time.time() - began)
                counts[kind] += 1
                if status == 503:
                    failures.append(f"{kind} request {i} got 503 (busy) with only cheap work queued")
                elif status != 200:
                    failures.append(f"{kind} request {i}: HTTP {status} {json.dumps(body)[:200]}")
                else:
                    judge(kind, want, readable, i, body, failures)

    threads = [threading.Thread(target=client, args=(k + 1,), daemon=True) for k in range(8)]
    start = time.time()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        samples.append(rss_mb(proc.pid))
        time.sleep(1)
    if proc.poll() is not None:
        failures.append(f"the server exited with {proc.returncode}: {proc.stderr.read()[-500:]!r}")
    proc.terminate()
    proc.wait(timeout=30)
    ok, memory = flat(samples)
    if not ok:
        failures.append("memory grew: " + memory)
    total = counts["good"] + counts["bad"]
    latencies.sort()
    pct = (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000) if latencies else (lambda q: float("nan"))
    print(f"web soak: {total} requests in {time.time() - start:.0f} s ({counts['good']} good, {counts['bad']} bad, "
          f"{counts['heavy']} heavy checks of which {counts['busy']} turned away busy); cheap requests: median "
          f"{pct(0.5):.1f} ms, 99% {pct(0.99):.1f} ms, slowest {pct(1.0):.0f} ms; {memory}; {len(failures)} failures")
    return failures


if __name__ == "__main__":
    mode, exe = sys.argv[1], sys.argv[2]
    if mode == "jsonl":
        failures = soak_jsonl(exe, int(sys.argv[3]) if len(sys.argv) > 3 else 100_000)
    else:
        failures = soak_web(exe, float(sys.argv[3]) if len(sys.argv) > 3 else 60)
    for f in failures[:20]:
        print("  FAIL", f)
    sys.exit(1 if failures else 0)
