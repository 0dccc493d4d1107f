# sipxecs — the two commands of the README, and the long-running extras.
#   make run    install deps, build, start the PBX in the foreground
#   make test   install deps, run the thread tests under TSan, then the whole
#               suite under ASan+UBSan
# Extras (not part of `make test`): make fuzz, make bench-parse, make bench-media,
# make bench-tsx, make bench-register, make bench-proxy, make release

PRESET ?= asan
BUILD := build/$(PRESET)
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= $(if $(CI),-DSX_WERROR=ON,)
FUZZ_SECONDS ?= 30
# e.g. make bench-register BENCH_REGISTER_ARGS="--reps 5 --reg-rate 4000"
BENCH_REGISTER_ARGS ?=
# e.g. make bench-proxy BENCH_PROXY_ARGS="--reps 5 --rate 2000"
BENCH_PROXY_ARGS ?=


.PHONY: all build test test-tsan run release fuzz bench-parse bench-media bench-tsx bench-register bench-proxy clean \
	deps-test

all: build

build:
	scripts/deps.sh build
	cmake --preset $(PRESET) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# The thread tests (worker hand-over, posting, pool, store writer) run first
# under ThreadSanitizer, then the whole suite under ASan+UBSan.
test:
	scripts/deps.sh test
	$(MAKE) --no-print-directory test-tsan
	$(MAKE) --no-print-directory build PRESET=$(PRESET)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 900

test-tsan:
	$(MAKE) --no-print-directory build PRESET=tsan
	cd build/tsan && ctest -L thread --output-on-failure -j$(JOBS) --timeout 900

run:
	scripts/deps.sh run
	$(MAKE) --no-print-directory build PRESET=release
	@scripts/run.sh build/release

release:
	$(MAKE) --no-print-directory build PRESET=release

fuzz:
	scripts/deps.sh fuzz
	cmake --preset fuzz >/dev/null
	cmake --build build/fuzz -j$(JOBS)
	scripts/fuzz.sh build/fuzz $(FUZZ_SECONDS)

bench-parse:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build PRESET=release
	build/release/bin/bench_parse

bench-media:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build PRESET=release
	build/release/bin/bench_media

bench-tsx:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build PRESET=release
	build/release/bin/bench_tsx

bench-register:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build PRESET=release
	bench/bench-register.sh $(BENCH_REGISTER_ARGS) build/release

bench-proxy:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build PRESET=release
	bench/bench-proxy.sh $(BENCH_PROXY_ARGS) build/release

clean:
	rm -rf build
