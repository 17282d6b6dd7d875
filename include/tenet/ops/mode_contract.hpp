#pragma once
// The generalized mode product of the DTTN paper (MATH.md 1.1): C x_{a_1..a_k}^{b_1..b_k} Y
// contracts mode a_i of C with mode b_i of Y for every i; the result has C's remaining modes,
// in order, then Y's remaining modes, in order (numpy.tensordot(C, Y, (a, b))).
// Modes are 0-based in code: the paper's C x_{2,3}^{1,2} Y (1-based) is
//   mode_contract(C, Y, {1, 2}, {0, 1})   or   mode_contract<mode_list{1, 2}, mode_list{0, 1}>(C, Y)
// One labelled contraction; the engine picks the GEMM layout.
#include <cstddef>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

namespace detail {

/// Checks the modes; fills the labels of C, Y and the result; returns the result's shape.
template <class T>
std::vector<index> mode_contract_plan(const dtensor_view<const T>& c, const dtensor_view<const T>& y,
                                      std::span<const std::size_t> ma, std::span<const std::size_t> mb,
                                      std::vector<int>& lc, std::vector<int>& ly, std::vector<int>& lo) {
  const std::string what = "tenet::mode_contract: C of shape " + shape_string(c.extents()) + " modes " +
                           modes_string(ma) + " with Y of shape " + shape_string(y.extents()) + " modes " +
                           modes_string(mb);
  if (ma.size() != mb.size()) throw shape_error(what + ": the two lists of modes differ in length");
  const int RC = static_cast<int>(c.rank());
  lc.assign(c.rank(), -1);
  ly.assign(y.rank(), -1);
  for (std::size_t i = 0; i < ma.size(); ++i) {
    if (ma[i] >= c.rank() || mb[i] >= y.rank()) throw shape_error(what + ": a mode is out of range");
    if (lc[ma[i]] >= 0 || ly[mb[i]] >= 0) throw shape_error(what + ": a mode appears twice");
    if (c.extent(ma[i]) != y.extent(mb[i]))
      throw shape_error(what + ": contracted extents differ: " + std::to_string(c.extent(ma[i])) + " vs " +
                        std::to_string(y.extent(mb[i])));
    lc[ma[i]] = ly[mb[i]] = static_cast<int>(ma[i]);
  }
  std::vector<index> ext;
  lo.clear();
  for (int r = 0; r < RC; ++r)
    if (lc[static_cast<std::size_t>(r)] < 0) {
      lc[static_cast<std::size_t>(r)] = r;
      lo.push_back(r);
      ext.push_back(c.extent(static_cast<std::size_t>(r)));
    }
  for (std::size_t r = 0; r < y.rank(); ++r)
    if (ly[r] < 0) {
      ly[r] = RC + static_cast<int>(r);
      lo.push_back(ly[r]);
      ext.push_back(y.extent(r));
    }
  return ext;
}

template <std::size_t LengthA, std::size_t LengthB>
constexpr bool mode_contract_lengths_agree() {
  static_assert(LengthA == LengthB, "mode_contract: the two lists of modes differ in length");
  return LengthA == LengthB;
}
template <bool InRange>
constexpr bool mode_contract_modes_in_range() {
  static_assert(InRange, "mode_contract: a mode is out of range (mode >= rank)");
  return InRange;
}
template <bool Distinct>
constexpr bool mode_contract_modes_distinct() {
  static_assert(Distinct, "mode_contract: a mode appears twice in one list");
  return Distinct;
}
template <std::size_t ExtentInC, std::size_t ExtentInY, std::size_t I>
constexpr bool mode_contract_extents_agree() {
  static_assert(static_compatible(ExtentInC, ExtentInY), "mode_contract: contracted extents differ");
  return static_compatible(ExtentInC, ExtentInY);
}

constexpr bool list_in_range(const mode_list& l, std::size_t rank) {
  for (std::size_t i = 0; i < l.size(); ++i)
    if (l[i] >= rank) return false;
  return true;
}
constexpr bool list_distinct(const mode_list& l) {
  for (std::size_t i = 0; i < l.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (l[i] == l[j]) return false;
  return true;
}
constexpr bool list_has(const mode_list& l, std::size_t m) {
  for (std::size_t i = 0; i < l.size(); ++i)
    if (l[i] == m) return true;
  return false;
}

template <mode_list A, mode_list B, class C, class Y>
struct static_mode_contract {
  using T = value_type_of_t<C>;
  static_assert(std::is_same_v<T, value_type_of_t<Y>>, "mode_contract: C and Y must share one element type");
  static constexpr bool known = has_static_rank<C> && has_static_rank<Y>;
  template <std::size_t... I>
  static constexpr bool extents_ok(std::index_sequence<I...>) {
    return (mode_contract_extents_agree<static_extent_of<C>(A[I]), static_extent_of<Y>(B[I]), I>() && ...);
  }
  static constexpr bool ok = [] {
    if (!std::is_same_v<T, value_type_of_t<Y>>) return false;
    if (!mode_contract_lengths_agree<A.size(), B.size()>()) return false;
    if (!mode_contract_modes_distinct<list_distinct(A) && list_distinct(B)>()) return false;
    if constexpr (known)
      return mode_contract_modes_in_range<list_in_range(A, rank_of<C>()) && list_in_range(B, rank_of<Y>())>() &&
             extents_ok(std::make_index_sequence<A.size() < B.size() ? A.size() : B.size()>{});
    else
      return true;
  }();
  static constexpr std::size_t out_rank = known && ok ? rank_of<C>() + rank_of<Y>() - 2 * A.size() : 0;
  static constexpr std::array<std::size_t, out_rank> extents = [] {
    std::array<std::size_t, out_rank> e{};
    std::size_t o = 0;
    for (std::size_t r = 0; r < rank_of<C>() && o < out_rank; ++r)
      if (!list_has(A, r)) e[o++] = static_extent_of<C>(r);
    for (std::size_t r = 0; r < rank_of<Y>() && o < out_rank; ++r)
      if (!list_has(B, r)) e[o++] = static_extent_of<Y>(r);
    return e;
  }();
  using result = std::conditional_t<known, tensor_from_t<T, extents>, dtensor<T>>;
};

}  // namespace detail

/// Compile-time modes: `mode_contract<mode_list{1, 2}, mode_list{0, 1}>(C, Y)`.
template <mode_list A, mode_list B, class P, tensor_like C, tensor_like Y>
  requires execution_policy<P>
auto mode_contract(P policy, const C& c, const Y& y) {
  using S = detail::static_mode_contract<A, B, C, Y>;
  using R = typename S::result;
  using T = typename S::T;
  if constexpr (S::ok) {
    const auto cv = detail::dview(c);
    const auto yv = detail::dview(y);
    std::vector<int> lc, ly, lo;
    R out = detail::make_result<R>(
        detail::mode_contract_plan(cv, yv, std::span(A.m, A.size()), std::span(B.m, B.size()), lc, ly, lo),
        for_overwrite);
    exec::contract(policy, cv, lc, yv, ly, dtensor_view<T>(out.view()), lo);
    return out;
  } else {
    return R{};
  }
}
template <mode_list A, mode_list B, tensor_like C, tensor_like Y>
auto mode_contract(const C& c, const Y& y) {
  return mode_contract<A, B>(exec::seq, c, y);
}

/// Run-time modes; returns a dtensor; throws shape_error.
template <class P, tensor_like C, tensor_like Y>
  requires execution_policy<P>
dtensor<value_type_of_t<C>> mode_contract(P policy, const C& c, const Y& y, const std::vector<std::size_t>& modes_c,
                                          const std::vector<std::size_t>& modes_y) {
  using T = value_type_of_t<C>;
  static_assert(std::is_same_v<T, value_type_of_t<Y>>, "mode_contract: C and Y must share one element type");
  if constexpr (std::is_same_v<T, value_type_of_t<Y>>) {
    const auto cv = detail::dview(c);
    const auto yv = detail::dview(y);
    std::vector<int> lc, ly, lo;
    dtensor<T> out(for_overwrite, dyn_extents(detail::mode_contract_plan(cv, yv, modes_c, modes_y, lc, ly, lo)));
    exec::contract(policy, cv, lc, yv, ly, out.view(), lo);
    return out;
  } else {
    return dtensor<T>{};
  }
}
template <tensor_like C, tensor_like Y>
dtensor<value_type_of_t<C>> mode_contract(const C& c, const Y& y, const std::vector<std::size_t>& modes_c,
                                          const std::vector<std::size_t>& modes_y) {
  return mode_contract(exec::seq, c, y, modes_c, modes_y);
}

}  // namespace tenet
