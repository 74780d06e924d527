#!/usr/bin/env python3
"""`vmtune diagnose --log` throughput against `grep -c` on the same file, side by side in one run.

Generates a realistic kern.log of SIZE_MB megabytes (default 500) — ordinary kernel lines of many
kinds (network, storage, USB, audit, firewall, systemd, call traces) with syslog prefixes, and
FAILURES order-4 allocation-failure reports with their Mem-Info buddy lines plus one OOM report
(invocation, buddy lines, kill) spread through it — or reads the log given as the first argument.
Times `grep -c "page allocation failure"` and `vmtune diagnose --log FILE` on it (best of RUNS,
interleaved, after one read to warm the page cache), prints both rates, their ratio and the peak
RSS of diagnose (/usr/bin/time, else getrusage of children). Targets: at most 25x the grep time
and under 64 MB RSS on a 500 MB log. diagnose runs against an empty --root: the log alone.
Nothing here touches /proc/sys.
"""
import os, random, resource, shutil, subprocess, sys, tempfile, time

vmtune = os.environ.get("VMTUNE", ".build/release/vmtune")
runs = int(os.environ.get("RUNS", "3"))
size_mb = int(os.environ.get("SIZE_MB", "500"))
failures = int(os.environ.get("FAILURES", "4"))

ORDINARY = [
    "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
    "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
    "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=10.{a}.{b}.{c} DST=10.0.0.5 "
    "LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID={n} DF PROTO=TCP SPT={p} DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0",
    "audit: type=1400 audit({n}.{c}:{b}): apparmor=\"DENIED\" operation=\"open\" profile=\"/usr/sbin/ntpd\" "
    "name=\"/proc/{p}/status\" pid={p} comm=\"ntpd\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0",
    "EXT4-fs (dm-{a}): mounted filesystem with ordered data mode. Opts: errors=remount-ro",
    "sd {a}:0:0:0: [sd{l}] Synchronizing SCSI cache",
    "usb 1-{a}: new high-speed USB device number {b} using xhci_hcd",
    "usb 1-{a}: New USB device found, idVendor=0781, idProduct=5567, bcdDevice= 1.00",
    "kvm: zapping shadow pages for mmio generation wraparound",
    "br0: port {a}(vnet{b}) entered forwarding state",
    "device vnet{b} entered promiscuous mode",
    "nf_conntrack: nf_conntrack: table full, dropping packet",
    "TCP: request_sock_TCP: Possible SYN flooding on port {p}. Sending cookies.  Check SNMP counters.",
    "INFO: task kworker/{a}:{b}:{p} blocked for more than 120 seconds.",
    "      Not tainted 5.10.0-21-amd64 #1 Debian 5.10.162-1",
    "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
    " ? __schedule+0x282/0x880",
    " ? blk_mq_submit_bio+0x1c2/0x5a0",
    "perf: interrupt took too long (2504 > 2500), lowering kernel.perf_event_max_sample_rate to 79750",
    "systemd-journald[{p}]: Received client request to flush runtime journal.",
    "nfs: server fs{a} not responding, still trying",
    "nfs: server fs{a} OK",
    "xfs filesystem being remounted at /srv/data supports timestamps until 2038 (0x7fffffff)",
    "mlx5_core 0000:3b:00.{a}: mlx5_fw_tracer_handle_traces:{p}: FW tracer: event {n}",
    "bond0: (slave eth{a}): link status definitely up, 10000 Mbps full duplex",
    "md: data-check of RAID array md{a}",
    "docker0: port {a}(veth{n:x}) entered disabled state",
    "Memory cgroup stats for /system.slice/app{a}.service: anon 12345678",
]

REPORT = [
    "{comm}: page allocation failure: order:4, mode:0x820(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0",
    "CPU: 2 PID: {p} Comm: {comm} Not tainted 5.10.0-21-amd64 #1 Debian 5.10.162-1",
    "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.14.0-2 04/01/2014",
    "Call Trace:",
    " <IRQ>",
    " dump_stack+0x6b/0x83",
    " warn_alloc.cold+0x75/0xd9",
    " __alloc_pages_slowpath.constprop.0+0xcfa/0xd30",
    "Mem-Info:",
    "active_anon:812330 inactive_anon:20412 isolated_anon:0",
    "Node 0 active_anon:3249320kB inactive_anon:81648kB active_file:2412020kB inactive_file:8012212kB",
    "Node 0 DMA free:15904kB min:20kB low:32kB high:44kB reserved_highatomic:0KB active_anon:0kB",
    "lowmem_reserve[]: 0 2962 32081 32081 32081",
    "Node 0 DMA: 0*4kB 0*8kB 0*16kB 1*32kB (U) 2*64kB (U) 1*128kB (U) 1*256kB (U) 0*512kB 1*1024kB (U) "
    "1*2048kB (M) 3*4096kB (M) = 15904kB",
    "Node 0 DMA32: 3210*4kB (UME) 1410*8kB (UME) 210*16kB (UME) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB "
    "0*1024kB 0*2048kB 0*4096kB = 27480kB",
    "Node 0 Normal: 161209*4kB (UME) 40311*8kB (UME) 1811*16kB (UM) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB "
    "0*1024kB 0*2048kB 0*4096kB = 996300kB",
    "Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB",
    "2611232 total pagecache pages",
]

