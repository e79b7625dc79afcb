# Thin wrappers; the real work is in CMake and scripts/.
BUILD ?= build
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)

.PHONY: run remove-demo test build deps bench format clean

# make run PORT=8081 when 8080 is taken.
run: build
	@scripts/run $(BUILD)/sfapid $(if $(PORT),--port $(PORT))

# As root, `make run` acts through a demo account (sfapid never acts as root); this removes it.
remove-demo:
	@scripts/run $(BUILD)/sfapid --remove-demo

test: deps
	@scripts/build-fuzz $(FUZZ_BUILD)
	@scripts/build $(BUILD) -DSFAPID_FUZZ_DIR=$(abspath $(FUZZ_BUILD))
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

build: deps
	@scripts/build $(BUILD)

deps:
	@scripts/install-deps

bench: build
	@bench/run-all $(BUILD)

format:
	@clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
