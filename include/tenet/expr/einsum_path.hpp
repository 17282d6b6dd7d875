#pragma once
// The order in which einsum contracts three or more operands. Up to einsum_order::exhaustive
// operands (10), the order of least flops over all pairwise orders, outer products included,
// by dynamic programming over subsets of operands; beyond that, left to right. Everything
// is constexpr: a static einsum<"..."> whose extents are all static gets its order at compile
// time and plans nothing at run time. The cost model is the one of tenet/network/
// path_cost.hpp: a step costs 2 * prod(extents of the labels of both operands); an
// intermediate keeps the labels that the output or an operand outside it carries.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "tenet/core/tensor.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/expr/einsum_spec.hpp"

namespace tenet {

/// A pairwise order for the operands of an einsum. Ids: operands are 0 .. n-1, step k makes
/// id n + k (the SSA convention of tenet::contraction_path).
struct einsum_order {
  static constexpr int exhaustive = 10;
  int n_operands = 0;
  int n_steps = 0;
  std::array<std::array<int, 2>, einsum_spec::max_operands> steps{};
  double flops = 0;       ///< 2 * sum over steps of prod(extents of both operands' labels)
  bool optimal = false;   ///< false: left to right (more than `exhaustive` operands)
};

namespace detail {

constexpr int einsum_label_bit(char c) noexcept { return c >= 'a' && c <= 'z' ? c - 'a' : 26 + (c - 'A'); }

constexpr std::uint64_t einsum_label_mask(std::string_view labels) noexcept {
  std::uint64_t m = 0;
  for (char c : labels) m |= std::uint64_t(1) << einsum_label_bit(c);
  return m;
}

constexpr double einsum_mask_size(std::uint64_t m, const std::array<double, 52>& ext) noexcept {
  double p = 1;
  for (; m; m &= m - 1) p *= ext[static_cast<std::size_t>(std::countr_zero(m))];
  return p;
}

}  // namespace detail

/// The contraction order for `s` given the extent of every label (indexed by
/// detail::einsum_label_bit; labels that do not occur may hold anything).
constexpr einsum_order plan_einsum_order(const einsum_spec& s, const std::array<double, 52>& ext) noexcept {
  einsum_order o;
  const int n = s.n_ops;
  o.n_operands = n;
  o.optimal = true;
  if (n <= 1) return o;
  const std::uint64_t out = detail::einsum_label_mask(s.output());
  if (n > einsum_order::exhaustive) {  // left to right, keeping what the output or a later operand needs
    o.optimal = false;
    std::uint64_t cur = detail::einsum_label_mask(s.operand(0));
    for (int i = 1; i < n; ++i) {
      const std::uint64_t b = detail::einsum_label_mask(s.operand(i));
      std::uint64_t later = 0;
      for (int j = i + 1; j < n; ++j) later |= detail::einsum_label_mask(s.operand(j));
      o.flops += 2 * detail::einsum_mask_size(cur | b, ext);
      o.steps[static_cast<std::size_t>(i - 1)] = {i == 1 ? 0 : n + i - 2, i};
      cur = (cur | b) & (out | later);
    }
    o.n_steps = n - 1;
    return o;
  }
  constexpr std::size_t cap = std::size_t(1) << einsum_order::exhaustive;
  std::array<std::uint64_t, cap> touch{}, legs{};
  std::array<double, cap> best{};
  std::array<unsigned, cap> left{};
  const unsigned full = (1u << n) - 1;
  for (unsigned m = 1; m <= full; ++m) {
    const unsigned low = m & (~m + 1);
    touch[m] = touch[m ^ low] | detail::einsum_label_mask(s.operand(std::countr_zero(low)));
  }
  for (unsigned m = 1; m <= full; ++m) {
    legs[m] = std::has_single_bit(m) ? touch[m] : touch[m] & (out | touch[full ^ m]);
    if (std::has_single_bit(m)) continue;
    const unsigned low = m & (~m + 1), rest = m ^ low;
    double b = -1;
    for (unsigned sub = rest & (rest - 1);; sub = (sub - 1) & rest) {  // sub != rest: both sides non-empty
      const unsigned m1 = low | sub, m2 = rest ^ sub;
      const double base = best[m1] + best[m2];
      if (b < 0 || base < b) {
        const double f = base + 2 * detail::einsum_mask_size(legs[m1] | legs[m2], ext);
        if (b < 0 || f < b) b = f, left[m] = m1;
      }
      if (sub == 0) break;
    }
    best[m] = b;
  }
  o.flops = best[full];
  // Emit the steps: post-order over the split tree, with an explicit stack.
  std::array<unsigned, 2 * einsum_order::exhaustive> stack{};
  std::array<int, cap> id{};
  std::array<bool, cap> expanded{};
  int top = 0;
  stack[static_cast<std::size_t>(top++)] = full;
  while (top > 0) {
    const unsigned m = stack[static_cast<std::size_t>(top - 1)];
    if (std::has_single_bit(m)) {
      id[m] = std::countr_zero(m);
      --top;
    } else if (!expanded[m]) {
      expanded[m] = true;
      stack[static_cast<std::size_t>(top++)] = m ^ left[m];
      stack[static_cast<std::size_t>(top++)] = left[m];
    } else {
      o.steps[static_cast<std::size_t>(o.n_steps)] = {id[left[m]], id[m ^ left[m]]};
      id[m] = n + o.n_steps++;
      --top;
    }
  }
  return o;
}

namespace detail {

// For static einsum: whether every operand extent is static, and the extent of every label.
template <std::size_t N>
constexpr bool einsum_all_static(const einsum_spec& s, const std::array<std::array<std::size_t, 64>, N>& e) noexcept {
  for (int i = 0; i < s.n_ops && i < static_cast<int>(N); ++i)
    for (std::size_t r = 0; r < s.operand(i).size(); ++r)
      if (r >= 64 || e[static_cast<std::size_t>(i)][r] == dyn) return false;
  return s.n_ops == static_cast<int>(N);
}

template <std::size_t N>
constexpr std::array<double, 52> einsum_static_label_extents(const einsum_spec& s,
                                                             const std::array<std::array<std::size_t, 64>, N>& e) noexcept {
  std::array<double, 52> ext{};
  ext.fill(1);
  for (int i = 0; i < s.n_ops && i < static_cast<int>(N); ++i)
    for (std::size_t r = 0; r < s.operand(i).size() && r < 64; ++r)
      ext[static_cast<std::size_t>(einsum_label_bit(s.operand(i)[r]))] = static_cast<double>(e[static_cast<std::size_t>(i)][r]);
  return ext;
}

}  // namespace detail

/// The order for these operands (their extents must agree per label; einsum checks that
/// before it plans).
template <class T>
einsum_order plan_einsum_order(const einsum_spec& s, std::span<const dtensor_view<const T>> ops) noexcept {
  std::array<double, 52> ext{};
  ext.fill(1);
  for (int i = 0; i < s.n_ops && static_cast<std::size_t>(i) < ops.size(); ++i) {
    const auto lab = s.operand(i);
    const auto& op = ops[static_cast<std::size_t>(i)];
    for (std::size_t r = 0; r < lab.size() && r < op.rank(); ++r)
      ext[static_cast<std::size_t>(detail::einsum_label_bit(lab[r]))] = static_cast<double>(op.extent(r));
  }
  return plan_einsum_order(s, ext);
}

namespace detail {

/// out = the einsum of ops, contracted pairwise along `order`. Each intermediate keeps, in
/// the order its operands have them, the labels that the output or a live operand carries.
template <class P, class T>
void einsum_contract_in_order(P policy, const einsum_spec& s, std::span<const dtensor_view<const T>> ops,
                              const dtensor_view<T>& out, bool accumulate, const einsum_order& order) {
  const int n = s.n_ops;
  auto ints = [](std::string_view l) { return std::vector<int>(l.begin(), l.end()); };
  const std::vector<int> out_labels = ints(s.output());
  std::vector<dtensor_view<const T>> v(ops.begin(), ops.end());
  std::vector<std::vector<int>> lab;
  std::array<int, 128> live{};  // live tensors carrying each label
  auto distinct = [](std::vector<int> l) {
    std::sort(l.begin(), l.end());
    l.erase(std::unique(l.begin(), l.end()), l.end());
    return l;
  };
  for (int i = 0; i < n; ++i) {
    lab.push_back(ints(s.operand(i)));
    for (int l : distinct(lab.back())) ++live[static_cast<std::size_t>(l)];
  }
  std::vector<std::optional<dtensor<T>>> tmp(static_cast<std::size_t>(order.n_steps));
  for (int k = 0; k < order.n_steps; ++k) {
    const auto a = static_cast<std::size_t>(order.steps[static_cast<std::size_t>(k)][0]);
    const auto b = static_cast<std::size_t>(order.steps[static_cast<std::size_t>(k)][1]);
    if (k + 1 == order.n_steps) {
      exec::contract(policy, v[a], lab[a], v[b], lab[b], out, out_labels, accumulate);
      return;
    }
    const std::vector<int> da = distinct(lab[a]), db = distinct(lab[b]);
    std::vector<int> keep;
    std::vector<index> ext;
    auto consider = [&](std::size_t id) {
      for (std::size_t r = 0; r < lab[id].size(); ++r) {
        const int l = lab[id][r];
        const int here = std::binary_search(da.begin(), da.end(), l) + std::binary_search(db.begin(), db.end(), l);
        const bool open = std::find(out_labels.begin(), out_labels.end(), l) != out_labels.end();
        if ((open || live[static_cast<std::size_t>(l)] > here) && std::find(keep.begin(), keep.end(), l) == keep.end()) {
          keep.push_back(l);
          ext.push_back(v[id].extent(r));
        }
      }
    };
    consider(a);
    consider(b);
    auto& t = tmp[static_cast<std::size_t>(k)].emplace(for_overwrite, dyn_extents(ext));  // contract writes all
    exec::contract(policy, v[a], lab[a], v[b], lab[b], t.view(), keep);
    for (int l : da) --live[static_cast<std::size_t>(l)];
    for (int l : db) --live[static_cast<std::size_t>(l)];
    for (int l : keep) ++live[static_cast<std::size_t>(l)];
    for (std::size_t id : {a, b})  // intermediates that were just used are freed
      if (id >= static_cast<std::size_t>(n)) tmp[id - static_cast<std::size_t>(n)].reset();
    v.push_back(dtensor_view<const T>(t.view()));
    lab.push_back(std::move(keep));
  }
}

}  // namespace detail
}  // namespace tenet
