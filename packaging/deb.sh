#!/bin/sh
# Usage: packaging/deb.sh BINARY GENERATED STAGE OUTDIR
# Builds vmtune_VERSION_ARCH.deb in OUTDIR with dpkg-deb from the static release BINARY, the man
# pages and completion scripts in GENERATED (man/*.1, completions/{vmtune,_vmtune,vmtune.fish};
# `make gen` writes them) and the repository's profiles and systemd units. STAGE is emptied and
# used as the package root. Version and maintainer come from packaging/debian/changelog, whose
# upstream version must be the binary's `--version`. Prints the .deb's path.
set -eu

binary=$(realpath "$1") gen=$(realpath "$2") stage=$(realpath -m "$3") outdir=$(realpath -m "$4")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
changelog=$here/debian/changelog

version=$(sed -n '1s/^vmtune (\([^)]*\)).*/\1/p' "$changelog")
maintainer=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$changelog" | head -n 1)
upstream=${version%-*}
built=$("$binary" --version)
if [ "$upstream" != "$built" ]; then
  echo "deb.sh: packaging/debian/changelog is for $upstream but the binary is $built: add a changelog entry" >&2
  exit 1
fi
arch=$(dpkg --print-architecture)
# The binary links these statically (Debian policy 7.8: name their sources in Built-Using).
built_using=$(dpkg-query -W -f='${source:Package} (= ${source:Version}), ' libc6-dev libyaml-dev zlib1g-dev | sed 's/, $//')

rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
cd "$stage"

# The program: stripped as dh_strip would.
install -D -m 0755 "$binary" usr/bin/vmtune
strip --strip-unneeded --remove-section=.comment --remove-section=.note usr/bin/vmtune

# Profiles: shipped ones by name, the site's in /etc/vmtune/profiles (empty; the admin's own).
install -d -m 0755 usr/share/vmtune/profiles etc/vmtune/profiles
install -m 0644 "$repo"/profiles/*.yaml usr/share/vmtune/profiles/

# systemd units, not enabled: the agent needs a profile chosen first (systemctl edit).
install -d -m 0755 usr/lib/systemd/system
for unit in "$repo"/examples/systemd/*.service "$repo"/examples/systemd/*.timer; do
  sed 's|/usr/local/bin/vmtune|/usr/bin/vmtune|g' "$unit" >"usr/lib/systemd/system/$(basename "$unit")"
  chmod 0644 "usr/lib/systemd/system/$(basename "$unit")"
done

# Man pages and completions.
install -d -m 0755 usr/share/man/man1
for page in "$gen"/man/*.1; do
  gzip -9n <"$page" >"usr/share/man/man1/$(basename "$page").gz"
  chmod 0644 "usr/share/man/man1/$(basename "$page").gz"
done
install -D -m 0644 "$gen/completions/vmtune" usr/share/bash-completion/completions/vmtune
install -D -m 0644 "$gen/completions/_vmtune" usr/share/zsh/vendor-completions/_vmtune
install -D -m 0644 "$gen/completions/vmtune.fish" usr/share/fish/vendor_completions.d/vmtune.fish

# Documentation and the lintian overrides.
install -d -m 0755 usr/share/doc/vmtune usr/share/lintian/overrides
install -m 0644 "$here/debian/copyright" usr/share/doc/vmtune/copyright
gzip -9n <"$changelog" >usr/share/doc/vmtune/changelog.Debian.gz
gzip -9n <"$repo/README.md" >usr/share/doc/vmtune/README.md.gz
chmod 0644 usr/share/doc/vmtune/*.gz
install -m 0644 "$here/debian/lintian-overrides" usr/share/lintian/overrides/vmtune

# Control files.
find usr etc -type f ! -path 'etc/*' -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums
chmod 0644 DEBIAN/md5sums
installed_size=$(du -k -s --apparent-size usr etc | awk '{ s += $1 } END { print s }')
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
  -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@BUILT_USING@|$built_using|" \
  "$here/debian/control" >DEBIAN/control
chmod 0644 DEBIAN/control

cd - >/dev/null
mkdir -p "$outdir"
deb="$outdir/vmtune_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
