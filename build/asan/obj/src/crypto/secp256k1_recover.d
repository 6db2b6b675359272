build/asan/obj/src/crypto/secp256k1_recover.o: \
 src/crypto/secp256k1_recover.c src/crypto/secp256k1_recover.h \
 src/crypto/../util/types.h src/crypto/../util/keccak.h \
 src/crypto/../util/types.h
src/crypto/secp256k1_recover.h:
src/crypto/../util/types.h:
src/crypto/../util/keccak.h:
src/crypto/../util/types.h:
