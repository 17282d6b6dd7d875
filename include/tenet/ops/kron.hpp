#pragma once
// The Kronecker product of tensors of any order (numpy.kron): for A of shape (a_0, .., a_{N-1})
// and B of shape (b_0, .., b_{N-1}),
//   K[i_0 b_0 + j_0, .., i_{N-1} b_{N-1} + j_{N-1}] = A[i_0, .., i_{N-1}] * B[j_0, .., j_{N-1}]
// (A's index slowest in every mode). Operands of different rank are padded with leading
// extents of 1, as numpy does. K is A's and B's outer product seen with interleaved modes
// (a_0, b_0, a_1, b_1, ..), so it is one pass of the outer-product loop. More operands fold
// from the left.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

namespace detail {

/// out (shape: products of the padded extents, any strides) = kron(a, b).
template <class T>
void kron_into(int threads, const dtensor_view<const T>& a, const dtensor_view<const T>& b, const dtensor_view<T>& out) {
  const std::size_t N = out.rank(), pa = N - a.rank(), pb = N - b.rank();
  std::vector<product_dim> dims;
  for (std::size_t r = 0; r < N; ++r) {
    const index ea = r < pa ? 1 : a.extent(r - pa), eb = r < pb ? 1 : b.extent(r - pb);
    const index sa = r < pa ? 0 : a.stride(r - pa), sb = r < pb ? 0 : b.stride(r - pb);
    dims.push_back({ea, out.stride(r) * eb, sa, 0});  // i_r: slow part of output index r
    dims.push_back({eb, out.stride(r), 0, sb});       // j_r: fast part
  }
  product_kernel<T>(std::move(dims), a.data(), b.data(), out.data(), threads);
}

template <class A, class B>
struct static_kron {
  using T = value_type_of_t<A>;
  static_assert(std::is_same_v<T, value_type_of_t<B>>, "kron: the operands must share one element type");
  static constexpr bool ok = std::is_same_v<T, value_type_of_t<B>>;
  static constexpr bool known = has_static_rank<A> && has_static_rank<B>;
  static constexpr std::size_t out_rank = known ? std::max(rank_of<A>(), rank_of<B>()) : 0;
  static constexpr std::array<std::size_t, out_rank> extents = [] {
    std::array<std::size_t, out_rank> e{};
    constexpr std::size_t pa = out_rank - rank_of<A>(), pb = out_rank - rank_of<B>();
    for (std::size_t r = 0; r < out_rank; ++r)
      e[r] = static_product(r < pa ? 1 : static_extent_of<A>(r - pa), r < pb ? 1 : static_extent_of<B>(r - pb));
    return e;
  }();
  using result = std::conditional_t<known, tensor_from_t<T, extents>, dtensor<T>>;
};

}  // namespace detail

/// kron(A, B, ...): the Kronecker product, left to right.
template <class P, tensor_like A, tensor_like B, tensor_like... C>
  requires execution_policy<P>
auto kron(P policy, const A& a, const B& b, const C&... c) {
  using S = detail::static_kron<A, B>;
  using R = typename S::result;
  using T = typename S::T;
  if constexpr (S::ok) {
    const auto av = detail::dview(a);
    const auto bv = detail::dview(b);
    const std::size_t N = std::max(av.rank(), bv.rank()), pa = N - av.rank(), pb = N - bv.rank();
    std::vector<index> ext(N);
    for (std::size_t r = 0; r < N; ++r) ext[r] = (r < pa ? 1 : av.extent(r - pa)) * (r < pb ? 1 : bv.extent(r - pb));
    R out = detail::make_result<R>(ext, for_overwrite);
    detail::kron_into<T>(exec::thread_count(policy), av, bv, dtensor_view<T>(out.view()));
    if constexpr (sizeof...(C) == 0)
      return out;
    else
      return kron(policy, out, c...);
  } else {
    return R{};
  }
}
template <tensor_like A, tensor_like B, tensor_like... C>
auto kron(const A& a, const B& b, const C&... c) {
  return kron(exec::seq, a, b, c...);
}

}  // namespace tenet
