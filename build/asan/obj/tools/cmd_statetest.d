build/asan/obj/tools/cmd_statetest.o: tools/cmd_statetest.c \
 tools/commands.h src/evm/interp.h src/evm/code.h src/evm/../util/types.h \
 src/evm/host.h src/evm/../util/uint256.h \
 src/evm/../util/uint256_inline.h src/evm/fork.h src/io/statetest.h \
 src/io/../exec/transition.h src/io/../exec/../evm/fork.h \
 src/io/../exec/../evm/host.h src/io/../exec/../state/state.h \
 src/io/../exec/../state/../util/types.h \
 src/io/../exec/../state/../util/uint256.h \
 src/io/../exec/../state/../evm/code.h src/util/hex.h src/util/types.h
tools/commands.h:
src/evm/interp.h:
src/evm/code.h:
src/evm/../util/types.h:
src/evm/host.h:
src/evm/../util/uint256.h:
src/evm/../util/uint256_inline.h:
src/evm/fork.h:
src/io/statetest.h:
src/io/../exec/transition.h:
src/io/../exec/../evm/fork.h:
src/io/../exec/../evm/host.h:
src/io/../exec/../state/state.h:
src/io/../exec/../state/../util/types.h:
src/io/../exec/../state/../util/uint256.h:
src/io/../exec/../state/../evm/code.h:
src/util/hex.h:
src/util/types.h:
