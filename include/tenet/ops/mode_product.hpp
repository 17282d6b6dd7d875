#pragma once
// The mode-n product Y = X x_n U (TensorLy's mode_dot), modes 0-based:
//   U a matrix J x I_n:  Y[i_0, .., j, .., i_{N-1}] = sum_k X[i_0, .., k, .., i_{N-1}] U[j, k]
//   U a vector of I_n:   Y[i_0, .., i_{N-1} without i_n] = sum_k X[.., k, ..] u[k] (mode n goes)
// Lowered to one labelled contraction: the engine runs it as one GEMM when n is the first or
// the last mode and as a loop of GEMMs over the leading modes otherwise, on strided slices
// of X (no transposed copy of X). Pass `permute<1, 0>(U)` to multiply by U^T without a copy.
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

namespace detail {

/// Checks X x_n U and returns the shape of the result.
template <class T>
std::vector<index> mode_product_shape(const dtensor_view<const T>& x, const dtensor_view<const T>& u,
                                      std::size_t n) {
  const std::string what = "tenet::mode_product: X of shape " + shape_string(x.extents()) + " and U of shape " +
                           shape_string(u.extents());
  if (n >= x.rank())
    throw shape_error(what + ": mode " + std::to_string(n) + " is out of range for X of rank " +
                      std::to_string(x.rank()));
  if (u.rank() != 1 && u.rank() != 2)
    throw shape_error(what + ": U must be a matrix (J x I_n) or a vector (I_n)");
  if (u.extent(u.rank() - 1) != x.extent(n))
    throw shape_error(what + ": U's last extent " + std::to_string(u.extent(u.rank() - 1)) +
                      " differs from X's extent " + std::to_string(x.extent(n)) + " in mode " + std::to_string(n));
  std::vector<index> ext;
  for (std::size_t r = 0; r < x.rank(); ++r)
    if (r != n)
      ext.push_back(x.extent(r));
    else if (u.rank() == 2)
      ext.push_back(u.extent(0));
  return ext;
}

/// out = X x_n U; `out` has the shape mode_product_shape gives.
template <class P, class T>
void mode_product_run(P policy, const dtensor_view<const T>& x, const dtensor_view<const T>& u, std::size_t n,
                       const dtensor_view<T>& out, bool accumulate = false) {
  const int R = static_cast<int>(x.rank()), ni = static_cast<int>(n);
  std::vector<int> lx(x.rank()), lo;
  for (int r = 0; r < R; ++r) {
    lx[static_cast<std::size_t>(r)] = r;
    if (r != ni)
      lo.push_back(r);
    else if (u.rank() == 2)
      lo.push_back(R);  // the new mode j takes n's place
  }
  const std::vector<int> lu = u.rank() == 2 ? std::vector<int>{R, ni} : std::vector<int>{ni};
  exec::contract(policy, x, lx, u, lu, out, lo, accumulate);
}

// ---- compile-time checks, each naming the problem ----
template <std::size_t Mode, std::size_t Rank>
constexpr bool mode_product_mode_in_range() {
  static_assert(Mode < Rank, "mode_product: the mode is out of range (mode >= rank of X)");
  return Mode < Rank;
}
template <std::size_t URank>
constexpr bool mode_product_factor_rank() {
  static_assert(URank == 1 || URank == 2, "mode_product: U must be a matrix (J x I_n) or a vector (I_n)");
  return URank == 1 || URank == 2;
}
template <std::size_t ExtentOfX, std::size_t LastExtentOfU>
constexpr bool mode_product_extents_agree() {
  static_assert(static_compatible(ExtentOfX, LastExtentOfU),
                "mode_product: U's last extent differs from X's extent in the mode");
  return static_compatible(ExtentOfX, LastExtentOfU);
}

template <std::size_t N, class X, class U>
struct static_mode_product {
  using T = value_type_of_t<X>;
  static_assert(std::is_same_v<T, value_type_of_t<U>>, "mode_product: X and U must share one element type");
  static constexpr bool known = has_static_rank<X> && has_static_rank<U>;
  static constexpr bool ok = [] {
    if (!std::is_same_v<T, value_type_of_t<U>>) return false;  // asserted above; no follow-up errors
    if constexpr (has_static_rank<X>)
      if (!mode_product_mode_in_range<N, rank_of<X>()>()) return false;
    if constexpr (has_static_rank<U>) {
      if (!mode_product_factor_rank<rank_of<U>()>()) return false;
      if constexpr (rank_of<U>() == 1 || rank_of<U>() == 2)
        return mode_product_extents_agree<static_extent_of<X>(N), static_extent_of<U>(rank_of<U>() - 1)>();
    }
    return true;
  }();
  static constexpr std::size_t out_rank = known && ok ? rank_of<X>() - (rank_of<U>() == 1) : 0;
  static constexpr std::array<std::size_t, out_rank> extents = [] {
    std::array<std::size_t, out_rank> e{};
    for (std::size_t r = 0, o = 0; o < out_rank; ++r)
      if (r != N)
        e[o++] = static_extent_of<X>(r);
      else if (rank_of<U>() == 2)
        e[o++] = static_extent_of<U>(0);
    return e;
  }();
  using result = std::conditional_t<known, tensor_from_t<T, extents>, dtensor<T>>;
};

// With the mode known only at run time: the rank is known when both ranks are, no extent is.
template <class X, class U>
constexpr auto mode_product_runtime_result() {
  using T = value_type_of_t<X>;
  if constexpr (has_static_rank<X> && has_static_rank<U>) {
    if constexpr ((rank_of<U>() == 1 || rank_of<U>() == 2) && rank_of<X>() > 0)
      return std::type_identity<dyn_tensor_t<T, rank_of<X>() - (rank_of<U>() == 1)>>{};
    else
      return std::type_identity<dtensor<T>>{};
  } else {
    return std::type_identity<dtensor<T>>{};
  }
}

}  // namespace detail

