#pragma once
// The register-blocked micro-kernel of the native contraction engine: an MR x NR tile of C
// accumulated over kc steps from packed micro-panels of A (MR values per step) and B (NR
// values per step). Written with the compiler's vector extensions, so the same source is
// an AVX-512, AVX2 or SSE kernel depending on the target (-march); the tile shape follows.
#include <algorithm>
#include <cstddef>
#include <cstring>

#if defined(__AVX__)
#include <immintrin.h>
#endif

#include "tenet/core/extents.hpp"

namespace tenet::exec::detail {

#if defined(__AVX512F__)
inline constexpr int simd_bytes = 64;
#elif defined(__AVX__)
inline constexpr int simd_bytes = 32;
#else
inline constexpr int simd_bytes = 16;
#endif

template <class T>
struct kernel_shape {
  static constexpr int lanes = simd_bytes / static_cast<int>(sizeof(T));
  static constexpr int nv = 2;  // vectors per row of the tile
  static constexpr int nr = nv * lanes;
  // Accumulators mr * nv plus nv loads of B and one broadcast of A fit the register file
  // (16 vector registers below AVX-512, 32 with it). With AVX-512, 8 x 32 (16 accumulators)
  // rather than the 14 x 32 that would fill it: on Zen 4 the six cases of bench_tccg ran
  // 4-12% faster and the 1x1 convolutions of DTTN-T up to 14% (fewer rows wasted at the
  // edges: 128 rows are 10 panels of 14, 140 rows of work), and a 2048^3 GEMM no slower.
  static constexpr int mr = simd_bytes == 64 ? 8 : 6;
};

template <class T>
using simd_t [[gnu::vector_size(simd_bytes)]] = T;
// The same vector at any element-aligned address (loads and stores through it never take the
// accumulators' address, which would keep GCC from holding them in registers).
template <class T>
struct simd_unaligned {
  typedef T type __attribute__((vector_size(simd_bytes), aligned(alignof(T)), may_alias));
};
template <class T>
using simd_unaligned_t = typename simd_unaligned<T>::type;

template <class T>
[[gnu::always_inline]] inline simd_t<T> load(const T* p) noexcept {
  return *reinterpret_cast<const simd_unaligned_t<T>*>(p);
}
template <class T>
[[gnu::always_inline]] inline void store(T* p, simd_t<T> v) noexcept {
  *reinterpret_cast<simd_unaligned_t<T>*>(p) = v;
}

// The first n lanes (0 < n <= lanes) from p, the others zero; never touches p[n] or past.
template <class T>
[[gnu::always_inline]] inline simd_t<T> load_first(const T* p, int n) noexcept {
#if defined(__AVX512F__)
  if constexpr (sizeof(T) == 4)
    return reinterpret_cast<simd_t<T>>(_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p));
  else return reinterpret_cast<simd_t<T>>(_mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << n) - 1), p));
#elif defined(__AVX__)
  // Lane i is loaded where it is negative in the mask: a window onto 8 ones then 8 zeros.
  static constexpr int ones[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ones + 8 - n * int(sizeof(T) / 4)));
  if constexpr (sizeof(T) == 4) return reinterpret_cast<simd_t<T>>(_mm256_maskload_ps(p, mask));
  else return reinterpret_cast<simd_t<T>>(_mm256_maskload_pd(p, mask));
#else
  simd_t<T> v{};
  for (int i = 0; i < n; ++i) v[i] = p[i];
  return v;
#endif
}
// p[i] = v[i] for the first n lanes (0 < n <= lanes); p[n] and past are not touched.
template <class T>
[[gnu::always_inline]] inline void store_first(T* p, simd_t<T> v, int n) noexcept {
#if defined(__AVX512F__)
  if constexpr (sizeof(T) == 4)
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), reinterpret_cast<__m512>(v));
  else _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << n) - 1), reinterpret_cast<__m512d>(v));
#else
  for (int i = 0; i < n; ++i) p[i] = v[i];
#endif
}
// p[i] = v[first + i] for i < n (0 < n, first + n <= lanes); p[n] and past are not touched.
template <class T>
[[gnu::always_inline]] inline void store_lanes(T* p, simd_t<T> v, int first, int n) noexcept {
  if (first == 0) {
    if (n == kernel_shape<T>::lanes) store<T>(p, v);
    else store_first<T>(p, v, n);
    return;
  }
#if defined(__AVX512F__)
  // The lanes moved down to the first ones, then stored as those.
  if constexpr (sizeof(T) == 4) {
    const auto m = static_cast<__mmask16>(((1u << n) - 1) << first);
    store_first<T>(p, reinterpret_cast<simd_t<T>>(_mm512_maskz_compress_ps(m, reinterpret_cast<__m512>(v))), n);
  } else {
    const auto m = static_cast<__mmask8>(((1u << n) - 1) << first);
    store_first<T>(p, reinterpret_cast<simd_t<T>>(_mm512_maskz_compress_pd(m, reinterpret_cast<__m512d>(v))), n);
  }
#else
  for (int i = 0; i < n; ++i) p[i] = v[first + i];
#endif
}

