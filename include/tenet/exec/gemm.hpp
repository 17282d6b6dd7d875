#pragma once
// C = A B (or C += A B) on strided matrices, through Eigen's GEMM. Each matrix is a pointer
// and a (row, column) stride pair, one of which is 1: any transposed layout is a stride
// choice, never a copy.
//
// Threads: exactly the `threads` asked for, whatever Eigen::setNbThreads says. Eigen's own
// product expression takes its thread count from that process-wide setting (or, unset, from
// OpenMP), so a user who gave Eigen 8 threads would turn exec::seq parallel. Large products
// therefore go to Eigen's GEMM kernel (general_matrix_matrix_product) directly, through the
// same functor and the same split into threads as Eigen's parallelize_gemm, with our count.
// Small and vector-shaped products keep Eigen's expression: they never run in parallel.
#include <algorithm>
#include <cassert>
#include <memory>

#include <Eigen/Core>

#include "tenet/core/extents.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tenet::exec::detail {

template <class T>
struct matrix_ref {
  T* p;
  index rs;  // row stride
  index cs;  // column stride
};

namespace gemm_impl {
template <class T, int Order>
using map_t = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Order>, 0, Eigen::OuterStride<>>;
template <class T>
using dest_t = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0, Eigen::OuterStride<>>;

template <class T, int Order>
map_t<T, Order> map(matrix_ref<const T> a, index rows, index cols) {
  return {a.p, rows, cols, Eigen::OuterStride<>(Order == Eigen::RowMajor ? a.rs : a.cs)};
}

// Makes a stride that is irrelevant (extent 1) unit, and the other a valid outer stride.
template <class T>
matrix_ref<T> normalize(matrix_ref<T> a, index rows, index cols) {
  if (rows <= 1) a.rs = a.cs == 1 ? cols : 1;
  if (cols <= 1) a.cs = a.rs == 1 ? rows : 1;
  if (a.cs == 1 && a.rs == 1) a.rs = cols;  // rows, cols <= 1
  return a;
}

// The number of threads worth using, by Eigen's own rule (parallelize_gemm): at least nr
// rows and 50000 multiply-adds per thread.
template <class Traits>
int useful_threads(index m, index n, index k, int threads) {
  const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  const index by_size = std::max<index>(1, m / Traits::nr);
  const index by_work = std::max<index>(1, static_cast<index>(work / 50000));
  return static_cast<int>(std::max<index>(1, std::min<index>({by_size, by_work, static_cast<index>(threads)})));
}

template <class T, int OA, int OB>
void run(index m, index n, index k, matrix_ref<const T> a, matrix_ref<const T> b, matrix_ref<T> c, bool accumulate,
         int threads) {
  dest_t<T> cm(c.p, m, n, Eigen::OuterStride<>(c.rs));
  const map_t<T, OA> am = map<T, OA>(a, m, k);
  const map_t<T, OB> bm = map<T, OB>(b, k, n);
  // Eigen's coefficient-based and GEMV paths: single-threaded whatever the settings.
  if (m == 1 || n == 1 || m + n + k < 20) {
    if (accumulate)
      cm.noalias() += am * bm;
    else
      cm.noalias() = am * bm;
    return;
  }
  namespace ei = Eigen::internal;
  using Index = Eigen::Index;
  using blocking_t = ei::gemm_blocking_space<Eigen::RowMajor, T, T, Eigen::Dynamic, Eigen::Dynamic, Eigen::Dynamic, 1, false>;
  using kernel_t = ei::general_matrix_matrix_product<Index, T, OA, false, T, OB, false, Eigen::RowMajor, 1>;
  using functor_t = ei::gemm_functor<T, Index, kernel_t, map_t<T, OA>, map_t<T, OB>, dest_t<T>, blocking_t>;
  if (!accumulate) cm.setZero();  // the kernel accumulates
  blocking_t blocking(m, n, k, 1, true);
  const functor_t gemm(am, bm, cm, T(1), blocking);
#if defined(EIGEN_HAS_OPENMP) && !defined(EIGEN_USE_BLAS)
  const int nt = omp_in_parallel() ? 1 : useful_threads<typename functor_t::Traits>(m, n, k, threads);
  if (nt > 1) {
    // As parallelize_gemm for a row-major destination (its `transpose` case): the threads
    // split A's rows and share the packed blocks of B^T through `info`.
    Eigen::initParallel();
    gemm.initParallelSession(nt);
    const Index rows = n, cols = m;
    std::unique_ptr<ei::GemmParallelInfo<Index>[]> info(new ei::GemmParallelInfo<Index>[static_cast<std::size_t>(nt)]);
#pragma omp parallel num_threads(nt)
    {
      const Index i = omp_get_thread_num(), actual = omp_get_num_threads();
      const Index block_cols = (cols / actual) & ~Index(0x3);
      const Index block_rows = (rows / actual) / functor_t::Traits::mr * functor_t::Traits::mr;
      const Index r0 = i * block_rows, c0 = i * block_cols;
      info[static_cast<std::size_t>(i)].lhs_start = r0;
      info[static_cast<std::size_t>(i)].lhs_length = i + 1 == actual ? rows - r0 : block_rows;
      gemm(c0, i + 1 == actual ? cols - c0 : block_cols, 0, rows, info.get());
    }
    return;
  }
#else
  (void)threads;
#endif
  gemm(0, m, 0, n);
}
}  // namespace gemm_impl

/// C (m x n) = A (m x k) B (k x n), or += when accumulate, on exactly `threads` threads
/// (fewer when the product is too small to share).
template <class T>
void gemm(index m, index n, index k, matrix_ref<const T> a, matrix_ref<const T> b, matrix_ref<T> c,
          bool accumulate, int threads) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate)
      for (index i = 0; i < m; ++i)
        for (index j = 0; j < n; ++j) c.p[i * c.rs + j * c.cs] = T(0);
    return;
  }
  a = gemm_impl::normalize(a, m, k);
  b = gemm_impl::normalize(b, k, n);
  c = gemm_impl::normalize(c, m, n);
  if (c.cs != 1) {  // column-major C: compute C^T = B^T A^T instead
    gemm<T>(n, m, k, {b.p, b.cs, b.rs}, {a.p, a.cs, a.rs}, {c.p, c.cs, c.rs}, accumulate, threads);
    return;
  }
  assert((a.rs == 1 || a.cs == 1) && (b.rs == 1 || b.cs == 1) && "tenet: gemm needs a unit stride");
  constexpr int R = Eigen::RowMajor, C = Eigen::ColMajor;
  const bool ar = a.cs == 1, br = b.cs == 1;
  if (ar && br)
    gemm_impl::run<T, R, R>(m, n, k, a, b, c, accumulate, threads);
  else if (ar)
    gemm_impl::run<T, R, C>(m, n, k, a, b, c, accumulate, threads);
  else if (br)
    gemm_impl::run<T, C, R>(m, n, k, a, b, c, accumulate, threads);
  else
    gemm_impl::run<T, C, C>(m, n, k, a, b, c, accumulate, threads);
}

}  // namespace tenet::exec::detail
