#!/bin/sh
# Runs inside the qemu guest (busybox sh) against the real kernel's /proc/sys/vm.
# Prints one line per case: "PASS name", "FAIL name: why", and "INFO …" for context.
shape=${1:-single}
P=/vmtune/profiles
export NO_COLOR=1

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
info() { echo "INFO $*"; }

# Every readable vm sysctl as key=value, triggers excluded (reading stat_refresh folds counters).
vm_state() {
  for f in /proc/sys/vm/*; do
    k=${f##*/}
    case $k in drop_caches|compact_memory|stat_refresh) continue ;; esac
    printf '%s=%s\n' "$k" "$(tr '\t' ' ' <"$f" 2>/dev/null)"
  done
}

info "kernel $(uname -r), shape $shape, nodes $(ls -d /sys/devices/system/node/node* | wc -l), $(grep MemTotal /proc/meminfo)"

# 1. plan on the live kernel: a real plan, exit 0 (in sync) or 2 (changes).
vmtune plan kvm-host --profile-dir $P >/tmp/plan.txt 2>&1; rc=$?
if [ $rc = 0 ] || [ $rc = 2 ] && grep -q '^Plan: ' /tmp/plan.txt; then pass "plan-live-kernel ($(grep '^Plan: ' /tmp/plan.txt))"
else fail "plan-live-kernel: exit $rc"; cat /tmp/plan.txt; fi

# 2. apply, check, apply again, rollback — for two roles.
for role in kvm-host file-server; do
  before=$(vm_state)
  vmtune apply $role --profile-dir $P --yes >/tmp/apply.txt 2>&1; rc=$?
  if [ $rc = 0 ]; then pass "apply-$role ($(grep -c '✓' /tmp/apply.txt) writes verified)"
  else fail "apply-$role: exit $rc"; cat /tmp/apply.txt; fi

  vmtune check $role --profile-dir $P >/tmp/check.txt 2>&1; rc=$?
  if [ $rc = 0 ]; then pass "check-no-drift-after-apply-$role"
  else fail "check-no-drift-after-apply-$role: exit $rc"; cat /tmp/check.txt; fi

  vmtune apply $role --profile-dir $P --yes --detailed-exitcode >/tmp/apply2.txt 2>&1; rc=$?
  if [ $rc = 0 ] && grep -q 'Nothing to do' /tmp/apply2.txt; then pass "second-apply-writes-nothing-$role"
  else fail "second-apply-writes-nothing-$role: exit $rc"; cat /tmp/apply2.txt; fi

  vmtune rollback --yes >/tmp/rb.txt 2>&1; rc=$?
  after=$(vm_state)
  if [ $rc = 0 ] && [ "$before" = "$after" ]; then pass "rollback-restores-exactly-$role ($(grep -c '↺' /tmp/rb.txt) restored)"
  else
    fail "rollback-restores-exactly-$role: exit $rc"
    echo "$before" >/tmp/before; echo "$after" >/tmp/after; diff /tmp/before /tmp/after; cat /tmp/rb.txt
  fi
done

# 3. A value the kernel itself rejects (swappiness 300, forced past vmtune's validation) makes the
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
else fail "edited-saved-plan-is-revalidated: exit $rc"; cat /tmp/r1.txt; fi
vmtune apply --plan /tmp/reject.json --yes --unsafe-skip-validation >/tmp/r2.txt 2>&1; rc=$?
after=$(vm_state)
if [ $rc = 1 ] && grep -q 'EINVAL' /tmp/r2.txt && grep -q 'every value written was restored' /tmp/r2.txt && [ "$before" = "$after" ]; then
  pass "kernel-rejection-rolls-back ($(grep -o '[0-9]* restored)' /tmp/r2.txt | tr -d ')'))"
else
  fail "kernel-rejection-rolls-back: exit $rc"; cat /tmp/r2.txt
  echo "$before" >/tmp/before; echo "$after" >/tmp/after; diff /tmp/before /tmp/after
fi

# 4. An injected failure at the last write on the real kernel restores everything.
before=$(vm_state)
vmtune apply kvm-host --profile-dir $P --yes --inject-fault write:3 >/tmp/f.txt 2>&1; rc=$?
if [ $rc = 1 ] && [ "$before" = "$(vm_state)" ]; then pass "injected-fault-restores-live-kernel"
else fail "injected-fault-restores-live-kernel: exit $rc"; cat /tmp/f.txt; fi
