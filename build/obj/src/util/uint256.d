build/obj/src/util/uint256.o: src/util/uint256.c src/util/uint256.h \
 src/util/uint256_inline.h
src/util/uint256.h:
src/util/uint256_inline.h:
