#pragma once
// The Hadamard (elementwise) product of tensors of one shape: H[i..] = A[i..] * B[i..] (* ...).
// A memory-bound direct loop over any strides; more operands fold from the left.
#include <cstddef>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/copy.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/exec/threads.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

namespace detail {

template <std::size_t ExtentOfA, std::size_t ExtentOfB, std::size_t Mode>
constexpr bool hadamard_extents_agree() {
  static_assert(static_compatible(ExtentOfA, ExtentOfB), "hadamard: the operands' extents differ");
  return static_compatible(ExtentOfA, ExtentOfB);
}
template <std::size_t RankOfA, std::size_t RankOfB>
constexpr bool hadamard_ranks_agree() {
  static_assert(RankOfA == RankOfB, "hadamard: the operands' ranks differ");
  return RankOfA == RankOfB;
}

template <class A, class B>
struct static_hadamard {
  using T = value_type_of_t<A>;
  static_assert(std::is_same_v<T, value_type_of_t<B>>, "hadamard: the operands must share one element type");
  static constexpr bool known = has_static_rank<A> && has_static_rank<B>;
  template <std::size_t... R>
  static constexpr bool check(std::index_sequence<R...>) {
    return (hadamard_extents_agree<static_extent_of<A>(R), static_extent_of<B>(R), R>() && ...);
  }
  static constexpr bool ok = [] {
    if (!std::is_same_v<T, value_type_of_t<B>>) return false;
    if constexpr (known)
      return hadamard_ranks_agree<rank_of<A>(), rank_of<B>()>() && check(std::make_index_sequence<rank_of<A>()>{});
    else
      return true;
  }();
  // Shapes are equal, so one operand of static rank fixes the result's rank and extents.
  static constexpr bool ranked = has_static_rank<A> || has_static_rank<B>;
  static constexpr std::size_t out_rank = has_static_rank<A> ? rank_of<A>() : rank_of<B>();
  static constexpr std::array<std::size_t, out_rank> extents = [] {
    std::array<std::size_t, out_rank> e{};
    for (std::size_t r = 0; r < out_rank; ++r) e[r] = static_merge(static_extent_of<A>(r), static_extent_of<B>(r));
    return e;
  }();
  using result = std::conditional_t<ranked, tensor_from_t<T, extents>, dtensor<T>>;
};

}  // namespace detail

/// A o B (o C ...): the elementwise product; shapes must be equal (shape_error otherwise).
template <class P, tensor_like A, tensor_like B, tensor_like... C>
  requires execution_policy<P>
auto hadamard(P policy, const A& a, const B& b, const C&... c) {
  using S = detail::static_hadamard<A, B>;
  using R = typename S::result;
  using T = typename S::T;
  if constexpr (S::ok) {
    const auto av = detail::dview(a);
    const auto bv = detail::dview(b);
    bool same = av.rank() == bv.rank();
    for (std::size_t r = 0; same && r < av.rank(); ++r) same = av.extent(r) == bv.extent(r);
    if (!same)
      throw shape_error("tenet::hadamard: shapes differ: " + detail::shape_string(av.extents()) + " vs " +
                        detail::shape_string(bv.extents()));
    R out = detail::make_result<R>(av.extents().as_span(), for_overwrite);
    const dtensor_view<T> ov(out.view());
    std::vector<detail::product_dim> dims;
    for (std::size_t r = 0; r < av.rank(); ++r) dims.push_back({av.extent(r), ov.stride(r), av.stride(r), bv.stride(r)});
    detail::product_kernel<T>(std::move(dims), av.data(), bv.data(), ov.data(), exec::thread_count(policy));
    if constexpr (sizeof...(C) == 0)
      return out;
    else
      return hadamard(policy, out, c...);
  } else {
    return R{};
  }
}
template <tensor_like A, tensor_like B, tensor_like... C>
auto hadamard(const A& a, const B& b, const C&... c) {
  return hadamard(exec::seq, a, b, c...);
}

/// out = A o B into an existing tensor or view of the same shape (no allocation). `out` may be
/// A or B itself (exactly the same elements: in-place products); any other overlap is an error
/// of the caller's.
template <class P, tensor_like A, tensor_like B, tensor_like O>
  requires execution_policy<P>
void hadamard_into(P policy, const A& a, const B& b, O&& out) {
  using S = detail::static_hadamard<A, B>;
  using T = typename S::T;
  static_assert(std::is_same_v<T, value_type_of_t<O>>, "tenet::hadamard_into: out must have the operands' element type");
  if constexpr (S::ok && std::is_same_v<T, value_type_of_t<O>>) {
    const auto av = detail::dview(a);
    const auto bv = detail::dview(b);
    const dtensor_view<T> ov(as_view(out));
    bool same = av.rank() == bv.rank() && av.rank() == ov.rank();
    for (std::size_t r = 0; same && r < av.rank(); ++r)
      same = av.extent(r) == bv.extent(r) && av.extent(r) == ov.extent(r);
    if (!same)
      throw shape_error("tenet::hadamard_into: shapes differ: " + detail::shape_string(av.extents()) + " o " +
                        detail::shape_string(bv.extents()) + " into " + detail::shape_string(ov.extents()));
    if (av.is_contiguous() && bv.is_contiguous() && ov.is_contiguous()) {
      // One flat loop (no restrict: out may be a or b).
      const T* pa = av.data();
      const T* pb = bv.data();
      T* po = ov.data();
      exec::detail::split_range(ov.size(), exec::thread_count(policy), ov.size() >= (index{1} << 15),
                                [&](index lo, index hi) {
        for (index i = lo; i < hi; ++i) po[i] = pa[i] * pb[i];
      });
    } else if (ov.data() == av.data() || ov.data() == bv.data()) {
      const auto p = hadamard(policy, av, bv);  // strided and in place: through a temporary
      exec::copy(policy, p.view(), ov);
    } else {
      std::vector<detail::product_dim> dims;
      for (std::size_t r = 0; r < av.rank(); ++r) dims.push_back({av.extent(r), ov.stride(r), av.stride(r), bv.stride(r)});
      detail::product_kernel<T>(std::move(dims), av.data(), bv.data(), ov.data(), exec::thread_count(policy));
    }
  }
}

}  // namespace tenet
