#!/usr/bin/env python3
"""Agent cost per cycle, measured side by side in one run (ratios, not absolutes).

Builds a fixture root from this host's /proc files (read-only copies: sysctl values, meminfo,
zoneinfo, buddyinfo, vmstat), then runs `vmtune agent PROFILE --root FIXTURE --interval 0
--cycles N` for N = CYCLES and for N = 1, and reports per-cycle CPU (the difference divided by
CYCLES - 1, so process start-up cancels out), peak RSS, and the ratio against one `vmtune check`
process doing the same read + plan once. Never writes the host's /proc/sys.

Targets: under 10 MB RSS and under 1 ms CPU per cycle.
"""
import os, resource, shutil, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture

vmtune = os.environ.get("VMTUNE", ".build/release/vmtune")
cycles = int(os.environ.get("CYCLES", "1000"))
profile = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "profiles/kvm-host.yaml")

root = fixture.host_copy(vmtune, profile)
try:
    def run(args):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode not in (0, 2):
            sys.exit("%s failed: %s" % (" ".join(args), p.stderr[-500:]))
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return cpu, after.ru_maxrss  # maxrss of the largest child so far (KiB)

    agent = [vmtune, "agent", profile, "--root", root, "--interval", "0"]
    one_cpu, _ = min((run(agent + ["--cycles", "1"]) for _ in range(5)), key=lambda r: r[0])
    many_cpu, _ = run(agent + ["--cycles", str(cycles)])
    check_cpu, _ = min((run([vmtune, "check", profile, "--root", root]) for _ in range(5)), key=lambda r: r[0])
    # RSS of the long run alone, from /usr/bin/time when present.
    rss_kb = None
    if shutil.which("/usr/bin/time"):
        t = subprocess.run(["/usr/bin/time", "-f", "%M"] + agent + ["--cycles", str(cycles)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        rss_kb = int(t.stderr.strip().splitlines()[-1])
    per_cycle_ms = (many_cpu - one_cpu) / (cycles - 1) * 1000
    print("agent: %d cycles on a fixture copy of this host, profile %s" % (cycles, os.path.basename(profile)))
    print("  CPU per cycle       %8.3f ms   (target < 1 ms)" % per_cycle_ms)
    if rss_kb is not None:
        print("  peak RSS            %8.1f MB   (target < 10 MB)" % (rss_kb / 1024))
    print("  one `vmtune check`  %8.3f ms CPU (process start-up included)" % (check_cpu * 1000))
    print("  ratio check / agent cycle: %.1fx" % (check_cpu * 1000 / per_cycle_ms if per_cycle_ms > 0 else float("inf")))
finally:
    shutil.rmtree(root, ignore_errors=True)
