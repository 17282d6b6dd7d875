#pragma once
// Scalar reductions.
//   inner(A, B) = sum over all i of A[i] B[i] (the Frobenius inner product; equal shapes)
//   frobenius_norm(X) = sqrt(inner(X, X))
//   trace(M) = sum_i M[i, i] of a square matrix
// inner is a contraction over every label (a dot product, run by the contraction engine).
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

namespace detail {
template <std::size_t RankOfA, std::size_t RankOfB>
constexpr bool inner_ranks_agree() {
  static_assert(RankOfA == RankOfB, "inner: the operands' ranks differ");
  return RankOfA == RankOfB;
}
template <std::size_t ExtentOfA, std::size_t ExtentOfB, std::size_t Mode>
constexpr bool inner_extents_agree() {
  static_assert(static_compatible(ExtentOfA, ExtentOfB), "inner: the operands' extents differ");
  return static_compatible(ExtentOfA, ExtentOfB);
}
template <class A, class B, std::size_t... R>
constexpr bool inner_ok(std::index_sequence<R...>) {
  return (inner_extents_agree<static_extent_of<A>(R), static_extent_of<B>(R), R>() && ...);
}
template <std::size_t Rank>
constexpr bool trace_operand_is_matrix() {
  static_assert(Rank == 2, "trace: the operand must be a matrix");
  return Rank == 2;
}
template <std::size_t Rows, std::size_t Cols>
constexpr bool trace_matrix_is_square() {
  static_assert(static_compatible(Rows, Cols), "trace: the matrix is not square");
  return static_compatible(Rows, Cols);
}
}  // namespace detail

/// sum_i A[i] B[i]; shapes must be equal.
template <class P, tensor_like A, tensor_like B>
  requires execution_policy<P>
value_type_of_t<A> inner(P policy, const A& a, const B& b) {
  using T = value_type_of_t<A>;
  static_assert(std::is_same_v<T, value_type_of_t<B>>, "inner: the operands must share one element type");
  constexpr bool ok = [] {
    if constexpr (!std::is_same_v<T, value_type_of_t<B>>)
      return false;
    else if constexpr (!detail::has_static_rank<A> || !detail::has_static_rank<B>)
      return true;
    else if constexpr (!detail::inner_ranks_agree<detail::rank_of<A>(), detail::rank_of<B>()>())
      return false;
    else
      return detail::inner_ok<A, B>(std::make_index_sequence<detail::rank_of<A>()>{});
  }();
  if constexpr (ok) {
    const auto av = detail::dview(a);
    const auto bv = detail::dview(b);
    bool same = av.rank() == bv.rank();
    for (std::size_t r = 0; same && r < av.rank(); ++r) same = av.extent(r) == bv.extent(r);
    if (!same)
      throw shape_error("tenet::inner: shapes differ: " + detail::shape_string(av.extents()) + " vs " +
                        detail::shape_string(bv.extents()));
    std::vector<int> l(av.rank());
    std::iota(l.begin(), l.end(), 0);
    dtensor<T> s;  // rank 0
    exec::contract(policy, av, l, bv, l, s.view(), std::span<const int>{});
    return *s.data();
  } else {
    return T{};
  }
}
template <tensor_like A, tensor_like B>
value_type_of_t<A> inner(const A& a, const B& b) {
  return inner(exec::seq, a, b);
}

/// sqrt(sum_i X[i]^2).
template <class P, tensor_like X>
  requires execution_policy<P>
value_type_of_t<X> frobenius_norm(P policy, const X& x) {
  return std::sqrt(inner(policy, x, x));
}
template <tensor_like X>
value_type_of_t<X> frobenius_norm(const X& x) {
  return frobenius_norm(exec::seq, x);
}

/// sum_i M[i, i] of a square matrix.
template <class P, tensor_like M>
  requires execution_policy<P>
value_type_of_t<M> trace(P, const M& m) {
  using T = value_type_of_t<M>;
  if constexpr (detail::has_static_rank<M>) {
    if constexpr (!detail::trace_operand_is_matrix<detail::rank_of<M>()>())
      return T{};
    else if constexpr (!detail::trace_matrix_is_square<detail::static_extent_of<M>(0), detail::static_extent_of<M>(1)>())
      return T{};
  }
  const auto v = detail::dview(m);
  if (v.rank() != 2 || v.extent(0) != v.extent(1))
    throw shape_error("tenet::trace: the operand of shape " + detail::shape_string(v.extents()) +
                      " is not a square matrix");
  T s{};
  const index d = v.stride(0) + v.stride(1);
  for (index i = 0; i < v.extent(0); ++i) s += v.data()[i * d];
  return s;
}
template <tensor_like M>
value_type_of_t<M> trace(const M& m) {
  return trace(exec::seq, m);
}

}  // namespace tenet
