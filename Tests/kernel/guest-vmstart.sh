#!/bin/sh
# "VM start" evaluation inside the qemu guest (busybox sh; not part of `make test`: run it with
# Tests/kernel/vmstart-eval.sh). For each run and strategy: reset, set the strategy's knobs,
# fragment memory with a long-lived holder, churn for CHURN_SECONDS with the strategy's agent
# running, then start a "VM" (vmstart: PROBE_MB of MADV_HUGEPAGE anonymous memory, every page
# touched) and record what it felt: THP success, wall time, stalls, reclaim and compaction work.
# Prints one "VMSTART key=value ..." line per run; vmstart-eval.sh turns them into tables.
#
# Settings come from the kernel command line (run.sh's APPEND_EXTRA; the kernel hands
# name=value parameters without a dot to init as environment variables):
#   RUNS=5 CHURN_SECONDS=12 PROBE_MB=512 MARGIN_MB=320 AGENT_INTERVAL=2s
#   STRATEGIES=kernel-default,proactiveness-0,kvm-host-agent,fixed-10s KVM_AGENT_FLAGS=--no-enforce
#   FRAG_PATTERN=random (frag.c: random or alternate holes)
export NO_COLOR=1
RUNS=${RUNS:-5}
CHURN_SECONDS=${CHURN_SECONDS:-12}
PROBE_MB=${PROBE_MB:-512}
MARGIN_MB=${MARGIN_MB:-320}
AGENT_INTERVAL=${AGENT_INTERVAL:-2s}
STRATEGIES=$(echo "${STRATEGIES:-kernel-default,proactiveness-0,kvm-host-agent,fixed-10s}" | tr , ' ')
KVM_AGENT_FLAGS=${KVM_AGENT_FLAGS:-}
FRAG_PATTERN=${FRAG_PATTERN:-random}
P=/vmtune/profiles
VM=/proc/sys/vm
. /vmtune/guest-lib.sh


# The boot-time value of every writable vm sysctl (triggers excluded), restored before each run
# so that one strategy's knobs (kvm-host writes six) cannot leak into the next.
for f in $VM/*; do
  k=${f##*/}
  case $k in drop_caches|compact_memory|stat_refresh) continue ;; esac
  [ -w "$f" ] && printf '%s %s\n' "$k" "$(cat "$f" 2>/dev/null)"
done >/tmp/vm-defaults
restore_knobs() {
  # Writing a dirty_*_ratio zeroes its *_bytes partner (and a *_bytes 0 is refused): errors
  # are expected on the way, the check after the loop is what counts.
  while read -r k v; do
    [ "$(cat "$VM/$k" 2>/dev/null)" = "$v" ] || echo "$v" >"$VM/$k" 2>/dev/null
  done </tmp/vm-defaults
  while read -r k v; do
    [ "$(cat "$VM/$k" 2>/dev/null)" = "$v" ] || echo "VMSTART-WARN $k not restored: $(cat "$VM/$k") != $v"
  done </tmp/vm-defaults
}

# The /proc/vmstat counters of the report, as key=value lines (allocstall_* summed).
snap() {
  awk '$1 ~ /^(thp_fault_alloc|thp_fault_fallback|compact_stall|pgscan_direct|compact_migrate_scanned)$/ ||
       $1 == "compact_free_scanned" { print $1 "=" $2 }
       $1 ~ /^allocstall_/ { s += $2 }
       END { print "allocstall=" s + 0 }' /proc/vmstat >"$1"
}
# delta FROM TO KEY...: the sum of the keys' increases between two snapshots.
delta() {
  a=$1 b=$2; shift 2
  awk -F= -v keys=" $* " 'index(keys, " " $1 " ") { if (FNR == NR) v -= $2; else v += $2 }
                          END { printf "%.0f\n", v }' "$a" "$b"
}

agentpid=""
stop_agent() {
  if [ -n "$agentpid" ]; then kill "$agentpid" 2>/dev/null; wait "$agentpid" 2>/dev/null; fi
  agentpid=""
}
reset() {
  stop_agent
  for p in $(pidof frag vmstart); do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  restore_knobs
  sync
  echo 3 >$VM/drop_caches
  echo 1 >$VM/compact_memory
  sleep 1
}

set_knobs() {
  case $1 in
    kernel-default) echo 20 >$VM/compaction_proactiveness ;;
    proactiveness-0 | fixed-10s) echo 0 >$VM/compaction_proactiveness ;;
    # Everything the profile sets (proactiveness 30, watermark_scale_factor 200, min_free_kbytes …).
    kvm-host-agent) vmtune apply kvm-host --profile-dir $P --yes >/tmp/apply.txt 2>&1 ||
      { echo "VMSTART-WARN apply kvm-host failed:"; sed 's/^/VMSTART-WARN   /' /tmp/apply.txt; } ;;
    *) echo "VMSTART-WARN unknown strategy $1" ;;
  esac
}
start_agent() {
  rm -f /var/lib/vmtune/agent-state.json /tmp/agent.log
  case $1 in
    # shellcheck disable=SC2086
    kvm-host-agent) vmtune agent kvm-host --profile-dir $P --interval "$AGENT_INTERVAL" $KVM_AGENT_FLAGS \
      2>/tmp/agent.log & agentpid=$! ;;
    # What a cron job or a naive loop does: compact every 10 s, whatever memory looks like. (vmtune's
    # own `every: 10s` would hold itself off after a run that changed nothing.)
    fixed-10s)
      (while :; do
        echo 1 >$VM/compact_memory && echo "compact ran (fixed schedule)" >>/tmp/agent.log
        sleep 10
      done) & agentpid=$! ;;
  esac
}

one_run() {
  s=$1 r=$2
  reset
  snap /tmp/v0
  t0=$(date +%s)
  set_knobs "$s"
  # A long-lived holder fragments almost all free memory: every other page of it stays in use.
  rm -f /tmp/holder.out
  frag "$HOLD_MB" 100000 "$FRAG_PATTERN" >/tmp/holder.out 2>&1 &
  i=0; while ! grep -q holding /tmp/holder.out 2>/dev/null && [ $i -lt 300 ]; do sleep 1; i=$((i + 1)); done
  start_agent "$s"
  # Churn: a short-lived 48 MiB allocation every second, taking free pages wherever they are.
  churn=""
  end=$(($(date +%s) + CHURN_SECONDS))
  while [ "$(date +%s)" -lt $end ]; do
    frag 48 1 "$FRAG_PATTERN" >/dev/null 2>&1 &
    churn="$churn $!"
    sleep 1
  done
  for p in $churn; do wait "$p" 2>/dev/null; done
  o4=$(order4)
  snap /tmp/v1
  vmstart "$PROBE_MB" >/tmp/probe.out 2>&1
  snap /tmp/v2
  t1=$(date +%s)
  stop_agent
  runs=0
  [ -f /tmp/agent.log ] && runs=$(grep -c ' ran (' /tmp/agent.log)
  alloc=$(delta /tmp/v1 /tmp/v2 thp_fault_alloc)
  fallback=$(delta /tmp/v1 /tmp/v2 thp_fault_fallback)
  if [ $((alloc + fallback)) -gt 0 ]; then pct=$((alloc * 100 / (alloc + fallback))); else pct=NA; fi
  wall=$(sed -n 's/.*wall_ms=\([0-9]*\).*/\1/p' /tmp/probe.out)
  huge=$(sed -n 's/.*huge_pct=\([-0-9]*\).*/\1/p' /tmp/probe.out)
  work="compact_migrate_scanned compact_free_scanned"
  echo "VMSTART strategy=$s run=$r thp_pct=$pct wall_ms=${wall:-NA} huge_pct=${huge:-NA}" \
    "thp_alloc=$alloc thp_fallback=$fallback" \
    "compact_stall=$(delta /tmp/v1 /tmp/v2 compact_stall) allocstall=$(delta /tmp/v1 /tmp/v2 allocstall)" \
    "pgscan_direct=$(delta /tmp/v1 /tmp/v2 pgscan_direct) compaction_work=$(delta /tmp/v1 /tmp/v2 $work)" \
    "run_compact_stall=$(delta /tmp/v0 /tmp/v2 compact_stall) run_allocstall=$(delta /tmp/v0 /tmp/v2 allocstall)" \
    "run_pgscan_direct=$(delta /tmp/v0 /tmp/v2 pgscan_direct)" \
    "run_compaction_work=$(delta /tmp/v0 /tmp/v2 $work) agent_runs=$runs order4_before=$o4" \
    "proactiveness=$(cat $VM/compaction_proactiveness) seconds=$((t1 - t0))"
  grep -v 'vmstart mib=' /tmp/probe.out | sed 's/^/VMSTART-WARN probe: /'
  # The agent's own words for the first run of each strategy (why it ran or did not).
  if [ "$r" = 1 ] && [ -f /tmp/agent.log ]; then
    grep -E ' ran \(|condition not met|rate-limited|enforced|failed' /tmp/agent.log | head -n 6 |
      cut -c1-400 | sed "s/^/VMSTARTLOG strategy=$s /"
  fi
}

reset
HOLD_MB=$(($(sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 - MARGIN_MB))
chosen() { sed 's/.*\[\(.*\)\].*/\1/' "/sys/kernel/mm/transparent_hugepage/$1"; }
echo "VMSTART-START kernel=$(uname -r) memtotal_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)" \
  "cpus=$(grep -c ^processor /proc/cpuinfo) thp=$(chosen enabled) defrag=$(chosen defrag)" \
  "runs=$RUNS churn_seconds=$CHURN_SECONDS probe_mb=$PROBE_MB hold_mb=$HOLD_MB margin_mb=$MARGIN_MB" \
  "agent_interval=$AGENT_INTERVAL kvm_agent_flags=${KVM_AGENT_FLAGS:-none} frag_pattern=$FRAG_PATTERN"
# What runs, for the report (the commands below, with these values).
cmd() { echo "VMSTARTCMD $*"; }
cmd "all: reset = kill frag/vmstart/agent, restore boot-time vm sysctls, sync, echo 3 >$VM/drop_caches," \
  "echo 1 >$VM/compact_memory"
cmd "all: holder = frag $HOLD_MB 100000 $FRAG_PATTERN; churn = frag 48 1 $FRAG_PATTERN started every 1 s" \
  "for $CHURN_SECONDS s; probe = vmstart $PROBE_MB (agent still running)"
cmd "kernel-default: echo 20 >$VM/compaction_proactiveness"
cmd "proactiveness-0: echo 0 >$VM/compaction_proactiveness"
cmd "kvm-host-agent: vmtune apply kvm-host --profile-dir $P --yes;" \
  "vmtune agent kvm-host --profile-dir $P --interval $AGENT_INTERVAL $KVM_AGENT_FLAGS"
cmd "fixed-10s: echo 0 >$VM/compaction_proactiveness;" \
  "while :; do echo 1 >$VM/compact_memory; sleep 10; done (a cron-like schedule)"
r=1
while [ $r -le "$RUNS" ]; do
  # Interleaved (run 1 of every strategy, then run 2 …) so that drift over the boot is shared.
  for s in $STRATEGIES; do one_run "$s" "$r"; done
  r=$((r + 1))
done
reset
echo "VMSTART-END"
