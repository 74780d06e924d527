#!/usr/bin/env bash
# See plan-latency.py. Usage: bench/plan-latency.sh [PROFILE]
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/plan-latency.py "$@"
