#pragma once
// Several mode products at once: Y = X x_{m_0} U_0 x_{m_1} U_1 ... (TensorLy's multi_mode_dot).
// Products on different modes commute, so they run in the order that needs the fewest flops:
// a product on mode m with U of J x I rows costs 2 S J for a current size S and scales S by
// J / I; exchanging neighbours shows that sorting by 1/J - 1/I, largest first, is optimal.
//   multi_mode_product(X, {U0, U1}, {0, 2})            run-time modes; an empty list means
//                                                       modes 0, 1, ... in list order
//   multi_mode_product(X, {U0, U1, U2}, {}, skip = 1)  leaves out the factor on *mode* 1
//   multi_mode_product<0, 2>(X, U0, U2)                compile-time modes and checks
// `skip` is a mode number, not a position in a sorted list (TensorLy's is the latter).
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/copy.hpp"
#include "tenet/ops/mode_product.hpp"

namespace tenet {

namespace detail {

struct mode_step {
  std::size_t factor, mode;
};

/// Checks the factors, drops `skip`, orders the products; returns the steps and the shape.
template <class T>
std::vector<mode_step> plan_multi_mode_product(const dtensor_view<const T>& x, std::span<const dtensor_view<const T>> us,
                                               std::span<const std::size_t> modes, std::optional<std::size_t> skip,
                                               std::vector<index>& shape) {
  const std::string what = "tenet::multi_mode_product: X of shape " + shape_string(x.extents());
  if (!modes.empty() && modes.size() != us.size())
    throw shape_error(what + ": " + std::to_string(us.size()) + " factors but " + std::to_string(modes.size()) +
                      " modes " + modes_string(modes));
  if (skip && *skip >= x.rank())
    throw shape_error(what + ": skip = " + std::to_string(*skip) + " is not a mode of X");
  std::vector<mode_step> steps;
  std::vector<bool> seen(x.rank(), false), vector_mode(x.rank(), false);
  for (std::size_t f = 0; f < us.size(); ++f) {
    const std::size_t m = modes.empty() ? f : modes[f];
    if (m >= x.rank() || seen[m])
      throw shape_error(what + ": modes " + (modes.empty() ? "0, 1, ..." : modes_string(modes)) +
                        (m >= x.rank() ? " name a mode out of range" : " repeat a mode") + " for " +
                        std::to_string(us.size()) + " factors");
    seen[m] = true;
    mode_product_shape(x, us[f], m);  // checks factor f against mode m
    if (skip && *skip == m) continue;
    steps.push_back({f, m});
    vector_mode[m] = us[f].rank() == 1;
  }
  auto key = [&](const mode_step& s) {
    const auto& u = us[s.factor];
    const double J = u.rank() == 2 ? static_cast<double>(u.extent(0)) : 1.0;
    const double I = static_cast<double>(x.extent(s.mode));
    return 1.0 / std::max(J, 0.5) - 1.0 / std::max(I, 0.5);  // empty extents: any order
  };
  std::stable_sort(steps.begin(), steps.end(), [&](const mode_step& a, const mode_step& b) { return key(a) > key(b); });
  shape.clear();
  for (std::size_t r = 0; r < x.rank(); ++r) {
    const auto it = std::find_if(steps.begin(), steps.end(), [&](const mode_step& s) { return s.mode == r; });
    if (it == steps.end())
      shape.push_back(x.extent(r));
    else if (!vector_mode[r])
      shape.push_back(us[it->factor].extent(0));
  }
  return steps;
}

/// Runs the planned steps; the last writes into `out`.
template <class P, class T>
void multi_mode_product_into(P policy, const dtensor_view<const T>& x, std::span<const dtensor_view<const T>> us,
                             const std::vector<mode_step>& steps, const dtensor_view<T>& out) {
  if (steps.empty()) {
    exec::copy(policy, x, out);
    return;
  }
  // The current tensor's modes, by original mode number (a vector factor removes one).
  std::vector<std::size_t> alive(x.rank());
  std::iota(alive.begin(), alive.end(), std::size_t{0});
  dtensor<T> cur;
  dtensor_view<const T> cv = x;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const auto pos = static_cast<std::size_t>(std::find(alive.begin(), alive.end(), steps[s].mode) - alive.begin());
    const auto& u = us[steps[s].factor];
    if (s + 1 == steps.size()) {
      mode_product_run(policy, cv, u, pos, out);
      return;
    }
    dtensor<T> next{dyn_extents(mode_product_shape(cv, u, pos))};
    mode_product_run(policy, cv, u, pos, next.view());
    if (u.rank() == 1) alive.erase(alive.begin() + static_cast<std::ptrdiff_t>(pos));
    cur = std::move(next);
    cv = cur.view();
  }
}

template <std::size_t... M>
constexpr bool modes_distinct() {
  constexpr std::size_t m[] = {M..., 0};
  for (std::size_t i = 0; i < sizeof...(M); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (m[i] == m[j]) return false;
  return true;
}
template <bool Distinct>
constexpr bool multi_mode_product_modes_distinct() {
  static_assert(Distinct, "multi_mode_product: a mode appears twice");
  return Distinct;
}

template <class X, class Modes, class... U>
struct static_multi_mode_product;
template <class X, std::size_t... M, class... U>
struct static_multi_mode_product<X, std::index_sequence<M...>, U...> {
  using T = value_type_of_t<X>;
  static_assert(sizeof...(M) == sizeof...(U), "multi_mode_product: the number of modes differs from the number of factors");
  static constexpr bool ok = sizeof...(M) == sizeof...(U) && multi_mode_product_modes_distinct<modes_distinct<M...>()>() &&
                             (static_mode_product<M, X, U>::ok && ...);
  static constexpr bool known = has_static_rank<X> && (has_static_rank<U> && ...);
  static constexpr std::size_t n_vectors = ((rank_of<U>() == 1) + ... + 0);
  static constexpr std::size_t out_rank = known && ok ? rank_of<X>() - n_vectors : 0;
  static constexpr std::array<std::size_t, out_rank> extents = [] {
    std::array<std::size_t, out_rank> e{};
    if constexpr (out_rank > 0) {
      constexpr std::size_t modes[] = {M...};
      constexpr std::size_t ranks[] = {rank_of<U>()...};
      constexpr std::size_t rows[] = {static_extent_of<U>(0)...};
      for (std::size_t r = 0, o = 0; o < out_rank; ++r) {
        std::size_t f = 0;
        while (f < sizeof...(M) && modes[f] != r) ++f;
        if (f == sizeof...(M))
          e[o++] = static_extent_of<X>(r);
        else if (ranks[f] == 2)
          e[o++] = rows[f];
      }
    }
    return e;
  }();
  using result = std::conditional_t<known, tensor_from_t<T, extents>, dtensor<T>>;
};

}  // namespace detail

/// Run-time modes (empty: 0, 1, ... in list order) and an optional mode to skip; `us` is any
/// range of tensors or views, or a braced list. The result is a dtensor; throws shape_error
/// on bad modes or factors.
template <class P, tensor_like X, tensor_range Us>
  requires execution_policy<P>
auto multi_mode_product(P policy, const X& x, const Us& us, const std::vector<std::size_t>& modes = {},
                        std::optional<std::size_t> skip = std::nullopt) {
  using T = value_type_of_t<X>;
  const auto xv = detail::dview(x);
  const auto uv = detail::views_of<T>(us);
  std::vector<index> shape;
  const auto steps = detail::plan_multi_mode_product<T>(xv, uv, modes, skip, shape);
  dtensor<T> out{dyn_extents(shape)};
  detail::multi_mode_product_into<P, T>(policy, xv, uv, steps, out.view());
  return out;
}
template <class P, tensor_like X>
  requires execution_policy<P>
auto multi_mode_product(P policy, const X& x, std::initializer_list<dtensor_view<const value_type_of_t<X>>> us,
                        const std::vector<std::size_t>& modes = {}, std::optional<std::size_t> skip = std::nullopt) {
  return multi_mode_product(policy, x, std::span(us.begin(), us.size()), modes, skip);
}
template <tensor_like X, tensor_range Us>
auto multi_mode_product(const X& x, const Us& us, const std::vector<std::size_t>& modes = {},
                        std::optional<std::size_t> skip = std::nullopt) {
  return multi_mode_product(exec::seq, x, us, modes, skip);
}
template <tensor_like X>
auto multi_mode_product(const X& x, std::initializer_list<dtensor_view<const value_type_of_t<X>>> us,
                        const std::vector<std::size_t>& modes = {}, std::optional<std::size_t> skip = std::nullopt) {
  return multi_mode_product(exec::seq, x, std::span(us.begin(), us.size()), modes, skip);
}

/// Compile-time modes: `multi_mode_product<0, 2>(X, U0, U2)`; static extents are checked and
/// carried into the result type.
template <std::size_t... M, class P, tensor_like X, tensor_like... U>
  requires(execution_policy<P> && sizeof...(M) > 0)
auto multi_mode_product(P policy, const X& x, const U&... u) {
  using S = detail::static_multi_mode_product<X, std::index_sequence<M...>, U...>;
  using R = typename S::result;
  using T = typename S::T;
  if constexpr (S::ok) {
    const auto xv = detail::dview(x);
    const std::array<dtensor_view<const T>, sizeof...(U)> us = {detail::dview(u)...};
    const std::array<std::size_t, sizeof...(M)> modes = {M...};
    std::vector<index> shape;
    const auto steps = detail::plan_multi_mode_product<T>(xv, us, modes, std::nullopt, shape);
    R out = detail::make_result<R>(shape);
    detail::multi_mode_product_into<P, T>(policy, xv, us, steps, dtensor_view<T>(out.view()));
    return out;
  } else {
    return R{};
  }
}
template <std::size_t... M, tensor_like X, tensor_like... U>
  requires(sizeof...(M) > 0)
auto multi_mode_product(const X& x, const U&... u) {
  return multi_mode_product<M...>(exec::seq, x, u...);
}

}  // namespace tenet
