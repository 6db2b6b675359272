build/obj/src/util/hex.o: src/util/hex.c src/util/hex.h src/util/types.h
src/util/hex.h:
src/util/types.h:
