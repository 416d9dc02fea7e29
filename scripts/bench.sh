#!/usr/bin/env bash
# The benchmarks, each beside its baseline in the same run. Run through `make bench`, which builds in
# release mode and starts a throwaway PostgreSQL cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
quarry=.build/release/quarry
$quarry bench copy --rows 1000000 --repeats 5
$quarry bench queue --tasks 100000 --workers 4 --concurrency 200 --backlog 1000000 --log-level warning
$quarry bench llm --concurrency 100,1000,2000 --latency 200ms
scripts/bench-simulator.sh 10 200
