#!/usr/bin/env python3
"""The peer benchmark (issue 6) at any size: T CPUs, K updates each.

  python3 bench/peer.py T K [--fixed] > peer-TT-KK[-fixed].toml
  python3 bench/peer.py --dir DIR T K [--fixed]   (writes DIR/peer-TT-KK[-fixed].toml, prints its path)

CPU A runs K task-switch state changes under ctx->lock (sched_out and sched_in alternately), CPU
B runs K perf_event_update_time() calls (under ctx->lock when fixed, without it otherwise, as
perf_mmap_rb() does), every further CPU runs K perf_event_update_time() calls under ctx->lock (the
INACTIVE path of read()). The shipped files bench/scenarios/peer-T{2,3}-K{1..4}*.toml are this
generator's output for those sizes; bench/run.py generates the larger ones (T=2 K=8..10, T=3
K=5, T=4 K=1..3) with it. The fixed form's optimal count is the number of lock acquisition
orders, (T K)! / (K!)^T.
"""
import argparse
import math
import os
import sys


def optimal(t, k):
    return math.factorial(t * k) // math.factorial(k) ** t


def peer_toml(t, k, fixed):
    name = f"peer-T{t}-K{k}" + ("-fixed" if fixed else "")
    b_locks = '["T.lock"]' if fixed else "[]"
    lines = [
        f"# The peer benchmark (issue 6): {t} CPUs, K = {k}, "
        + ("fixed (every update under ctx->lock)." if fixed else
           "buggy (CPU B updates without ctx->lock, as perf_mmap_rb does)."),
        f'name    = "{name}"',
        f'summary = """An ACTIVE event in a running task context. CPU A runs {k} task-switch state changes under',
        "ctx->lock (the task switch out and in, alternately); CPU B runs "
        + f"{k} perf_event_update_time()",
        ("calls under ctx->lock" if fixed else "calls without ctx->lock, as perf_mmap_rb() does")
        + (f"; {t - 2} more CPU(s) each run {k} reads of the INACTIVE path of perf_event_read(): "
           "perf_event_update_time() under ctx->lock" if t > 2 else "") + ".",
        ("Every update is ordered by ctx->lock, so only the lock acquisition orders matter.\"\"\"" if fixed else
         "B's unlocked read-modify-write of the time fields loses or double-counts A's updates.\"\"\""),
        'covers  = ["perf_event_update_time / ctx_sched_out"]',
        'references = ["issue 6: the peer benchmark (GenMC, Nidhugg, SPIN comparison)"]',
        "",
        "[setup]",
        "tick = 10",
        "",
        "[[setup.context]]",
        'name = "T"',
        'task = "T"',
        "running_on = 0",
        "",
        "[[setup.event]]",
        'name  = "E"',
        'context = "T"',
        'state = "ACTIVE"',
        "",
        "[[cpu]]",
        'name = "A: task switch"',
        "cpu  = 0",
        "run  = [",
    ]
    lines += [f'  "{"sched_out" if i % 2 == 0 else "sched_in"}(T)",' for i in range(k)]
    lines += ["]", "", "[[cpu]]", 'name = "B: update"', "cpu  = 1", "run  = ["]
    lines += [f'  {{ call = "perf_event_update_time", args = ["E"], locks = {b_locks} }},' for _ in range(k)]
    lines += ["]"]
    for c in range(2, t):
        letter = chr(ord("A") + c)
        lines += ["", "[[cpu]]", f'name = "{letter}: read (INACTIVE path)"', f"cpu  = {c}", "run  = ["]
        lines += ['  { call = "perf_event_update_time", args = ["E"], locks = ["T.lock"] },' for _ in range(k)]
        lines += ["]"]
    lines += ["", "[expect]", f'upstream = "{"pass" if fixed else "harmful"}"', ""]
    return name, "\n".join(lines)


def write_peer(directory, t, k, fixed):
    name, text = peer_toml(t, k, fixed)
    path = os.path.join(directory, name + ".toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("t", type=int)
    p.add_argument("k", type=int)
    p.add_argument("--fixed", action="store_true")
    p.add_argument("--dir")
    a = p.parse_args()
    if not 2 <= a.t <= 8 or a.k < 1:
        print("peer.py: T is 2 to 8 CPUs, K at least 1", file=sys.stderr)
        return 2
    if a.dir:
        print(write_peer(a.dir, a.t, a.k, a.fixed))
    else:
        sys.stdout.write(peer_toml(a.t, a.k, a.fixed)[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
