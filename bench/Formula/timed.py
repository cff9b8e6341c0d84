#!/usr/bin/python3
"""Runs one command in a process of its own and measures it from outside: wall seconds (perf_counter around the
process, start-up and imports included) and peak resident memory (ru_maxrss of that child alone, by wait4).
Its stdout goes to OUT, its stderr to OUT.err; one JSON line {"wall_seconds", "max_rss_mb", "rc", "command"} to
OUT.time.json and to stdout.
    timed.py OUT -- COMMAND [ARGS…]"""
import json
import os
import subprocess
import sys
import time

if len(sys.argv) < 4 or sys.argv[2] != "--":
    sys.exit(__doc__)
out, cmd = sys.argv[1], sys.argv[3:]
with open(out, "wb") as o, open(out + ".err", "wb") as e:
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=o, stderr=e)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
rec = {"wall_seconds": wall, "max_rss_mb": usage.ru_maxrss / 1024, "rc": os.waitstatus_to_exitcode(status), "command": cmd}
with open(out + ".time.json", "w") as f:
    json.dump(rec, f)
print(json.dumps(rec))
