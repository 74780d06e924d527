#!/usr/bin/env bash
# Boots the guest once with guest-eval.sh as its job and prints the evaluation table
# (markdown) for docs/AGENT-EVALUATION.md. Takes several minutes under TCG.
set -euo pipefail
cd "$(dirname "$0")/../.."
GUEST_TIMEOUT=1200 GUEST_SCRIPT=guest-eval.sh SHAPES=single KEEP_LOG=/tmp/vmtune-eval.log ./Tests/kernel/run.sh || true
python3 - /tmp/vmtune-eval.log <<'PY'
import statistics, sys
rows = []
head = ""
for line in open(sys.argv[1], errors="replace"):
    line = line.strip().replace("\r", "")
    if "EVAL-START " in line:
        head = line.split("EVAL-START ", 1)[1]
    elif line.startswith("EVAL "):
        f = line.split()
        kv = dict(x.split("=", 1) for x in f[2:6])
        samples = [int(x) for x in line.split("samples=")[1].split()]
        rows.append((f[1], kv, samples))
print("Guest:", head)
print()
print("| strategy | compactions run by vmtune | compaction work (compact_migrate_scanned) | order-4 free blocks: min / median / last | rounds with >= 8192 order-4 blocks (512 MiB) |")
print("|---|---|---|---|---|")
for name, kv, s in rows:
    ok = sum(1 for x in s if x >= 8192)
    print("| %s (proactiveness %s) | %s | %s | %d / %d / %d | %d of %d |" % (name, kv["proactiveness"], kv["runs"], kv["scanned"], min(s), statistics.median(s), s[-1], ok, len(s)))
PY
