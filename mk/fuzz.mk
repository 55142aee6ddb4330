# mk/fuzz.mk — reliability targets: fuzzing, sanitizers, crash test, soak (issue 7).
#
# Included by the top-level Makefile (`include mk/fuzz.mk`, after its variables).
#
#   make fuzz FUZZ_SECONDS=600     every fuzz target for FUZZ_SECONDS each (default 60),
#                                  one after the other; a crash or sanitizer report fails
#   make fuzz-smoke                every fuzz target for FUZZ_SMOKE_SECONDS (default 20), all
#                                  at once: the regression check run by `make test`
#   make fuzz-build                the fuzzers only (fuzz/build/fuzz_*)
#   make fuzz-TARGET               one target (wire, stream_checkpoint, net_load, capi)
#   make sanitize                  the C tests and examples under ASan+UBSan (Tests/c) and
#                                  the stream adapter's cross-thread stop under TSan
#   make kill-test [KILLS=100]     SIGKILL rtrl-stream at random moments KILLS times while a
#                                  publisher streams; every restart must load every
#                                  checkpoint and no stream may go back past its last one
#   make kill-test-smoke           the same with 10 kills
#   make soak SOAK_SECONDS=1800    the adapter under steady load with malformed messages and
#                                  topic churn at --max-streams; RSS and fds sampled
#   make test-reliability          the pyzmq reliability tests: a poisoned stream, and the
#                                  crash test with 10 kills (for `make test`, with fuzz-smoke)
#
# The fuzzers link the library's own sources, compiled by swiftc/clang with coverage
# instrumentation and AddressSanitizer (Swift) and ASan+UBSan (C): the harnesses see
# librtrl's internal branches. Objects go to fuzz/build/obj (not the SwiftPM build
# folders), built once and reused until a source changes.

FUZZ_DIR := fuzz
FUZZ_BUILD := $(FUZZ_DIR)/build
FUZZ_OBJ := $(FUZZ_BUILD)/obj
FUZZ_TARGETS := wire stream_checkpoint net_load capi
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
# Extra libFuzzer flags, e.g. FUZZ_FLAGS=-jobs=2.
FUZZ_FLAGS ?=
SWIFTC ?= swiftc
FUZZ_CLANG ?= clang
FUZZ_SWIFT_FLAGS := -O -wmo -g -parse-as-library -sanitize=fuzzer,address -package-name rtrl
FUZZ_C_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=all -Iinclude
FUZZ_INCLUDES := -I $(FUZZ_OBJ) -I Sources/COpenBLAS -I Sources/CZeroMQ -I Sources/CRTRL \
                 -I $(FUZZ_BUILD)/modules/RTRLKernels -Xcc -I/usr/include/x86_64-linux-gnu/openblas-pthread
FUZZ_LINK := -sanitize=fuzzer,address -Xclang-linker -fsanitize=undefined -use-ld=lld \
             -L/usr/lib/x86_64-linux-gnu/openblas-pthread -lopenblas -lzmq
# libFuzzer options of every run: a slow input or a large allocation is a finding too.
FUZZ_RUN_FLAGS := -timeout=20 -rss_limit_mb=2560 -malloc_limit_mb=2048 -print_final_stats=1

