#!/usr/bin/env python3
"""Plan latency, measured side by side in one run (machines are noisy; ratios, not absolutes).

Compares `vmtune plan PROFILE` (parse the profile with its includes, read the sysctls and /proc
tables a plan needs, plan, render) with `vmtune --version` (process start-up alone: the floor for
any vmtune command), with the minimum any tool must do — `cat` of the /proc/sys/vm files — and with
procps `sysctl -a`, and `vmtune explain swappiness` (a subcommand that reads one file: start-up
plus swift-argument-parser's first parse of a subcommand). The target is plan <= 1.5x --version.
The order of the commands is shuffled in each round (seeded). Read-only: never writes /proc/sys.
"""
import os, random, shutil, statistics, subprocess, sys, time

runs = int(os.environ.get("RUNS", "40"))
vmtune = os.environ.get("VMTUNE", ".build/release/vmtune")
profile = sys.argv[1] if len(sys.argv) > 1 else "profiles/kvm-host.yaml"
vm = sorted(os.path.join("/proc/sys/vm", f) for f in os.listdir("/proc/sys/vm")
            if os.access(os.path.join("/proc/sys/vm", f), os.R_OK))

cases = [("vmtune plan " + os.path.basename(profile), [vmtune, "plan", profile, "--no-color"]),
         ("cat /proc/sys/vm/* (%d files)" % len(vm), ["cat"] + vm),
         ("vmtune --version", [vmtune, "--version"]),
         ("vmtune explain swappiness", [vmtune, "explain", "swappiness"])]
if shutil.which("sysctl"):
    cases.append(("sysctl -a (procps)", ["sysctl", "-a"]))

def once(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if p.returncode not in (0, 2):
        sys.exit("%s exited %d" % (cmd[0], p.returncode))
    return (time.perf_counter() - t) * 1000

samples = {name: [] for name, _ in cases}
order = random.Random(1)                   # seeded: the same sequence every run
for _ in range(runs):                      # interleaved, so drift hits every case alike,
    for name, cmd in order.sample(cases, len(cases)):   # in a shuffled order, so no case always
        samples[name].append(once(cmd))                  # follows the cache-flushing sysctl -a

base = statistics.median(samples[cases[1][0]])
print("%-34s %9s %9s %8s" % ("command (%d runs each, interleaved)" % runs, "median ms", "p90 ms", "ratio"))
for name, _ in cases:
    s = sorted(samples[name])
    med = statistics.median(s)
    print("%-34s %9.2f %9.2f %7.2fx" % (name, med, s[int(len(s) * 0.9) - 1], med / base))

plan = statistics.median(samples[cases[0][0]])
version = statistics.median(samples["vmtune --version"])
explain = statistics.median(samples["vmtune explain swappiness"])
print("\nplan / --version: %.2fx (target <= 1.5x)" % (plan / version))
print("plan / explain (a subcommand that reads one file): %.2fx" % (plan / explain))
print("plan parses its common command lines without swift-argument-parser (its per-run reflection")
print("costs more than planning); explain and --version go through it, so plan / explain shows")
print("what reading the host and planning add to a subcommand's start-up.")
