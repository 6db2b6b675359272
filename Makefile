# parevm build. `make` builds the library and the CLI; `make demo` and `make check` are the two
# set-up commands of the README (both first install missing Debian packages when run as root).

CC       ?= cc
ARCH     ?= -march=native
OPT      ?= -O3
CFLAGS_COMMON = -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -Isrc -fPIC -pthread
CFLAGS   ?= $(OPT) $(ARCH) -g
LDLIBS   = -lsecp256k1 -lgmp -lcrypto -ljansson -lz -lpthread -lm -ldl
FIXTURES ?= $(if $(PAREVM_FIXTURES),$(PAREVM_FIXTURES),../shared/fixtures)
export PAREVM_FIXTURES := $(FIXTURES)

SRCS      := $(wildcard src/*/*.c)
OBJS      := $(SRCS:%.c=build/obj/%.o)
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_OBJS := $(TOOL_SRCS:%.c=build/obj/%.o)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TESTS     := $(TEST_SRCS:tests/unit/%.c=build/tests/%)

# The sanitizer builds keep $(ARCH) so that they check the vector code paths (batched Keccak).
SAN_FLAGS   := -O1 $(ARCH) -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_OBJS    := $(SRCS:%.c=build/asan/obj/%.o)
SAN_TOOL_OBJS := $(TOOL_SRCS:%.c=build/asan/obj/%.o)
SAN_TESTS   := $(TEST_SRCS:tests/unit/%.c=build/asan/tests/%)

TSAN_FLAGS  := -O1 $(ARCH) -g -fsanitize=thread
TSAN_LIB_OBJS := $(SRCS:%.c=build/tsan/obj/%.o)
TSAN_OBJS   := $(TSAN_LIB_OBJS) $(TOOL_SRCS:%.c=build/tsan/obj/%.o)
# Unit tests of the concurrent code, also built with ThreadSanitizer.
TSAN_TESTS  := build/tsan/tests/test_parallel build/tsan/tests/test_trie build/tsan/tests/test_concurrency \
               build/tsan/tests/test_rlp

.PHONY: all deps demo check stress unit unit-asan statetest-sample statetest clean
all: build/libparevm.a build/libparevm.so build/parevm $(TESTS)

deps:
	@sh scripts/install-deps.sh

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -MMD -MP -c $< -o $@

# The interpreter's computed-goto loop: without these gcc merges the handlers' dispatch tails
# into shared blocks (one indirect jump for many handlers: worse prediction) and hoists loads
# across handlers (measured: main benchmark geometric mean 4% faster with them).
INTERP_FLAGS := -fno-gcse -fno-crossjumping
build/obj/src/evm/interp.o: CFLAGS += $(INTERP_FLAGS)

build/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -MMD -MP -c $< -o $@

build/libparevm.a: $(OBJS)
	@rm -f $@
	ar rcs $@ $^

build/libparevm.so: $(OBJS)
	$(CC) -shared -o $@ $^ $(LDLIBS)

build/parevm: $(TOOL_OBJS) build/libparevm.a
	$(CC) $(CFLAGS) -pthread -o $@ $(TOOL_OBJS) build/libparevm.a $(LDLIBS)

build/tests/%: tests/unit/%.c build/libparevm.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -Itests/unit -o $@ $< build/libparevm.a $(LDLIBS)

build/tsan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(TSAN_FLAGS) -MMD -MP -c $< -o $@

# The state-test runner under ThreadSanitizer (the concurrent code so far).
build/tsan/parevm: $(TSAN_OBJS)
	$(CC) $(TSAN_FLAGS) -pthread -o $@ $(TSAN_OBJS) $(LDLIBS)

build/tsan/libparevm.a: $(TSAN_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

build/tsan/tests/%: tests/unit/%.c build/tsan/libparevm.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(TSAN_FLAGS) -Itests/unit -o $@ $< build/tsan/libparevm.a $(LDLIBS)

build/asan/libparevm.a: $(SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

build/asan/parevm: $(SAN_TOOL_OBJS) build/asan/libparevm.a
	$(CC) $(SAN_FLAGS) -pthread -o $@ $(SAN_TOOL_OBJS) build/asan/libparevm.a $(LDLIBS)

build/asan/tests/%: tests/unit/%.c build/asan/libparevm.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -Itests/unit -o $@ $< build/asan/libparevm.a $(LDLIBS)

unit: $(TESTS)
	@sh tests/run.sh unit $(TESTS)

unit-asan: $(SAN_TESTS)
	@sh tests/run.sh unit-asan $(SAN_TESTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

check: deps
	@$(MAKE) --no-print-directory all $(SAN_TESTS) build/asan/parevm build/tsan/parevm $(TSAN_TESTS)
	@sh tests/check.sh

# The full determinism suite (parallel == sequential), also under ThreadSanitizer: long.
stress: deps
	@$(MAKE) --no-print-directory all build/tsan/parevm $(TSAN_TESTS)
	@sh tests/stress.sh

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(SAN_OBJS:.o=.d) $(SAN_TOOL_OBJS:.o=.d) $(TSAN_OBJS:.o=.d)
