# rtrl — build, test and demo.
#
#   make demo        install what is missing, build in release, run the streaming demo
#                    (examples/demo: two live series into rtrl-stream, ~45 s)
#   make test        install what is missing, build, run every test suite (~8 min on 2 cores)
#
#   make deps        missing system packages (apt: libzmq3-dev, libopenblas-dev) and the
#                    Python venv .venv (numpy, pytest, pycparser, pyzmq, the binding)
#   make build       release build: librtrl.so, rtrl-stream, rtrl-bench
#   make lib         release build of librtrl.so only
#   make install PREFIX=/usr/local   library, header and pkg-config file
#   make bench       rtrl-bench (steps/s against the machine's GEMM rate), the C ABI
#                    per-call cost and the numpy comparison
#   make bench-stream   messages/s and latency of rtrl-stream
#   make test-c-sanitize / test-c-valgrind   the C tests under ASan+UBSan / valgrind
#   make test-kernels-tsan   the kernel's thread pool under ThreadSanitizer
#   make fuzz FUZZ_SECONDS=600, make sanitize, make kill-test, make soak   reliability
#                    (mk/fuzz.mk: fuzzing, sanitizers, the crash test, the 30-min soak)
#
# Swift comes from /opt/swift (or PATH).

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

PREFIX ?= /usr/local
SWIFT ?= swift
# The release build: the Swift runtime linked statically, so librtrl.so needs only
# libc, libm, libstdc++, libgcc_s and the system libraries it names (OpenBLAS, libzmq).
SWIFT_RELEASE_FLAGS := -c release -Xswiftc -static-stdlib
RELEASE_DIR := .build/release
VENV := .venv
PYTHON := $(VENV)/bin/python
LIBRARY := $(CURDIR)/$(RELEASE_DIR)/librtrl.so
STREAM_BIN := $(CURDIR)/$(RELEASE_DIR)/rtrl-stream

.PHONY: all deps deps-system deps-python build lib test test-swift test-c test-python \
        test-stream test-readme test-examples test-c-sanitize test-c-valgrind test-kernels-tsan demo bench \
        bench-stream bench-learning clean install uninstall

all: build

include mk/install.mk
install: lib
include mk/fuzz.mk

# ---------------------------------------------------------------- dependencies

deps: deps-system deps-python

deps-system:
	@missing=""; \
	pkg-config --exists libzmq || missing="$$missing libzmq3-dev"; \
	pkg-config --exists openblas || missing="$$missing libopenblas-dev"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y $$missing || { $$SUDO apt-get update && $$SUDO apt-get install -y $$missing; }; \
	fi

deps-python: $(VENV)/.deps-ok

$(VENV)/.deps-ok: bindings/python/requirements-dev.txt bindings/python/pyproject.toml
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -r bindings/python/requirements-dev.txt
	$(PYTHON) -m pip install -q -e ./bindings/python
	@touch $@

# ---------------------------------------------------------------- build

build: deps-system
	$(SWIFT) build $(SWIFT_RELEASE_FLAGS)
	@ln -sf librtrl.so $(RELEASE_DIR)/librtrl.so.0

# librtrl.so's SONAME is librtrl.so.0: the link lets programs linked against the build
# folder find it at run time.
lib: deps-system
	$(SWIFT) build $(SWIFT_RELEASE_FLAGS) --product rtrl
	@ln -sf librtrl.so $(RELEASE_DIR)/librtrl.so.0

# ---------------------------------------------------------------- tests

test: deps
	$(MAKE) test-swift
	$(MAKE) test-c
	$(MAKE) test-python
	$(MAKE) test-stream
	$(MAKE) test-readme
	$(MAKE) test-examples
	$(MAKE) test-reliability
	$(MAKE) fuzz-smoke
	@echo "make test: all suites passed"

test-swift:
	$(SWIFT) test

