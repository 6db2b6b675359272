build/obj/src/state/trie.o: src/state/trie.c src/state/trie.h \
 src/state/../util/types.h src/state/../util/keccak.h \
 src/state/../util/types.h src/state/../util/rlp.h \
 src/state/../util/uint256.h src/state/../util/uint256_inline.h
src/state/trie.h:
src/state/../util/types.h:
src/state/../util/keccak.h:
src/state/../util/types.h:
src/state/../util/rlp.h:
src/state/../util/uint256.h:
src/state/../util/uint256_inline.h:
