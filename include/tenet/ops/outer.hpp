#pragma once
// The outer (tensor) product: O[i_0, .., i_{p-1}, j_0, .., j_{q-1}] = A[i..] * B[j..], of rank
// p + q; more operands fold from the left. Nothing is summed, so it is a memory-bound direct
// loop (a GEMM with k = 1 would only add packing).
#include <cstddef>
#include <vector>

#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

namespace detail {

/// out (shape A's then B's, any strides) = the outer product of a and b.
template <class T>
void outer_into(int threads, const dtensor_view<const T>& a, const dtensor_view<const T>& b, const dtensor_view<T>& out) {
  std::vector<product_dim> dims;
  for (std::size_t r = 0; r < a.rank(); ++r) dims.push_back({a.extent(r), out.stride(r), a.stride(r), 0});
  for (std::size_t r = 0; r < b.rank(); ++r) dims.push_back({b.extent(r), out.stride(a.rank() + r), 0, b.stride(r)});
  product_kernel<T>(std::move(dims), a.data(), b.data(), out.data(), threads);
}

template <class A, class B>
struct static_outer {
  using T = value_type_of_t<A>;
  static_assert(std::is_same_v<T, value_type_of_t<B>>, "outer: the operands must share one element type");
  static constexpr bool ok = std::is_same_v<T, value_type_of_t<B>>;
  static constexpr bool known = has_static_rank<A> && has_static_rank<B>;
  static constexpr std::size_t out_rank = known ? rank_of<A>() + rank_of<B>() : 0;
  static constexpr std::array<std::size_t, out_rank> extents = [] {
    std::array<std::size_t, out_rank> e{};
    for (std::size_t r = 0; r < out_rank; ++r)
      e[r] = r < rank_of<A>() ? static_extent_of<A>(r) : static_extent_of<B>(r - rank_of<A>());
    return e;
  }();
  using result = std::conditional_t<known, tensor_from_t<T, extents>, dtensor<T>>;
};

}  // namespace detail

/// A o B (the outer product) of two or more tensors, left to right.
template <class P, tensor_like A, tensor_like B, tensor_like... C>
  requires execution_policy<P>
auto outer(P policy, const A& a, const B& b, const C&... c) {
  using S = detail::static_outer<A, B>;
  using R = typename S::result;
  using T = typename S::T;
  if constexpr (S::ok) {
    const auto av = detail::dview(a);
    const auto bv = detail::dview(b);
    std::vector<index> ext;
    for (std::size_t r = 0; r < av.rank(); ++r) ext.push_back(av.extent(r));
    for (std::size_t r = 0; r < bv.rank(); ++r) ext.push_back(bv.extent(r));
    R out = detail::make_result<R>(ext, for_overwrite);
    detail::outer_into<T>(exec::thread_count(policy), av, bv, dtensor_view<T>(out.view()));
    if constexpr (sizeof...(C) == 0)
      return out;
    else
      return outer(policy, out, c...);
  } else {
    return R{};
  }
}
template <tensor_like A, tensor_like B, tensor_like... C>
auto outer(const A& a, const B& b, const C&... c) {
  return outer(exec::seq, a, b, c...);
}

}  // namespace tenet
