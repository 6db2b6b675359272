build/asan/obj/src/util/rlp.o: src/util/rlp.c src/util/rlp.h \
 src/util/types.h src/util/uint256.h src/util/uint256_inline.h
src/util/rlp.h:
src/util/types.h:
src/util/uint256.h:
src/util/uint256_inline.h:
