build/obj/src/exec/host_impl.o: src/exec/host_impl.c src/exec/host_impl.h \
 src/exec/../evm/host.h src/exec/../evm/../util/types.h \
 src/exec/../evm/../util/uint256.h \
 src/exec/../evm/../util/uint256_inline.h src/exec/../evm/fork.h \
 src/exec/../state/state.h src/exec/../state/../util/types.h \
 src/exec/../state/../util/uint256.h src/exec/../state/../evm/code.h \
 src/exec/../state/../evm/../util/types.h src/exec/transition.h \
 src/exec/../evm/fork.h src/exec/../evm/interp.h src/exec/../evm/code.h \
 src/exec/../evm/host.h src/exec/../evm/precompiles.h \
 src/exec/../util/keccak.h src/exec/../util/types.h \
 src/exec/../util/rlp.h src/exec/../util/uint256.h
src/exec/host_impl.h:
src/exec/../evm/host.h:
src/exec/../evm/../util/types.h:
src/exec/../evm/../util/uint256.h:
src/exec/../evm/../util/uint256_inline.h:
src/exec/../evm/fork.h:
src/exec/../state/state.h:
src/exec/../state/../util/types.h:
src/exec/../state/../util/uint256.h:
src/exec/../state/../evm/code.h:
src/exec/../state/../evm/../util/types.h:
src/exec/transition.h:
src/exec/../evm/fork.h:
src/exec/../evm/interp.h:
src/exec/../evm/code.h:
src/exec/../evm/host.h:
src/exec/../evm/precompiles.h:
src/exec/../util/keccak.h:
src/exec/../util/types.h:
src/exec/../util/rlp.h:
src/exec/../util/uint256.h:
