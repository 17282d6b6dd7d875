#pragma once
// Native GEMM-like tensor contraction (GETT): C(i, j) (+)= sum_p A(i, p) B(p, j) where each
// operand element is reached through offset tables, A(i, p) = a[a_m[i] + a_k[p]] and so on.
// A row index i stands for a whole group of tensor modes (the m labels), so any strided
// layout is contracted without a transposed copy: blocks of A and B are packed straight
// from the tensors into micro-panels (as in BLIS / TCCG), a register-blocked micro-kernel
// multiplies them, and C is written through its own offsets.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <vector>

#include "tenet/core/extents.hpp"
#include "tenet/exec/microkernel.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tenet::exec::detail {

template <class T>
struct gett_blocking {
  static constexpr index mr = kernel_shape<T>::mr, nr = kernel_shape<T>::nr;
  static constexpr index kc = 256;  // a k-slice of a B micro-panel stays in L1
  static constexpr index mc = (sizeof(T) == 4 ? 240 : 120) / mr * mr;  // a block of A stays in L2
  static constexpr index nc = 2048 / nr * nr;  // a block of B stays in L3
};

// A growable 64-byte aligned scratch buffer, one per thread, kept across calls (packing
// buffers are large; allocating them per call costs page faults).
template <class T>
T* scratch(std::size_t n, int slot) {
  struct buf {
    T* p = nullptr;
    std::size_t n = 0;
    ~buf() { ::operator delete(p, std::align_val_t{64}); }
  };
  thread_local buf b[2];
  if (b[slot].n < n) {
    ::operator delete(b[slot].p, std::align_val_t{64});
    b[slot].p = static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64}));
    b[slot].n = n;
  }
  return b[slot].p;
}

inline bool unit_stride(const index* off, index n) {
  for (index i = 1; i < n; ++i)
    if (off[i] != off[0] + i) return false;
  return true;
}

// Packs rows [i0, i0 + mc) x k [p0, p0 + kc) of A into MR-row micro-panels (zero padded).
template <class T>
void pack_a(const T* a, const index* am, const index* ak, bool k_unit, index i0, index mc, index p0, index kc,
            T* dst, index panel_lo, index panel_hi) {
  constexpr index MR = gett_blocking<T>::mr;
  for (index q = panel_lo; q < panel_hi; ++q) {
    T* d = dst + q * MR * kc;
    const index rows = std::min(MR, mc - q * MR);
    for (index i = 0; i < MR; ++i) {
      if (i >= rows) {
        for (index p = 0; p < kc; ++p) d[p * MR + i] = T(0);
        continue;
      }
      const index base = am[i0 + q * MR + i];
      if (k_unit) {
        const T* s = a + base + ak[p0];
        for (index p = 0; p < kc; ++p) d[p * MR + i] = s[p];
      } else {
        for (index p = 0; p < kc; ++p) d[p * MR + i] = a[base + ak[p0 + p]];
      }
    }
  }
}

// Packs k [p0, p0 + kc) x columns [j0, j0 + nc) of B into NR-column micro-panels.
template <class T>
void pack_b(const T* b, const index* bk, const index* bn, bool n_unit, index p0, index kc, index j0, index nc,
            T* dst, index panel_lo, index panel_hi) {
  constexpr index NR = gett_blocking<T>::nr;
  for (index q = panel_lo; q < panel_hi; ++q) {
    T* d = dst + q * NR * kc;
    const index cols = std::min(NR, nc - q * NR);
    const index jq = j0 + q * NR;
    for (index p = 0; p < kc; ++p) {
      const index base = bk[p0 + p];
      T* dp = d + p * NR;
      if (n_unit && cols == NR) {
        const T* s = b + base + bn[jq];
        for (index j = 0; j < NR; ++j) dp[j] = s[j];
      } else {
        for (index j = 0; j < cols; ++j) dp[j] = b[base + bn[jq + j]];
        for (index j = cols; j < NR; ++j) dp[j] = T(0);
      }
    }
  }
}

