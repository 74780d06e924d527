#!/usr/bin/env python3
"""Fleet drift check throughput, measured side by side in one run.

Generates HOSTS snapshots (default 10,000) from this host's `vmtune snapshot` (3 % of them with a
drifted swappiness, some with other MemTotal), then times `vmtune check PROFILE --snapshot DIR`
over all of them, and, for scale, procps `sysctl -n` over the same profile keys for this one host.
Target: above 10,000 hosts/s on 2 cores. Read-only for the host.
"""
import json, os, random, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture

vmtune = os.environ.get("VMTUNE", ".build/release/vmtune")
hosts = int(os.environ.get("HOSTS", "10000"))
profile = sys.argv[1] if len(sys.argv) > 1 else "profiles/kvm-host.yaml"

# The base host: a fixture copy of this host's /proc with the profile applied (so the fleet is
# in sync but for the hosts we make drift).
fx = fixture.host_copy(vmtune, profile, tables=("meminfo", "zoneinfo", "buddyinfo"))
base = json.loads(subprocess.run([vmtune, "snapshot", "--root", fx], capture_output=True, text=True, check=True).stdout)
plan = json.loads(subprocess.run([vmtune, "plan", profile, "--root", fx, "--format", "json"], capture_output=True, text=True).stdout)
keys = [e["key"] for e in plan["entries"]]
shutil.rmtree(fx, ignore_errors=True)

d = tempfile.mkdtemp(prefix="vmtune-fleet-")
try:
    rnd = random.Random(42)
    drifted = 0
    for i in range(hosts):
        s = json.loads(json.dumps(base))
        s["hostname"] = "host-%05d" % i
        if rnd.random() < 0.03:
            s["values"]["swappiness"] = "60"
            drifted += 1
        else:
            s["values"]["swappiness"] = "10"
        with open(os.path.join(d, "host-%05d.json" % i), "w") as f:
            json.dump(s, f)
    size = sum(os.path.getsize(os.path.join(d, n)) for n in os.listdir(d))

    def timed(cmd, runs):
        best = None
        for _ in range(runs):
            t = time.perf_counter()
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            dt = time.perf_counter() - t
            best = dt if best is None or dt < best else best
        return best, p

    fleet_s, p = timed([vmtune, "check", profile, "--snapshot", d, "--format", "prometheus"], 3)
    rollup = subprocess.run([vmtune, "check", profile, "--snapshot", d], capture_output=True, text=True).stdout.strip().splitlines()[-1]
    sysctl_s = None
    if shutil.which("sysctl"):
        sysctl_s, _ = timed(["sysctl", "-n"] + ["vm." + k for k in keys], 20)
    print("fleet check: %d snapshots (%.0f MB of JSON), profile %s, %d CPUs" % (hosts, size / 1e6, os.path.basename(profile), os.cpu_count()))
    print("  %-40s %8.3f s   %9.0f hosts/s   (target > 10000)" % ("vmtune check --snapshot DIR", fleet_s, hosts / fleet_s))
    print("  rollup: %s (generated with %d drifted)" % (rollup, drifted))
    if sysctl_s:
        print("  %-40s %8.4f s   (one host, %d keys)" % ("sysctl -n over the same keys", sysctl_s, len(keys)))
        print("  ratio: one fleet check of %d hosts costs %.1f single-host sysctl runs" % (hosts, fleet_s / sysctl_s))
finally:
    shutil.rmtree(d, ignore_errors=True)
