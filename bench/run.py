#!/usr/bin/env python3
"""perfmc benchmarks: one command, writes bench/RESULTS.md.

  python3 bench/run.py [--timeout SECONDS] [--quick]

For every peer-benchmark scenario (bench/scenarios/) and every shipped scenario (scenarios/),
under upstream: executions explored, executions per second, time to the first counterexample
(harmful runs stop at the first one), and peak memory (max RSS of the perfmc process), with and
without the reduction; then the hand-written Relacy test of the peer benchmark, for the engine's
overhead per execution; then `perfmc kcsan` on the syzbot seed report. Figures are wall-clock on
this machine: compare them run to run, not across machines.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
PERFMC = os.path.join(BUILD, "perfmc")
RELACY = os.path.join(BUILD, "perfmc_bench_relacy")
OPTIMAL = {(2, 1): 2, (2, 2): 6, (2, 3): 20, (2, 4): 70, (3, 1): 6, (3, 2): 90, (3, 3): 1680, (3, 4): 34650}


def build():
    subprocess.run(["cmake", "-S", ROOT, "-B", BUILD, "-DCMAKE_BUILD_TYPE=Release"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", BUILD, "-j2", "--target", "perfmc", "perfmc_bench_relacy"], check=True,
                   stdout=subprocess.DEVNULL)


GNU_TIME = "/usr/bin/time"  # Debian package `time`


def measure(argv, timeout):
    """Runs a command; returns (stdout, wall seconds, peak RSS in MiB of that process alone).

    ru_maxrss survives exec, so a child forked straight from this Python process would report
    Python's own footprint as its peak; GNU time forks from a small process and reports perfmc's.
    Without it, the figure is wait4's, an upper bound."""
    rss_file = None
    if os.path.exists(GNU_TIME):
        rss_file = tempfile.NamedTemporaryFile(prefix="perfmc-rss-", delete=False)
        rss_file.close()
        argv = [GNU_TIME, "-f", "%M", "-o", rss_file.name] + argv
    start = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    killer = threading.Timer(timeout + 30, p.kill)  # perfmc's own --timeout should stop it first
    killer.start()
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    killer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    rss_kib = usage.ru_maxrss
    if rss_file:
        with open(rss_file.name) as f:
            rss_kib = int(f.read().split()[-1])
        os.unlink(rss_file.name)
    return out, wall, rss_kib / 1024.0


def run_scenario(path, reduction, timeout, variant="upstream"):
    argv = [PERFMC, "run", path, "--variant", variant, "--json", "--timeout", str(timeout)]
    if not reduction:
        argv.append("--no-reduction")
    out, wall, rss = measure(argv, timeout)
    j = json.loads(out)
    ms = max(j["elapsed_ms"], 0.001)
    return {
        "verdict": j["verdict"],
        "executions": j["executions"],
        "discovery": j.get("discovery_executions", 0),
        "rate": j["executions"] / (ms / 1000.0),
        "ms": ms,
        "first_cx_ms": ms if j["verdict"] == "harmful" else None,
        "rss": rss,
    }