test-c: lib
	$(MAKE) -C Tests/c LIBDIR=$(CURDIR)/$(RELEASE_DIR) run

test-c-sanitize: lib
	$(MAKE) -C Tests/c LIBDIR=$(CURDIR)/$(RELEASE_DIR) sanitize

test-c-valgrind: lib
	$(MAKE) -C Tests/c LIBDIR=$(CURDIR)/$(RELEASE_DIR) valgrind

# The kernel's thread pool (Sources/RTRLKernels/parallel.c) under gcc's ThreadSanitizer.
test-kernels-tsan:
	@mkdir -p .build/tsan
	gcc -O1 -g -fsanitize=thread -ISources/RTRLKernels/include Tests/kernels/pool_tsan.c \
	  Sources/RTRLKernels/parallel.c Sources/RTRLKernels/kernels.c -o .build/tsan/pool_tsan -lpthread
	TSAN_OPTIONS=halt_on_error=1 .build/tsan/pool_tsan

test-python: lib deps-python
	RTRL_LIBRARY=$(LIBRARY) RTRL_CAPI_REFERENCE=$(CURDIR)/$(RELEASE_DIR)/rtrl-capi-reference \
	  $(PYTHON) -m pytest -q bindings/python/tests

test-stream: lib deps-python
	$(SWIFT) build $(SWIFT_RELEASE_FLAGS) --product rtrl-stream
	RTRL_STREAM=$(STREAM_BIN) RTRL_LIBRARY=$(LIBRARY) $(PYTHON) -m pytest -q Tests/stream

# ---------------------------------------------------------------- benchmarks

bench: build deps-python
	$(RELEASE_DIR)/rtrl-bench
	@cc -O2 -Iinclude Benchmarks/c/step_overhead.c -L$(RELEASE_DIR) -lrtrl -lm \
	  -Wl,-rpath,$(CURDIR)/$(RELEASE_DIR) -o $(RELEASE_DIR)/step-overhead
	$(RELEASE_DIR)/step-overhead 8
	RTRL_LIBRARY=$(LIBRARY) $(PYTHON) bindings/python/benchmarks/compare_numpy.py

# SnAp-1 against exact RTRL, prequential: the error at the same size and at the same speed
# (an 8x larger snap1 network) on the temporal XOR and Mackey-Glass (docs/scale.md).
# About 15-25 minutes on 2 cores.
bench-learning: lib deps-python
	RTRL_LIBRARY=$(LIBRARY) $(PYTHON) Benchmarks/scale/learning.py

bench-stream: build deps-python
	RTRL_STREAM=$(STREAM_BIN) $(PYTHON) Benchmarks/stream/bench.py

# Learning quality, prequential: rtrl's optimizers (sgd, adam, ekf, dekf, rls readout)
# against persistence, online linear RLS and an echo state network on Mackey-Glass,
# NARMA10 and the temporal XOR (docs/quality.md). About 6 minutes on 2 cores.
.PHONY: bench-quality
bench-quality: lib deps-python
	RTRL_LIBRARY=$(LIBRARY) $(PYTHON) Benchmarks/quality/bench_quality.py

# ---------------------------------------------------------------- demo

demo: deps build
	RTRL_STREAM=$(STREAM_BIN) RTRL_LIBRARY=$(LIBRARY) $(PYTHON) examples/demo/demo.py

# Every quick start of README.md, run as written (Tests/readme).
test-readme: build deps-python
	RTRL_STREAM=$(STREAM_BIN) RTRL_LIBRARY=$(LIBRARY) $(PYTHON) -m pytest -q Tests/readme

# The classic experiments of examples/ and the demo's parts (Tests/examples).
test-examples: build deps-python
	RTRL_STREAM=$(STREAM_BIN) RTRL_LIBRARY=$(LIBRARY) $(PYTHON) -m pytest -q Tests/examples

clean:
	rm -rf .build demo-output Tests/c/build examples/c/build
