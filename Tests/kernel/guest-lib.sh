#!/bin/sh
# Shared by guest-tests.sh and guest-eval.sh (sourced inside the qemu guest).

# Free memory in blocks of order >= ORDER, counted in ORDER-sized units, from /proc/buddyinfo
# (fields 5.. are orders 0..; busybox awk has no ^, so the weight doubles by hand).
# With a node number, only that node's zones. usage: free_blocks ORDER [NODE]
free_blocks() {
  awk -v o="$1" -v n="${2:+$2,}" '
    n == "" || $2 == n { m = 1; for (k = o; k <= NF - 5; k++) { s += $(k + 5) * m; m *= 2 } }
    END { print s + 0 }' /proc/buddyinfo
}

# Free memory in blocks of order >= 4 (64 KiB), in order-4 units; with a node number, that node's.
order4() { free_blocks 4 "$1"; }
