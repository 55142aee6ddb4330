# rtrl — build, test and demo.
#
#   make demo        install what is missing, build in release, run the streaming demo
#   make test        install what is missing, build, run every test suite (~10 min)
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
        test-stream test-c-sanitize test-c-valgrind demo bench bench-stream clean install uninstall

all: build

include mk/install.mk
install: lib

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
	@echo "make test: all suites passed"

test-swift:
	$(SWIFT) test

test-c: lib
	$(MAKE) -C Tests/c LIBDIR=$(CURDIR)/$(RELEASE_DIR) run

test-c-sanitize: lib
	$(MAKE) -C Tests/c LIBDIR=$(CURDIR)/$(RELEASE_DIR) sanitize

test-c-valgrind: lib
	$(MAKE) -C Tests/c LIBDIR=$(CURDIR)/$(RELEASE_DIR) valgrind

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

bench-stream: build deps-python
	RTRL_STREAM=$(STREAM_BIN) $(PYTHON) Benchmarks/stream/bench.py

# ---------------------------------------------------------------- demo

demo: deps build
	$(RELEASE_DIR)/rtrl-bench --demo

clean:
	rm -rf .build demo-output Tests/c/build examples/c/build
