#!/usr/bin/env bash
# The "VM start" evaluation: boots each kernel under qemu (run.sh, 2 vCPUs, MEM MiB, one node)
# with guest-vmstart.sh and prints, per kernel, markdown tables of what a 512 MiB MADV_HUGEPAGE
# "VM start" felt under each compaction strategy (see docs/AGENT-EVALUATION.md).
# Not part of `make test`; about 10 minutes per kernel under TCG with RUNS=5.
#
# usage: Tests/kernel/vmstart-eval.sh [KERNEL...]
#   KERNEL: a /boot/vmlinuz-* path, or 6.1 (the kernel linux-image-cloud-amd64 depends on) or
#   6.12 (the newest /boot/vmlinuz-6.12*-cloud-amd64; linux-image-6.12-cloud-amd64 is installed
#   when missing). Default: 6.1 6.12.
# env:  RUNS=5 CHURN_SECONDS=12 PROBE_MB=512 MARGIN_MB=320 FRAG_PATTERN=random MEM=3072
#       STRATEGIES=kernel-default,proactiveness-0,kvm-host-agent,fixed-10s
#       KVM_AGENT_FLAGS= (e.g. --no-enforce)  OUT=/tmp/vmstart-eval (logs kept there)
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-5}
MEM=${MEM:-3072}
OUT=${OUT:-/tmp/vmstart-eval}
mkdir -p "$OUT"
sudo_=$([ "$(id -u)" = 0 ] || echo sudo)

resolve() {
  case $1 in
    /*) echo "$1" ;;
    6.1)
      if ! dpkg -s linux-image-cloud-amd64 >/dev/null 2>&1; then
        echo "vmstart-eval: installing linux-image-cloud-amd64" >&2
        $sudo_ apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq linux-image-cloud-amd64 >/dev/null
      fi
      k=$(dpkg-query -W -f='${Depends}' linux-image-cloud-amd64 2>/dev/null |
        sed -n 's/^linux-image-\([^ ,]*\).*/\/boot\/vmlinuz-\1/p')
      [ -n "$k" ] || k=$(ls /boot/vmlinuz-6.1.*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
      echo "$k" ;;
    6.12)
      if ! ls /boot/vmlinuz-6.12*-cloud-amd64 >/dev/null 2>&1; then
        echo "vmstart-eval: installing linux-image-6.12-cloud-amd64" >&2
        $sudo_ apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq linux-image-6.12-cloud-amd64 >/dev/null
      fi
      ls /boot/vmlinuz-6.12*-cloud-amd64 | sort -V | tail -n 1 ;;
    *) echo "vmstart-eval: unknown kernel '$1' (a /boot/vmlinuz-* path, 6.1 or 6.12)" >&2; return 1 ;;
  esac
}

extra="RUNS=$RUNS"
for v in CHURN_SECONDS PROBE_MB MARGIN_MB FRAG_PATTERN STRATEGIES KVM_AGENT_FLAGS AGENT_INTERVAL; do
  [ -z "${!v:-}" ] || extra="$extra $v=${!v}"
done

[ $# -gt 0 ] || set -- 6.1 6.12
for want in "$@"; do
  kernel=$(resolve "$want")
  [ -r "$kernel" ] || { echo "vmstart-eval: no kernel for '$want' ($kernel)"; exit 1; }
  name=$(basename "$kernel" | sed 's/^vmlinuz-//')
  log="$OUT/$name.log"
  echo "vmstart-eval: $name, $RUNS run(s) per strategy (log: $log)" >&2
  # Each run takes ~20 s under TCG; allow 60 s per run and strategy plus boot.
  timeout=$((300 + RUNS * 4 * 60))
  cmd="KERNEL=$kernel MEM=$MEM GUEST_TIMEOUT=$timeout GUEST_SCRIPT=guest-vmstart.sh SHAPES=single"
  cmd="$cmd KEEP_LOG=$log APPEND_EXTRA=\"$extra\" ./Tests/kernel/run.sh"
  echo "vmstart-eval: $cmd" >&2
  KERNEL=$kernel MEM=$MEM GUEST_TIMEOUT=$timeout GUEST_SCRIPT=guest-vmstart.sh SHAPES=single KEEP_LOG=$log \
    APPEND_EXTRA="$extra" ./Tests/kernel/run.sh >"$OUT/$name.run.txt" 2>&1 || true
  grep -q '^VMSTART-END' "$log" || { echo "vmstart-eval: the guest did not finish, see $log" >&2; tail -20 "$log" >&2; }
  python3 - "$log" "$cmd" <<'PY'
import statistics, sys

log, cmd = sys.argv[1], sys.argv[2]
head, rows, notes, warns, cmds = {}, {}, {}, [], []
order = []
def kv(line):
    return dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)
