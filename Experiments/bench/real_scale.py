"""Real-model scale: `gradverify sweep --gradients` on float32 per-example gradient matrices of the sizes a
practitioner brings, against one NumPy pass computing the same exact laws, measured in one run.

For each matrix (seeded, written once to WORK): the sweep, then the NumPy reference pass (G.T @ G when P < N, else
G @ G.T, in float64 as the harness accumulates); the sweep at its defaults (`--draws auto`, or --draws R), reporting
wall time, peak RSS (the sweep process's VmHWM, polled every 20 ms), the time the sweep planned before its first draw, the ratios,
and the size of a part file (`--shard 0/2`, the format checkpoints use too) against the input's.
A benchmark, never a test: nothing here fails a build.

    python3 Experiments/bench/real_scale.py [--bin .build/release/gradverify] [--work .build/bench]
        [--shapes 20000x2000,2000x50000,100000x1000] [--draws R] [--sampler with,without] [--project K]

With --project K (e.g. --shapes 30000x100000, a 12 GB matrix) the sweep sketches the file as it reads it and
the NumPy pass, which would hold it whole, is skipped.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np


def matrix(path, n, p, seed):
    if not os.path.exists(path):
        rng = np.random.default_rng(seed)
        # Written through a memory map, block by block: a matrix larger than memory is never held.
        g = np.lib.format.open_memmap(path + ".tmp", mode="w+", dtype=np.float32, shape=(n, p))
        rows = max(1, (64 << 20) // (4 * p))
        for i in range(0, n, rows):  # rows with uneven scales and an offset, like a network's gradients
            block = rng.standard_normal((min(rows, n - i), p), dtype=np.float32)
            g[i:i + len(block)] = block * np.float32(0.5) + np.float32(0.1)
        g.flush()
        del g
        os.replace(path + ".tmp", path)
    return path


def high_water_kb(pid):
    """VmHWM of a running process in KB (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def numpy_pass(path):
    g = np.load(path).astype(np.float64)
    start = time.perf_counter()
    d = g - g.mean(axis=0)
    gram = d.T @ d if d.shape[1] < d.shape[0] else d @ d.T
    float((gram * gram).sum())
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/release/gradverify")
    parser.add_argument("--work", default=".build/bench")
    parser.add_argument("--shapes", default="20000x2000,2000x50000,100000x1000")
    parser.add_argument("--draws", type=int)
    parser.add_argument("--sampler", default="with,without")
    parser.add_argument("--project", type=int, help="sketch to K coordinates as the file is read (no NumPy pass)")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    for k, shape in enumerate(args.shapes.split(",")):
        n, p = map(int, shape.split("x"))
        path = matrix(os.path.join(args.work, f"g{n}x{p}.npy"), n, p, seed=k + 1)
        command = [args.bin, "sweep", "--gradients", path, "--sampler", args.sampler]
        if args.draws:
            command += ["--draws", str(args.draws)]
        if args.project:
            command += ["--project", str(args.project)]
        log = os.path.join(args.work, f"g{n}x{p}.stderr")
        start = time.perf_counter()
        with open(log, "w") as err:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
            # The sweep's own high-water mark (VmHWM of its memory after exec), read until it exits: the
            # child's rusage is no use here, since a child spawned by vfork inherits this process's peak.
            peak_kb = 0
            while process.poll() is None:
                peak_kb = max(peak_kb, high_water_kb(process.pid))
                time.sleep(0.02)
            status = process.returncode
        wall = time.perf_counter() - start
        reference = float("nan") if args.project else numpy_pass(path)
        stderr = open(log).read()
        planned = re.search(r"plan: .*?about ([0-9.]+) s", stderr)
        size = os.path.getsize(path)
        peak = peak_kb * 1024
        part = os.path.join(args.work, f"g{n}x{p}.part")
        subprocess.run(command + ["--shard", "0/2", "--out", part], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        part_size = os.path.getsize(part) if os.path.exists(part) else float("nan")
        print(f"{shape} float32 ({size / 1e6:.0f} MB): exit {status}, sweep {wall:.1f} s, "
              f"planned {planned.group(1) if planned else '?'} s, numpy pass {reference:.2f} s, "
              f"ratio {wall / reference:.1f}, peak RSS {peak / 1e9:.3f} GB ({peak / size:.2f}x the file), "
              f"part {part_size / 1e6:.2f} MB ({100 * part_size / size:.2f}% of the file)")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
