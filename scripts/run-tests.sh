#!/usr/bin/env bash
# Builds the tests once, runs everything except the timing-sensitive suites in parallel, then those one at a
# time, with their time and CPU bounds enforced (see TIMED in the Makefile and expectWithinBound).
set -euo pipefail
timed="$1"
swift build --build-tests
swift test --skip-build --skip "$timed"
QUARRY_TIMING_BOUNDS=strict swift test --skip-build --no-parallel --filter "$timed"
