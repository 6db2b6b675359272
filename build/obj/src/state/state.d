build/obj/src/state/state.o: src/state/state.c src/state/state.h \
 src/state/../util/types.h src/state/../util/uint256.h \
 src/state/../util/uint256_inline.h src/state/../evm/code.h \
 src/state/../evm/../util/types.h src/state/../exec/transition.h \
 src/state/../exec/../evm/fork.h src/state/../exec/../evm/host.h \
 src/state/../exec/../evm/../util/types.h \
 src/state/../exec/../evm/../util/uint256.h \
 src/state/../exec/../evm/fork.h src/state/../exec/../state/state.h \
 src/state/../exec/../state/../evm/code.h src/state/../util/keccak.h \
 src/state/../util/types.h src/state/../util/rlp.h \
 src/state/../util/uint256.h src/state/trie.h
src/state/state.h:
src/state/../util/types.h:
src/state/../util/uint256.h:
src/state/../util/uint256_inline.h:
src/state/../evm/code.h:
src/state/../evm/../util/types.h:
src/state/../exec/transition.h:
src/state/../exec/../evm/fork.h:
src/state/../exec/../evm/host.h:
src/state/../exec/../evm/../util/types.h:
src/state/../exec/../evm/../util/uint256.h:
src/state/../exec/../evm/fork.h:
src/state/../exec/../state/state.h:
src/state/../exec/../state/../evm/code.h:
src/state/../util/keccak.h:
src/state/../util/types.h:
src/state/../util/rlp.h:
src/state/../util/uint256.h:
src/state/trie.h:
