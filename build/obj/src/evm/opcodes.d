build/obj/src/evm/opcodes.o: src/evm/opcodes.c src/evm/opcodes.h \
 src/evm/fork.h
src/evm/opcodes.h:
src/evm/fork.h:
