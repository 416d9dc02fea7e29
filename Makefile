# The two commands: `make demo` runs a demo build, `make test` runs the tests. Both install what they need.
SWIFT ?= swift

.PHONY: demo test build bench deps

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product quarry

demo: build
	.build/release/quarry demo

test: deps
	scripts/with-postgres.sh $(SWIFT) test

bench: build
	QUARRY_BENCH_DEPS=1 scripts/install-deps.sh
	scripts/with-postgres.sh scripts/bench.sh
