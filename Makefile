# The two commands: `make demo` runs a demo build, `make test` runs the tests. Both install what they need.
SWIFT ?= swift

.PHONY: demo test build bench deps

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product quarry

demo: build
	.build/release/quarry demo

# Tests that bound latency or CPU use (LISTEN wake-ups, HTTP concurrency and timeouts, an idle HTTP client's CPU)
# run afterwards, one at a time, where their bounds are enforced (QUARRY_TIMING_BOUNDS=strict; elsewhere a miss is
# a known issue, see expectWithinBound). They measure wall-clock time or the whole test process's CPU, and the rest
# of the suite running beside them on a 2-core machine skews both: run in parallel with everything else (twice),
# bounds were missed 5 times (1,000 concurrent 200 ms requests in 6.2 s against 5 s, twice; 0.35 and 0.52 s of
# process CPU in 0.5 s of client idling; a 1 s timeout noticed after 12.9 s, set-up included); no other test failed
# for time. One at a time they take ~10 s.
TIMED = ConnectionRecoveryTests|HTTPClientConcurrencyTests|HTTPClientFailureTests|HTTPClientIdleCloseTests|FaultMappingTests

test: deps
	scripts/with-postgres.sh scripts/run-tests.sh "$(TIMED)"

bench: build
	QUARRY_BENCH_DEPS=1 scripts/install-deps.sh
	scripts/with-postgres.sh scripts/bench.sh