def fmt_row(name, r):
    cx = f"{r['first_cx_ms']:.1f} ms" if r["first_cx_ms"] is not None else "-"
    return (f"| {name} | {r['verdict']} | {r['executions']:,} | {r['discovery']:,} | {r['rate']:,.0f} | "
            f"{r['ms']:.1f} ms | {cx} | {r['rss']:.1f} MiB |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--quick", action="store_true", help="skip the full (unreduced) searches of 3-CPU K>=3")
    args = ap.parse_args()
    build()
    lines = ["# perfmc benchmark results", "",
             f"Produced by `python3 bench/run.py{' --quick' if args.quick else ''} --timeout {args.timeout:g}` on "
             f"{platform.machine()}, {os.cpu_count()} CPUs ({time.strftime('%Y-%m-%d')}). Wall-clock figures.", "",
             "Columns: verdict under upstream; executions explored (final search); discovery executions (rounds the "
             "reduction restarted after finding a new visible field or lock); executions per second; total time; "
             "time to the first counterexample (harmful runs stop there); peak RSS of the perfmc process.", ""]
    header = "| scenario | verdict | executions | discovery | exec/s | time | first counterexample | peak RSS |"
    rule = "|---|---|---:|---:|---:|---:|---:|---:|"

    peer_dir = os.path.join(ROOT, "bench", "scenarios")
    peers = sorted(f for f in os.listdir(peer_dir) if f.endswith(".toml"))
    for reduction in (True, False):
        lines += [f"## Peer benchmark, {'with' if reduction else 'without'} reduction", "", header, rule]
        for f in peers:
            name = f[:-5]
            t, k = int(name.split("-")[1][1:]), int(name.split("-")[2][1:])
            if not reduction and args.quick and t == 3 and k >= 3:
                continue
            r = run_scenario(os.path.join(peer_dir, f), reduction, args.timeout)
            extra = ""
            if name.endswith("-fixed"):
                extra = f" (optimal {OPTIMAL[(t, k)]:,}; {r['executions'] / OPTIMAL[(t, k)]:.2f}x)"
            lines.append(fmt_row(name + extra, r))
            print(lines[-1], flush=True)
        lines.append("")

    lines += ["## Shipped scenarios (each under the first variant its [expect] names)", "", "| scenario, reduction | verdict | executions | discovery | exec/s | "
              "time | first counterexample | peak RSS |", rule]
    for f in sorted(os.listdir(os.path.join(ROOT, "scenarios"))):
        if not f.endswith(".toml"):
            continue
        path = os.path.join(ROOT, "scenarios", f)
        with open(path, "rb") as toml:
            variant = next(iter(tomllib.load(toml)["expect"]))
        for reduction in (True, False):
            r = run_scenario(path, reduction, args.timeout, variant)
            lines.append(fmt_row(f"{f[:-5]} [{variant}], {'on' if reduction else 'off'}", r))
            print(lines[-1], flush=True)
    lines.append("")

    lines += ["## Engine overhead against hand-written Relacy", "",
              "The peer benchmark's fixed form written as a plain Relacy test (bench/relacy_peer.cpp: rl::var, "
              "rl::mutex, Relacy's full search) against perfmc's engine on the same scenario with the reduction off "
              "(both schedule at lock operations; perfmc also at every field access). Cost per execution:", "",
              "| benchmark | Relacy executions | Relacy us/exec | perfmc executions | perfmc us/exec | ratio |",
              "|---|---:|---:|---:|---:|---:|"]
    for t, k in ((2, 2), (2, 3), (3, 1), (3, 2)):
        out, _, _ = measure([RELACY, str(t), str(k)], args.timeout)
        rex, rsec = out.split()
        rex, rsec = int(rex), float(rsec)
        r = run_scenario(os.path.join(peer_dir, f"peer-T{t}-K{k}-fixed.toml"), False, args.timeout)
        rus = rsec * 1e6 / max(rex, 1)
        pus = r["ms"] * 1e3 / max(r["executions"], 1)
        lines.append(f"| peer-T{t}-K{k}-fixed | {rex:,} | {rus:.2f} | {r['executions']:,} | {pus:.2f} | {pus / max(rus, 1e-9):.2f}x |")
        print(lines[-1], flush=True)
    lines.append("")

    seed = os.path.join(ROOT, "..", "shared", "seeds", "000_909a1b75838ddf68.txt")
    if os.path.exists(seed):
        _, wall, rss = measure([PERFMC, "kcsan", seed], args.timeout)
        lines += ["## KCSAN triage", "", f"`perfmc kcsan` on the syzbot seed report (two copies of the report in the page, "
                  f"each matched, run under upstream and mmap-ctx-lock): {wall:.2f} s wall, peak RSS {rss:.1f} MiB.", ""]
    with open(os.path.join(ROOT, "bench", "RESULTS.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote bench/RESULTS.md")


if __name__ == "__main__":
    sys.exit(main())
