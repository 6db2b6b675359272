build/asan/obj/src/evm/interp.o: src/evm/interp.c src/evm/interp.h \
 src/evm/code.h src/evm/../util/types.h src/evm/host.h \
 src/evm/../util/uint256.h src/evm/../util/uint256_inline.h \
 src/evm/fork.h src/evm/../util/keccak.h src/evm/../util/types.h \
 src/evm/opcodes.h
src/evm/interp.h:
src/evm/code.h:
src/evm/../util/types.h:
src/evm/host.h:
src/evm/../util/uint256.h:
src/evm/../util/uint256_inline.h:
src/evm/fork.h:
src/evm/../util/keccak.h:
src/evm/../util/types.h:
src/evm/opcodes.h:
