#!/usr/bin/env bash
# Builds the tests once, runs everything except the timing-sensitive suites in parallel, then those alone.
set -euo pipefail
timed="$1"
swift build --build-tests
swift test --skip-build --skip "$timed"
swift test --skip-build --filter "$timed"