// c[j] = t[j] (c[j] += t[j] when `add`) for j < n, by vectors masked at the end.
template <class T>
[[gnu::always_inline]] inline void store_row(T* c, const T* t, index n, bool add) noexcept {
  constexpr index L = kernel_shape<T>::lanes;
  index j = 0;
  for (; j + L <= n; j += L) store<T>(c + j, add ? load<T>(c + j) + load<T>(t + j) : load<T>(t + j));
  if (const int r = static_cast<int>(n - j); r > 0)
    store_first<T>(c + j, add ? load_first<T>(c + j, r) + load_first<T>(t + j, r) : load_first<T>(t + j, r), r);
}

// All lanes = *p, as one broadcast load (GCC turns the portable form into two instructions).
template <class T>
[[gnu::always_inline]] inline simd_t<T> broadcast(const T* p) noexcept {
#if defined(__AVX512F__)
  if constexpr (sizeof(T) == 4) return reinterpret_cast<simd_t<T>>(_mm512_set1_ps(*p));
  else return reinterpret_cast<simd_t<T>>(_mm512_set1_pd(*p));
#elif defined(__AVX__)
  if constexpr (sizeof(T) == 4) return reinterpret_cast<simd_t<T>>(_mm256_broadcast_ss(p));
  else return reinterpret_cast<simd_t<T>>(_mm256_broadcast_sd(p));
#else
  return simd_t<T>{} + *p;  // a scalar operand is broadcast to every lane
#endif
}

// acc[i][j] = sum_p a[p*MR + i] * b[p*NR + j*L ..]: the register-blocked loop of both kernels.
template <class T, int MR, int NV, int L>
[[gnu::always_inline]] inline void micro_accumulate(index kc, const T* __restrict a, const T* __restrict b,
                                                    simd_t<T> (&acc)[MR][NV]) {
  using V = simd_t<T>;
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[i][j] = V{};
  for (index p = 0; p < kc; ++p) {
    V bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bv[j] = load<T>(b + j * L);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const V av = broadcast(a + i);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[i][j] += av * bv[j];
    }
    a += MR;
    b += NV * L;
  }
}

/// tile[MR x NR] (row-major, leading dimension NR) = sum_p a[p*MR + i] * b[p*NR + j].
template <class T>
[[gnu::always_inline]] inline void micro_kernel(index kc, const T* __restrict a, const T* __restrict b, T* __restrict tile) {
  using V = simd_t<T>;
  constexpr int MR = kernel_shape<T>::mr, NV = kernel_shape<T>::nv, L = kernel_shape<T>::lanes;
  // The loops over the tile are unrolled explicitly: at -O2 GCC would otherwise keep the
  // accumulators in memory (a 3x slower kernel).
  V acc[MR][NV];
  micro_accumulate<T, MR, NV, L>(kc, a, b, acc);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) store<T>(tile + i * NV * L + j * L, acc[i][j]);
}

/// The same tile straight into C (+= when `add`): row i at c + row_off[i], its first `cols`
/// elements (0 < cols <= NR) contiguous; only those are read and written. Saves the round
/// trip through a tile buffer, which costs most when k is short.
template <class T>
[[gnu::always_inline]] inline void micro_kernel_c(index kc, const T* __restrict a, const T* __restrict b, T* c,
                                                  const index* row_off, bool add, index cols) {
  using V = simd_t<T>;
  constexpr int MR = kernel_shape<T>::mr, NV = kernel_shape<T>::nv, L = kernel_shape<T>::lanes;
  // C's rows are most likely not in cache (a tile is written once per k-slice): ask for them
  // now, so the loads and stores at the end do not wait on memory.
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    __builtin_prefetch(c + row_off[i], 1);
    __builtin_prefetch(c + row_off[i] + (NV * L - 1), 1);
  }
  V acc[MR][NV];
  micro_accumulate<T, MR, NV, L>(kc, a, b, acc);
  if (cols < NV * L) {  // a partial panel: masked at its end
    for (int j = 0; j < NV; ++j) {
      const int nj = static_cast<int>(std::min<index>(L, cols - j * L));
      if (nj <= 0) break;
      for (int i = 0; i < MR; ++i) {
        T* p = c + row_off[i] + j * L;
        store_first<T>(p, add ? load_first<T>(p, nj) + acc[i][j] : acc[i][j], nj);
      }
    }
    return;
  }
  if (add) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        T* p = c + row_off[i] + j * L;
        store<T>(p, load<T>(p) + acc[i][j]);
      }
  } else {
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) store<T>(c + row_off[i] + j * L, acc[i][j]);
  }
}

}  // namespace tenet::exec::detail