/// C(i, j) = (accumulate ? C(i, j) : 0) + sum_p A(i, p) B(p, j), through offset tables.
template <class T>
void gett(index m, index n, index k, const T* a, const index* am, const index* ak, const T* b, const index* bk,
          const index* bn, T* c, const index* cm, const index* cn, bool accumulate, int threads) {
  using B = gett_blocking<T>;
  constexpr index MR = B::mr, NR = B::nr;
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate)
      for (index i = 0; i < m; ++i)
        for (index j = 0; j < n; ++j) c[cm[i] + cn[j]] = T(0);
    return;
  }
  const bool a_k_unit = unit_stride(ak, k), b_n_unit = unit_stride(bn, n), c_n_unit = unit_stride(cn, n);
  const index nc_max = std::min(B::nc, (n + NR - 1) / NR * NR);
  const index kc_max = std::min(B::kc, k);
  const index mc_max = std::min(B::mc, (m + MR - 1) / MR * MR);
  T* pb = scratch<T>(static_cast<std::size_t>(nc_max * kc_max), 0);
#ifndef _OPENMP
  (void)threads;
#else
  threads = std::max(1, threads);
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
  {
#ifdef _OPENMP
    const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    const int tid = 0, nt = 1;
#endif
    T* pa = scratch<T>(static_cast<std::size_t>(mc_max * kc_max), 1);
    alignas(64) T tile[MR * NR];
    for (index j0 = 0; j0 < n; j0 += B::nc) {
      const index nc = std::min(B::nc, n - j0);
      const index n_panels = (nc + NR - 1) / NR;
      for (index p0 = 0; p0 < k; p0 += B::kc) {
        const index kc = std::min(B::kc, k - p0);
        const bool acc = accumulate || p0 > 0;
        // Every thread packs a share of the B panels, then all wait for the whole block.
        pack_b(b, bk, bn, b_n_unit, p0, kc, j0, nc, pb, n_panels * tid / nt, n_panels * (tid + 1) / nt);
#ifdef _OPENMP
#pragma omp barrier
#endif
        // Threads split the blocks of A (each packs its own), then the panels of B.
        const index m_blocks = (m + B::mc - 1) / B::mc;
        const bool split_m = m_blocks >= nt;
        for (index ib = split_m ? tid : 0; ib < m_blocks; ib += split_m ? nt : 1) {
          const index i0 = ib * B::mc, mc = std::min(B::mc, m - i0);
          const index m_panels = (mc + MR - 1) / MR;
          pack_a(a, am, ak, a_k_unit, i0, mc, p0, kc, pa, 0, m_panels);
          const index jp_lo = split_m ? 0 : n_panels * tid / nt, jp_hi = split_m ? n_panels : n_panels * (tid + 1) / nt;
          for (index jp = jp_lo; jp < jp_hi; ++jp) {
            const index jr = jp * NR, cols = std::min(NR, nc - jr);
            for (index ip = 0; ip < m_panels; ++ip) {
              const index ir = ip * MR, rows = std::min(MR, mc - ir);
              micro_kernel<T>(kc, pa + ip * MR * kc, pb + jp * NR * kc, tile);
              for (index i = 0; i < rows; ++i) {
                T* crow = c + cm[i0 + ir + i];
                const T* t = tile + i * NR;
                if (c_n_unit) {
                  T* cc = crow + cn[j0 + jr];
                  if (acc)
                    for (index j = 0; j < cols; ++j) cc[j] += t[j];
                  else
                    for (index j = 0; j < cols; ++j) cc[j] = t[j];
                } else {
                  const index* cnj = cn + j0 + jr;
                  if (acc)
                    for (index j = 0; j < cols; ++j) crow[cnj[j]] += t[j];
                  else
                    for (index j = 0; j < cols; ++j) crow[cnj[j]] = t[j];
                }
              }
            }
          }
        }
#ifdef _OPENMP
#pragma omp barrier
#endif
      }
    }
  }
}

}  // namespace tenet::exec::detail
