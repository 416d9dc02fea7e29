# The two commands: `make demo` runs a demo build, `make test` runs the tests. Both install what they need.
SWIFT ?= swift

.PHONY: demo test build bench deps

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product quarry

demo: build
	.build/release/quarry demo

# Tests that assert latency (LISTEN wake-ups, HTTP concurrency, timeouts) run in a second phase of their own,
# so the rest of the suite running in parallel on a 2-core machine does not skew what they measure.
TIMED = ConnectionRecoveryTests|HTTPClientConcurrencyTests|HTTPClientFailureTests|HTTPClientIdleCloseTests|FaultMappingTests

test: deps
	scripts/with-postgres.sh scripts/run-tests.sh "$(TIMED)"

bench: build
	QUARRY_BENCH_DEPS=1 scripts/install-deps.sh
	scripts/with-postgres.sh scripts/bench.sh
