build/asan/obj/src/crypto/blake2f.o: src/crypto/blake2f.c \
 src/crypto/blake2f.h
src/crypto/blake2f.h:
