build/obj/src/evm/precompiles.o: src/evm/precompiles.c \
 src/evm/precompiles.h src/evm/../util/types.h src/evm/fork.h \
 src/evm/../crypto/blake2f.h src/evm/../crypto/secp256k1_recover.h \
 src/evm/../crypto/../util/types.h
src/evm/precompiles.h:
src/evm/../util/types.h:
src/evm/fork.h:
src/evm/../crypto/blake2f.h:
src/evm/../crypto/secp256k1_recover.h:
src/evm/../crypto/../util/types.h:
