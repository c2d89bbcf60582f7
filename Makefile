# taskmap — the two commands that matter: `make demo` and `make test`. Each installs what it needs.
SWIFT ?= swift
DB ?= out/demo.sqlite
PORT ?= 8080

.PHONY: deps build release test demo bench clean fuzz test-sanitizers reliability

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product taskmap

test: deps
	$(SWIFT) build --build-tests
	scripts/with-pg $(SWIFT) test --skip-build

demo: release
	@mkdir -p out
	.build/release/taskmap demo --db $(DB) --port $(PORT)

bench: deps
	scripts/bench

# Reliability (RELIABILITY.md): libFuzzer targets, the suite under ASan and TSan, kill/restart, concurrency, soak.
FUZZ_SECONDS ?= 600
fuzz: deps
	scripts/fuzz all $(FUZZ_SECONDS)

test-sanitizers: deps
	scripts/test-sanitizers

reliability: deps
	scripts/crash-import
	scripts/crash-serve
	scripts/concurrency
	scripts/soak

clean:
	rm -rf .build out
