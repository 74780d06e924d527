#!/usr/bin/env bash
# vmtune as an Ansible module, tested with the real ansible-playbook against localhost, with
# `root:` pointing at a fixture tree (never the host's /proc/sys): check/diff mode reports the
# change and writes nothing; apply mode writes it; a second apply reports no change.
# usage: Tests/ansible/run.sh [VMTUNE_BINARY]    (installs ansible-core from PyPI when missing)
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/release/vmtune}
[ -x "$bin" ] || { echo "ansible-tests: build vmtune first ($bin)"; exit 1; }
if ! command -v ansible-playbook >/dev/null 2>&1; then
  echo "ansible-tests: installing ansible-core"
  python3 -m pip install -q ansible-core >/dev/null 2>&1 || { echo "ansible-tests: pip install ansible-core failed"; exit 1; }
fi

work=$(mktemp -d /tmp/vmtune-ansible.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/proc/sys/vm" "$root/proc/sys/kernel" "$work/library"
for kv in swappiness=60 min_free_kbytes=67584 watermark_scale_factor=10 max_map_count=65530 \
          dirty_ratio=20 dirty_bytes=0 zone_reclaim_mode=0; do
  echo "${kv#*=}" >"$root/proc/sys/vm/${kv%%=*}"
done
echo "6.1.0-test" >"$root/proc/sys/kernel/osrelease"
printf 'MemTotal:       16384000 kB\nMemFree:         8000000 kB\n' >"$root/proc/meminfo"
cp "$bin" "$work/library/vmtune"
cat >"$work/role.yaml" <<'YAML'
apiVersion: vmtune/v1
name: ansible-test
sysctl:
  swappiness: { at_most: 10 }
  watermark_scale_factor: 100
YAML
cat >"$work/play.yml" <<YAML
- hosts: localhost
  gather_facts: false
  tasks:
    - name: vm sysctls
      vmtune:
        profile: $work/role.yaml
        root: $root
YAML

pass=0; fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; sed 's/^/  | /' "$2" | tail -40; fail=$((fail + 1)); }
play() { ANSIBLE_LIBRARY="$work/library" ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=default \
  ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
  ansible-playbook -i localhost, -c local "$work/play.yml" "$@" >"$work/out.txt" 2>&1; }

play --check --diff
if grep -q 'changed=1' "$work/out.txt" && grep -q -- '-vm.swappiness = 60' "$work/out.txt" \
   && grep -q -- '+vm.swappiness = 10' "$work/out.txt" && [ "$(cat "$root/proc/sys/vm/swappiness")" = 60 ]; then
  ok "check-mode-reports-diff-and-writes-nothing"
else bad "check-mode-reports-diff-and-writes-nothing" "$work/out.txt"; fi

play --diff
if grep -q 'changed=1' "$work/out.txt" && [ "$(cat "$root/proc/sys/vm/swappiness")" = 10 ] \
   && [ "$(cat "$root/proc/sys/vm/watermark_scale_factor")" = 100 ]; then
  ok "apply-mode-writes-and-reports-changed"
else bad "apply-mode-writes-and-reports-changed" "$work/out.txt"; fi

play
if grep -q 'changed=0' "$work/out.txt" && grep -q 'ok=1' "$work/out.txt"; then ok "second-run-is-idempotent"
else bad "second-run-is-idempotent" "$work/out.txt"; fi

sed -i 's/watermark_scale_factor: 100/watermark_scale_factor: 0/' "$work/role.yaml"
play
if grep -q 'failed=1' "$work/out.txt" && grep -q 'below the kernel' "$work/out.txt"; then ok "profile-errors-fail-the-task"
else bad "profile-errors-fail-the-task" "$work/out.txt"; fi

echo "ansible-tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
