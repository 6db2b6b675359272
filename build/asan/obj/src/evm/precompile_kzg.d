build/asan/obj/src/evm/precompile_kzg.o: src/evm/precompile_kzg.c \
 src/evm/precompiles.h src/evm/../util/types.h src/evm/fork.h
src/evm/precompiles.h:
src/evm/../util/types.h:
src/evm/fork.h:
