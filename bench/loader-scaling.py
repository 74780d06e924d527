#!/usr/bin/env python3
"""Profile loading against input size, measured side by side in one run (ratios, not absolutes).

Writes profiles of several shapes at 64 KiB, 256 KiB and 1 MiB (the largest file the loader
reads) — a long list (the lowmem_reserve_ratio list of the bug report), a long block list, many
keys, many mid-sized lists, deep nesting, a long scalar, a long key, many errors — and times
`vmtune validate` on each (best of RUNS, interleaved), with `vmtune --version` (process start-up)
as the floor. Work that grows linearly with the input takes about 4x longer for 4x the bytes;
quadratic work takes 16x. The target: any 1 MiB profile validates or is refused in under 1 s.
Nothing here touches /proc/sys: validate reads only the profile.
"""
import os, subprocess, sys, tempfile, time

vmtune = os.environ.get("VMTUNE", ".build/release/vmtune")
runs = int(os.environ.get("RUNS", "3"))
timeout = float(os.environ.get("TIMEOUT", "120"))
sizes = [64 << 10, 256 << 10, 1 << 20]
head = "apiVersion: vmtune/v1\nname: big\n"


def fill(prefix, unit, suffix, size, sep=""):
    """prefix + unit repeated (joined by sep) + suffix, at most `size` bytes."""
    n = max(1, (size - len(head) - len(prefix) - len(suffix)) // (len(unit) + len(sep)))
    return head + prefix + sep.join([unit] * n) + suffix


shapes = {
    "long flow list": lambda s: fill("sysctl:\n  lowmem_reserve_ratio: [", "1", "]\n", s, ", "),
    "long block list": lambda s: fill("sysctl:\n  lowmem_reserve_ratio:\n", "  - 1\n", "", s),
    "many keys": lambda s: head + "sysctl:\n" + "".join("  k%d: 1\n" % i for i in range(s // 10))[: s - len(head) - 8],
    # Lists of 100 items under one key, each collection within its limit: the node limit decides.
    "many lists": lambda s: head + "x:\n" + "".join(
        "  k%d: [%s]\n" % (i, ", ".join(["1"] * 100)) for i in range(s // 300))[: s - len(head) - 3].rsplit("\n", 1)[0]
    + "\n",
    "deep nesting": lambda s: fill("guards: [", "[" * 60 + "1" + "]" * 60, "]\n", s, ", "),
    "long scalar": lambda s: fill("description: ", "x", "\n", s),
    # An explicit key (`? key`): libyaml itself refuses implicit keys over 1024 characters.
    "long key": lambda s: fill("sysctl:\n  ? ", "k", "\n  : 1\n", s),
    # Distinct unknown keys, one error each (a duplicate key would stop at the first).
    "many errors": lambda s: head + "".join("x%d:\n" % i for i in range(s // 6))[: s - len(head)],
    # The most errors one mapping may hold, after a long text: each error quotes its line.
    "late errors": lambda s: head + "description: " + "x" * (s - len(head) - 20000) + "\nsysctl:\n"
    + "".join("  k%d: 1\n" % i for i in range(1000)),
}


def once(path):
    t = time.perf_counter()
    try:
        p = subprocess.run([vmtune, "validate", path], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    elapsed = time.perf_counter() - t
    out = (p.stdout + p.stderr).strip().splitlines()
    first = out[0] if out else ""
    verdict = "ok" if p.returncode == 0 else "refused: " + first.split("error: ", 1)[-1][:70]
    return elapsed, verdict


def version():
    t = time.perf_counter()
    subprocess.run([vmtune, "--version"], capture_output=True)
    return time.perf_counter() - t


with tempfile.TemporaryDirectory(prefix="vmtune-loader-") as d:
    files = {}
    for name, make in shapes.items():
        for size in sizes:
            path = os.path.join(d, "%s-%d.yaml" % (name.replace(" ", "-"), size))
            with open(path, "w") as f:
                f.write(make(size))
            files[(name, size)] = path
    best = {key: None for key in files}
    verdicts = {}
    floor = []
    for _ in range(runs):  # interleaved, so drift hits every case alike
        floor.append(version())
        for key, path in files.items():
            if best[key] is None and key in verdicts and verdicts[key] == "timed out":
                continue
            t, v = once(path)
            verdicts[key] = v
            if t is not None and (best[key] is None or t < best[key]):
                best[key] = t

    print("vmtune validate, best of %d; --version (start-up) %.1f ms" % (runs, min(floor) * 1000))
    print("%-16s %10s %10s %10s %9s  %s" % ("shape", "64 KiB", "256 KiB", "1 MiB", "1M/256K", "1 MiB result"))
    for name in shapes:
        times = [best[(name, s)] for s in sizes]
        cells = ["%8.1fms" % (t * 1000) if t is not None else "  >%4.0fs " % timeout for t in times]
        ratio = "%8.1fx" % (times[2] / times[1]) if None not in times[1:] else "      n/a"
        print("%-16s %10s %10s %10s %9s  %s" % (name, cells[0], cells[1], cells[2], ratio, verdicts[(name, sizes[2])]))
    worst = max((t for t in best.values() if t is not None), default=0)
    slow = [k for k, t in best.items() if t is None or t >= 1.0]
    print("\nslowest: %.3f s (target < 1 s for any 1 MiB profile)%s" % (
        worst, "" if not slow else "; over 1 s: " + ", ".join("%s at %d KiB" % (n, s >> 10) for n, s in slow)))
