build/obj/src/util/keccak.o: src/util/keccak.c src/util/keccak.h \
 src/util/types.h
src/util/keccak.h:
src/util/types.h:
