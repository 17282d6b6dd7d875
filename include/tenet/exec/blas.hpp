#pragma once
// C = A B (or C += A B) on strided matrices through CBLAS (cblas_sgemm / cblas_dgemm), the
// GEMM of engine::blas. Only with TENET_HAS_CBLAS (CMake: -DTENET_BLAS=ON, which links the
// BLAS library); contract.hpp includes it then.
//
// Strides as in gemm.hpp: each matrix has one unit stride; row-major CBLAS takes a
// unit-column-stride matrix as NoTrans and a unit-row-stride one as Trans, so no layout is
// ever copied. What CBLAS cannot express (a leading dimension below its minimum, sizes past
// its int) goes to Eigen's GEMM instead.
//
// Threads: CBLAS has no per-call thread count, so the BLAS library's own setting applies
// (for OpenBLAS: OPENBLAS_NUM_THREADS, or openblas_set_num_threads in the program); the
// policy's count is not passed on. tenet calls nothing library-specific.
#ifndef TENET_HAS_CBLAS
#error "tenet/exec/blas.hpp needs a CBLAS: define TENET_HAS_CBLAS (CMake: -DTENET_BLAS=ON)"
#endif

// xtensor-blas bundles its own copy of the reference cblas.h (xflens), which redefines the
// CBLAS enums: with it included first, its declarations serve (the same functions, names
// and values); else the BLAS's own cblas.h, marking xflens's copy as seen so that a later
// xtensor-blas include uses these declarations instead of clashing with them.
#ifndef CXXBLAS_DRIVERS_CBLAS_H
#include <cblas.h>
#define CXXBLAS_DRIVERS_CBLAS_H 1
#ifndef CBLAS_INT
#define CBLAS_INT int
#endif
#endif

#include <limits>
#include <type_traits>

#include "tenet/core/extents.hpp"
#include "tenet/exec/gemm.hpp"

namespace tenet::exec::detail {

/// Element types with a CBLAS GEMM.
template <class T>
inline constexpr bool blas_supports = std::is_same_v<T, float> || std::is_same_v<T, double>;

/// C (m x n) = A (m x k) B (k x n), or += when accumulate, on CBLAS. `threads` is used only
/// where the call falls back to Eigen's GEMM.
template <class T>
  requires blas_supports<T>
void blas_gemm(index m, index n, index k, matrix_ref<const T> a, matrix_ref<const T> b, matrix_ref<T> c,
               bool accumulate, int threads) {
  if (m == 0 || n == 0 || k == 0) {  // CBLAS would accept these, but gemm's zero fill is the same
    gemm<T>(m, n, k, a, b, c, accumulate, threads);
    return;
  }
  a = gemm_impl::normalize(a, m, k);
  b = gemm_impl::normalize(b, k, n);
  c = gemm_impl::normalize(c, m, n);
  if (c.cs != 1) {  // column-major C: compute C^T = B^T A^T instead
    blas_gemm<T>(n, m, k, {b.p, b.cs, b.rs}, {a.p, a.cs, a.rs}, {c.p, c.cs, c.rs}, accumulate, threads);
    return;
  }
  const bool ta = a.cs != 1, tb = b.cs != 1;
  const index lda = ta ? a.cs : a.rs, ldb = tb ? b.cs : b.rs, ldc = c.rs;
  // Row-major CBLAS wants ld >= the stored row length (CBLAS's own checks would report
  // through xerbla and skip the call); overlapping or huge layouts go to Eigen.
  constexpr index int_max = std::numeric_limits<int>::max();
  const bool fits = lda >= (ta ? m : k) && ldb >= (tb ? k : n) && ldc >= n && m <= int_max && n <= int_max &&
                    k <= int_max && lda <= int_max && ldb <= int_max && ldc <= int_max;
  if (!fits) {
    gemm<T>(m, n, k, a, b, c, accumulate, threads);
    return;
  }
  const CBLAS_TRANSPOSE opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
  const T beta = accumulate ? T(1) : T(0);  // beta 0: C is not read (may be uninitialized)
  const auto i = [](index x) { return static_cast<int>(x); };
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, opa, opb, i(m), i(n), i(k), 1.0f, a.p, i(lda), b.p, i(ldb), beta, c.p, i(ldc));
  else
    cblas_dgemm(CblasRowMajor, opa, opb, i(m), i(n), i(k), 1.0, a.p, i(lda), b.p, i(ldb), beta, c.p, i(ldc));
}

}  // namespace tenet::exec::detail
