/* Placeholder: the uint256 module owner moves hot operations here as static inline functions
 * and removes them from uint256.c. Included only by uint256.h. */
#ifndef PV_UTIL_UINT256_INLINE_H
#define PV_UTIL_UINT256_INLINE_H
#endif
