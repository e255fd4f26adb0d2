#!/usr/bin/env python3
"""End-to-end benchmark: segcalc against both peers on the same workload.

    .venv/bin/python scripts/bench_e2e.py --segcalc target/release/segcalc --dataset /tmp/w10m \
        [--runs 5] [--threads N] [--peers duckdb,polars | --no-baseline]

Runs segcalc, ../shared/reference/baseline.py (DuckDB) and baseline_polars.py (Polars' streaming
engine) alternately, one round at a time (the machine is shared and drifts), each under
/usr/bin/time -v, and prints the median wall time and peak RSS of each and segcalc's ratio to
each peer. Make a workload with `segcalc generate --people 10000000 --out /tmp/w10m`.
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile

AS_OF = "2026-11-01T12:00:00Z"
HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "reference"))
PEERS = {"duckdb": "baseline.py", "polars": "baseline_polars.py"}


def measure(cmd):
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", r.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    return seconds, rss_kb / 1024 / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--segcalc", required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--peers", default="duckdb,polars", help="comma-separated: duckdb, polars")
    ap.add_argument("--no-baseline", action="store_true", help="segcalc only")
    a = ap.parse_args()
    peers = [] if a.no_baseline else [p for p in a.peers.split(",") if p]
    for p in peers:
        if p not in PEERS:
            sys.exit(f"unknown peer {p!r}: choose from {', '.join(PEERS)}")
    work = tempfile.mkdtemp(prefix="segcalc-bench-")
    mine, base = [], {p: [] for p in peers}
    try:
        for i in range(a.runs):
            out = os.path.join(work, "segcalc")
            cmd = [a.segcalc, "run", a.dataset, "--out", out, "--as-of", AS_OF, "--quiet", "--keep", "1", "--no-changes"]
            if a.threads:
                cmd += ["--threads", str(a.threads)]
            mine.append(measure(cmd))
            print(f"run {i + 1}: segcalc {mine[-1][0]:.2f} s {mine[-1][1]:.2f} GB", end="", flush=True)
            for p in peers:
                bout = os.path.join(work, f"{p}-{i}")
                bcmd = [a.python, os.path.join(REFERENCE, PEERS[p]), a.dataset, "--as-of", AS_OF, "--out", bout]
                if a.threads:
                    bcmd += ["--threads", str(a.threads)]
                base[p].append(measure(bcmd))
                shutil.rmtree(bout, ignore_errors=True)
                print(f" | {p} {base[p][-1][0]:.2f} s {base[p][-1][1]:.2f} GB", end="", flush=True)
            print()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = lambda xs, k: statistics.median(x[k] for x in xs)
    print(f"\nsegcalc: median {med(mine, 0):.2f} s, peak RSS {med(mine, 1):.2f} GB ({a.runs} runs)")
    for p, runs in base.items():
        print(f"{p}: median {med(runs, 0):.2f} s, peak RSS {med(runs, 1):.2f} GB ({a.runs} runs)")
        print(f"  segcalc is {med(runs, 0) / med(mine, 0):.1f}x faster than {p}, with {med(runs, 1) / med(mine, 1):.1f}x less memory")


if __name__ == "__main__":
    main()
