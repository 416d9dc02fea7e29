#!/usr/bin/env bash
# Builds the tests once, runs everything except the timing-sensitive suites in parallel, then those one at a
# time (they measure wall-clock time and the process's CPU; see TIMED in the Makefile).
set -euo pipefail
timed="$1"
swift build --build-tests
swift test --skip-build --skip "$timed"
swift test --skip-build --no-parallel --filter "$timed"