RTRL_SOURCES := $(wildcard Sources/RTRL/*.swift)
RTRLSTREAM_SOURCES := $(wildcard Sources/RTRLStream/*.swift)
RTRLCAPI_SOURCES := $(wildcard Sources/RTRLCAPI/*.swift)

.PHONY: fuzz fuzz-smoke fuzz-build $(addprefix fuzz-,$(FUZZ_TARGETS)) sanitize sanitize-tsan \
        kill-test kill-test-smoke soak test-reliability

fuzz-build: $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  $(FUZZ_DIR)/run_fuzzer.sh $(FUZZ_BUILD) $$t $(FUZZ_SECONDS) $(FUZZ_RUN_FLAGS) $(FUZZ_FLAGS) || exit 1; \
	done

# The smoke runs the targets side by side (each for FUZZ_SMOKE_SECONDS of wall time).
fuzz-smoke: fuzz-build
	@pids=""; for t in $(FUZZ_TARGETS); do \
	  $(FUZZ_DIR)/run_fuzzer.sh $(FUZZ_BUILD) $$t $(FUZZ_SMOKE_SECONDS) $(FUZZ_RUN_FLAGS) $(FUZZ_FLAGS) & pids="$$pids $$!"; \
	done; fail=0; for p in $$pids; do wait $$p || fail=1; done; exit $$fail

$(addprefix fuzz-,$(FUZZ_TARGETS)): fuzz-%: $(FUZZ_BUILD)/fuzz_%
	$(FUZZ_DIR)/run_fuzzer.sh $(FUZZ_BUILD) $* $(FUZZ_SECONDS) $(FUZZ_RUN_FLAGS) $(FUZZ_FLAGS)

# ---------------------------------------------------------------- instrumented library objects

$(FUZZ_BUILD)/modules/RTRLKernels/module.modulemap:
	@mkdir -p $(@D)
	printf 'module RTRLKernels {\n  header "%s/Sources/RTRLKernels/include/rtrl_kernels.h"\n  export *\n}\n' "$(CURDIR)" > $@

$(FUZZ_OBJ)/kernels.o $(FUZZ_OBJ)/parallel.o $(FUZZ_OBJ)/optimizer_pass.o: $(FUZZ_OBJ)/%.o: Sources/RTRLKernels/%.c Sources/RTRLKernels/include/rtrl_kernels.h
	@mkdir -p $(@D)
	$(FUZZ_CLANG) $(FUZZ_C_FLAGS) -O2 -fno-math-errno -ISources/RTRLKernels/include -c $< -o $@

$(FUZZ_OBJ)/RTRL.o: $(RTRL_SOURCES) $(FUZZ_BUILD)/modules/RTRLKernels/module.modulemap \
                    Sources/RTRLKernels/include/rtrl_kernels.h
	@mkdir -p $(@D)
	$(SWIFTC) $(FUZZ_SWIFT_FLAGS) $(FUZZ_INCLUDES) -module-name RTRL -emit-module \
	  -emit-module-path $(FUZZ_OBJ)/RTRL.swiftmodule -c $(RTRL_SOURCES) -o $@

$(FUZZ_OBJ)/RTRLStream.o: $(RTRLSTREAM_SOURCES) $(FUZZ_OBJ)/RTRL.o
	$(SWIFTC) $(FUZZ_SWIFT_FLAGS) $(FUZZ_INCLUDES) -module-name RTRLStream -emit-module \
	  -emit-module-path $(FUZZ_OBJ)/RTRLStream.swiftmodule -c $(RTRLSTREAM_SOURCES) -o $@

$(FUZZ_OBJ)/RTRLCAPI.o: $(RTRLCAPI_SOURCES) $(FUZZ_OBJ)/RTRLStream.o include/rtrl.h
	$(SWIFTC) $(FUZZ_SWIFT_FLAGS) $(FUZZ_INCLUDES) -module-name RTRLCAPI -emit-module \
	  -emit-module-path $(FUZZ_OBJ)/RTRLCAPI.swiftmodule -c $(RTRLCAPI_SOURCES) -o $@

FUZZ_ENGINE_OBJS := $(FUZZ_OBJ)/RTRL.o $(FUZZ_OBJ)/kernels.o $(FUZZ_OBJ)/parallel.o $(FUZZ_OBJ)/optimizer_pass.o
FUZZ_STREAM_OBJS := $(FUZZ_OBJ)/RTRLStream.o $(FUZZ_ENGINE_OBJS)
FUZZ_CAPI_OBJS := $(FUZZ_OBJ)/RTRLCAPI.o $(FUZZ_STREAM_OBJS)

# ---------------------------------------------------------------- the fuzzers

# Swift harnesses: compiled against the instrumented modules.
$(FUZZ_BUILD)/fuzz_wire: $(FUZZ_DIR)/wire/fuzz_wire.swift $(FUZZ_STREAM_OBJS)
	$(SWIFTC) $(FUZZ_SWIFT_FLAGS) $(FUZZ_INCLUDES) -module-name fuzz_wire $< $(FUZZ_STREAM_OBJS) $(FUZZ_LINK) -o $@

$(FUZZ_BUILD)/fuzz_stream_checkpoint: $(FUZZ_DIR)/stream_checkpoint/fuzz_stream_checkpoint.swift $(FUZZ_STREAM_OBJS)
	$(SWIFTC) $(FUZZ_SWIFT_FLAGS) $(FUZZ_INCLUDES) -module-name fuzz_stream_checkpoint $< $(FUZZ_STREAM_OBJS) $(FUZZ_LINK) -o $@

# C harnesses: the public C ABI (include/rtrl.h), linked with the instrumented RTRLCAPI.
$(FUZZ_BUILD)/fuzz_net_load.o: $(FUZZ_DIR)/net_load/fuzz_net_load.c $(FUZZ_DIR)/common/fuzz_support.h include/rtrl.h
	@mkdir -p $(@D)
	$(FUZZ_CLANG) $(FUZZ_C_FLAGS) -std=c11 -Wall -Wextra -Werror -c $< -o $@

$(FUZZ_BUILD)/fuzz_capi.o: $(FUZZ_DIR)/capi/fuzz_capi.c $(FUZZ_DIR)/common/fuzz_support.h include/rtrl.h
	@mkdir -p $(@D)
	$(FUZZ_CLANG) $(FUZZ_C_FLAGS) -std=c11 -Wall -Wextra -Werror -c $< -o $@

$(FUZZ_BUILD)/fuzz_net_load: $(FUZZ_BUILD)/fuzz_net_load.o $(FUZZ_CAPI_OBJS)
	$(SWIFTC) $^ $(FUZZ_LINK) -o $@

$(FUZZ_BUILD)/fuzz_capi: $(FUZZ_BUILD)/fuzz_capi.o $(FUZZ_CAPI_OBJS)
	$(SWIFTC) $^ $(FUZZ_LINK) -o $@

# ---------------------------------------------------------------- sanitizers

# ASan+UBSan: the C tests and examples (Tests/c); TSan: the adapter's cross-thread stop and
# the engine kernel's worker threads (ThreadsTests, KernelTests, and Tests/kernels/pool_tsan.c
# built with gcc: three callers sharing the pool).
sanitize: test-c-sanitize sanitize-tsan test-kernels-tsan
	@echo "make sanitize: ASan+UBSan (C tests, examples) and TSan (cross-thread stop, kernel threads) clean"

# A debug build of the Swift tests with -sanitize=thread in its own scratch folder; the
# suites that run an adapter on one thread and stop it from another. TSan's report makes
# the test process fail (halt_on_error).
TSAN_SCRATCH ?= .build-tsan
sanitize-tsan:
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" $(SWIFT) test --sanitize=thread \
	  --scratch-path $(TSAN_SCRATCH) --filter 'CrossThreadStopTests|AdapterTests|ThreadsTests|KernelTests'

# ---------------------------------------------------------------- crash test, soak, stream tests

KILLS ?= 100
SOAK_SECONDS ?= 1800

kill-test: build deps-python
	RTRL_STREAM=$(STREAM_BIN) RTRL_LIBRARY=$(LIBRARY) $(PYTHON) Tests/reliability/kill_test.py --kills $(KILLS)

kill-test-smoke: build deps-python
	RTRL_STREAM=$(STREAM_BIN) RTRL_LIBRARY=$(LIBRARY) $(PYTHON) Tests/reliability/kill_test.py --kills 10

soak: build deps-python
	RTRL_STREAM=$(STREAM_BIN) $(PYTHON) Tests/reliability/soak.py --seconds $(SOAK_SECONDS)

test-reliability: build deps-python
	RTRL_STREAM=$(STREAM_BIN) RTRL_LIBRARY=$(LIBRARY) $(PYTHON) -m pytest -q Tests/reliability
