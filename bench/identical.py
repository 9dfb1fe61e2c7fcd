#!/usr/bin/env python3
"""Does a change of the search engine leave every result as it was?

  python3 bench/identical.py record FILE     # before the change: every result, into FILE
  python3 bench/identical.py compare FILE    # after it: the same runs again, byte for byte

The runs: every shipped scenario (scenarios/) under every variant its [expect] names; the peer
benchmark (bench/scenarios/, K <= 3 and T=3 K=4) under upstream; and, on a few scenarios, the
other search modes and splits: bounded, random (uniform and PCT), the replay of each harmful
run's token, --no-reduction, --shard K/3 and --jobs 2. Each run's `perfmc run ... --json` output
is kept with its timing fields (elapsed_ms, cpu_ms) removed; everything else (verdict,
executions, runs, restarts, races, the failing execution's steps, its replay token, visible
names, ...) must be identical. Exit status 0: identical; 1: a difference (printed); 2: bad use.
"""
import json
import os
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PERFMC = os.environ.get("PERFMC", os.path.join(ROOT, "build", "perfmc"))  # PERFMC=...: another binary
TIMING = {"elapsed_ms", "cpu_ms"}


def runs():
    out = []
    scen = os.path.join(ROOT, "scenarios")
    for f in sorted(os.listdir(scen)):
        if not f.endswith(".toml"):
            continue
        with open(os.path.join(scen, f), "rb") as fh:
            t = tomllib.load(fh)
        for variant in t.get("expect", {}):
            out.append([os.path.join("scenarios", f), "--variant", variant])
    peers = os.path.join(ROOT, "bench", "scenarios")
    for f in sorted(os.listdir(peers)):
        if f.endswith(".toml") and ("K4" not in f or f.startswith("peer-T3-K4")):
            out.append([os.path.join("bench", "scenarios", f), "--variant", "upstream"])
    extra = [
        ["scenarios/mmap-vs-sched_out.toml", "--search", "bounded", "--bound", "1"],
        ["scenarios/mmap-vs-sched_out.toml", "--search", "random", "--iterations", "300", "--seed", "7"],
        ["scenarios/mmap-vs-sched_out.toml", "--search", "random", "--iterations", "300", "--pct", "3"],
        ["scenarios/mmap-vs-sched_out.toml", "--variant", "mmap-ctx-lock", "--search", "random", "--iterations", "500",
         "--pct", "2", "--seed", "11"],
        ["scenarios/two-events-vs-close.toml", "--variant", "v16-cancel-dec", "--search", "random", "--iterations", "400"],
        ["scenarios/mmap-vs-sched_out.toml", "--no-reduction"],
        ["scenarios/mmap-vs-sched_out.toml", "--variant", "mmap-ctx-lock", "--jobs", "2"],
        ["scenarios/mmap-vs-enable.toml", "--jobs", "3"],
        ["bench/scenarios/peer-T3-K3-fixed.toml", "--jobs", "2"],
    ]
    for k in range(3):
        extra.append(["scenarios/two-events-vs-close.toml", "--variant", "v16-cancel-dec", "--shard", f"{k}/3"])
        extra.append(["bench/scenarios/peer-T3-K3.toml", "--shard", f"{k}/3"])
        extra.append(["scenarios/mmap-vs-sched_out.toml", "--search", "random", "--iterations", "200", "--shard",
                      f"{k}/3"])
    return out + extra


def run(args):
    p = subprocess.run([PERFMC, "run"] + args + ["--json"], cwd=ROOT, capture_output=True, text=True)
    try:
        j = json.loads(p.stdout)
    except json.JSONDecodeError:
        return {"exit": p.returncode, "stdout": p.stdout, "stderr": p.stderr}
    for k in TIMING:
        j.pop(k, None)
    return {"exit": p.returncode, "json": j}


def collect():
    todo = runs()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, todo))
    table = {" ".join(a): r for a, r in zip(todo, results)}
    # the replay of every failing execution's token
    replays = []
    for a, r in zip(todo, results):
        tok = r.get("json", {}).get("replay")
        if tok and "--jobs" not in a and "--shard" not in a:
            variant = a[a.index("--variant") + 1] if "--variant" in a else "upstream"
            replays.append([a[0], "--variant", variant, "--replay", tok])
    with ThreadPoolExecutor(max_workers=2) as pool:
        for a, r in zip(replays, pool.map(run, replays)):
            table[" ".join(a)] = r
    return table


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("record", "compare"):
        print(__doc__, file=sys.stderr)
        return 2
    table = collect()
    text = json.dumps(table, indent=1, sort_keys=True)
    if sys.argv[1] == "record":
        with open(sys.argv[2], "w") as f:
            f.write(text)
        print(f"recorded {len(table)} runs in {sys.argv[2]}")
        return 0
    with open(sys.argv[2]) as f:
        before = json.load(f)
    differ = 0
    for key in sorted(set(before) | set(table)):
        if before.get(key) != table.get(key):
            differ += 1
            print(f"DIFFERS: perfmc run {key}")
            a, b = before.get(key, {}), table.get(key, {})
            for field in sorted(set(a.get("json", {})) | set(b.get("json", {}))):
                if a.get("json", {}).get(field) != b.get("json", {}).get(field):
                    print(f"  {field}: {str(a.get('json', {}).get(field))[:200]} -> {str(b.get('json', {}).get(field))[:200]}")
            if a.get("exit") != b.get("exit"):
                print(f"  exit: {a.get('exit')} -> {b.get('exit')}")
    same = json.dumps(before, indent=1, sort_keys=True) == text
    print(f"{len(table)} runs: {'identical' if same and not differ else f'{differ} differ'}")
    return 0 if same and not differ else 1


if __name__ == "__main__":
    sys.exit(main())
