build/obj/src/evm/code.o: src/evm/code.c src/evm/code.h \
 src/evm/../util/types.h src/evm/opcodes.h src/evm/fork.h
src/evm/code.h:
src/evm/../util/types.h:
src/evm/opcodes.h:
src/evm/fork.h:
