#!/usr/bin/env bash
# Real-kernel tests: boot Debian's cloud kernels (6.1 and 6.12) under qemu with an initramfs
# holding busybox, vmtune and the guest test script, in four shapes, and collect the
# PASS/FAIL/INFO lines the guest prints on its serial console. Never touches the host's /proc/sys.
#
# Shapes (every guest has MEM MiB and 2 vCPUs):
#   single   1 node
#   numa2    2 NUMA nodes of MEM/2, one CPU each
#   numa3    3 NUMA nodes of unequal size (MEM/2, MEM/3, the rest: 1536/1024/512 MiB by default);
#            node 2 has no CPU, as a memory-only node (CXL, or a board with an empty socket) has
#   movable  1 node with movablecore=512M, so that the kernel carves a Movable zone out of it
# Watermarks are computed per zone and capped differently for Movable, and a CPU-less node is the
# case kernels have got wrong before, so each shape is a separate proof that the model is exact.
#
# Not every case runs everywhere, to keep `make test` inside its time: the core cases (plan,
# watermarks after a series of writes with extreme legal values, apply/check/rollback, kernel
# rejection, injected faults, SIGKILL at every write point) run in every kernel and shape; the
# heavy ones (fragmentation and debugfs indexes, the agent's compaction and drop_caches, the page
# cache fill) run where HEAVY names the kernel and shape (default: 6.1 single and numa2, the shapes
# they were written for, and 6.12 numa3). Under TCG on a quiet 2-CPU machine a guest takes about
# 15 s with the core cases and about a minute with all; up to four times that when the machine is busy.
#
# The initramfs root is tmpfs, whose pages kswapd cannot reclaim (no swap). So that the guest can
# fill its memory with page cache, as on a busy host, every shape also gets a disk: a sparse raw
# image in the work dir, 1 GiB larger than the guest's memory, attached read-only as NVMe
# (/dev/nvme0n1; the cloud kernels have NVMe built in, virtio-blk only as a module). Reads of it
# land in the guest's page cache (Buffers, the file LRU); on the host it is all holes, never
# written, and removed with the work dir.
#
# usage: Tests/kernel/run.sh            (installs qemu-system-x86, linux-image-cloud-amd64,
#                                        linux-image-6.12-cloud-amd64, busybox-static and cpio
#                                        when missing)
# env:   KERNELS="/boot/vmlinuz-... ..." (default: the kernels linux-image-cloud-amd64 and
#        linux-image-6.12-cloud-amd64 depend on, i.e. Debian's default 6.1 cloud kernel and 6.12;
#        another installed kernel is not picked up by surprise)  KERNEL=one kernel (the same)
#        SHAPES="single numa2 numa3 movable"  HEAVY="6.1:single 6.1:numa2 6.12:numa3" (or all,
#        or none)  KEEP=1 (keep the work dir)  MEM=3072 (guest MiB, split between the nodes)
#        GUEST_SCRIPT=guest-tests.sh  APPEND_EXTRA="RUNS=5" (more kernel command line;
#        name=value without a dot reaches the guest script as an environment variable)
#        GUEST_TIMEOUT=420 (per guest)  KEEP_LOG=FILE (the last guest's console)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

need=""
for p in qemu-system-x86 linux-image-cloud-amd64 linux-image-6.12-cloud-amd64 busybox-static cpio; do
  dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
  echo "kernel-tests: installing$need"
  sudo_=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq $need >/dev/null
fi

# The kernel a meta-package depends on (linux-image-6.1.0-56-cloud-amd64 → its vmlinuz), else the
# newest installed one matching GLOB.
kernel_of() {
  k=$(dpkg-query -W -f='${Depends}' "$1" 2>/dev/null | sed -n 's/^linux-image-\([^ ,]*\).*/\/boot\/vmlinuz-\1/p')
  [ -r "$k" ] || k=$(ls $2 2>/dev/null | sort -V | tail -n 1)
  echo "$k"
}
KERNELS=${KERNELS:-${KERNEL:-}}
if [ -z "$KERNELS" ]; then
  k61=$(kernel_of linux-image-cloud-amd64 '/boot/vmlinuz-6.1.*-cloud-amd64')
  k612=$(kernel_of linux-image-6.12-cloud-amd64 '/boot/vmlinuz-6.12*-cloud-amd64')
  [ -n "$k61" ] && [ -n "$k612" ] || { echo "kernel-tests: no 6.1 or no 6.12 cloud kernel in /boot"; exit 1; }
  KERNELS="$k61 $k612"
fi
for k in $KERNELS; do [ -r "$k" ] || { echo "kernel-tests: no kernel $k"; exit 1; }; done
MEM=${MEM:-3072}
SHAPES=${SHAPES:-"single numa2 numa3 movable"}
HEAVY=${HEAVY:-"6.1:single 6.1:numa2 6.12:numa3"}
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
cases=$(sed -n 's/.*vmtune.cases=\([a-z]*\).*/\1/p' /proc/cmdline)
# A line break first: the firmware's screen-clearing escapes end without one, and would otherwise
# prefix the guest's first line so that the host's ^(PASS|FAIL|INFO) filter drops it.
echo
sh /vmtune/guest-tests.sh "$shape" "$cases" 2>&1
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
# The probe boots the first kernel without an initramfs: it panics at once (no root) and panic=-1
# ends qemu with status 0. (An -initrd /dev/null made qemu 7.2 fail to map it, so KVM was never
# used even where it works; on a host whose nested KVM rejects -cpu host's MSRs, qemu aborts and
# TCG is used.)
first=${KERNELS%% *}
if [ -w /dev/kvm ] && sh -c "timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nographic \
     -no-reboot -kernel '$first' -append 'console=ttyS0 panic=-1'" </dev/null >/dev/null 2>&1; then
  accel="-accel kvm -cpu host"
fi

total_pass=0; total_fail=0; failed=""; summary=""; suite_start=$(date +%s)
for kernel in $KERNELS; do
  # 6.1, 6.12: the name HEAVY and the output use.
  kv=$(basename "$kernel" | sed 's/^vmlinuz-\([0-9]*\.[0-9]*\).*/\1/')
  for shape in $SHAPES; do
    numa=""; extra=""
    case $shape in
      single) ;;
      numa2)
        half=$((MEM / 2))
        numa="-object memory-backend-ram,size=${half}M,id=m0 -object memory-backend-ram,size=${half}M,id=m1
              -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1" ;;
      numa3)
        # Unequal nodes, and node 2 without cpus=: qemu gives it memory only.
        m0=$((MEM / 2)); m1=$((MEM / 3)); m2=$((MEM - m0 - m1))
        numa="-object memory-backend-ram,size=${m0}M,id=m0 -object memory-backend-ram,size=${m1}M,id=m1
              -object memory-backend-ram,size=${m2}M,id=m2
              -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1
              -numa node,nodeid=2,memdev=m2" ;;
      movable)
        # The kernel takes 512 MiB from the top of the highest zone (DMA32 in a 3 GiB guest) for
        # ZONE_MOVABLE, whose watermarks follow their own rule (min capped at 128 pages).
        extra="movablecore=512M" ;;
      *) echo "kernel-tests: unknown shape '$shape' (single, numa2, numa3, movable)"; exit 1 ;;
    esac
    cases=core
    case " $HEAVY " in *" all "*|*" $kv:$shape "*) cases=all ;; esac
    name="$kv $shape"
    log="$work/$kv-$shape.log"
    start=$(date +%s)
    # shellcheck disable=SC2086
    timeout "${GUEST_TIMEOUT:-420}" qemu-system-x86_64 $accel -m "$MEM" -smp 2 $numa -nographic -no-reboot \
      -kernel "$kernel" -initrd "$work/initrd.gz" \
      -drive file="$work/disk.img",if=none,id=d0,format=raw,readonly=on -device nvme,serial=vmtune,drive=d0 \
      -append "console=ttyS0 panic=-1 quiet vmtune.shape=$shape vmtune.cases=$cases${extra:+ $extra}${APPEND_EXTRA:+ $APPEND_EXTRA}" \
      </dev/null >"$log" 2>&1 || true
    secs=$(( $(date +%s) - start ))
    [ -z "${KEEP_LOG:-}" ] || tr -d '\r' <"$log" >"$KEEP_LOG"
    tr -d '\r' <"$log" | grep -E '^(PASS|FAIL|INFO) ' | sed "s/^/[$name] /" || true
    pass=$(tr -d '\r' <"$log" | grep -c '^PASS ' || true)
    fail=$(tr -d '\r' <"$log" | grep -c '^FAIL ' || true)
    if ! tr -d '\r' <"$log" | grep -q '^GUEST-DONE'; then
      echo "[$name] FAIL guest did not finish (see below)"; tail -40 "$log"; fail=$((fail + 1))
    fi
    line="[$name] $pass passed, $fail failed in ${secs}s ($cases cases; $accel, $(basename "$kernel"))"
    echo "$line"
    summary="$summary$line
"
    total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
    [ "$fail" = 0 ] || failed="$failed, $name"
  done
done
echo "kernel-tests: summary"
printf '%s' "$summary"
echo "kernel-tests: $total_pass passed, $total_fail failed${failed:+ (in ${failed#, })} in $(( $(date +%s) - suite_start ))s"
[ "$total_fail" = 0 ]
