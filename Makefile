# Makefile: the README's two commands and their parts.
#
#   make run     bootstrap, build, create ./data with a first admin if missing, serve on :8080
#   make test    bootstrap, build (normal + ASan/UBSan + fuzzers), run every test
#
# Parts: make build | test-unit | test-api (both engines) | test-browser | test-asan | test-fuzz | bench-api | bench-api-pg
#        | bench-assets | bench-production | bench-avails | bench-talent
#        | format | clean. Builds are CMake (build/, build-asan/, build-fuzz/).
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
CMAKE_Q     = cmake -S . -Wno-dev --log-level=WARNING
MAKEFLAGS  += --no-print-directory

.PHONY: all bootstrap build build-asan build-fuzz run test test-unit test-api test-browser \
        test-asan test-fuzz bench-api bench-api-pg bench-assets bench-production bench-avails bench-talent format format-check clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@$(CMAKE_Q) -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: bootstrap
	@$(CMAKE_Q) -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMS_SANITIZE=ON
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

build-fuzz: bootstrap
	@CC=clang $(CMAKE_Q) -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMS_FUZZ=ON -DMS_TESTS=OFF
	@cmake --build $(FUZZ_BUILD) -j$(JOBS)

run: build
	@scripts/run

test: build build-asan build-fuzz
	@scripts/test all

test-unit: build
	@scripts/test unit

test-api: build
	@scripts/test api

test-browser: build
	@scripts/test browser

test-asan: build-asan
	@scripts/test asan

test-fuzz: build-fuzz
	@scripts/test fuzz

bench-api:
	@scripts/bootstrap --bench
	@$(CMAKE_Q) -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	@cmake --build $(BUILD) -j$(JOBS)
	@bench/api.sh

bench-assets:
	@scripts/bootstrap --bench
	@$(CMAKE_Q) -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	@cmake --build $(BUILD) -j$(JOBS)
	@bench/assets.sh

bench-production:
	@scripts/bootstrap --bench
	@$(CMAKE_Q) -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	@cmake --build $(BUILD) -j$(JOBS)
	@bench/production.sh

bench-avails:
	@scripts/bootstrap --bench
	@$(CMAKE_Q) -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	@cmake --build $(BUILD) -j$(JOBS)
	@bench/avails.sh

bench-talent:
	@scripts/bootstrap --bench
	@$(CMAKE_Q) -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	@cmake --build $(BUILD) -j$(JOBS)
	@bench/talent.sh

bench-api-pg:
	@scripts/bootstrap --bench
	@$(CMAKE_Q) -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	@cmake --build $(BUILD) -j$(JOBS)
	@TARGETS="sqlite pg1 pg2 nginx" ROUNDS=$${ROUNDS:-3} bench/api.sh

format:
	@find src tests/unit tests/fuzz bench -name '*.[ch]' | xargs clang-format -i

format-check:
	@find src tests/unit tests/fuzz bench -name '*.[ch]' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
