#!/bin/sh
# Runs inside the qemu guest (busybox sh) against the real kernel's /proc/sys/vm.
# Prints one line per case: "PASS name", "FAIL name: why", and "INFO …" for context.
shape=${1:-single}
# core: the cases every kernel and shape runs; all: also fragmentation, agent and page cache
# (run.sh picks, to keep the suite's time).
cases=${2:-all}
P=/vmtune/profiles
export NO_COLOR=1

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
info() { echo "INFO $*"; }
# Diagnostics for a failed case: the host side prints only PASS/FAIL/INFO lines.
show() { for f in "$@"; do sed "s|^|INFO   ${f##*/}: |" "$f"; done; }
. /vmtune/guest-lib.sh

# Every readable vm sysctl as key=value, triggers excluded (reading stat_refresh folds counters).
# One awk for all files rather than a command per file: a fork costs milliseconds under TCG, and
# the crash series dumps the state about a hundred times. Not the shell's read: busybox reads a
# byte at a time, and a sysctl file answers only the first read (the value's first digit).
vm_state() {
  set --
  for f in /proc/sys/vm/*; do
    case ${f##*/} in drop_caches|compact_memory|stat_refresh) ;; *) set -- "$@" "$f" ;; esac
  done
  awk '{ k = FILENAME; sub(/.*\//, "", k); gsub(/\t/, " "); print k "=" $0 }' "$@"
}

# Nodes without CPUs (an empty cpulist): numa3's memory-only node.
cpuless=""
for d in /sys/devices/system/node/node*; do
  [ -n "$(tr -d ' \n' <"$d/cpulist")" ] || cpuless="$cpuless ${d##*node}"
done
info "kernel $(uname -r), shape $shape, nodes $(ls -d /sys/devices/system/node/node* | wc -l)${cpuless:+ (without CPUs:$cpuless)}," \
  "$(grep MemTotal /proc/meminfo | tr -s ' '); zones with pages:" \
  "$(awk '/^Node/ { n = $2; z = $4; sub(",", "", n) } $1 == "managed" && $2 > 0 { printf "%sNode %s %s %d MiB", sep, n, z, $2 / 256; sep = ", " }' /proc/zoneinfo)"
t_suite=$(date +%s)
# Every "restores exactly" case compares two vm_state dumps; a dump that cut values short would make
# them pass whatever happened. Check it against tr (which reads the whole value), once.
for k in min_free_kbytes lowmem_reserve_ratio dirty_ratio; do
  vm_state | grep -qxF "$k=$(tr '\t' ' ' </proc/sys/vm/$k)" || fail "vm-state-dump-reads-whole-values: $k: $(vm_state | grep "^$k=")"
done

# 1. plan on the live kernel: a real plan, exit 0 (in sync) or 2 (changes).
vmtune plan kvm-host --profile-dir $P >/tmp/plan.txt 2>&1; rc=$?
if [ $rc = 0 ] || [ $rc = 2 ] && grep -q '^Plan: ' /tmp/plan.txt; then pass "plan-live-kernel ($(grep '^Plan: ' /tmp/plan.txt))"
else fail "plan-live-kernel: exit $rc"; show /tmp/plan.txt; fi

# 2. A saved plan's predicted watermarks are exactly what the kernel computes once the plan is
#    applied (every zone, promo included); after rollback's recompute the model reproduces the
#    kernel's watermarks from the live settings. (At boot they can lag: memory freed after the
#    boot-time computation, such as the initramfs, raises managed pages without a recompute.)
before=$(vm_state)
vmtune watermarks >/tmp/wm-boot.txt 2>&1
vmtune plan kvm-host --profile-dir $P --out /tmp/kvm.json >/dev/null 2>&1
vmtune apply --plan /tmp/kvm.json --yes >/tmp/apply.txt 2>&1; rc=$?
if [ $rc = 0 ] && vmtune watermarks --expect /tmp/kvm.json >/tmp/wm.txt 2>&1; then
  pass "predicted-watermarks-equal-zoneinfo-after-apply ($(tail -1 /tmp/wm.txt))"
else fail "predicted-watermarks-equal-zoneinfo-after-apply: apply exit $rc"; show /tmp/apply.txt /tmp/wm.txt; fi
vmtune rollback --yes >/dev/null 2>&1
if [ "$before" = "$(vm_state)" ]; then pass "rollback-after-saved-plan"; else fail "rollback-after-saved-plan"; fi
if vmtune watermarks --verify >/tmp/wm.txt 2>&1; then pass "watermark-model-matches-kernel-after-recompute ($(tail -1 /tmp/wm.txt))"
else fail "watermark-model-matches-kernel-after-recompute"; show /tmp/wm-boot.txt /tmp/wm.txt; fi

