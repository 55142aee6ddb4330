# rtrl — build, test and demo.
#
#   make demo      install what is missing, build in release, run the demo
#   make test      install what is missing, build, run every test suite
#   make deps      install missing system packages (apt) and the Python venv
#   make build     release build of the library, the adapter and the benchmarks
#   make install PREFIX=/usr/local   library, header, pkg-config file
#
# Swift comes from /opt/swift (or PATH).

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

PREFIX ?= /usr/local
SWIFT ?= swift
# The release build of librtrl.so: Swift runtime linked statically, so the library needs
# only libc, libm, libstdc++, libgcc_s and the system libraries it names.
SWIFT_RELEASE_FLAGS := -c release -Xswiftc -static-stdlib
RELEASE_DIR := .build/release
VENV := .venv
PYTHON := $(VENV)/bin/python

.PHONY: all deps deps-system deps-python build lib test test-swift test-c test-python demo clean install \
        test-c-sanitize test-c-valgrind

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

lib: deps-system
	$(SWIFT) build $(SWIFT_RELEASE_FLAGS) --product rtrl

# ---------------------------------------------------------------- tests

test: deps
	$(MAKE) test-swift
	$(MAKE) test-c
	$(MAKE) test-python
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
	RTRL_LIBRARY=$(CURDIR)/$(RELEASE_DIR)/librtrl.so \
	RTRL_CAPI_REFERENCE=$(CURDIR)/$(RELEASE_DIR)/rtrl-capi-reference \
	  $(PYTHON) -m pytest -q bindings/python/tests

# ---------------------------------------------------------------- demo

demo: deps build
	$(RELEASE_DIR)/rtrl-demo 2>/dev/null || $(SWIFT) run -c release rtrl-bench --demo

clean:
	rm -rf .build demo-output Tests/c/build examples/c/build
