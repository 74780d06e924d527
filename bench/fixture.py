"""A fixture root copied from this host's /proc (read-only copies), shared by the benchmarks."""
import os, shutil, subprocess, tempfile

SKIP = ("drop_caches", "compact_memory", "stat_refresh")


def host_copy(vmtune, profile, tables=("meminfo", "zoneinfo", "buddyinfo", "vmstat")):
    """Copies /proc/sys/vm values and the given /proc tables into a temp root, then applies
    `profile` to the copy (never to the host). Returns the root; the caller removes it."""
    root = tempfile.mkdtemp(prefix="vmtune-bench-")
    os.makedirs(root + "/proc/sys/vm")
    os.makedirs(root + "/proc/sys/kernel")
    for name in os.listdir("/proc/sys/vm"):
        if name in SKIP:
            continue
        try:
            with open("/proc/sys/vm/" + name) as f:
                value = f.read()
        except OSError:
            continue
        with open(root + "/proc/sys/vm/" + name, "w") as f:
            f.write(value)
    for name in tables + ("sys/kernel/osrelease",):
        shutil.copyfile("/proc/" + name, root + "/proc/" + name)
    subprocess.run([vmtune, "apply", profile, "--root", root, "--yes", "--force"], capture_output=True)
    return root
