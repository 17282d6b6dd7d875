#pragma once
// einsum in two forms.
//   einsum<"ij,jk->ik">(A, B): subscripts parsed at compile time; for static extents the
//     result type is deduced (tensor<T, I, K>) and every mismatch is a static_assert.
//   einsum("ij,jk->ik", A, B): parsed at run time; returns a dtensor; throws parse_error
//     or shape_error.
//   einsum_into("ij,jk->ik", C, A, B), einsum_add(...): the run-time form writing into (or
//     adding onto) an existing tensor or view of the result's shape, which is not reallocated.
// Each form takes an execution policy first: einsum(exec::par, ...). Operands share one
// element type.
#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/overlap.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/contract_report.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/exec/unrolled.hpp"
#include "tenet/expr/einsum_eval.hpp"
#include "tenet/expr/einsum_path.hpp"
#include "tenet/expr/einsum_spec.hpp"
#include "tenet/expr/fixed_string.hpp"

namespace tenet {

namespace detail {

// ---- compile-time checks; each failing one names the problem in its message ----

template <einsum_error E>
constexpr bool einsum_parses() {
  static_assert(E != einsum_error::bad_character, "einsum: only letters, ',', '->' and spaces may appear in the subscripts");
  static_assert(E != einsum_error::ellipsis, "einsum: '...' (broadcasting) is not supported; name every mode");
  static_assert(E != einsum_error::bad_arrow, "einsum: malformed '->' (one arrow, then output labels only)");
  static_assert(E != einsum_error::no_operands, "einsum: the subscripts name no operands");
  static_assert(E != einsum_error::too_many, "einsum: too many operands or labels");
  static_assert(E != einsum_error::output_unknown, "einsum: an output label appears in no operand");
  static_assert(E != einsum_error::output_repeated, "einsum: an output label appears twice");
  return E == einsum_error::none;
}

// The checks after the first take `Enabled`, false once an earlier check has failed: one mistake,
// one message (not a cascade of misleading ones).
template <bool Enabled, int Given, int Named>
constexpr bool einsum_operand_count() {
  static_assert(!Enabled || Given == Named, "einsum: the number of operands differs from the number the subscripts name");
  return Given == Named;
}

template <std::size_t Rank, std::size_t Labels, int Operand>
constexpr bool einsum_rank_matches() {
  static_assert(Rank == Labels, "einsum: an operand's rank differs from its number of labels");
  return Rank == Labels;
}

template <std::size_t First, std::size_t Second, char Label>
constexpr bool einsum_extents_agree() {
  static_assert(First == Second, "einsum: contracted extents differ (a label has two different static extents)");
  return First == Second;
}

template <class X>
constexpr bool static_rank_v = is_static_rank<typename std::remove_cvref_t<X>::extents_type>::value;

// The static extents of an operand (dyn where unknown), padded to 64 entries.
template <class X>
constexpr std::array<std::size_t, 64> static_extents_of() {
  std::array<std::size_t, 64> e{};
  e.fill(dyn);
  using Ext = typename std::remove_cvref_t<X>::extents_type;
  if constexpr (is_static_rank<Ext>::value)
    for (std::size_t r = 0; r < Ext::rank() && r < 64; ++r) e[r] = Ext::static_extent(r);
  return e;
}

struct extent_conflict {
  std::size_t first = 0, second = 0;
  char label = ' ';
};

template <std::size_t N>
constexpr extent_conflict find_extent_conflict(const einsum_spec& s, const std::array<std::array<std::size_t, 64>, N>& e) {
  for (int i = 0; i < s.n_ops; ++i)
    for (std::size_t r = 0; r < s.operand(i).size(); ++r)
      for (int j = 0; j <= i; ++j)
        for (std::size_t q = 0; q < s.operand(j).size(); ++q) {
          if (j == i && q >= r) break;
          const std::size_t a = e[static_cast<std::size_t>(j)][q], b = e[static_cast<std::size_t>(i)][r];
          if (s.operand(i)[r] == s.operand(j)[q] && a != dyn && b != dyn && a != b)
            return {a, b, s.operand(i)[r]};
        }
  return {};
}

template <std::size_t N>
constexpr std::size_t static_output_extent(const einsum_spec& s, const std::array<std::array<std::size_t, 64>, N>& e, char l) {
  // Bounded by N and 64 too: the result type is named even when a check has failed.
  for (int i = 0; i < s.n_ops && i < static_cast<int>(N); ++i)
    for (std::size_t r = 0; r < s.operand(i).size() && r < 64; ++r)
      if (s.operand(i)[r] == l && e[static_cast<std::size_t>(i)][r] != dyn) return e[static_cast<std::size_t>(i)][r];
  return dyn;
}

template <fixed_string S>
inline constexpr einsum_spec spec_of = parse_einsum(S.view());

// The unrolled engine's description of einsum A, B -> C (exec/unrolled.hpp) for operands
// with the static extents `e`, laid out row-major (owning tensors); .ok false when it does
// not apply (a dynamic extent, too many labels or modes).
template <std::size_t N>
constexpr exec::detail::unrolled_problem unrolled_problem_of(const einsum_spec& s,
                                                             const std::array<std::array<std::size_t, 64>, N>& e) {
  exec::detail::unrolled_problem p;
  if (N != 2 || s.n_ops != 2 || !einsum_all_static(s, e)) return p;
  char names[32] = {};
  auto id = [&](char l) {
    for (std::size_t i = 0; i < p.n_labels; ++i)
      if (names[i] == l) return static_cast<int>(i);
    if (p.n_labels == 32) return -1;
    names[p.n_labels] = l;
    return static_cast<int>(p.n_labels++);
  };
  // Row-major strides from the extents, mode by mode.
  auto describe = [&](std::string_view labels, auto extent_of, exec::detail::unrolled_operand& x) {
    if (labels.size() > x.label.size()) return false;
    x.rank = labels.size();
    index stride = 1;
    for (std::size_t r = labels.size(); r-- > 0;) {
      const int l = id(labels[r]);
      if (l < 0) return false;
      x.label[r] = l;
      x.stride[r] = stride;
      const index ext = static_cast<index>(extent_of(r));
      p.extent[static_cast<std::size_t>(l)] = ext;
      stride *= ext;
    }
    return true;
  };
  const bool ok = describe(s.operand(0), [&](std::size_t r) { return e[0][r]; }, p.a) &&
                  describe(s.operand(1), [&](std::size_t r) { return e[1][r]; }, p.b) &&
                  describe(s.output(), [&](std::size_t r) { return static_output_extent(s, e, s.out[r]); }, p.c);
  p.ok = ok && p.terms() > 0;
  return p;
}

// Runs every compile-time check and names the result type.
template <fixed_string S, class... X>
struct static_einsum {
  static constexpr const einsum_spec& spec = spec_of<S>;
  static_assert(sizeof...(X) > 0, "einsum: no operands given");
  using T = std::common_type_t<value_type_of_t<X>...>;
  static constexpr bool typed = (std::is_same_v<value_type_of_t<X>, T> && ...);
  static_assert(typed, "einsum: operands must share one element type");
  static constexpr bool parsed = einsum_parses<spec.error>();
  static constexpr bool counted = parsed && einsum_operand_count<parsed, static_cast<int>(sizeof...(X)), spec.n_ops>();

