# Thin wrapper: the real build is CMake (see CMakePresets.json). Two commands matter:
#   make run   install what is missing, build, start the gateway on the demo config
#   make test  install what is missing, build, run every test
PRESET ?= default
BUILD_DIR = build/$(PRESET)
JOBS ?= $(shell nproc)

.PHONY: run test deps build test-asan fuzz bench format clean

run: build
	@mkdir -p data/demo
	$(BUILD_DIR)/bin/omnigate serve --config config/demo.toml

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset $(PRESET)
	cmake --build --preset $(PRESET) -j $(JOBS)

# The slow suites live behind their own targets (CI runs them separately, briefly).
test-asan:
	$(MAKE) test PRESET=asan

fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS) --target fuzzers
	tests/fuzz/run-all.sh build/fuzz $(or $(FUZZ_SECONDS),20)

bench: build
	bench/run-all.sh $(BUILD_DIR)

format:
	git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i

clean:
	rm -rf build
