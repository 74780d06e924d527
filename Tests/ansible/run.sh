#!/usr/bin/env bash
# vmtune as an Ansible module, tested with the real ansible-playbook and ansible-doc against
# localhost, with `root:` pointing at a fixture tree (never the host's /proc/sys): check/diff mode
# reports the change and writes nothing; apply mode writes it; a second apply reports no change;
# string arguments are coerced as Ansible modules do; creating the persist file is a change;
# warnings reach the controller; state: rolled_back undoes the applied journals once; state: off
# releases every managed key and removes the persist file; ansible-doc
# shows the module's documentation, whose options are the module's own.
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
fresh_root() {
  rm -rf "$root"
  mkdir -p "$root/proc/sys/vm" "$root/proc/sys/kernel"
  for kv in swappiness=60 min_free_kbytes=67584 watermark_scale_factor=10 max_map_count=65530 \
            dirty_ratio=20 dirty_bytes=0 zone_reclaim_mode=0; do
    echo "${kv#*=}" >"$root/proc/sys/vm/${kv%%=*}"
  done
  echo "6.1.0-test" >"$root/proc/sys/kernel/osrelease"
  printf 'MemTotal:       16384000 kB\nMemFree:         8000000 kB\n' >"$root/proc/meminfo"
}
fresh_root
mkdir -p "$work/library" "$work/profiles"
cp "$bin" "$work/library/vmtune"
cp examples/ansible/library/vmtune.yml "$work/library/vmtune.yml"
cat >"$work/profiles/role.yaml" <<'YAML'
apiVersion: vmtune/v1
name: role
sysctl:
  swappiness: { at_most: 10 }
  watermark_scale_factor: 100
YAML

# play 'ARGUMENTS' [ansible-playbook options…]: one vmtune task with ARGUMENTS (YAML lines
# under `vmtune:`, or a key=value string), its result printed.
play() {
  local args=$1; shift
  if [[ "$args" == *=* && "$args" != *$'\n'* ]]; then
    printf -- '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: vm sysctls\n      vmtune: %s\n' \
      "$args" >"$work/play.yml"
  else
    printf -- '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: vm sysctls\n      vmtune:\n%s\n' \
      "$(sed 's/^/        /' <<<"$args")" >"$work/play.yml"
  fi
  ANSIBLE_LIBRARY="$work/library" ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=default \
    ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
    ansible-playbook -i localhost, -c local "$work/play.yml" "$@" >"$work/out.txt" 2>&1
}
value() { cat "$root/proc/sys/vm/$1"; }
role="profile: $work/profiles/role.yaml
root: $root"

pass=0; fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; sed 's/^/  | /' "$work/out.txt" | tail -40; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
has() { grep -q -- "$1" "$work/out.txt"; }

play "$role" --check --diff
check check-mode-reports-diff-and-writes-nothing eval \
  'has changed=1 && has "-vm.swappiness = 60" && has "+vm.swappiness = 10" && [ "$(value swappiness)" = 60 ]'

play "$role" --diff
check apply-mode-writes-and-reports-changed eval \
  'has changed=1 && [ "$(value swappiness)" = 10 ] && [ "$(value watermark_scale_factor)" = 100 ]'

play "$role"
check second-run-is-idempotent eval 'has changed=0 && has ok=1'

# Booleans and lists as strings: key=value arguments, -e variables and templates.
fresh_root
play "profile=role profile_dir=/nonexistent,$work/profiles root=$root persist=yes force=no"
check key-value-strings-are-coerced eval \
  'has changed=1 && ! has "deserialization" && [ "$(value swappiness)" = 10 ] && [ -f "$root/etc/sysctl.d/90-vmtune.conf" ]'
play "$role
persist: \"{{ persist_flag }}\"
profile_dir: \"{{ dirs }}\"" -e persist_flag=true -e "dirs=/a,/b"
check extra-vars-are-coerced eval 'has changed=0 && has failed=0 && ! has "deserialization"'
play "$role
persist: maybe"
check unconvertible-booleans-fail-with-the-argument eval \
  "has failed=1 && has \"argument 'persist' is of type str and we were unable to convert to bool\""

# Creating the persist file when the values are already in place is a change, with its diff.
fresh_root
echo 10 >"$root/proc/sys/vm/swappiness"; echo 100 >"$root/proc/sys/vm/watermark_scale_factor"
play "$role
persist: true" --diff
check persist-that-creates-the-file-is-a-change eval \
  'has changed=1 && has "+vm.swappiness = 10" && has "90-vmtune.conf" && [ -f "$root/etc/sysctl.d/90-vmtune.conf" ]'
play "$role
persist: true"
check persist-second-run-is-idempotent eval 'has changed=0 && has ok=1'

# persist_file names the file (and implies persist).
fresh_root
play "$role
persist_file: 99-zz-vmtune.conf"
check persist-file-names-the-file eval \
  'has changed=1 && [ -f "$root/etc/sysctl.d/99-zz-vmtune.conf" ] && [ ! -e "$root/etc/sysctl.d/90-vmtune.conf" ]'

# Warnings reach the controller.
mkdir -p "$root/etc/sysctl.d"; echo "vm.swappiness = 30" >"$root/etc/sysctl.d/99-local.conf"
play "$role
persist: true"
check warnings-are-shown eval 'has "\[WARNING\]: .*99-local.conf:1 sets vm.swappiness = 30"'

# state: rolled_back undoes every applied journal; check mode writes nothing; then nothing is left.
fresh_root
play "$role"
play "$role
state: rolled_back" --check --diff
check rolled-back-check-mode-writes-nothing eval \
  'has changed=1 && has "+vm.swappiness = 60" && [ "$(value swappiness)" = 10 ]'
play "$role
state: rolled_back"
check rolled-back-restores eval 'has changed=1 && [ "$(value swappiness)" = 60 ] && [ "$(value watermark_scale_factor)" = 10 ]'
play "$role
state: rolled_back"
check rolled-back-second-run-is-idempotent eval 'has changed=0 && has ok=1'

# state: off releases every managed key to its baseline and removes the persist file (vmtune off);
# check mode writes nothing; a second run changes nothing; YAML's bare off (false) means the same.
fresh_root
play "$role
persist: true"
play "root: $root
state: \"off\"" --check --diff
check off-check-mode-writes-nothing eval \
  'has changed=1 && has "+vm.swappiness = 60" && [ "$(value swappiness)" = 10 ] && [ -f "$root/etc/sysctl.d/90-vmtune.conf" ]'
play "root: $root
state: \"off\""
check off-releases-keys-and-removes-the-file eval \
  'has changed=1 && [ "$(value swappiness)" = 60 ] && [ "$(value watermark_scale_factor)" = 10 ] && [ ! -e "$root/etc/sysctl.d/90-vmtune.conf" ]'
play "root: $root
state: off"
check off-second-run-is-idempotent-and-bare-off-is-understood eval \
  'has changed=0 && has ok=1 && has "\[WARNING\]: state: off was read as the boolean false"'

sed -i 's/watermark_scale_factor: 100/watermark_scale_factor: 0/' "$work/profiles/role.yaml"
play "$role"
check profile-errors-fail-the-task eval 'has failed=1 && has "below the kernel"'

# ansible-doc shows the documentation, and its options are the ones the module accepts.
ANSIBLE_LIBRARY="$work/library" ANSIBLE_NOCOLOR=1 ansible-doc vmtune >"$work/out.txt" 2>&1
check ansible-doc-shows-the-module eval 'has "OPTIONS" && has "rolled_back" && has "vmtune off" && has "EXAMPLES" && has "RETURN VALUES"'
ANSIBLE_LIBRARY="$work/library" ansible-doc --json vmtune >"$work/doc.json" 2>"$work/out.txt"
documented=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["vmtune"]["doc"]["options"]; print(", ".join(sorted(d)))' "$work/doc.json")
play "$role
colour: 1"
check documented-options-are-the-supported-ones eval \
  '[ -n "$documented" ] && has "Supported parameters include: $documented\."'

echo "ansible-tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