for line in open(log, errors="replace"):
    line = line.strip()
    # The first line on the console can follow the terminal's reset sequence.
    for tag in ("VMSTART-START ", "VMSTARTCMD "):
        if tag in line:
            line = line[line.index(tag):]
    if line.startswith("VMSTART-START "):
        head = kv(line)
    elif line.startswith("VMSTART "):
        r = kv(line)
        if r["strategy"] not in rows:
            order.append(r["strategy"])
        rows.setdefault(r["strategy"], []).append(r)
    elif line.startswith("VMSTARTLOG "):
        s = line.split()[1].split("=", 1)[1]
        notes.setdefault(s, []).append(line.split(" ", 2)[2])
    elif line.startswith("VMSTARTCMD "):
        cmds.append(line.split(" ", 1)[1])
    elif line.startswith("VMSTART-WARN"):
        warns.append(line)

def nums(rs, key):
    return [float(r[key]) for r in rs if r.get(key, "NA") not in ("NA", "")]
def fmt(x):
    return "%d" % round(x) if x == int(x) or abs(x) >= 10 else "%.1f" % x
def spread(rs, key):
    v = nums(rs, key)
    if not v:
        return "n/a"
    return "%s (%s–%s)" % (fmt(statistics.median(v)), fmt(min(v)), fmt(max(v)))
def med(rs, key):
    v = nums(rs, key)
    return fmt(statistics.median(v)) if v else "n/a"

print("### Kernel %s" % head.get("kernel", "?"))
print()
print("Guest: %s kB MemTotal, %s vCPUs (TCG), THP enabled=%s defrag=%s; holder %s MiB (%s holes), "
      "churn %s s, probe %s MiB, %s run(s) per strategy, interleaved; agent --interval %s, kvm-host agent flags: %s."
      % (head.get("memtotal_kb"), head.get("cpus"), head.get("thp"), head.get("defrag"), head.get("hold_mb"),
         head.get("frag_pattern"), head.get("churn_seconds"), head.get("probe_mb"), head.get("runs"),
         head.get("agent_interval"), head.get("kvm_agent_flags")))
print()
print("Across the VM-start probe (median (min–max) over runs):")
print()
print("| strategy | runs | THP success % | VM start wall ms | compact_stall | allocstall | pgscan_direct "
      "| compaction work (pages scanned) |")
print("|---|---|---|---|---|---|---|---|")
for s in order:
    rs = rows[s]
    print("| %s | %d | %s | %s | %s | %s | %s | %s |" % (
        s, len(rs), spread(rs, "thp_pct"), spread(rs, "wall_ms"), spread(rs, "compact_stall"),
        spread(rs, "allocstall"), spread(rs, "pgscan_direct"), spread(rs, "compaction_work")))
print()
print("Across the whole run (knobs, holder, churn with the agent, probe; median (min–max)):")
print()
print("| strategy | proactiveness | order-4 blocks before the probe | compact_stall | allocstall | pgscan_direct "
      "| compaction work | agent actions (total) |")
print("|---|---|---|---|---|---|---|---|")
for s in order:
    rs = rows[s]
    print("| %s | %s | %s | %s | %s | %s | %s | %d |" % (
        s, "/".join(sorted({r["proactiveness"] for r in rs})), spread(rs, "order4_before"),
        spread(rs, "run_compact_stall"), spread(rs, "run_allocstall"), spread(rs, "run_pgscan_direct"),
        spread(rs, "run_compaction_work"), sum(int(r["agent_runs"]) for r in rs)))
print()
for s in order:
    for n in notes.get(s, []):
        print("- %s (run 1): `%s`" % (s, n[:300]))
for w in warns:
    print("- warning: `%s`" % w)
print()
print("Host command (from the repository root):")
print()
print("```")
print(cmd)
print("```")
print()
print("Guest commands (Tests/kernel/guest-vmstart.sh):")
print()
print("```")
for c in cmds:
    print(c)
print("```")
print()
PY
done
