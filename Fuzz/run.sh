#!/usr/bin/env bash
# Coverage-guided fuzzing of the profile loader, every /proc parser and the kernel-log reader with
# libFuzzer. Builds the side package with -sanitize=fuzzer,address, replays the regression inputs
# (crashes found earlier), then runs each target for SECONDS with its dictionary, on a work corpus
# seeded from Fuzz/seeds and the repository's own fixtures. Prints executions and coverage per
# target; exits 1 when a target crashes (the input is kept in fuzz-out/TARGET/).
#
# usage: Fuzz/run.sh [SECONDS] [TARGET…]     (default 20 s; targets: profile zoneinfo buddyinfo
#        meminfo vmstat kernellog)          env: FUZZ_OUT=fuzz-out
#        FUZZ_RUNS=N stops a target after N executions (SECONDS stays the upper bound)
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd .. && pwd)
seconds=${1:-20}
shift || true
targets=${*:-profile zoneinfo buddyinfo meminfo vmstat kernellog}
out=${FUZZ_OUT:-$repo/fuzz-out}

mkdir -p "$out"
echo "fuzz: building (release, -sanitize=fuzzer,address)"
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >"$out/build.log" 2>&1 \
  || { tail -30 "$out/build.log"; exit 1; }
rm -f "$out/build.log"

binary() {
  case $1 in
    profile) echo FuzzProfile ;; zoneinfo) echo FuzzZoneInfo ;; buddyinfo) echo FuzzBuddyInfo ;;
    meminfo) echo FuzzMemInfo ;; vmstat) echo FuzzVMStat ;; kernellog) echo FuzzKernelLog ;;
    *) echo "fuzz: unknown target $1" >&2; exit 64 ;;
  esac
}
dictionary() {
  case $1 in profile) echo profile.dict ;; kernellog) echo kernellog.dict ;; *) echo proc.dict ;; esac
}
# The repository's own inputs for a target, besides Fuzz/seeds.
fixtures() {
  case $1 in
    profile) ls "$repo"/profiles/*.yaml ;;
    kernellog) ls "$repo"/Tests/Fixtures/logs/* ;;
    *) ls "$repo"/Tests/Fixtures/proc/"$1"-* 2>/dev/null || true ;;
  esac
}

status=0
printf '%-10s %8s %14s %10s %8s %8s %s\n' target seconds executions exec/s cov ft result
for t in $targets; do
  bin=.build/release/$(binary "$t")
  work="$out/$t"
  mkdir -p "$work/corpus"
  cp -n seeds/"$t"/* "$work/corpus/" 2>/dev/null || true
  for f in $(fixtures "$t"); do cp -n "$f" "$work/corpus/"; done
  if [ -d "regressions/$t" ]; then
    "$bin" regressions/"$t"/* >"$work/regressions.log" 2>&1 || { echo "fuzz: $t: a regression input crashes again"; tail -20 "$work/regressions.log"; status=1; }
  fi
  log="$work/run.log"
  runs=()
  [ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
  started=$(date +%s)
  set +e
  "$bin" "${runs[@]}" -dict="dictionaries/$(dictionary "$t")" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/" -rss_limit_mb=2048 -max_len=65536 "$work/corpus" >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$(( $(date +%s) - started ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{s+=$1} END {print s+0}')
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  result=ok
  if [ $rc != 0 ]; then result="CRASH (see $work/)"; status=1; grep -m3 -E 'ERROR|Fatal|crash-' "$log" || true; fi
  printf '%-10s %8s %14s %10s %8s %8s %s\n' "$t" "$elapsed" "$execs" "$((execs / (elapsed > 0 ? elapsed : 1)))" \
    "${cov:-?}" "${ft:-?}" "$result"
done
exit $status
