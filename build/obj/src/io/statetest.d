build/obj/src/io/statetest.o: src/io/statetest.c src/io/statetest.h \
 src/io/../exec/transition.h src/io/../exec/../evm/fork.h \
 src/io/../exec/../evm/host.h src/io/../exec/../evm/../util/types.h \
 src/io/../exec/../evm/../util/uint256.h \
 src/io/../exec/../evm/../util/uint256_inline.h \
 src/io/../exec/../evm/fork.h src/io/../exec/../state/state.h \
 src/io/../exec/../state/../util/types.h \
 src/io/../exec/../state/../util/uint256.h \
 src/io/../exec/../state/../evm/code.h \
 src/io/../exec/../state/../evm/../util/types.h \
 src/io/../crypto/secp256k1_recover.h src/io/../crypto/../util/types.h \
 src/io/../evm/precompiles.h src/io/../evm/../util/types.h \
 src/io/../evm/fork.h src/io/../util/hex.h src/io/../util/types.h \
 src/io/../util/keccak.h
src/io/statetest.h:
src/io/../exec/transition.h:
src/io/../exec/../evm/fork.h:
src/io/../exec/../evm/host.h:
src/io/../exec/../evm/../util/types.h:
src/io/../exec/../evm/../util/uint256.h:
src/io/../exec/../evm/../util/uint256_inline.h:
src/io/../exec/../evm/fork.h:
src/io/../exec/../state/state.h:
src/io/../exec/../state/../util/types.h:
src/io/../exec/../state/../util/uint256.h:
src/io/../exec/../state/../evm/code.h:
src/io/../exec/../state/../evm/../util/types.h:
src/io/../crypto/secp256k1_recover.h:
src/io/../crypto/../util/types.h:
src/io/../evm/precompiles.h:
src/io/../evm/../util/types.h:
src/io/../evm/fork.h:
src/io/../util/hex.h:
src/io/../util/types.h:
src/io/../util/keccak.h:
