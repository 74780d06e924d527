#!/bin/sh
# Usage: packaging/deb-test.sh DEB   (as root, on a Debian host or container where vmtune is not
# installed as a package; `make deb-test` runs it)
# Checks the package with lintian (no errors), installs it with dpkg -i, runs the installed
# vmtune (--help, profiles, completion of profile and knob names through the installed bash
# script), reads `man vmtune-plan`, checks the systemd units are installed but not enabled, then
# purges it and checks that none of its files or directories is left. Read-only for the host's
# /proc/sys: only listing and help commands run.
set -eu

deb=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=$(mktemp -d)
installed=""

fail() {
  echo "deb-test: FAIL: $*" >&2
  exit 1
}
cleanup() {
  if [ -n "$installed" ] && dpkg-query -W -f='${Status}' vmtune 2>/dev/null | grep -q 'ok installed'; then
    dpkg --purge vmtune >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

if dpkg-query -W -f='${Status}' vmtune 2>/dev/null | grep -q 'installed'; then
  fail "a vmtune package is already installed here; this test installs and purges its own"
fi
for path in /usr/share/man /usr/share/doc; do
  if grep -rqs "^path-exclude=$path" /etc/dpkg/dpkg.cfg.d/; then
    fail "dpkg excludes $path on this system (/etc/dpkg/dpkg.cfg.d); the package's files there would not install"
  fi
done

echo "== lintian $(basename "$deb")"
# Errors fail the test; warnings and info are shown. (lintian complains about running as root
# only on stderr.)
lintian --display-level ">=info" --fail-on error "$deb" 2>"$work/lintian.err" || {
  cat "$work/lintian.err" >&2
  fail "lintian reports errors"
}
echo "(lintian: no errors)"

echo "== dpkg -i"
installed=1
dpkg -i "$deb"
dpkg -L vmtune | sort >"$work/files"
grep -qx /usr/bin/vmtune "$work/files" || fail "/usr/bin/vmtune is not in the package"
[ "$(command -v vmtune)" = /usr/bin/vmtune ] || fail "vmtune on PATH is $(command -v vmtune), not /usr/bin/vmtune"

echo "== vmtune --help"
vmtune --help >"$work/help"
head -n 3 "$work/help"
grep -q "USAGE: vmtune <subcommand>" "$work/help" || fail "vmtune --help"

echo "== vmtune profiles"
vmtune profiles | tee "$work/profiles"
for name in base kvm-host file-server database numa-hpc latency slab-heavy; do
  grep -q "/usr/share/vmtune/profiles/$name.yaml" "$work/profiles" || fail "vmtune profiles does not list the shipped $name"
done
[ -d /etc/vmtune/profiles ] || fail "/etc/vmtune/profiles is missing"

echo "== man vmtune-plan"
MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -P cat vmtune-plan >"$work/man" 2>"$work/man.err"
head -n 12 "$work/man"
grep -q "vmtune-plan - Show what applying a profile would change" "$work/man" || fail "man vmtune-plan"
grep -q "old → new" "$work/man" || fail "man vmtune-plan lost the help text's arrows"
[ ! -s "$work/man.err" ] || { cat "$work/man.err"; fail "man vmtune-plan has warnings"; }
for page in $(sed -n 's|^/usr/share/man/man1/\(.*\)\.1\.gz$|\1|p' "$work/files"); do
  LC_ALL=C.UTF-8 man --warnings -P cat "$page" >/dev/null 2>"$work/man.err"
  [ ! -s "$work/man.err" ] || { cat "$work/man.err"; fail "man $page has warnings"; }
done
echo "(all $(grep -c '^/usr/share/man/man1/' "$work/files") man pages render without warnings)"

echo "== bash completion (/usr/share/bash-completion/completions/vmtune)"
bash "$repo/Tests/completion/bash-complete.sh" /usr/share/bash-completion/completions/vmtune vmtune ||
  fail "bash completion"
echo "== zsh and fish completion (typed into the real shells)"
python3 "$repo/Tests/completion/shell-complete.py" zsh /usr/share/zsh/vendor-completions/_vmtune /usr/bin/vmtune ||
  fail "zsh completion"
python3 "$repo/Tests/completion/shell-complete.py" fish /usr/share/fish/vendor_completions.d/vmtune.fish \
  /usr/bin/vmtune || fail "fish completion"

echo "== systemd units (installed, not enabled)"
for unit in vmtune-agent.service vmtune-agent-once.service vmtune-agent-once.timer; do
  [ -f "/usr/lib/systemd/system/$unit" ] || fail "$unit is not installed"
  ! ls /etc/systemd/system/*/"$unit" >/dev/null 2>&1 || fail "$unit is enabled"
  grep -q "^ExecStart=/usr/bin/vmtune" "/usr/lib/systemd/system/$unit" 2>/dev/null ||
    [ "${unit##*.}" = timer ] || fail "$unit does not run /usr/bin/vmtune"
  echo "$unit"
done

echo "== dpkg --purge"
dpkg --purge vmtune
installed=""
left=""
while read -r path; do
  case "$path" in
  /. | /usr | /usr/bin | /usr/lib | /usr/share | /etc | /usr/lib/systemd | /usr/lib/systemd/system) continue ;;
  /usr/share/man | /usr/share/man/man1 | /usr/share/doc | /usr/share/lintian | /usr/share/lintian/overrides) continue ;;
  /usr/share/bash-completion | /usr/share/bash-completion/completions) continue ;;
  /usr/share/zsh | /usr/share/zsh/vendor-completions | /usr/share/fish | /usr/share/fish/vendor_completions.d) continue ;;
  esac
  if [ -e "$path" ] || [ -L "$path" ]; then left="$left $path"; fi
done <"$work/files"
[ -z "$left" ] || fail "left after purge:$left"
dpkg-query -W vmtune >/dev/null 2>&1 && fail "dpkg still knows vmtune"
echo "(purged: none of the package's $(wc -l <"$work/files") paths is left)"
echo "deb-test: ok"
