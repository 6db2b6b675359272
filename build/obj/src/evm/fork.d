build/obj/src/evm/fork.o: src/evm/fork.c src/evm/fork.h
src/evm/fork.h:
