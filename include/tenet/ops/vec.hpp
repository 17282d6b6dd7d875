#pragma once
// vec(X): the entries of X as a vector, in row-major order (the last index fastest), so that
// vec(Q)[a * d + alpha] = Q[a, alpha] (MATH.md 2.3). Column-major vec, as in much of the
// literature, is vec(permute of X with the modes reversed). A new tensor, copied from any
// strides; a contiguous X is also reshape(X, {-1}) without a copy.
#include <cstddef>

#include "tenet/exec/copy.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

namespace detail {
template <class X>
constexpr std::size_t static_size_of() {
  if constexpr (!has_static_rank<X>) {
    return dyn;
  } else {
    std::size_t n = 1;
    for (std::size_t r = 0; r < rank_of<X>(); ++r) n = static_product(n, static_extent_of<X>(r));
    return n;
  }
}
}  // namespace detail

template <class P, tensor_like X>
  requires execution_policy<P>
tensor<value_type_of_t<X>, detail::static_size_of<X>()> vec(P policy, const X& x) {
  using T = value_type_of_t<X>;
  using R = tensor<T, detail::static_size_of<X>()>;
  const auto xv = detail::dview(x);
  const index n[] = {xv.size()};
  R out = detail::make_result<R>(n);
  exec::copy(policy, xv, dtensor_view<T>(out.data(), xv.extents()));
  return out;
}
template <tensor_like X>
auto vec(const X& x) {
  return vec(exec::seq, x);
}

}  // namespace tenet