OOM = [
    "java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
    "Mem-Info:",
    "Node 0 DMA: 0*4kB 0*8kB 0*16kB 1*32kB (U) 2*64kB (U) 1*128kB (U) 1*256kB (U) 0*512kB 1*1024kB (U) "
    "1*2048kB (M) 3*4096kB (M) = 15904kB",
    "Node 0 DMA32: 12*4kB (UME) 4*8kB (UME) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB "
    "0*4096kB = 80kB",
    "Node 0 Normal: 310*4kB (UME) 41*8kB (UME) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB "
    "0*2048kB 0*4096kB = 1568kB",
    "Out of memory: Killed process 4242 (java) total-vm:9437184kB, anon-rss:8204260kB, file-rss:0kB, "
    "shmem-rss:0kB, UID:1000 pgtables:16500kB oom_score_adj:0",
]


def generate(path, size):
    rng = random.Random(14)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    # A block of ordinary lines, reused with fresh times: generation must not dominate the run.
    block = []
    for i in range(4096):
        t = ORDINARY[rng.randrange(len(ORDINARY))]
        block.append(t.format(a=rng.randrange(8), b=rng.randrange(256), c=rng.randrange(256),
                              n=rng.randrange(10**9), p=rng.randrange(32768), l="abcd"[rng.randrange(4)]))
    reports_at = {int(size * (k + 1) / (failures + 2)) for k in range(failures)}
    oom_at = int(size * (failures + 1) / (failures + 2))
    written, second, lines = 0, 0, 0
    with open(path, "w") as f:
        while written < size:
            month = months[(second // 86400) % 6]
            stamp = "%s %2d %02d:%02d:%02d" % (month, 1 + (second // 86400) % 28, (second // 3600) % 24,
                                              (second // 60) % 60, second % 60)
            head = stamp + " hv-07 kernel: [%6d.%06d] " % (second, lines % 1000000)
            chunk = "".join(head + m + "\n" for m in block[second % 7::7][:512])
            if any(written <= r < written + len(chunk) for r in reports_at):
                chunk += "".join(head + m.format(comm="vhost-%d" % second, p=second) + "\n" for m in REPORT)
            if written <= oom_at < written + len(chunk):
                chunk += "".join(head + m + "\n" for m in OOM)
            f.write(chunk)
            written += len(chunk)
            lines += chunk.count("\n")
            second += 1
    return lines


def timed(args):
    t = time.perf_counter()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, p


def main():
    tmp = tempfile.mkdtemp(prefix="vmtune-logbench-")
    try:
        if len(sys.argv) > 1:
            log = sys.argv[1]
            print("log: %s" % log)
        else:
            log = os.path.join(tmp, "kern.log")
            t = time.perf_counter()
            lines = generate(log, size_mb << 20)
            print("log: generated %d lines, %d failure reports and one OOM report in %.1f s" % (
                lines, failures, time.perf_counter() - t))
        size = os.path.getsize(log)
        root = os.path.join(tmp, "root")  # no /proc here: diagnose reads the log alone
        os.makedirs(root)
        with open(log, "rb") as f:  # warm the page cache
            while f.read(1 << 24):
                pass
        grep = ["grep", "-c", "page allocation failure", log]
        diagnose = [vmtune, "diagnose", "--log", log, "--root", root, "--no-color"]
        best_grep, best_diag, out = None, None, None
        for _ in range(runs):
            g, gp = timed(grep)
            d, dp = timed(diagnose)
            if dp.returncode != 0:
                sys.exit("diagnose failed (%d): %s" % (dp.returncode, dp.stderr[-800:]))
            best_grep = g if best_grep is None else min(best_grep, g)
            best_diag = d if best_diag is None else min(best_diag, d)
            out, count = dp.stdout, gp.stdout.strip()
        rss_kb = None
        if shutil.which("/usr/bin/time"):
            t = subprocess.run(["/usr/bin/time", "-f", "%M"] + diagnose, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            rss_kb = int(t.stderr.strip().splitlines()[-1])
        else:
            rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        mb = size / 1e6
        ratio = best_diag / best_grep
        print("size: %.1f MB" % mb)
        print("%-42s %8.3f s  %9.1f MB/s  (%s matching lines)" % ("grep -c 'page allocation failure'", best_grep,
                                                                   mb / best_grep, count))
        print("%-42s %8.3f s  %9.1f MB/s" % ("vmtune diagnose --log", best_diag, mb / best_diag))
        print("ratio diagnose / grep: %.1fx (target <= 25x)  %s" % (ratio, "ok" if ratio <= 25 else "NOT MET"))
        print("diagnose peak RSS: %.1f MB (target < 64 MB)  %s" % (rss_kb / 1024, "ok" if rss_kb < 64 * 1024
                                                                   else "NOT MET"))
        found = [l.strip() for l in out.splitlines() if l.startswith("  ") and ("allocation failure(s)" in l or "OOM kill(s)" in l)]
        print("diagnose found: " + ("; ".join(found) if found else "nothing"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