/// X x_N U with the mode known at compile time; static extents are checked at compile time
/// and carried into the result type.
template <std::size_t N, class P, tensor_like X, tensor_like U>
  requires execution_policy<P>
auto mode_product(P policy, const X& x, const U& u) {
  using S = detail::static_mode_product<N, X, U>;
  using R = typename S::result;
  if constexpr (S::ok) {
    const auto xv = detail::dview(x);
    const auto uv = detail::dview(u);
    R out = detail::make_result<R>(detail::mode_product_shape(xv, uv, N), for_overwrite);
    detail::mode_product_run(policy, xv, uv, N, dtensor_view<typename S::T>(out.view()));
    return out;
  } else {
    return R{};
  }
}
template <std::size_t N, tensor_like X, tensor_like U>
auto mode_product(const X& x, const U& u) {
  return mode_product<N>(exec::seq, x, u);
}

/// X x_n U with the mode known at run time; throws shape_error. The result has static rank
/// (all extents dyn) when X and U do, and is a dtensor otherwise.
template <class P, tensor_like X, tensor_like U>
  requires execution_policy<P>
auto mode_product(P policy, const X& x, const U& u, std::size_t n) {
  using T = value_type_of_t<X>;
  static_assert(std::is_same_v<T, value_type_of_t<U>>, "mode_product: X and U must share one element type");
  if constexpr (detail::has_static_rank<U>)
    detail::mode_product_factor_rank<detail::rank_of<U>()>();
  using R = typename decltype(detail::mode_product_runtime_result<X, U>())::type;
  if constexpr (std::is_same_v<T, value_type_of_t<U>>) {
    const auto xv = detail::dview(x);
    const auto uv = detail::dview(u);
    R out = detail::make_result<R>(detail::mode_product_shape(xv, uv, n), for_overwrite);
    detail::mode_product_run(policy, xv, uv, n, dtensor_view<T>(out.view()));
    return out;
  } else {
    return R{};
  }
}
template <tensor_like X, tensor_like U>
auto mode_product(const X& x, const U& u, std::size_t n) {
  return mode_product(exec::seq, x, u, n);
}

/// Y = X x_n U into an existing tensor or view Y of the result's shape: no allocation (a new
/// result costs an allocation, a zero fill and first-touch page faults, which for a large
/// memory-bound Y rival the product itself). Y must not overlap X or U.
template <class P, tensor_like X, tensor_like U, tensor_like Y>
  requires execution_policy<P>
void mode_product_into(P policy, const X& x, const U& u, std::size_t n, Y&& y) {
  using T = value_type_of_t<X>;
  static_assert(std::is_same_v<T, value_type_of_t<U>> && std::is_same_v<T, value_type_of_t<Y>>,
                "mode_product_into: X, U and Y must share one element type");
  if constexpr (std::is_same_v<T, value_type_of_t<U>> && std::is_same_v<T, value_type_of_t<Y>>) {
    const auto xv = detail::dview(x);
    const auto uv = detail::dview(u);
    const dtensor_view<T> yv(as_view(y));
    const auto ext = detail::mode_product_shape(xv, uv, n);
    if (!std::equal(ext.begin(), ext.end(), yv.extents().as_span().begin(), yv.extents().as_span().end()))
      throw shape_error("tenet::mode_product_into: X of shape " + detail::shape_string(xv.extents()) + " times U of shape " +
                        detail::shape_string(uv.extents()) + " in mode " + std::to_string(n) + " gives shape " +
                        detail::shape_string(std::span<const index>(ext)) + ", not Y's " +
                        detail::shape_string(yv.extents()));
    detail::mode_product_run(policy, xv, uv, n, yv);
  }
}
template <tensor_like X, tensor_like U, tensor_like Y>
void mode_product_into(const X& x, const U& u, std::size_t n, Y&& y) {
  mode_product_into(exec::seq, x, u, n, std::forward<Y>(y));
}

}  // namespace tenet
