#!/bin/sh
# Shared by guest-tests.sh and guest-eval.sh (sourced inside the qemu guest).

# Free memory in blocks of order >= 4, counted in order-4 units, from /proc/buddyinfo
# (fields 5.. are orders 0..; busybox awk has no ^, so the weight doubles by hand).
# With a node number, only that node's zones.
order4() {
  awk -v n="${1:+$1,}" 'n == "" || $2 == n { m = 1; for (o = 4; o <= NF - 5; o++) { s += $(o + 5) * m; m *= 2 } } END { print s + 0 }' /proc/buddyinfo
}
