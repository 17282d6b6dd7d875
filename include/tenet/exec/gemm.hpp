#pragma once
// C = A B (or C += A B) on strided matrices, through Eigen's GEMM. Each matrix is a pointer
// and a (row, column) stride pair, one of which is 1: any transposed layout is a stride
// choice, never a copy.
//
// Threads: Eigen's GEMM takes its thread count from OpenMP, which thread_limit caps for the
// calling thread. A process-wide Eigen::setNbThreads(n) overrides that (Eigen's public API
// has no per-call count), so a program that sets it gets Eigen's GEMMs on n threads even
// under exec::seq; tenet's own GETT kernel, which most plans use, always follows the policy.
#include <cassert>

#include <Eigen/Core>

#include "tenet/core/extents.hpp"
#include "tenet/exec/threads.hpp"

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

template <class T, int OA, int OB>
void run(index m, index n, index k, matrix_ref<const T> a, matrix_ref<const T> b, matrix_ref<T> c, bool accumulate) {
  dest_t<T> cm(c.p, m, n, Eigen::OuterStride<>(c.rs));
  if (accumulate)
    cm.noalias() += map<T, OA>(a, m, k) * map<T, OB>(b, k, n);
  else
    cm.noalias() = map<T, OA>(a, m, k) * map<T, OB>(b, k, n);
}
}  // namespace gemm_impl

/// C (m x n) = A (m x k) B (k x n), or += when accumulate; `threads` caps Eigen's threads.
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
  thread_limit limit(threads);
  constexpr int R = Eigen::RowMajor, C = Eigen::ColMajor;
  const bool ar = a.cs == 1, br = b.cs == 1;
  if (ar && br)
    gemm_impl::run<T, R, R>(m, n, k, a, b, c, accumulate);
  else if (ar)
    gemm_impl::run<T, R, C>(m, n, k, a, b, c, accumulate);
  else if (br)
    gemm_impl::run<T, C, R>(m, n, k, a, b, c, accumulate);
  else
    gemm_impl::run<T, C, C>(m, n, k, a, b, c, accumulate);
}

}  // namespace tenet::exec::detail
