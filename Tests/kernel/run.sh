#!/usr/bin/env bash
# Real-kernel tests: boot Debian's cloud kernel under qemu with an initramfs holding busybox,
# vmtune and the guest test script, in two shapes (1 node; 2 NUMA nodes), and collect the
# PASS/FAIL lines the guest prints on its serial console. Never touches the host's /proc/sys.
# The initramfs root is tmpfs, whose pages kswapd cannot reclaim (no swap). So that the guest can
# fill its memory with page cache, as on a busy host, every shape also gets a disk: a sparse raw
# image in the work dir, 1 GiB larger than the guest's memory, attached read-only as NVMe
# (/dev/nvme0n1; the cloud kernels have NVMe built in, virtio-blk only as a module). Reads of it
# land in the guest's page cache (Buffers, the file LRU); on the host it is all holes, never
# written, and removed with the work dir.
#
# usage: Tests/kernel/run.sh            (installs qemu-system-x86, linux-image-cloud-amd64,
#                                        busybox-static when missing)
# env:   KERNEL=/boot/vmlinuz-...  SHAPES="single numa2"  KEEP=1 (keep the work dir)
#        MEM=3072 (guest MiB; numa2 splits it in two)  GUEST_SCRIPT=guest-tests.sh
#        APPEND_EXTRA="RUNS=5" (more kernel command line; name=value without a dot reaches the
#        guest script as an environment variable)  GUEST_TIMEOUT=420  KEEP_LOG=FILE
#        KERNEL defaults to the kernel linux-image-cloud-amd64 depends on (Debian's default
#        cloud kernel; another installed one, e.g. 6.12 from linux-image-6.12-cloud-amd64, is
#        not picked up by surprise), else the newest /boot/vmlinuz-*-cloud-amd64.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

need=""
for p in qemu-system-x86 linux-image-cloud-amd64 busybox-static cpio; do
  dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
  echo "kernel-tests: installing$need"
  sudo_=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq $need >/dev/null
fi

default_kernel=$(dpkg-query -W -f='${Depends}' linux-image-cloud-amd64 2>/dev/null |
  sed -n 's/^linux-image-\([^ ,]*\).*/\/boot\/vmlinuz-\1/p')
[ -r "$default_kernel" ] || default_kernel=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
KERNEL=${KERNEL:-$default_kernel}
MEM=${MEM:-3072}
[ -r "$KERNEL" ] || { echo "kernel-tests: no cloud kernel in /boot"; exit 1; }
SHAPES=${SHAPES:-"single numa2"}
work=$(mktemp -d /tmp/vmtune-kernel.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

echo "kernel-tests: building vmtune (release, fully static: the same build as make release)"
swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product vmtune >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log"; exit 1; }
bin=.build/release/vmtune

root="$work/initramfs"
mkdir -p "$root"/{bin,proc,sys,dev,tmp,run,etc,var/lib,vmtune}
cp /bin/busybox "$root/bin/busybox"
cp "$bin" "$root/bin/vmtune"
gcc -static -O2 -o "$root/bin/frag" Tests/kernel/frag.c
gcc -static -O2 -o "$root/bin/vmstart" Tests/kernel/vmstart.c
# The binary is static; should a build ever link shared libraries, copy what ldd lists.
for lib in $( (ldd "$bin" 2>/dev/null || true) | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cp -r "${PROFILES_DIR:-profiles}" "$root/vmtune/profiles"
GUEST_SCRIPT=${GUEST_SCRIPT:-guest-tests.sh}
cp "Tests/kernel/$GUEST_SCRIPT" "$root/vmtune/guest-tests.sh"
cp Tests/kernel/guest-lib.sh "$root/vmtune/guest-lib.sh"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
shape=$(sed -n 's/.*vmtune.shape=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
sh /vmtune/guest-tests.sh "$shape" 2>&1
echo "GUEST-DONE"
echo o > /proc/sysrq-trigger
sleep 5
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initrd.gz"
# Larger than the guest's memory, so that reading it through fills the page cache whatever MEM is.
truncate -s "$((MEM + 1024))M" "$work/disk.img"

accel="-accel tcg -cpu max"
# KVM when it works (nested virtualisation often does not); TCG with -cpu max otherwise.
if [ -w /dev/kvm ] && sh -c "timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nographic \
     -no-reboot -kernel '$KERNEL' -append 'console=ttyS0 panic=-1' -initrd /dev/null" </dev/null >/dev/null 2>&1; then
  accel="-accel kvm -cpu host"
fi

total_pass=0; total_fail=0; failed_shapes=""
for shape in $SHAPES; do
  numa=""
  if [ "$shape" = numa2 ]; then
    half=$((MEM / 2))
    numa="-object memory-backend-ram,size=${half}M,id=m0 -object memory-backend-ram,size=${half}M,id=m1
          -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1"
  fi
  log="$work/$shape.log"
  start=$(date +%s)
  # shellcheck disable=SC2086
  timeout "${GUEST_TIMEOUT:-420}" qemu-system-x86_64 $accel -m "$MEM" -smp 2 $numa -nographic -no-reboot \
    -kernel "$KERNEL" -initrd "$work/initrd.gz" \
    -drive file="$work/disk.img",if=none,id=d0,format=raw,readonly=on -device nvme,serial=vmtune,drive=d0 \
    -append "console=ttyS0 panic=-1 quiet vmtune.shape=$shape${APPEND_EXTRA:+ $APPEND_EXTRA}" \
    </dev/null >"$log" 2>&1 || true
  secs=$(( $(date +%s) - start ))
  [ -z "${KEEP_LOG:-}" ] || tr -d '\r' <"$log" >"$KEEP_LOG"
  tr -d '\r' <"$log" | grep -E '^(PASS|FAIL|INFO) ' | sed "s/^/[$shape] /" || true
  pass=$(tr -d '\r' <"$log" | grep -c '^PASS ' || true)
  fail=$(tr -d '\r' <"$log" | grep -c '^FAIL ' || true)
  if ! tr -d '\r' <"$log" | grep -q '^GUEST-DONE'; then
    echo "[$shape] FAIL guest did not finish (see below)"; tail -40 "$log"; fail=$((fail + 1))
  fi
  echo "[$shape] $pass passed, $fail failed in ${secs}s ($accel, $(basename "$KERNEL"))"
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
  [ "$fail" = 0 ] || failed_shapes="$failed_shapes $shape"
done
echo "kernel-tests: $total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