  template <std::size_t... I>
  static constexpr bool ranks_ok(std::index_sequence<I...>) {
    return (rank_ok<I, X>() && ...);
  }
  template <std::size_t I, class Xi>
  static constexpr bool rank_ok() {
    if constexpr (counted && static_rank_v<Xi>)
      return einsum_rank_matches<std::remove_cvref_t<Xi>::extents_type::rank(), spec.operand(I).size(), static_cast<int>(I)>();
    else
      return true;
  }
  static constexpr bool ranked = counted && ranks_ok(std::index_sequence_for<X...>{});

  static constexpr std::array<std::array<std::size_t, 64>, sizeof...(X)> exts = {static_extents_of<X>()...};
  static constexpr extent_conflict conflict = ranked ? find_extent_conflict(spec, exts) : extent_conflict{};
  static constexpr bool ok = typed && ranked && einsum_extents_agree<conflict.first, conflict.second, conflict.label>();
  // Three or more operands with every extent static: the contraction order is planned here,
  // at compile time (einsum_path.hpp).
  static constexpr bool planned = ok && spec.n_ops >= 3 && einsum_all_static(spec, exts);
  static constexpr einsum_order order = planned ? plan_einsum_order(spec, einsum_static_label_extents(spec, exts)) : einsum_order{};

