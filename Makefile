# Thin wrapper over CMake; `make build-xdp` is the original tool's build command.
BUILD ?= build
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
# src/ by the data path: collect -> store -> report (and audit) -> export
SRC_INCLUDES = -Isrc -Isrc/collect -Isrc/store -Isrc/report -Isrc/export
SOURCES = $(wildcard src/*.c src/*.h src/*/*.c src/*/*.h bpf/*.c bpf/*.h tests/*.c tests/unit/*.c tests/fuzz/*.c tests/fuzz/*.h bench/*.c)

.PHONY: all build-xdp install test test-asan format format-check lint bench fuzz clean

all: build-xdp

build-xdp:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$$(nproc)
	ln -sf $(BUILD)/pdtt_xdp_user pdtt_xdp_user

# make install [PREFIX=/usr/local] [DESTDIR=/staging]
PREFIX ?= /usr/local
install:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build $(BUILD) -j$$(nproc)
	cmake --install $(BUILD)

test:
	bash scripts/setup.sh test

format:
	clang-format -i $(SOURCES)

format-check:
	clang-format --dry-run --Werror $(SOURCES)

lint: build-xdp
	# the manual pages: mandoc at warning level, groff's own warnings
	mandoc -Tlint -W warning man/pdtt_xdp_user.8 man/pdtt.db.5
	groff -mandoc -ww -z man/pdtt_xdp_user.8 man/pdtt.db.5
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem --inline-suppr $(SRC_INCLUDES) -I bpf src
	clang-tidy -p $(BUILD) --quiet $(filter-out src/collect/collector.c,$(wildcard src/*.c src/*/*.c))
	# bpftool's generated skeletons trip a false unix.Malloc leak report.
	clang-tidy -p $(BUILD) --quiet --checks=-clang-analyzer-unix.Malloc src/collect/collector.c
	# gcc's static analyzer: leaks, double frees, use of uninitialised values
	for f in src/*.c src/*/*.c; do \
		gcc -fanalyzer -Werror -O2 -std=gnu11 -Wall -Wextra -I$(BUILD)/skel $(SRC_INCLUDES) -Ibpf \
			-I$(BUILD)/sqlgen -c $$f -o /dev/null || exit 1; \
	done

bench: build-xdp
	bash bench/bpf_cost.sh $(BUILD)/pdtt_xdp_user
	bash bench/owner_cost.sh $(BUILD)/pdtt_xdp_user $(BUILD)/bench/syscall_loop
	bash bench/history_bench.sh $(BUILD)/bench/history_bench
	bash bench/report_latency.sh $(BUILD)/pdtt_xdp_user $(BUILD)/bench/history_bench
	bash bench/quota_bench.sh $(BUILD)/bench/history_bench $(BUILD)/bench/quota_bench

# libFuzzer targets from the seed corpus, FUZZ_SECONDS each (CI: 30).
FUZZ_SECONDS ?= 60
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz pdtt_xdp_user