# 2b. Watermarks after a series of writes, extreme legal values included. Each step writes
#     min_free_kbytes and watermark_scale_factor through a saved plan; after it, the live
#     watermarks must be the plan's prediction (watermarks --expect), the model must reproduce
#     them from the live settings (watermarks --verify), and, read here with awk rather than
#     vmtune's parser, /proc/zoneinfo's min/low/high (boost taken off) and promo (printed since
#     6.2 for memory tiering) must be the plan's numbers for every zone. The Movable zone
#     (movable shape: min capped at 128 pages, a different rule) and the CPU-less node (numa3) are
#     named with their numbers in every step. Steps: both knobs at their minimum (128 kB, below
#     the kernel docs' 1024 kB floor, is only a warning); the catalog's maximum scale factor with
#     the tiny reserve (high = 30 % of each zone); 4 % of RAM (under the 5 % guard) with factor 1
#     and with the maximum; 12 % of RAM with --force (over the guard). Last, a write made without
#     vmtune (echo), then --verify alone.
t0=$(date +%s)
# Per zone, as zoneinfo prints it: node zone min low high promo ("-" before 6.2), boost taken off.
zone_wmarks() {
  awk 'function out() { if (z != "") print z, mn - b, lo - b, hi - b, (pr == "" ? "-" : pr - b) }
    /^Node/ { out(); z = $2 " " $4; sub(",", "", z); b = 0; pr = "" }
    $1 == "boost" { b = $2 } $1 == "min" { mn = $2 } $1 == "low" { lo = $2 } $1 == "high" { hi = $2 }
    $1 == "promo" { pr = $2 }
    END { out() }' /proc/zoneinfo
}
# A saved plan's predicted watermarks after apply: node zone min low high promo, one zone a line.
plan_after() {
  awk '/"watermarks" : \[/ { w = 1; next }
    !w { next }
    d == 0 && /^ *\]/ { exit }
    /\{/ { d++; if (d == 2) part = $1 }
    /\}/ { d--; if (d == 0) print node, zone, v["min"], v["low"], v["high"], v["promo"] }
    { gsub(/[",]/, "") }
    d == 1 && $1 == "node" { node = $3 }
    d == 1 && $1 == "zone" { zone = $3 }
    d == 2 && part ~ /after/ { v[$1] = $3 }' "$1"
}
# Compares plan_after FILE with zone_wmarks; prints "mismatch: …" lines for differing zones and
# "zone: …" lines for the Movable zone and the CPU-less nodes' zones with pages.
compare_wmarks() {
  zone_wmarks >/tmp/wm-kernel.txt
  plan_after "$1" | while read -r node zone mn lo hi pr; do
    set -- $(awk -v n="$node" -v z="$zone" '$1 == n && $2 == z { print $3, $4, $5, $6 }' /tmp/wm-kernel.txt)
    if [ $# = 0 ]; then echo "mismatch: Node $node $zone in the plan, not in zoneinfo"; continue; fi
    k="$1/$2/$3"; p="$mn/$lo/$hi"; what=min/low/high
    [ "$4" = - ] || { k="$k/$4"; p="$p/$pr"; what=$what/promo; }
    [ "$k" = "$p" ] || echo "mismatch: Node $node $zone: zoneinfo $what $k, plan predicted $p"
    managed=$(awk -v n="Node $node, zone" -v z="$zone" '$1 " " $2 " " $3 == n && $4 == z { f = 1; next }
      f && $1 == "managed" { print $2; exit }' /proc/zoneinfo)
    case " $cpuless " in *" $node "*) special=" (node without CPUs)" ;; *) special="" ;; esac
    [ "$zone" = Movable ] && special=" (Movable)"
    [ -n "$special" ] && [ "${managed:-0}" -gt 0 ] && echo "zone: Node $node $zone$special, $managed managed pages: zoneinfo $what $k, plan $p"
  done
}
mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
# The catalog's range for the running kernel ("accepts 1 … 3000"), checked against the kernel
# itself: the values just outside must be refused (EINVAL), the ends accepted.
wsf_max=$(vmtune explain watermark_scale_factor | sed -n 's/^ *accepts *[0-9]* … \([0-9]*\)$/\1/p' | head -n 1)
wsf_now=$(cat /proc/sys/vm/watermark_scale_factor)
range=""
for v in 0 $((wsf_max + 1)); do
  if echo $v 2>/dev/null >/proc/sys/vm/watermark_scale_factor; then range="$range; $v accepted"; fi
done
for v in 1 $wsf_max; do
  echo $v 2>/dev/null >/proc/sys/vm/watermark_scale_factor && [ "$(cat /proc/sys/vm/watermark_scale_factor)" = $v ] \
    || range="$range; $v refused"
done
echo "$wsf_now" >/proc/sys/vm/watermark_scale_factor
if [ -n "$wsf_max" ] && [ -z "$range" ]; then
  pass "catalog-range-is-the-kernels (watermark_scale_factor 1 … $wsf_max: 0 and $((wsf_max + 1)) refused by the kernel)"
else fail "catalog-range-is-the-kernels: catalog maximum '${wsf_max}'${range}"; fi
[ -n "$wsf_max" ] || wsf_max=1000
before=$(vm_state)
steps=0; applied=0
for step in "128 1" "128 $wsf_max" "$((mem_kb * 4 / 100)) 1" "$((mem_kb * 4 / 100)) $wsf_max" "$((mem_kb * 12 / 100)) 10 --force"; do
  set -- $step
  mf=$1; wsf=$2; force=${3:-}
  printf 'apiVersion: vmtune/v1\nname: wm\nsysctl:\n  min_free_kbytes: %s\n  watermark_scale_factor: %s\n' "$mf" "$wsf" >/tmp/wm.yaml
  name="watermarks-after-write (min_free_kbytes $mf, watermark_scale_factor $wsf${force:+, $force})"
  vmtune plan /tmp/wm.yaml --out /tmp/wm.json >/tmp/wm-plan.txt 2>&1; prc=$?
  vmtune apply --plan /tmp/wm.json --yes $force >/tmp/wm-apply.txt 2>&1; arc=$?
  [ $arc != 0 ] || applied=$((applied + 1))
  vmtune watermarks --expect /tmp/wm.json >/tmp/wm-expect.txt 2>&1; erc=$?
  vmtune watermarks --verify >/tmp/wm-verify.txt 2>&1; vrc=$?
  compare_wmarks /tmp/wm.json >/tmp/wm-cmp.txt
  why=""
  # plan exits 2 (changes to apply), or 1 with the min_free_kbytes guard when the step needs --force.
  if [ -n "$force" ]; then
    [ $prc = 1 ] && grep -q '^guard: min_free_kbytes' /tmp/wm-plan.txt || why="$why; plan exit $prc without the guard"
  else [ $prc = 2 ] || why="$why; plan exit $prc"; fi
  [ $arc = 0 ] || why="$why; apply exit $arc"
  [ "$(cat /proc/sys/vm/min_free_kbytes) $(cat /proc/sys/vm/watermark_scale_factor)" = "$mf $wsf" ] \
    || why="$why; the kernel holds $(cat /proc/sys/vm/min_free_kbytes) and $(cat /proc/sys/vm/watermark_scale_factor)"
  [ $erc = 0 ] || why="$why; watermarks --expect exit $erc"
  [ $vrc = 0 ] || why="$why; watermarks --verify exit $vrc"
  grep -q '^mismatch' /tmp/wm-cmp.txt && why="$why; zoneinfo differs from the plan"
  if [ -z "$why" ]; then
    pass "$name: $(plan_after /tmp/wm.json | wc -l) zones equal zoneinfo$(grep -q '^ *promo ' /proc/zoneinfo && echo ', promo included')"
    steps=$((steps + 1))
  else
    fail "$name: ${why#; }"
    grep -h '^mismatch' /tmp/wm-cmp.txt | sed 's/^/INFO   zoneinfo vs plan: /'
    grep -h 'mismatch' /tmp/wm-expect.txt /tmp/wm-verify.txt | sed 's/^/INFO   vmtune watermarks: /'
    grep -E '^(guard|warning|error)' /tmp/wm-plan.txt /tmp/wm-apply.txt | sed 's|^/tmp/||; s|^|INFO   |'
  fi
  sed -n 's/^zone: /INFO   /p' /tmp/wm-cmp.txt
done
# Undo the applies, newest first: each rollback restores what its apply replaced.
i=0
while [ $i -lt $applied ]; do vmtune rollback --yes >/tmp/wm-rb.txt 2>&1 || show /tmp/wm-rb.txt; i=$((i + 1)); done
if [ "$before" = "$(vm_state)" ]; then pass "rollback-of-$applied-generations-restores-exactly"
else fail "rollback-of-$applied-generations-restores-exactly"; echo "$before" >/tmp/before; vm_state >/tmp/after; diff /tmp/before /tmp/after >/tmp/state.diff; show /tmp/state.diff; fi
# A write made behind vmtune's back (another tool, sysctl -w): the model follows the live values.
echo $((wsf_max / 2)) >/proc/sys/vm/watermark_scale_factor
echo $((mem_kb / 50)) >/proc/sys/vm/min_free_kbytes
if vmtune watermarks --verify >/tmp/wm-verify.txt 2>&1; then
  pass "watermarks-verify-after-a-write-by-echo (min_free_kbytes $((mem_kb / 50)), watermark_scale_factor $((wsf_max / 2)): $(tail -n 1 /tmp/wm-verify.txt))"
else fail "watermarks-verify-after-a-write-by-echo"; show /tmp/wm-verify.txt; fi
echo "$before" | sed -n 's/^watermark_scale_factor=//p' >/proc/sys/vm/watermark_scale_factor
echo "$before" | sed -n 's/^min_free_kbytes=//p' >/proc/sys/vm/min_free_kbytes
info "watermark series: $steps of 5 steps exact, $(( $(date +%s) - t0 ))s"

# 3. apply, check, apply again, rollback — for two roles.
for role in kvm-host file-server; do
  before=$(vm_state)
  vmtune apply $role --profile-dir $P --yes >/tmp/apply.txt 2>&1; rc=$?
  if [ $rc = 0 ]; then pass "apply-$role ($(grep -c '✓' /tmp/apply.txt) writes verified)"
  else fail "apply-$role: exit $rc"; show /tmp/apply.txt; fi

  vmtune check $role --profile-dir $P >/tmp/check.txt 2>&1; rc=$?
  if [ $rc = 0 ]; then pass "check-no-drift-after-apply-$role"
  else fail "check-no-drift-after-apply-$role: exit $rc"; show /tmp/check.txt; fi

  vmtune apply $role --profile-dir $P --yes --detailed-exitcode >/tmp/apply2.txt 2>&1; rc=$?
  if [ $rc = 0 ] && grep -q 'Nothing to do' /tmp/apply2.txt; then pass "second-apply-writes-nothing-$role"
  else fail "second-apply-writes-nothing-$role: exit $rc"; show /tmp/apply2.txt; fi

  vmtune rollback --yes >/tmp/rb.txt 2>&1; rc=$?
  after=$(vm_state)
  if [ $rc = 0 ] && [ "$before" = "$after" ]; then pass "rollback-restores-exactly-$role ($(grep -c '↺' /tmp/rb.txt) restored)"
  else
    fail "rollback-restores-exactly-$role: exit $rc"
    echo "$before" >/tmp/before; echo "$after" >/tmp/after; diff /tmp/before /tmp/after >/tmp/state.diff; show /tmp/state.diff /tmp/rb.txt
  fi
done

# 4. A value the kernel itself rejects (swappiness 300, forced past vmtune's validation) makes the
#    kernel return EINVAL mid-apply; every value written before it must be restored.
cat >/tmp/reject.yaml <<'YAML'
apiVersion: vmtune/v1
name: reject
sysctl:
  watermark_scale_factor: 150
  min_free_kbytes: 45678
  swappiness: 7
YAML
before=$(vm_state)
vmtune plan /tmp/reject.yaml --out /tmp/reject.json >/dev/null 2>&1
sed -i 's/"desired" : "7"/"desired" : "300"/' /tmp/reject.json
vmtune apply --plan /tmp/reject.json --yes >/tmp/r1.txt 2>&1; rc=$?
if [ $rc = 1 ] && grep -q "above the kernel's maximum 200" /tmp/r1.txt && [ "$before" = "$(vm_state)" ]; then
  pass "edited-saved-plan-is-revalidated"
else fail "edited-saved-plan-is-revalidated: exit $rc"; show /tmp/r1.txt; fi
vmtune apply --plan /tmp/reject.json --yes --unsafe-skip-validation >/tmp/r2.txt 2>&1; rc=$?
after=$(vm_state)
if [ $rc = 1 ] && grep -q 'EINVAL' /tmp/r2.txt && grep -q 'every value written was restored' /tmp/r2.txt && [ "$before" = "$after" ]; then
  pass "kernel-rejection-rolls-back ($(grep -o '[0-9]* restored)' /tmp/r2.txt | tr -d ')'))"
else
  fail "kernel-rejection-rolls-back: exit $rc"; show /tmp/r2.txt
  echo "$before" >/tmp/before; echo "$after" >/tmp/after; diff /tmp/before /tmp/after >/tmp/state.diff; show /tmp/state.diff
fi

# 5. An injected failure at the last write on the real kernel restores everything.
before=$(vm_state)
vmtune apply kvm-host --profile-dir $P --yes --inject-fault write:3 >/tmp/f.txt 2>&1; rc=$?
if [ $rc = 1 ] && [ "$before" = "$(vm_state)" ]; then pass "injected-fault-restores-live-kernel"
else fail "injected-fault-restores-live-kernel: exit $rc"; show /tmp/f.txt; fi

# 5b. The state file system fills up after the first journal write: a 16 KiB tmpfs on
#     /var/lib/vmtune with one page left. The in-progress journal fits, the final record would not:
#     apply must refuse before its first sysctl write, on every run. With two pages left it
#     applies and leaves a complete record; rollback (its record and the agent's stand-down
#     marker take their room first) needs a third.
mkdir -p /var/lib/vmtune
if mount -t tmpfs -o size=16k,mode=0700 tmpfs /var/lib/vmtune; then
  before=$(vm_state)
  dd if=/dev/zero of=/var/lib/vmtune/filler bs=4096 count=3 2>/dev/null
  vmtune apply kvm-host --profile-dir $P --yes >/tmp/s1.txt 2>&1; rc1=$?
  vmtune apply kvm-host --profile-dir $P --yes >/tmp/s2.txt 2>&1; rc2=$?
  if [ $rc1 = 1 ] && [ $rc2 = 1 ] && grep -q 'nothing was changed: .*ENOSPC' /tmp/s1.txt \
     && [ "$before" = "$(vm_state)" ] && ! ls /var/lib/vmtune/journal/*.json >/dev/null 2>&1; then
    pass "full-state-disk-refuses-before-any-write"
  else fail "full-state-disk-refuses-before-any-write: exit $rc1/$rc2"; show /tmp/s1.txt /tmp/s2.txt; fi
  dd if=/dev/zero of=/var/lib/vmtune/filler bs=4096 count=2 2>/dev/null
  vmtune apply kvm-host --profile-dir $P --yes >/tmp/s3.txt 2>&1; rc=$?
  grep -q '"state" : "applied"' /var/lib/vmtune/journal/000001.json 2>/dev/null; recorded=$?
  rm -f /var/lib/vmtune/filler
  vmtune rollback --yes >/tmp/s4.txt 2>&1; rc4=$?
  if [ $rc = 0 ] && [ $recorded = 0 ] && [ $rc4 = 0 ] && [ "$before" = "$(vm_state)" ]; then
    pass "full-state-disk-with-room-for-the-record-applies-and-rolls-back"
  else fail "full-state-disk-with-room-for-the-record-applies-and-rolls-back: exit $rc/$rc4"; show /tmp/s3.txt /tmp/s4.txt; fi
  umount /var/lib/vmtune
else
  fail "full-state-disk-refuses-before-any-write: cannot mount a tmpfs on /var/lib/vmtune"
fi

# 5c. A journal edited by hand is refused with the file named, writing nothing; a value changed
#     since the apply (by someone else) refuses rollback unless --force; after a rollback the
#     agent stands down instead of putting the profile back.
before=$(vm_state)
vmtune apply kvm-host --profile-dir $P --yes >/dev/null 2>&1
applied=$(vm_state)
j=$(ls /var/lib/vmtune/journal/*.json | tail -n 1)
cp "$j" /tmp/journal.saved
sed -i 's/"original" : "60"/"original" : "9999"/' "$j"
vmtune rollback --yes >/tmp/e1.txt 2>&1; rc=$?
if [ $rc = 1 ] && grep -q "cannot use journal $j: its digest does not match" /tmp/e1.txt \
   && grep -q 'nothing was written' /tmp/e1.txt && [ "$applied" = "$(vm_state)" ]; then
  pass "hand-edited-journal-is-refused"
else fail "hand-edited-journal-is-refused: exit $rc"; show /tmp/e1.txt; fi
cp /tmp/journal.saved "$j"
echo 33 > /proc/sys/vm/swappiness
vmtune rollback --yes >/tmp/e2.txt 2>&1; rc=$?
if [ $rc = 1 ] && grep -q 'swappiness: vmtune wrote 10, live 33 (the original was 60)' /tmp/e2.txt \
   && [ "$(cat /proc/sys/vm/swappiness)" = 33 ]; then
  vmtune rollback --yes --force >/tmp/e3.txt 2>&1; rc=$?
  if [ $rc = 0 ] && [ "$before" = "$(vm_state)" ]; then pass "rollback-refuses-values-changed-since-unless-forced"
  else fail "rollback-refuses-values-changed-since-unless-forced: forced exit $rc"; show /tmp/e3.txt; fi
else fail "rollback-refuses-values-changed-since-unless-forced: exit $rc"; show /tmp/e2.txt; fi
vmtune agent kvm-host --profile-dir $P --once >/tmp/e4.txt 2>&1; rc=$?
if [ $rc = 0 ] && grep -q "standing down: 'vmtune rollback' restored generation" /tmp/e4.txt \
   && [ "$before" = "$(vm_state)" ]; then
  pass "agent-stands-down-after-rollback"
else fail "agent-stands-down-after-rollback: exit $rc"; show /tmp/e4.txt; fi
rm -f /var/lib/vmtune/stand-down.json   # what the next 'vmtune apply' would do; the agent cases below enforce nothing

# 5e. Persist is part of the journaled change: an unusable /etc/sysctl.d (a file where the
#     directory should be) refuses apply --persist before any sysctl write; on a host already in
#     sync, --persist alone is a journal generation that rollback undoes by removing the file; an
#     identical file is not rewritten.
before=$(vm_state)
rm -rf /etc/sysctl.d && touch /etc/sysctl.d
vmtune apply kvm-host --profile-dir $P --yes --persist >/tmp/p1.txt 2>&1; rc1=$?
if [ $rc1 = 1 ] && [ "$before" = "$(vm_state)" ]; then pass "persist-unwritable-refuses-before-any-write"
else fail "persist-unwritable-refuses-before-any-write: exit $rc1"; show /tmp/p1.txt; fi
rm -f /etc/sysctl.d && mkdir -p /etc/sysctl.d
vmtune apply kvm-host --profile-dir $P --yes >/dev/null 2>&1
applied=$(vm_state)
vmtune apply kvm-host --profile-dir $P --yes --persist >/tmp/p2.txt 2>&1; rc2=$?
f=/etc/sysctl.d/90-vmtune.conf
stamp=$(stat -c "%i %Y" "$f" 2>/dev/null)
vmtune apply kvm-host --profile-dir $P --yes --persist >/tmp/p3.txt 2>&1; rc3=$?
stamp3=$(stat -c "%i %Y" "$f" 2>/dev/null || echo gone)
vmtune rollback --yes >/tmp/p4.txt 2>&1; rc4=$?
gone=1; [ -e "$f" ] || gone=0
if [ $rc2 = 0 ] && [ -n "$stamp" ] && grep -q 'journal generation' /tmp/p2.txt && [ $rc3 = 0 ] \
   && [ "$stamp" = "$stamp3" ] && grep -q 'not rewritten' /tmp/p3.txt \
   && [ $rc4 = 0 ] && [ $gone = 0 ] && [ "$applied" = "$(vm_state)" ]; then
  pass "persist-is-journaled-and-rolled-back"
else fail "persist-is-journaled-and-rolled-back: exits $rc2/$rc3/$rc4, file gone: $gone"; show /tmp/p2.txt /tmp/p3.txt /tmp/p4.txt; fi
vmtune rollback --yes >/dev/null 2>&1
[ "$before" = "$(vm_state)" ] || fail "persist-is-journaled-and-rolled-back: the settings before the case were not restored"
rm -f /var/lib/vmtune/stand-down.json

# 5d. Crash safety on the live kernel: apply is SIGKILLed just before its Nth write (crash:N), for
#     every N until an apply gets through; after each crash both ways out must leave every
#     /proc/sys/vm value exact: `rollback` (recovers the in-progress journal: the state before),
#     and, after the same crash again, `apply` (recovers first, then applies: the state a clean
#     apply gives; its rollback then gives the state before). The profile has what makes
#     restoring hard on a real kernel: both exclusive pairs (writing dirty_bytes makes the kernel
#     zero dirty_ratio, and dirty_bytes cannot be written back to 0, so the ratio must be
#     restored instead; the same for the background pair), lowmem_reserve_ratio (a list, recomputes
#     every zone's protection) and min_free_kbytes/watermark_scale_factor (recompute every
#     watermark). It runs twice: from the boot defaults (ratios) to bytes, and from bytes (set
#     here by echo) back to ratios.
t0=$(date +%s)
dump_diff() { echo "$1" >/tmp/a; echo "$2" >/tmp/b; diff /tmp/a /tmp/b | grep '^[-+][a-z]' | tr '\n' ' '; }
crash_series() {  # NAME PROFILE
  base=$(vm_state)
  vmtune apply "$2" --yes >/tmp/c0.txt 2>&1; rc=$?
  applied=$(vm_state)
  vmtune rollback --yes >/tmp/c0rb.txt 2>&1
  if [ $rc != 0 ] || [ "$base" != "$(vm_state)" ]; then
    fail "crash-$1-clean-apply-and-rollback: apply exit $rc; $(dump_diff "$base" "$(vm_state)")"; show /tmp/c0.txt /tmp/c0rb.txt
    return
  fi
  n=1
  while [ $n -le 20 ]; do
    vmtune apply "$2" --yes --inject-fault crash:$n >/tmp/c1.txt 2>&1; rc=$?
    if [ $rc != 137 ]; then   # not killed: there is no write N; every write point has been tried
      [ $rc = 0 ] && vmtune rollback --yes >/dev/null 2>&1
      break
    fi
    mid=$(vm_state)
    changed=$(echo "$base" >/tmp/a; echo "$mid" | grep -vxF -f /tmp/a | sed 's/=.*//' | tr '\n' ' ')
    why=""
    vmtune rollback --yes >/tmp/c2.txt 2>&1; rc=$?
    after=$(vm_state)
    [ $rc = 0 ] || why="$why; rollback exit $rc"
    [ "$after" = "$base" ] || why="$why; after rollback: $(dump_diff "$base" "$after")"
    vmtune apply "$2" --yes --inject-fault crash:$n >/dev/null 2>&1; rc=$?
    [ $rc = 137 ] || why="$why; second crash at $n: exit $rc"
    vmtune apply "$2" --yes >/tmp/c3.txt 2>&1; rc=$?
    after=$(vm_state)
    [ $rc = 0 ] || why="$why; apply after the crash exit $rc"
    grep -q 'Recovered an interrupted apply' /tmp/c3.txt || why="$why; apply did not say it recovered"
    [ "$after" = "$applied" ] || why="$why; after apply (against a clean apply): $(dump_diff "$applied" "$after")"
    vmtune rollback --yes >/tmp/c4.txt 2>&1; rc=$?
    after=$(vm_state)
    [ "$after" = "$base" ] || why="$why; after the recovering apply's rollback (exit $rc): $(dump_diff "$base" "$after")"
    if [ -z "$why" ]; then
      pass "crash-$1-before-write-$n-is-recovered (changed when killed: ${changed:-nothing}; rollback exact; apply recovered and exact; its rollback exact)"
    else
      fail "crash-$1-before-write-$n-is-recovered: ${why#; }"; show /tmp/c1.txt /tmp/c2.txt /tmp/c3.txt
    fi
    n=$((n + 1))
  done
  writes=$((n - 1))
  info "crash-$1: $writes write points, $(grep -c '✓' /tmp/c0.txt) settings in a clean apply"
  [ $writes -ge 5 ] || fail "crash-$1-write-points: only $writes write points (apply exit $rc at crash:$n)"
}
cat >/tmp/crash-bytes.yaml <<'YAML'
apiVersion: vmtune/v1
name: crash-bytes
sysctl:
  dirty_bytes: 268435456
  dirty_background_bytes: 67108864
  lowmem_reserve_ratio: [128, 128, 16]
  min_free_kbytes: 45678
  watermark_scale_factor: 150
YAML
cat >/tmp/crash-ratios.yaml <<'YAML'
apiVersion: vmtune/v1
name: crash-ratios
sysctl:
  dirty_ratio: 15
  dirty_background_ratio: 5
  lowmem_reserve_ratio: [64, 64, 8]
  min_free_kbytes: 34567
  watermark_scale_factor: 250
YAML
before=$(vm_state)
crash_series ratios-to-bytes /tmp/crash-bytes.yaml
ratio=$(cat /proc/sys/vm/dirty_ratio); bg_ratio=$(cat /proc/sys/vm/dirty_background_ratio)
echo 536870912 >/proc/sys/vm/dirty_bytes; echo 134217728 >/proc/sys/vm/dirty_background_bytes
crash_series bytes-to-ratios /tmp/crash-ratios.yaml
echo "$ratio" >/proc/sys/vm/dirty_ratio; echo "$bg_ratio" >/proc/sys/vm/dirty_background_ratio
[ "$before" = "$(vm_state)" ] || fail "crash-series-leave-the-guest-as-before: $(dump_diff "$before" "$(vm_state)")"
info "crash series: $(( $(date +%s) - t0 ))s"

# The heavy cases below run in the kernels and shapes run.sh names (HEAVY), to keep the suite's time.
if [ "$cases" != all ]; then
  info "core cases only here (fragmentation, agent and page-cache cases run in other shapes); $(( $(date +%s) - t_suite ))s"
  exit 0
fi

# 6. Fragment the guest (touch most free memory, free every other page) and compare our
#    fragmentation and unusable indexes with the kernel's own debugfs files. Background
#    (proactive) compaction is switched off so that only the actions below change the layout.
#    The holder leaves 96 MiB free, or 32 MiB above the zones' low watermarks where those are
#    higher: no swap and a tmpfs root leave kswapd nothing to reclaim, so touching more ends in the
#    OOM killer. (96 MiB alone did not fit 6.12 on numa3: its THP-raised min_free_kbytes, 88 MiB
#    for four populated zones, puts the low watermarks at 110 MiB.)
echo 0 > /proc/sys/vm/compaction_proactiveness
low_mb=$(awk '$1 == "low" { s += $2 } END { print int(s / 256) }' /proc/zoneinfo)
margin=$(( low_mb + 32 > 96 ? low_mb + 32 : 96 ))
free_mb=$(( $(sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 - margin ))
: >/tmp/frag.out
frag $free_mb 600 >/tmp/frag.out 2>&1 &
fragpid=$!
i=0
while ! grep -q holding /tmp/frag.out 2>/dev/null && kill -0 $fragpid 2>/dev/null && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
info "$(cat /tmp/frag.out) after ${i}s ($free_mb MiB, low watermarks $low_mb MiB); buddyinfo: $(tr -s ' ' </proc/buddyinfo | tr '\n' ';')"
kill -0 $fragpid 2>/dev/null || info "the holder is gone: $(dmesg | grep -i 'killed process\|out of memory' | tail -n 2 | tr '\n' ' ')"
ok=0
for attempt in 1 2 3; do
  { echo extfrag_index:; cat /sys/kernel/debug/extfrag/extfrag_index; echo unusable_index:; cat /sys/kernel/debug/extfrag/unusable_index; } >/tmp/kernel-idx.txt
  vmtune diagnose --debugfs >/tmp/ours-idx.txt
  if cmp -s /tmp/kernel-idx.txt /tmp/ours-idx.txt; then ok=1; break; fi
  sleep 1
done
if [ $ok = 1 ]; then pass "indexes-equal-debugfs-on-fragmented-guest (attempt $attempt)"
else fail "indexes-equal-debugfs-on-fragmented-guest"; diff /tmp/kernel-idx.txt /tmp/ours-idx.txt >/tmp/idx.diff; show /tmp/idx.diff; fi
# Fragmented: in some zone at least half of the free memory sits in blocks below order 4
# (unusable_index column for order 4 is field 9).
frag_zone=$(awk '/^unusable_index:/{u=1; next} u && $9 >= 0.5 {print $4 " " $9; exit}' /tmp/kernel-idx.txt)
if [ -n "$frag_zone" ]; then pass "guest-is-fragmented (unusable index at order 4: $frag_zone)"
else fail "guest-is-fragmented"; show /tmp/kernel-idx.txt; fi
vmtune diagnose --order 4 >/tmp/diag.txt 2>&1
info "diagnose: $(grep -A1 '^1\. ' /tmp/diag.txt | tr -s ' ' | tr '\n' ' ')"

# Per-node compaction on the 2-node guest, while both nodes are still fragmented: node 1 only.
if [ "$shape" = numa2 ]; then
  cat >/tmp/node1.yaml <<'YAML'
apiVersion: vmtune/v1
name: compact-node1
actions:
  compact: { every: 1h, nodes: [1] }
YAML
  n1_before=$(order4 1); n0_before=$(order4 0)
  vmtune agent /tmp/node1.yaml --once >/tmp/agent.txt 2>&1; rc=$?
  n1_after=$(order4 1); n0_after=$(order4 0)
  line=$(grep 'compact ran' /tmp/agent.txt)
  # Node 1's compaction work is counted; node 0, not compacted, keeps its blocks (within 2 %).
  d0=$(( n0_after - n0_before ))
  if [ $rc = 0 ] && echo "$line" | grep -q 'compact_migrate_scanned +' && [ ${d0#-} -le $(( n0_before / 50 + 16 )) ]; then
    pass "agent-per-node-compaction (node 1 order-4 blocks $n1_before → $n1_after, node 0 $n0_before → $n0_after; $(echo "$line" | sed 's/.*blocks [0-9]* → [0-9]*, //'))"
  else fail "agent-per-node-compaction: exit $rc, node 1 order-4 blocks $n1_before → $n1_after"; show /tmp/agent.txt; fi
fi

# 7. The shipped kvm-host profile's compaction, on the guest fragmented above (on numa2 node 0 is
#    still fragmented): its condition (a node with less than 4 GiB free in 2 MiB blocks and more
#    than 70 % of its free memory in smaller pieces) holds, the agent compacts, and the free
#    order-9 blocks that VM starts need grow. --no-enforce: only the action is under test.
#    The holder above frees every other page; on one node that layout can stop the kernel's
#    whole-zone compaction after a few thousand pages (its scanners meet early), whoever asks for
#    it, so this case fragments afresh with a holder that frees a random half of its pages and
#    leaves 320 MiB free, as the VM-start evaluation does.
kill $fragpid 2>/dev/null; wait $fragpid 2>/dev/null
echo 1 > /proc/sys/vm/compact_memory
free_mb=$(( $(sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 - 320 ))
# Emptied here, not by the redirection below: that one runs in the forked child, and the wait loop
# can read the first holder's "holding" line before the child truncates the file (it did, twice
# under make test: the case then measured a guest nobody had fragmented).
: >/tmp/frag.out
frag $free_mb 600 random >/tmp/frag.out 2>&1 &
fragpid=$!
i=0
while ! grep -q holding /tmp/frag.out 2>/dev/null && kill -0 $fragpid 2>/dev/null && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
info "frag (random): $(cat /tmp/frag.out) after ${i}s ($free_mb MiB)"
kill -0 $fragpid 2>/dev/null || info "the holder is gone: $(dmesg | grep -i 'killed process\|out of memory' | tail -n 2 | tr '\n' ' ')"
rm -f /var/lib/vmtune/agent-state.json   # the per-node case above recorded a compact run
b0=$(free_blocks 9)
pro0=$(cat /proc/sys/vm/compaction_proactiveness)
w0=$(awk '$1 == "compact_migrate_scanned" || $1 == "compact_free_scanned" { s += $2 } END { print s }' /proc/vmstat)
vmtune agent $P/kvm-host.yaml --once --no-enforce >/tmp/agent.txt 2>&1; rc=$?
b1=$(free_blocks 9)
pro1=$(cat /proc/sys/vm/compaction_proactiveness)
w1=$(awk '$1 == "compact_migrate_scanned" || $1 == "compact_free_scanned" { s += $2 } END { print s }' /proc/vmstat)
line=$(grep 'compact ran (condition met: ' /tmp/agent.txt)
evidence=$(echo "$line" | sed 's/.*condition met: //; s/ of free memory unusable at order 9.*/ unusable at order 9/')
effect=$(echo "$line" | sed -n 's/.*); via [^,]*, \(order-9+ blocks [0-9]* → [0-9]*\).*/\1/p')
# The profile compacts to a target through kcompactd (until: unusable_below 50%): the agent
# raises compaction_proactiveness for the run and must leave it as it found it.
if [ $rc = 0 ] && [ -n "$line" ] && [ "$b1" -gt "$b0" ] && echo "$line" | grep -q '); via kcompactd until at most 50%' \
   && [ "$pro1" = "$pro0" ] && [ ! -e /var/lib/vmtune/proactiveness-restore ]; then
  pass "kvm-host-compacts-fragmented-guest (buddyinfo order-9 blocks $b0 → $b1; $evidence; agent: $effect;" \
    "$((w1 - w0)) pages scanned; proactiveness $pro0 → $pro1)"
else fail "kvm-host-compacts-fragmented-guest: exit $rc, buddyinfo order-9 blocks $b0 → $b1, proactiveness $pro0 → $pro1"
  show /tmp/agent.txt; fi

# 8. Actions on the real kernel, run by the agent (--once: one cycle, first run is due at once).
cat >/tmp/compact.yaml <<'YAML'
apiVersion: vmtune/v1
name: compact-all
actions:
  compact: { every: 1h }
YAML
# The action must run (the kernel counts the work in compact_migrate_scanned) and vmtune's
# effect report must agree with buddyinfo read independently before and after. How much order-4
# memory the kernel recovers varies from run to run (it is reported, and measured over time in
# docs/AGENT-EVALUATION.md).
rm -f /var/lib/vmtune/agent-state.json   # the per-node case above recorded a compact run
b0=$(order4)
vmtune agent /tmp/compact.yaml --once >/tmp/agent.txt 2>&1; rc=$?
b1=$(order4)
line=$(grep 'compact ran' /tmp/agent.txt)
before_blocks=$(echo "$line" | sed -n 's/.*order-4+ blocks \([0-9]*\) → \([0-9]*\).*/\1/p')
after_blocks=$(echo "$line" | sed -n 's/.*order-4+ blocks \([0-9]*\) → \([0-9]*\).*/\2/p')
# Within 2 %, plus 256 blocks (16 MiB): the agent's own memory is freed between its read and ours.
near() { d=$(( $1 - $2 )); [ ${d#-} -le $(( $2 / 50 + 256 )) ]; }
# The report's "before" matches our read just before; its "after" lies between our reads before
# and after (memory keeps settling after compaction returns: per-CPU lists drain, pages merge).
lo=$(( (b0 < b1 ? b0 : b1) - b1 / 50 - 256 )); hi=$(( (b0 > b1 ? b0 : b1) + b1 / 50 + 256 ))
if [ $rc = 0 ] && echo "$line" | grep -q 'compact_migrate_scanned +' && [ -n "$after_blocks" ] && near "$before_blocks" "$b0" \
   && [ "$after_blocks" -ge "$lo" ] && [ "$after_blocks" -le "$hi" ]; then
  pass "agent-compaction-runs-and-reports-its-effect (buddyinfo order-4 blocks $b0 → $b1; $(echo "$line" | sed 's/.*); //'))"
else fail "agent-compaction-runs-and-reports-its-effect: exit $rc, buddyinfo $b0 → $b1"; show /tmp/agent.txt; fi

cat >/tmp/drop.yaml <<'YAML'
apiVersion: vmtune/v1
name: drop
actions:
  drop_caches: { every: 1h, what: all, sync_first: true }
YAML
vmtune agent /tmp/drop.yaml --once >/tmp/agent.txt 2>&1; rc=$?
if [ $rc = 0 ] && grep -q 'drop_caches ran .*drop_pagecache +1, drop_slab +1' /tmp/agent.txt && dmesg | grep -q 'drop_caches: 3'; then
  pass "agent-drop-caches-counted-by-kernel ($(grep -o 'drop_pagecache +1, drop_slab +1' /tmp/agent.txt))"
else fail "agent-drop-caches-counted-by-kernel: exit $rc"; show /tmp/agent.txt; fi

# The same action again within the hour: the recorded history keeps it from running.
vmtune agent /tmp/drop.yaml --once >/tmp/agent2.txt 2>&1
if ! grep -q 'drop_caches ran' /tmp/agent2.txt; then pass "agent-schedule-holds-across-once-runs"
else fail "agent-schedule-holds-across-once-runs"; show /tmp/agent2.txt; fi

# 9. A compaction that cannot improve anything backs off. Memory has just been compacted (and is
#    compacted once more here); the condition below holds on any guest (less than 64 GiB free in
#    2 MiB blocks), so only the futile-run hold-off keeps the agent from compacting every cycle.
#    The first run should change nothing; should memory still settle into one more block, the
#    next run is futile (at most 3). Then a new agent (state from agent-state.json) runs 3
#    cycles 1 s apart: it holds the action off and does not compact again.
cat >/tmp/futile.yaml <<'YAML'
apiVersion: vmtune/v1
name: futile
actions:
  compact: { when: { order: 9, per: node, free_below: 64GiB }, min_interval: 1s }
YAML
rm -f /var/lib/vmtune/agent-state.json
echo 1 > /proc/sys/vm/compact_memory
sleep 1
for run in 1 2 3; do
  vmtune agent /tmp/futile.yaml --once >/tmp/futile1.txt 2>&1; rc1=$?
  grep -q 'compact changed nothing' /tmp/futile1.txt && break
  info "futile-compaction: run $run still made blocks: $(sed -n 's/.*); \(order-9+ [^,]*\).*/\1/p' /tmp/futile1.txt)"
  sleep 1   # min_interval 1s
done
vmtune agent /tmp/futile.yaml --interval 1s --cycles 3 >/tmp/futile2.txt 2>&1; rc2=$?
ran=$(grep -c 'compact ran' /tmp/futile2.txt)
futile=$(sed -n 's/.*compact changed nothing (\(order-9+ blocks [^,]*\).*/\1/p' /tmp/futile1.txt)
held=$(sed -n 's/.*compact: due but \(held off\) until .*/\1/p' /tmp/futile2.txt)
if [ $rc1 = 0 ] && grep -q 'compact ran (condition met: ' /tmp/futile1.txt && [ -n "$futile" ] && [ $rc2 = 0 ] \
   && [ "$ran" = 0 ] && grep -q 'compact: due but held off until .* changed nothing' /tmp/futile2.txt; then
  pass "futile-compaction-is-held-off (run $run: $futile, changed nothing; next agent, 3 cycles: $held, $ran runs)"
else
  fail "futile-compaction-is-held-off: exit $rc1/$rc2, $ran runs after the futile one"
  show /tmp/futile1.txt /tmp/futile2.txt
fi

kill $fragpid 2>/dev/null
wait $fragpid 2>/dev/null

# 10. A busy host whose page cache fills memory: kswapd wakes when a zone falls to its low
#     watermark and reclaims up to its high one, so free pages sit between the two, and raising
#     the watermarks (kvm-host: min_free_kbytes 128 MiB, watermark_scale_factor 200) leaves them
#     under the new low watermark. That is not the "3 GB reserved on a 4 GB box" mistake the
#     guards are for: the cache is clean and kswapd reclaims it once, up to the new high
#     watermark. Apply must go ahead and say how much it will reclaim (a warning, not a guard),
#     and the kernel's watermarks must be those the plan predicted; rollback then restores the
#     settings. It runs last, once the holder above has exited, so no other case sees the fill.
#     The cache comes from reading the NVMe disk run.sh attaches (the initramfs itself is tmpfs,
#     which kswapd cannot reclaim). The shell holds the disk open on fd 3 for the whole case: the
#     kernel drops a block device's page cache when its last opener closes it (blkdev_put ->
#     kill_bdev), so without it the cache would vanish as soon as dd exits. dd reads 256 MiB more
#     than is free, so kswapd has reclaimed (and settled near the high watermark) before vmtune
#     runs. About 3 GiB through the page cache costs 15-25 s under TCG; reading much less would leave
#     free pages above the new low watermark.

# Per zone (managed pages only): node, zone, free pages, file LRU pages, min/low/high as printed
# (boost included).
zone_pages() {
  awk '/^Node/ { z = $2 " " $4; sub(",", "", z) }
    $1 == "pages" && $2 == "free" { f[z] = $3; order[++n] = z }
    $1 == "min" { mn[z] = $2 } $1 == "low" { lo[z] = $2 } $1 == "high" { hi[z] = $2 }
    $1 == "managed" { m[z] = $2 }
    $1 == "nr_zone_inactive_file" || $1 == "nr_zone_active_file" { file[z] += $2 }
    END { for (i = 1; i <= n; i++) { z = order[i]; if (m[z] > 0) print z, f[z], file[z] + 0, mn[z] "/" lo[z] "/" hi[z] } }' /proc/zoneinfo
}
# A saved plan's watermark forecast: node, zone, low watermark now and after apply, one zone a line.
forecast_low() {
  awk '/"watermarks" : \[/ { w = 1; next }
    !w { next }
    d == 0 && /^ *\]/ { exit }
    /\{/ { d++; if (d == 2) part = $1 }
    /\}/ { d--; if (d == 0) print node, zone, now, after }
    { gsub(/[",]/, "") }
    d == 1 && $1 == "node" { node = $3 }
    d == 1 && $1 == "zone" { zone = $3 }
    d == 2 && $1 == "low" { if (part ~ /after/) after = $3; else now = $3 }' "$1"
}
# pgscan_kswapd until it stops moving (at most 10 s): the plan and apply then see settled free pages.
settle() {
  s0=-1; i=0
  while [ $i -lt 10 ]; do
    s1=$(awk '$1 == "pgscan_kswapd" { print $2 }' /proc/vmstat)
    [ "$s1" = "$s0" ] && break
    s0=$s1; sleep 1; i=$((i + 1))
  done
}
name=busy-page-cache-host-applies-with-reclaim-warning
before=$(vm_state)
t0=$(date +%s)
exec 3</dev/nvme0n1
fill_mb=$(( $(sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 + 256 ))
dd if=/dev/nvme0n1 of=/dev/null bs=1M count=$fill_mb 2>/dev/null
settle
info "page cache: read $fill_mb MiB of /dev/nvme0n1 in $(( $(date +%s) - t0 ))s;" \
  "$(grep -E '^(MemFree|Buffers|Inactive\(file\)):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
zone_pages >/tmp/pc-zones.txt
vmtune plan kvm-host --profile-dir $P --out /tmp/pc.json >/tmp/pc-plan.txt 2>&1; plan_rc=$?
forecast_low /tmp/pc.json >/tmp/pc-lows.txt
# Zones whose free pages (read here, not by vmtune) sit under kvm-host's new low watermark.
under=0
while read -r node zone free file wm; do
  new_low=$(awk -v n="$node" -v z="$zone" '$1 == n && $2 == z { print $4 }' /tmp/pc-lows.txt)
  flag=""
  if [ -n "$new_low" ] && [ "$free" -lt "$new_low" ]; then under=$((under + 1)); flag=" (under the new low)"; fi
  info "page cache: Node $node $zone: $free free pages, $file file pages; min/low/high $wm, kvm-host's new low ${new_low:-?}$flag"
done </tmp/pc-zones.txt
vmtune apply kvm-host --profile-dir $P --yes >/tmp/pc-apply.txt 2>&1; apply_rc=$?
why=""
[ "$under" -gt 0 ] || why="$why; the fill left no zone under kvm-host's new low watermark"
[ $plan_rc = 2 ] || why="$why; plan exit $plan_rc (2: changes apply would make)"
if [ $apply_rc != 0 ]; then
  refused=$(grep -m1 -o 'Node [0-9]* [A-Za-z0-9]*: [0-9]* free pages would sit under the new low watermark [0-9]*' /tmp/pc-apply.txt)
  why="$why; apply exit $apply_rc${refused:+, refused by a guard: $refused}"
fi
for f in /tmp/pc-plan.txt /tmp/pc-apply.txt; do
  grep -q 'kswapd will reclaim about' $f || why="$why; no 'kswapd will reclaim about' warning in ${f##*/pc-}"
  grep -q '^guard:' $f && why="$why; a guard line in ${f##*/pc-}"
done
if [ $apply_rc = 0 ]; then
  vmtune watermarks --expect /tmp/pc.json >/tmp/pc-wm.txt 2>&1 || why="$why; the kernel's watermarks are not those the plan predicted"
  vmtune rollback --yes >/tmp/pc-rb.txt 2>&1
fi
[ "$before" = "$(vm_state)" ] || why="$why; the settings before the case were not restored"
if [ -z "$why" ]; then
  pass "$name ($under zone(s) under the new low; $(tail -1 /tmp/pc-wm.txt))"
  grep 'kswapd will reclaim about' /tmp/pc-apply.txt | sed 's/^/INFO   apply: /'
else
  fail "$name: ${why#; }"
  grep -E 'min_free_kbytes|watermark_scale|Node|^guard:|^warning:|kswapd|refus|^Plan:' /tmp/pc-plan.txt /tmp/pc-apply.txt | sed 's|^/tmp/pc-||; s|^|INFO   |'
  [ ! -f /tmp/pc-wm.txt ] || show /tmp/pc-wm.txt
fi
# Closing the disk drops its page cache (kill_bdev, above): the memory is free again.
exec 3<&-
info "page cache: the case took $(( $(date +%s) - t0 ))s"
info "all cases: $(( $(date +%s) - t_suite ))s"
