#!/usr/bin/env python3
"""perfmc benchmarks: one command, writes bench/RESULTS.md.

  python3 bench/run.py [--timeout SECONDS] [--quick]
  python3 bench/run.py --kcsan     (only the KCSAN triage section, rewritten in place in RESULTS.md)
  python3 bench/run.py --scaling   (only the scaling section: larger peers and the catalogue, --jobs 1
                                   against --jobs 2; rewritten in place in RESULTS.md)

For every peer-benchmark scenario (bench/scenarios/) and every shipped scenario (scenarios/),
under upstream: executions explored, executions per second, time to the first counterexample
(harmful runs stop at the first one), and peak memory (max RSS of the perfmc process), with and
without the reduction; then the hand-written Relacy test of the peer benchmark, for the engine's
overhead per execution and per field access; then `perfmc kcsan` on the syzbot seed report and on every
file of the KCSAN corpus (tests/kcsan/data/corpus, issue 16: a report answered in under 5 s); last,
issue 6's targets read off these figures. Figures are wall-clock on this machine: compare them
run to run, not across machines.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import optimal, write_peer  # noqa: E402  (bench/peer.py: the peer benchmark at any size)

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
        "runs": j.get("runs", 0),
        "accesses": j.get("accesses", 0),
        "rate": j["executions"] / (ms / 1000.0),
        "ms": ms,
        "first_cx_ms": ms if j["verdict"] == "harmful" else None,
        "rss": rss,
    }


def fmt_row(name, r):
    cx = f"{r['first_cx_ms']:.1f} ms" if r["first_cx_ms"] is not None else "-"
    return (f"| {name} | {r['verdict']} | {r['executions']:,} | {r['discovery']:,} | {r['runs']:,} | "
            f"{r['rate']:,.0f} | {r['ms']:.1f} ms | {cx} | {r['rss']:.1f} MiB |")


def targets(peers, overhead, jobs_wall):
    """Issue 6's targets, read off the figures above."""
    fixed, buggy = [], []
    for (name, reduction), r in sorted(peers.items()):
        if not reduction:
            continue
        t, k = int(name.split("-")[1][1:]), int(name.split("-")[2][1:])
        if name.endswith("-fixed"):
            fixed.append((name, r["executions"] / OPTIMAL[(t, k)], r))
        else:
            buggy.append((name, r))
    worst = max(x for _, x, _ in fixed)
    k4 = peers[("peer-T3-K4-fixed", True)]
    most = max(r["executions"] for _, r in buggy)
    all_harmful = all(r["verdict"] == "harmful" for _, r in buggy)
    # at scale: Relacy's longest complete run against perfmc's longest runs, off and on
    relacy = max((o for o in overhead.values() if "relacy_s" in o), key=lambda o: o["relacy_s"])
    longest_off = max((o for o in overhead.values() if "off_s" in o), key=lambda o: o["off_s"])
    off = longest_off["off_ns"] / relacy["relacy_ns"]
    on = overhead["peer-T3-K4-fixed"]["on_ns"] / relacy["relacy_ns"]

    buggy_list = ", ".join(f"{n[5:]} {r['executions']}" for n, r in buggy)
    fixed_list = ", ".join(f"{n[5:10]} {x:.2f}x" for n, x, _ in fixed)

    def met(ok):
        return "met" if ok else "not met"

    return ["## Against issue 6's targets (computed from the tables above)", "",
            "| target | result |", "|---|---|",
            f"| fixed peer scenarios at most 10x the optimal counts | {met(worst <= 10)}: at most {worst:.2f}x "
            f"({fixed_list}) |",
            f"| 3-CPU K=4 fixed in under 0.5 s | {met(k4['verdict'] == 'pass' and k4['ms'] < 500)}: "
            f"{k4['executions']:,} executions in {k4['ms']:.0f} ms, one process (the search's own time, best of "
            f"{k4.get('best_of', 1)}); `--jobs 2`, 32 parts on two worker processes: {jobs_wall * 1000:.0f} ms wall for "
            f"the whole command (best of 3) |",
            f"| every buggy peer's lost update found in at most 10 executions | "
            f"{met(all_harmful and most <= 10)}: at most {most} "
            f"({buggy_list}) |",
            f"| engine overhead under 2x hand-written Relacy | per field access against Relacy's longest run "
            f"({relacy['relacy_ns']:.1f} ns): as perfmc runs (reduction on, peer-T3-K4-fixed) {on:.2f}x, {met(on < 2)}; "
            f"with a scheduling point at every access, as Relacy's full search (reduction off, its longest run) "
            f"{off:.2f}x, {met(off < 2)}. Per execution the two are not comparable (the table above) |", ""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--quick", action="store_true", help="skip the full (unreduced) searches of 3-CPU K>=3")
    ap.add_argument("--kcsan", action="store_true", help="only the KCSAN triage section (rewritten in RESULTS.md)")
    ap.add_argument("--scaling", action="store_true", help="only the scaling section (rewritten in RESULTS.md)")
    args = ap.parse_args()
    if args.kcsan:
        return section_only(args, "## KCSAN triage", kcsan_triage)
    if args.scaling:
        return section_only(args, "## Scaling", scaling)
    build()
    lines = ["# perfmc benchmark results", "",
             f"Produced by `python3 bench/run.py{' --quick' if args.quick else ''} --timeout {args.timeout:g}` on "
             f"{platform.machine()}, {os.cpu_count()} CPUs ({time.strftime('%Y-%m-%d')}). Wall-clock figures.", "",
             "Columns: verdict under upstream; executions explored (final search); discovery executions (rounds the "
             "reduction restarted after finding a new visible field or lock); runs, every execution run (discovery, "
             "and those a sleep set cut short as repeats, included); executions per second; total time; time to the "
             "first counterexample (harmful runs stop there); peak RSS of the perfmc process.", ""]
    header = "| scenario | verdict | executions | discovery | runs | exec/s | time | first counterexample | peak RSS |"
    rule = "|---|---|---:|---:|---:|---:|---:|---:|---:|"

    peer_dir = os.path.join(ROOT, "bench", "scenarios")
    peers = sorted(f for f in os.listdir(peer_dir) if f.endswith(".toml"))
    peer_results = {}
    for reduction in (True, False):
        lines += [f"## Peer benchmark, {'with' if reduction else 'without'} reduction", "", header, rule]
        for f in peers:
            name = f[:-5]
            t, k = int(name.split("-")[1][1:]), int(name.split("-")[2][1:])
            if not reduction and args.quick and t == 3 and k >= 3:
                continue
            r = run_scenario(os.path.join(peer_dir, f), reduction, args.timeout)
            if name == "peer-T3-K4-fixed" and reduction:  # the timed target: the best of three runs
                for _ in range(2):
                    again = run_scenario(os.path.join(peer_dir, f), reduction, args.timeout)
                    if again["ms"] < r["ms"]:
                        r = again
                r["best_of"] = 3
            peer_results[(name, reduction)] = r
            extra = ""
            if name.endswith("-fixed"):
                extra = f" (optimal {OPTIMAL[(t, k)]:,}; {r['executions'] / OPTIMAL[(t, k)]:.2f}x)"
            lines.append(fmt_row(name + extra, r))
            print(lines[-1], flush=True)
        lines.append("")

    lines += ["## Shipped scenarios (each under the first variant its [expect] names)", "",
              header.replace("| scenario |", "| scenario, reduction |"), rule]
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
              "rl::mutex, Relacy's full search, a scheduling point at every access) against perfmc on the same "
              "scenario. The two do not run the same code: the Relacy test makes about 14 accesses per critical "
              "section, perfmc's model the whole modelled kernel path (the task switch alone is about 50), each "
              "race-checked, traced and with its call stack; so besides the cost per execution, the cost per field "
              "access (`accesses` in perfmc's JSON; the Relacy test counts its own). perfmc is measured with the "
              "reduction off (a scheduling point at every access, as Relacy; searches cut at the time limit) and on "
              "(as it runs). Runs of a few milliseconds are dominated by their fixed costs (building the search, "
              "perfmc's discovery round); the target below is read off the longest runs. Relacy's full search of "
              "3-CPU K>=3 does not finish (issue 6: not in 60 s), so it has no row here.", "",
              "| benchmark | Relacy executions | Relacy ns/access | Relacy us/exec | perfmc off: ns/access | "
              "perfmc on: executions | perfmc on: ns/access | perfmc on: us/exec |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    overhead = {}
    for t, k in ((2, 2), (2, 3), (3, 1), (3, 2)):
        out, _, _ = measure([RELACY, str(t), str(k)], args.timeout)
        rex, rsec, racc = out.split()
        rex, rsec, racc = int(rex), float(rsec), int(racc)
        name = f"peer-T{t}-K{k}-fixed"
        off = run_scenario(os.path.join(peer_dir, name + ".toml"), False, args.timeout)
        on = peer_results[(name, True)]
        overhead[name] = {"relacy_ns": rsec * 1e9 / max(racc, 1), "relacy_s": rsec,
                          "off_ns": off["ms"] * 1e6 / max(off["accesses"], 1), "off_s": off["ms"] / 1e3}
        o = overhead[name]
        lines.append(f"| {name} | {rex:,} | {o['relacy_ns']:.1f} | {rsec * 1e6 / max(rex, 1):.2f} | {o['off_ns']:.1f} | "
                     f"{on['executions']:,} | {on['ms'] * 1e6 / max(on['accesses'], 1):.1f} | "
                     f"{on['ms'] * 1e3 / max(on['executions'], 1):.2f} |")
        print(lines[-1], flush=True)
    k4 = peer_results[("peer-T3-K4-fixed", True)]
    overhead["peer-T3-K4-fixed"] = {"on_ns": k4["ms"] * 1e6 / max(k4["accesses"], 1)}
    lines.append(f"| peer-T3-K4-fixed | - | - | - | - | {k4['executions']:,} | {overhead['peer-T3-K4-fixed']['on_ns']:.1f} | "
                 f"{k4['ms'] * 1e3 / max(k4['executions'], 1):.2f} |")
    lines.append("")

    # the same search as 32 parts on two worker processes (--jobs 2), wall clock of the whole command
    k4_path = os.path.join(peer_dir, "peer-T3-K4-fixed.toml")
    jobs_wall = min(measure([PERFMC, "run", k4_path, "--jobs", "2"], args.timeout)[1] for _ in range(3))
    lines += targets(peer_results, overhead, jobs_wall)

    lines += scaling(args.timeout)
    lines += kcsan_triage(args.timeout)
    with open(os.path.join(ROOT, "bench", "RESULTS.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote bench/RESULTS.md")


KCSAN_TARGET_S = 5.0  # issue 16: a report answered in under 5 s on this machine


def kcsan_triage(timeout):
    """`perfmc kcsan` on the seed report (the short answer, --verbose, --json) and on every corpus file:
    wall clock and peak RSS, the slowest file, the 5 s target."""
    data = os.path.join(ROOT, "tests", "kcsan", "data")
    seed = os.path.join(data, "syzbot-perf_event_set_state-perf_mmap_rb.txt")
    if not os.path.exists(seed):
        return []
    lines = ["## KCSAN triage", "",
             "`perfmc kcsan FILE`: parse, scope, field, paths, and for a perf report the scenario built from the "
             "report's paths (and a shipped scenario whose CPUs run them) run under upstream and every variant, "
             "within a time budget of 3.5 s per report. The seed report's page holds the report twice (answered "
             "once). Each figure is the best of three runs; the answer is each perf report's (`not perf` "
             "otherwise).", "",
             "| input | reports | wall | peak RSS | answer |", "|---|---:|---:|---:|---|"]
    worst = (0.0, "")
    rows = [("seed page", [seed]), ("seed page --verbose", [seed, "--verbose"]), ("seed page --json", [seed, "--json"])]
    corpus = os.path.join(data, "corpus")
    if os.path.isdir(corpus):
        with open(os.path.join(corpus, "index.json")) as f:
            index = json.load(f)
        rows += [(e["file"], [os.path.normpath(os.path.join(corpus, e["file"]))]) for e in index["files"]]
    total = 0.0
    for name, argv in rows:
        runs = [measure([PERFMC, "kcsan"] + argv, timeout) for _ in range(3)]
        out, wall, rss = min(runs, key=lambda r: r[1])
        reports, answer = "-", "-"
        try:
            answers = json.loads(measure([PERFMC, "kcsan", "--json", argv[0]], timeout)[0])
            reports = str(sum(1 for a in answers if "error" not in a)) if isinstance(answers, list) else "0"
            words = []
            for a in answers if isinstance(answers, list) else []:
                if "error" in a or "same_as_report" in a:
                    continue
                if a.get("reproduced"):
                    words.append(f"{a['verdict']}, reproduced on the report's paths ({a['evidence']['source']} "
                                 f"{a['evidence']['scenario']})")
                elif a.get("verdict") == "not modelled":
                    words.append("not modelled: " + ", ".join(a.get("missing", [])))
                elif a.get("verdict") != "not perf":
                    words.append(a.get("verdict", "?"))
            answer = "; ".join(words) if words else "not perf"
        except ValueError:
            pass
        total += wall
        worst = max(worst, (wall, name))
        lines.append(f"| {name} | {reports} | {wall:.3f} s | {rss:.1f} MiB | {answer} |")
        print(lines[-1], flush=True)
    lines += ["", f"Slowest: {worst[1]} in {worst[0]:.3f} s; all {len(rows)} runs {total:.2f} s. Target (issue 16): a "
              f"report answered in under {KCSAN_TARGET_S:g} s: {'met' if worst[0] < KCSAN_TARGET_S else 'NOT met'}.", ""]
    return lines


SCALING_PEERS = [(2, 8), (2, 9), (2, 10), (3, 5), (4, 1), (4, 2), (4, 3)]


def run_jobs(path, jobs, timeout, variant="upstream"):
    """One `perfmc run --jobs J --json`: the verdict, counts, wall time of the whole command, and for
    J > 1 the CPU time of the parts each worker ran (on an idle machine the wall time follows the
    largest)."""
    argv = [PERFMC, "run", path, "--variant", variant, "--json", "--timeout", str(timeout), "--jobs", str(jobs)]
    out, wall, _ = measure(argv, timeout)
    j = json.loads(out)
    return {"verdict": j["verdict"], "executions": j["executions"], "runs": j.get("runs", 0), "wall": wall,
            "workers": j.get("worker_cpu_ms"), "replay": j.get("replay")}


def scaling(timeout):
    """Issue 17 item 6: the peer benchmark at larger sizes (T=2 K=8..10, T=3 K=5, T=4 K=1..3, generated by
    bench/peer.py) and the catalogue, each with --jobs 1 and --jobs 2 side by side."""
    load = os.getloadavg()
    lines = ["## Scaling: --jobs 1 against --jobs 2", "",
             f"Load average when the section started: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} "
             "CPUs (wall times are only comparable on an idle machine). Runs: every execution run, repeats cut short "
             "by sleep sets and discovery included (runs = executions is issue 17 item 3's target). `--jobs 2` "
             "splits the search into 32 parts handed to 2 workers as they free up; `worker CPU` is the CPU time of "
             "the parts each worker ran, whose larger figure bounds the wall time on an idle machine.", "",
             "| scenario | optimal | verdict | executions | runs | --jobs 1 | --jobs 2 | speed-up | worker CPU (--jobs 2) | same replay |",
             "|---|---:|---|---:|---:|---:|---:|---:|---|---|"]
    with tempfile.TemporaryDirectory(prefix="perfmc-peers-") as d:
        rows = []
        for t, k in SCALING_PEERS:
            for fixed in (True, False):
                rows.append((write_peer(d, t, k, fixed), "upstream", optimal(t, k) if fixed else None))
        for f in sorted(os.listdir(os.path.join(ROOT, "scenarios"))):
            if f.endswith(".toml"):
                path = os.path.join(ROOT, "scenarios", f)
                with open(path, "rb") as toml:
                    rows.append((path, next(iter(tomllib.load(toml)["expect"])), None))
        for path, variant, best in rows:
            one = run_jobs(path, 1, timeout, variant)
            two = run_jobs(path, 2, timeout, variant)
            name = os.path.basename(path)[:-5] + ("" if variant == "upstream" else f" [{variant}]")
            workers = " / ".join(f"{w / 1000:.2f} s" for w in two["workers"]) if two["workers"] else "-"
            same = "-" if not one["replay"] else ("yes" if one["replay"] == two["replay"] else "no (fewer or equal preemptions)")
            opt = f"{best:,}" if best else "-"
            lines.append(f"| {name} | {opt} | {one['verdict']} | {one['executions']:,} | {one['runs']:,} | "
                         f"{one['wall']:.2f} s | {two['wall']:.2f} s | {one['wall'] / max(two['wall'], 1e-9):.2f}x | "
                         f"{workers} | {same} |")
            print(lines[-1], flush=True)
    lines.append("")
    return lines


def section_only(args, heading, produce):
    """Rewrites only one section of RESULTS.md (the rest needs the long runs)."""
    subprocess.run(["cmake", "--build", BUILD, "-j2", "--target", "perfmc"], check=True, stdout=subprocess.DEVNULL)
    section = produce(args.timeout)
    path = os.path.join(ROOT, "bench", "RESULTS.md")
    text = open(path).read() if os.path.exists(path) else ""
    start = text.find(heading)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + "\n".join(section) + ("\n" + text[end + 1:] if end >= 0 else "\n")
    with open(path, "w") as f:
        f.write(text)
    print(f"rewrote the section {heading[3:]} of bench/RESULTS.md")


if __name__ == "__main__":
    sys.exit(main())