  // Two owning tensors (row-major, so every stride is known too) and a tiny loop nest: the
  // unrolled engine applies (exec/unrolled.hpp).
  static constexpr exec::detail::unrolled_problem unroll =
      ok && (is_tensor<std::remove_cvref_t<X>>::value && ...) ? unrolled_problem_of(spec, exts)
                                                               : exec::detail::unrolled_problem{};
  static constexpr bool unrollable = unroll.ok && unroll.terms() <= exec::unrolled_max_terms;

  template <std::size_t... I>
  static auto result_type(std::index_sequence<I...>) -> tensor<T, static_output_extent(spec, exts, spec.out[I])...>;
  using result = decltype(result_type(std::make_index_sequence<static_cast<std::size_t>(spec.out_len)>{}));
};

/// Records an unrolled einsum in the report installed on this thread (tenet::explain);
/// true in a dry run (nothing to compute).
template <class Check, class... X>
bool record_unrolled(exec::engine want, const X&... x) {
  exec::detail::report_sink& sink = exec::detail::current_report();
  if (!sink.report) return false;
  const auto& p = Check::unroll;
  exec::contraction_step st;
  st.a = std::string(Check::spec.operand(0));
  st.b = std::string(Check::spec.operand(1));
  st.c = std::string(Check::spec.output());
  std::vector<index>* shapes[] = {&st.shape_a, &st.shape_b};
  std::size_t i = 0;
  auto shape_of = [](const auto& t) {
    std::vector<index> v(t.rank());
    for (std::size_t r = 0; r < v.size(); ++r) v[r] = t.extent(r);
    return v;
  };
  ((*shapes[i++] = shape_of(x)), ...);
  for (std::size_t r = 0; r < p.c.rank; ++r) st.shape_c.push_back(p.extent[static_cast<std::size_t>(p.c.label[r])]);
  st.used = exec::engine::unrolled;
  st.asked = want;
  st.m = static_cast<index>(p.out_size());
  st.k = static_cast<index>(p.sum_size());
  st.m_labels = st.c;
  for (char l : st.a + st.b)
    if (st.c.find(l) == std::string::npos && st.k_labels.find(l) == std::string::npos) st.k_labels += l;
  st.predicted_us = 1e-3 * static_cast<double>(p.terms()) / 4;  // ~4 multiply-adds per ns
  sink.report->steps.push_back(std::move(st));
  return sink.dry;
}

template <class P, class T, class... X>
void einsum_views_into(P policy, const einsum_spec& spec, const dtensor_view<T>& out, bool accumulate, const X&... x) {
  const std::array<dtensor_view<const T>, sizeof...(X)> ops = {dtensor_view<const T>(as_view(x))...};
  einsum_into<P, T>(policy, spec, std::span<const dtensor_view<const T>>(ops), out, accumulate);
}

template <class T, class... X>
std::vector<index> einsum_shape(const einsum_spec& spec, const X&... x) {
  const std::array<dtensor_view<const T>, sizeof...(X)> ops = {dtensor_view<const T>(as_view(x))...};
  return einsum_output_extents<T>(spec, std::span<const dtensor_view<const T>>(ops));
}

// out = (accumulate ? out : 0) + einsum(spec, x...) for an existing `out` of the result's
// shape; `head` names the call in errors. An operand that may share memory with out goes
// through a temporary. `order`: a contraction order planned at compile time, or null.
template <class P, class O, class... X>
void einsum_out(P policy, const einsum_spec& spec, const char* head, O&& out, bool accumulate,
                const einsum_order* order, const X&... x) {
  using T = std::common_type_t<value_type_of_t<X>...>;
  using TO = typename decltype(as_view(out))::element_type;
  constexpr bool typed = (std::is_same_v<value_type_of_t<X>, T> && ...);
  static_assert(typed, "einsum_into: operands must share one element type");
  static_assert(std::is_same_v<std::remove_const_t<TO>, T>, "einsum_into: the output's element type differs from the operands'");
  static_assert(!std::is_const_v<TO>, "einsum_into: the output is read-only (a const tensor or a const view)");
  if constexpr (typed && std::is_same_v<TO, T>) {
    const std::array<dtensor_view<const T>, sizeof...(X)> ops = {dtensor_view<const T>(as_view(x))...};
    const std::span<const dtensor_view<const T>> sp(ops);
    const std::vector<index> ext = einsum_output_extents<T>(spec, sp);
    const dtensor_view<T> ov(as_view(out));
    if (!std::ranges::equal(ov.extents().as_span(), ext))
      throw shape_error(einsum_context(spec, head) + ": the output has shape " + shape_string(ov.extents()) +
                        " but the operands give " + shape_string(std::span<const index>(ext)));
    if (std::ranges::any_of(ops, [&](const dtensor_view<const T>& v) { return overlaps(ov, v); })) {
      dtensor<T> tmp = accumulate ? dtensor<T>(ov) : dtensor<T>(for_overwrite, dyn_extents(ext));
      einsum_into<P, T>(policy, spec, sp, tmp.view(), accumulate, order);
      exec::copy(policy, dtensor_view<const T>(tmp.view()), ov);
      return;
    }
    einsum_into<P, T>(policy, spec, sp, ov, accumulate, order);
  }
}

// Static extents of the result R and of a target O agree where both are static.
template <class R, class O>
constexpr bool einsum_target_fits() {
  using RE = typename R::extents_type;
  using OE = typename std::remove_cvref_t<O>::extents_type;
  if constexpr (is_static_rank<RE>::value && is_static_rank<OE>::value) {
    if (RE::rank() != OE::rank()) return false;
    for (std::size_t r = 0; r < RE::rank(); ++r)
      if (RE::static_extent(r) != dyn && OE::static_extent(r) != dyn && RE::static_extent(r) != OE::static_extent(r))
        return false;
  }
  return true;
}

}  // namespace detail

/// The contraction order einsum<S> uses for operands of types X...: planned at compile time
/// when there are three or more operands and every extent is static; otherwise empty
/// (n_steps == 0) and planned at run time.
template <fixed_string S, class... X>
inline constexpr einsum_order static_einsum_order = detail::static_einsum<S, X...>::order;

/// Compile-time subscripts, with a policy.
template <fixed_string S, class P, class... X>
  requires(execution_policy<P> && (tensor_like<X> && ...))
auto einsum(P policy, const X&... x) {
  using check = detail::static_einsum<S, X...>;
  using R = typename check::result;
  using T = typename check::T;
  if constexpr (check::unrollable) {
    const exec::engine want = exec::preferred_engine(policy);
    if (want == exec::engine::automatic || want == exec::engine::unrolled) {
      R out(for_overwrite, typename R::extents_type{});
      if (!detail::record_unrolled<check>(want, x...)) {
        const std::array<const T*, 2> p = {x.data()...};
        exec::contract_unrolled<T, check::unroll>(p[0], p[1], out.data(), false);
      }
      return out;
    }
  }
  if constexpr (check::ok) {
    const std::vector<index> ext = detail::einsum_shape<T>(check::spec, x...);
    R out(for_overwrite, typename R::extents_type(std::span<const index>(ext)));
    const std::array<dtensor_view<const T>, sizeof...(X)> ops = {dtensor_view<const T>(as_view(x))...};
    detail::einsum_into<P, T>(policy, check::spec, std::span<const dtensor_view<const T>>(ops), dtensor_view<T>(out.view()),
                              false, check::planned ? &check::order : nullptr);
    return out;
  } else {
    return R{};
  }
}

/// Compile-time subscripts, sequential.
template <fixed_string S, class... X>
  requires(tensor_like<X> && ...)
auto einsum(const X&... x) {
  return einsum<S>(exec::seq, x...);
}

/// Run-time subscripts, with a policy; returns a dtensor.
template <class P, class... X>
  requires(execution_policy<P> && sizeof...(X) > 0 && (tensor_like<X> && ...))
auto einsum(P policy, std::string_view subscripts, const X&... x) {
  using T = std::common_type_t<value_type_of_t<X>...>;
  constexpr bool typed = (std::is_same_v<value_type_of_t<X>, T> && ...);
  static_assert(typed, "einsum: operands must share one element type");
  if constexpr (typed) {
    const einsum_spec spec = parse_einsum_or_throw(subscripts);
    dtensor<T> out(for_overwrite, dyn_extents(detail::einsum_shape<T>(spec, x...)));
    detail::einsum_views_into(policy, spec, out.view(), false, x...);
    return out;
  } else {
    return dtensor<T>{};
  }
}

/// Run-time subscripts, sequential.
template <class... X>
  requires(sizeof...(X) > 0 && (tensor_like<X> && ...))
auto einsum(std::string_view subscripts, const X&... x) {
  return einsum(exec::seq, subscripts, x...);
}

/// out = einsum(subscripts, x...), written into an existing tensor or view `out` that has the
/// result's shape (else shape_error naming both); `out` is never reallocated, so a loop of
/// contractions into one buffer allocates nothing. Operands may overlap `out` (they are then
/// read before it is written, through a temporary).
template <class P, class O, class... X>
  requires(execution_policy<P> && tensor_like<O> && sizeof...(X) > 0 && (tensor_like<X> && ...))
void einsum_into(P policy, std::string_view subscripts, O&& out, const X&... x) {
  detail::einsum_out(policy, parse_einsum_or_throw(subscripts), "tenet::einsum_into(", std::forward<O>(out), false, nullptr, x...);
}
template <class O, class... X>
  requires(tensor_like<O> && sizeof...(X) > 0 && (tensor_like<X> && ...))
void einsum_into(std::string_view subscripts, O&& out, const X&... x) {
  detail::einsum_out(exec::seq, parse_einsum_or_throw(subscripts), "tenet::einsum_into(", std::forward<O>(out), false, nullptr, x...);
}

/// out += einsum(subscripts, x...); `out` as for einsum_into.
template <class P, class O, class... X>
  requires(execution_policy<P> && tensor_like<O> && sizeof...(X) > 0 && (tensor_like<X> && ...))
void einsum_add(P policy, std::string_view subscripts, O&& out, const X&... x) {
  detail::einsum_out(policy, parse_einsum_or_throw(subscripts), "tenet::einsum_add(", std::forward<O>(out), true, nullptr, x...);
}
template <class O, class... X>
  requires(tensor_like<O> && sizeof...(X) > 0 && (tensor_like<X> && ...))
void einsum_add(std::string_view subscripts, O&& out, const X&... x) {
  detail::einsum_out(exec::seq, parse_einsum_or_throw(subscripts), "tenet::einsum_add(", std::forward<O>(out), true, nullptr, x...);
}

namespace detail {
template <fixed_string S, bool Add, class P, class O, class... X>
void einsum_static_out(P policy, O&& out, const X&... x) {
  using check = detail::static_einsum<S, X...>;
  if constexpr (check::ok) {
    static_assert(detail::einsum_target_fits<typename check::result, O>(),
                  "einsum_into: the target's static extents differ from the result's");
    einsum_out(policy, check::spec, Add ? "tenet::einsum_add(" : "tenet::einsum_into(", std::forward<O>(out), Add,
               check::planned ? &check::order : nullptr, x...);
  }
}
}  // namespace detail

/// einsum_into and einsum_add with compile-time subscripts: einsum<"...">'s static checks,
/// and a target whose static extents differ from the result's is a static_assert too.
template <fixed_string S, class P, class O, class... X>
  requires(execution_policy<P> && tensor_like<O> && (tensor_like<X> && ...))
void einsum_into(P policy, O&& out, const X&... x) {
  detail::einsum_static_out<S, false>(policy, std::forward<O>(out), x...);
}
template <fixed_string S, class O, class... X>
  requires(tensor_like<O> && (tensor_like<X> && ...))
void einsum_into(O&& out, const X&... x) {
  detail::einsum_static_out<S, false>(exec::seq, std::forward<O>(out), x...);
}
template <fixed_string S, class P, class O, class... X>
  requires(execution_policy<P> && tensor_like<O> && (tensor_like<X> && ...))
void einsum_add(P policy, O&& out, const X&... x) {
  detail::einsum_static_out<S, true>(policy, std::forward<O>(out), x...);
}
template <fixed_string S, class O, class... X>
  requires(tensor_like<O> && (tensor_like<X> && ...))
void einsum_add(O&& out, const X&... x) {
  detail::einsum_static_out<S, true>(exec::seq, std::forward<O>(out), x...);
}

}  // namespace tenet
