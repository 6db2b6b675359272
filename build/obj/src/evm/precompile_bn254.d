build/obj/src/evm/precompile_bn254.o: src/evm/precompile_bn254.c \
 src/evm/precompiles.h src/evm/../util/types.h src/evm/fork.h
src/evm/precompiles.h:
src/evm/../util/types.h:
src/evm/fork.h:
