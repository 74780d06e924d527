#!/bin/sh
# Agent evaluation inside the qemu guest (not part of `make test`; run with Tests/kernel/eval.sh).
# The same fragmenting churn runs under four compaction strategies; every round we sample the
# free order-4 blocks (64 KiB, the order of the incidents' failures) and the kernel's compaction work.
# Prints "EVAL" lines that eval.sh turns into the table in docs/AGENT-EVALUATION.md.
export NO_COLOR=1
ROUNDS=${ROUNDS:-8}
. /vmtune/guest-lib.sh
scanned() { awk '$1 == "compact_migrate_scanned" { print $2 }' /proc/vmstat; }
reset() {
  for p in $(pidof frag); do kill "$p"; done
  sleep 1
  echo 1 > /proc/sys/vm/compact_memory
  sleep 1
}

cat >/tmp/fixed.yaml <<'YAML'
apiVersion: vmtune/v1
name: fixed-interval
actions:
  compact: { every: 10s }
YAML
cat >/tmp/trigger.yaml <<'YAML'
apiVersion: vmtune/v1
name: trigger
actions:
  compact: { when: { order: 4, free_blocks_below: 8192 }, min_interval: 10s }
YAML

run() {
  name=$1 proactiveness=$2 profile=$3
  reset
  echo "$proactiveness" > /proc/sys/vm/compaction_proactiveness
  # A long-lived holder fragments almost all memory (every other page of it stays in use).
  rm -f /tmp/holder.out
  frag $(( $(sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 - 160 )) 100000 >/tmp/holder.out 2>&1 &
  i=0; while ! grep -q holding /tmp/holder.out 2>/dev/null && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
  agentpid=""
  if [ -n "$profile" ]; then
    rm -f /var/lib/vmtune/agent-state.json
    vmtune agent "$profile" --interval 2s 2>/tmp/agent-$name.log &
    agentpid=$!
  fi
  s0=$(scanned); t0=$(date +%s)
  samples=""
  i=0
  while [ $i -lt "$ROUNDS" ]; do
    # Churn: short-lived allocations that take free pages wherever the allocator finds them.
    frag 48 1 >/dev/null 2>&1 &
    sleep 3
    samples="$samples $(order4)"
    i=$((i + 1))
  done
  s1=$(scanned); t1=$(date +%s)
  [ -n "$agentpid" ] && kill "$agentpid" && wait "$agentpid" 2>/dev/null
  runs=0
  [ -n "$profile" ] && runs=$(grep -c 'compact ran' /tmp/agent-$name.log)
  echo "EVAL $name proactiveness=$proactiveness runs=$runs scanned=$((s1 - s0)) seconds=$((t1 - t0)) samples=$samples"
  [ -n "$profile" ] && sed -n 's/^/EVALLOG /p' /tmp/agent-$name.log | head -n 3
}

echo "EVAL-START kernel $(uname -r), $(grep MemTotal /proc/meminfo | tr -s ' '), $ROUNDS rounds of 3 s after a holder fragments free memory"
run none 0 ""
run proactive-default 20 ""
run fixed-interval-10s 0 /tmp/fixed.yaml
run trigger-driven 0 /tmp/trigger.yaml
