#pragma once
// Permuting modes is a view: extents and strides are reordered, no element moves.
//   permute<2, 0, 1>(X): mode r of the result is mode P[r] of X (as numpy.transpose).
//   permute(X, {2, 0, 1}): the same with a run-time permutation; returns a dtensor_view.
#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/traits.hpp"

namespace tenet {

namespace detail {
// A view of a temporary tensor would dangle once the full expression ends.
template <class X>
constexpr void permute_source() {
  static_assert(std::is_lvalue_reference_v<X> || is_tensor_view<std::remove_cvref_t<X>>::value,
                "permute: the argument is a temporary tensor, so the view would dangle; name the tensor first");
}
template <std::size_t... P>
constexpr bool is_permutation() {
  constexpr std::size_t n = sizeof...(P);
  const std::size_t p[] = {P..., 0};
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] >= n) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (p[i] == p[j]) return false;
  }
  return true;
}
}  // namespace detail

template <std::size_t... P, class X>
  requires tensor_like<X>
auto permute(X&& x) {
  detail::permute_source<X>();
  auto v = as_view(std::forward<X>(x));
  using V = decltype(v);
  using Ext = typename V::extents_type;
  using T = typename V::element_type;
  if constexpr (detail::is_static_rank<Ext>::value) {
    static_assert(sizeof...(P) == Ext::rank(), "permute: the permutation's length differs from the rank");
    static_assert(detail::is_permutation<P...>(), "permute: the indices are not a permutation of 0..rank-1");
    using Out = extents<Ext::static_extent(P)...>;
    const index ext[] = {v.extent(P)..., 0};
    return basic_tensor_view<T, Out>(v.data(), Out(std::span<const index>(ext, sizeof...(P))),
                                     std::array<index, sizeof...(P)>{v.stride(P)...});
  } else {
    static_assert(detail::is_permutation<P...>(), "permute: the indices are not a permutation of 0..rank-1");
    const std::size_t p[] = {P...};
    return permute(v, std::span<const std::size_t>(p, sizeof...(P)));
  }
}

/// Run-time permutation; throws shape_error when `perm` is not a permutation of 0..rank-1.
template <class X>
  requires tensor_like<X>
auto permute(X&& x, std::span<const std::size_t> perm) {
  detail::permute_source<X>();
  auto v = as_view(std::forward<X>(x));
  using T = typename decltype(v)::element_type;
  std::vector<bool> seen(v.rank(), false);
  bool ok = perm.size() == v.rank();
  for (std::size_t r = 0; ok && r < perm.size(); ++r) {
    ok = perm[r] < v.rank() && !seen[perm[r]];
    if (ok) seen[perm[r]] = true;
  }
  if (!ok) {
    std::vector<index> pv(perm.begin(), perm.end());
    throw shape_error("tenet::permute: " + detail::shape_string(std::span<const index>(pv)) +
                      " is not a permutation of the modes of a tensor of shape " + detail::shape_string(v.extents()));
  }
  std::vector<index> ext(perm.size()), str(perm.size());
  for (std::size_t r = 0; r < perm.size(); ++r) {
    ext[r] = v.extent(perm[r]);
    str[r] = v.stride(perm[r]);
  }
  return dtensor_view<T>(v.data(), dyn_extents(ext), std::move(str));
}
template <class X>
  requires tensor_like<X>
auto permute(X&& x, std::initializer_list<std::size_t> perm) {
  return permute(std::forward<X>(x), std::span<const std::size_t>(perm.begin(), perm.size()));
}

}  // namespace tenet
