#pragma once
// Partial traces (MATH.md 2.3).
//   partial_trace<mode_pair{a, b}, ...>(X): sums X over the diagonal of each pair of modes
//     (equal extents); the remaining modes keep their order. GCC also takes `<{a, b}, ...>`.
//   partial_trace(X, {{a, b}, ...}): the same with run-time pairs; returns a dtensor.
//   partial_trace(Op, dims, keep): Op is a square matrix on R^{d_0} kron .. kron R^{d_{K-1}}
//     (row index (k_0, .., k_{K-1}), k_0 slowest); traces out every factor not in `keep` and
//     returns the matrix on the kept factors, in their original order. With dims {m, p}:
//     keep {0} is Tr_2, keep {1} is Tr_1.
// A trace reads each diagonal element once and sums nothing pairwise, so it runs as a
// strided reduction (exec::sum_into) over a view whose traced modes are diagonals.
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/copy.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

namespace detail {

inline std::string pairs_string(std::span<const mode_pair> p) {
  std::string s = "{";
  for (std::size_t i = 0; i < p.size(); ++i)
    s += (i ? ", {" : "{") + std::to_string(p[i].first) + ", " + std::to_string(p[i].second) + "}";
  return s + "}";
}

/// Checks the pairs; returns the shape of the result (the untraced modes in order).
template <class T>
std::vector<index> partial_trace_shape(const dtensor_view<const T>& x, std::span<const mode_pair> pairs) {
  std::vector<int> use(x.rank(), 0);
  const std::string what = "tenet::partial_trace: pairs " + pairs_string(pairs) + " for a tensor of shape " +
                           shape_string(x.extents());
  for (const mode_pair& p : pairs) {
    if (p.first >= x.rank() || p.second >= x.rank()) throw shape_error(what + ": a mode is out of range");
    if (p.first == p.second || ++use[p.first] > 1 || ++use[p.second] > 1)
      throw shape_error(what + ": a mode appears twice");
    if (x.extent(p.first) != x.extent(p.second))
      throw shape_error(what + ": modes " + std::to_string(p.first) + " and " + std::to_string(p.second) +
                        " have different extents " + std::to_string(x.extent(p.first)) + " and " +
                        std::to_string(x.extent(p.second)));
  }
  std::vector<index> ext;
  for (std::size_t r = 0; r < x.rank(); ++r)
    if (!use[r]) ext.push_back(x.extent(r));
  return ext;
}

/// out = the partial trace of x over checked pairs. Threads split out's first mode.
template <class T>
void partial_trace_into(int threads, const dtensor_view<const T>& x, std::span<const mode_pair> pairs,
                        const dtensor_view<T>& out) {
  std::vector<bool> traced(x.rank(), false);
  for (const mode_pair& p : pairs) traced[p.first] = traced[p.second] = true;
  // The kept modes, then one diagonal mode per pair (stride: the sum of the pair's strides).
  std::vector<index> ext, str;
  std::vector<int> keep;
  for (std::size_t r = 0; r < x.rank(); ++r)
    if (!traced[r]) {
      keep.push_back(static_cast<int>(ext.size()));
      ext.push_back(x.extent(r));
      str.push_back(x.stride(r));
    }
  for (const mode_pair& p : pairs) {
    keep.push_back(-1);
    ext.push_back(x.extent(p.first));
    str.push_back(x.stride(p.first) + x.stride(p.second));
  }
  const dtensor_view<const T> src(x.data(), dyn_extents(ext), str);
  const index n0 = out.rank() > 0 ? out.extent(0) : 1;
  if (threads <= 1 || n0 < threads || src.size() < (index{1} << 15)) {
    exec::sum_into(exec::seq, src, keep, out);
    return;
  }
  auto slice = [](auto v, index lo, index hi) {  // mode 0 restricted to [lo, hi)
    std::vector<index> e(v.extents().as_span().begin(), v.extents().as_span().end());
    e[0] = hi - lo;
    return decltype(v)(v.data() + lo * v.stride(0), dyn_extents(e), v.strides());
  };
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
  for (int t = 0; t < threads; ++t) {
    const index lo = n0 * t / threads, hi = n0 * (t + 1) / threads;
    exec::sum_into(exec::seq, slice(src, lo, hi), keep, slice(out, lo, hi));
  }
}

template <std::size_t Rank, mode_pair P>
constexpr bool partial_trace_mode_in_range() {
  static_assert(P.first < Rank && P.second < Rank, "partial_trace: a mode is out of range (mode >= rank)");
  return P.first < Rank && P.second < Rank;
}
template <bool Distinct>
constexpr bool partial_trace_modes_distinct() {
  static_assert(Distinct, "partial_trace: a mode appears twice (in one pair or in two)");
  return Distinct;
}
template <std::size_t ExtentOfFirst, std::size_t ExtentOfSecond, mode_pair P>
constexpr bool partial_trace_extents_agree() {
  static_assert(static_compatible(ExtentOfFirst, ExtentOfSecond), "partial_trace: a pair of modes has different extents");
  return static_compatible(ExtentOfFirst, ExtentOfSecond);
}

template <mode_pair... P>
constexpr bool pairs_distinct() {
  constexpr mode_pair p[] = {P..., mode_pair{0, 0}};
  std::size_t m[2 * sizeof...(P) + 1] = {};
  for (std::size_t i = 0; i < sizeof...(P); ++i) m[2 * i] = p[i].first, m[2 * i + 1] = p[i].second;
  for (std::size_t i = 0; i < 2 * sizeof...(P); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (m[i] == m[j]) return false;
  return true;
}

template <class X, mode_pair... P>
struct static_partial_trace {
  using T = value_type_of_t<X>;
  static constexpr bool ok = [] {
    if constexpr (has_static_rank<X>)
      return (partial_trace_mode_in_range<rank_of<X>(), P>() && ...) &&
             partial_trace_modes_distinct<pairs_distinct<P...>()>() &&
             (partial_trace_extents_agree<static_extent_of<X>(P.first), static_extent_of<X>(P.second), P>() && ...);
    else
      return partial_trace_modes_distinct<pairs_distinct<P...>()>();
  }();
  static constexpr bool known = has_static_rank<X>;
  static constexpr std::size_t out_rank = known && ok ? rank_of<X>() - 2 * sizeof...(P) : 0;
  static constexpr std::array<std::size_t, out_rank> extents = [] {
    std::array<std::size_t, out_rank> e{};
    for (std::size_t r = 0, o = 0; o < out_rank; ++r)
      if (((r != P.first && r != P.second) && ...)) e[o++] = static_extent_of<X>(r);
    return e;
  }();
  using result = std::conditional_t<known, tensor_from_t<T, extents>, dtensor<T>>;
};

}  // namespace detail

/// Traces the pairs of modes given at compile time.
template <mode_pair... P, class Pol, tensor_like X>
  requires execution_policy<Pol>
auto partial_trace(Pol policy, const X& x) {
  using S = detail::static_partial_trace<X, P...>;
  using R = typename S::result;
  if constexpr (S::ok) {
    const auto xv = detail::dview(x);
    static constexpr mode_pair pairs[] = {P..., mode_pair{0, 0}};
    const std::span<const mode_pair> ps(pairs, sizeof...(P));
    R out = detail::make_result<R>(detail::partial_trace_shape(xv, ps));
    detail::partial_trace_into(exec::thread_count(policy), xv, ps, dtensor_view<typename S::T>(out.view()));
    return out;
  } else {
    return R{};
  }
}
template <mode_pair... P, tensor_like X>
auto partial_trace(const X& x) {
  return partial_trace<P...>(exec::seq, x);
}

/// Traces pairs of modes given at run time; throws shape_error.
template <class Pol, tensor_like X>
  requires execution_policy<Pol>
dtensor<value_type_of_t<X>> partial_trace(Pol policy, const X& x, const std::vector<mode_pair>& pairs) {
  const auto xv = detail::dview(x);
  dtensor<value_type_of_t<X>> out{dyn_extents(detail::partial_trace_shape(xv, pairs))};
  detail::partial_trace_into(exec::thread_count(policy), xv, pairs, out.view());
  return out;
}
template <tensor_like X>
dtensor<value_type_of_t<X>> partial_trace(const X& x, const std::vector<mode_pair>& pairs) {
  return partial_trace(exec::seq, x, pairs);
}

/// The operator form: Op on R^{dims[0]} kron R^{dims[1]} kron ...; keeps the factors in `keep`.
template <class Pol, tensor_like M>
  requires execution_policy<Pol>
tensor<value_type_of_t<M>, dyn, dyn> partial_trace(Pol policy, const M& op, const std::vector<index>& dims,
                                                   std::vector<std::size_t> keep) {
  using T = value_type_of_t<M>;
  const auto v = detail::dview(op);
  const std::size_t K = dims.size();
  index n = 1;
  for (index d : dims) n *= d;
  std::sort(keep.begin(), keep.end());
  const std::string what = "tenet::partial_trace: an operator of shape " + detail::shape_string(v.extents()) +
                           " on factors of dimensions " + detail::shape_string(std::span<const index>(dims)) +
                           ", keeping " + detail::modes_string(keep);
  for (index d : dims)
    if (d < 0) throw shape_error(what + ": a negative dimension");
  if (v.rank() != 2 || v.extent(0) != n || v.extent(1) != n)
    throw shape_error(what + ": the operator must be a square matrix of the dimensions' product " + std::to_string(n));
  if (std::adjacent_find(keep.begin(), keep.end()) != keep.end() || (!keep.empty() && keep.back() >= K))
    throw shape_error(what + ": a kept factor is out of range or repeats");
  // Op as a tensor of shape (dims.., dims..): its row and column indices split, stride by stride.
  std::vector<index> ext(2 * K), str(2 * K);
  index sr = v.stride(0), sc = v.stride(1);
  for (std::size_t r = K; r-- > 0;) {
    ext[r] = ext[K + r] = dims[r];
    str[r] = sr, str[K + r] = sc;
    sr *= dims[r], sc *= dims[r];
  }
  const dtensor_view<const T> t(v.data(), dyn_extents(ext), str);
  std::vector<mode_pair> pairs;
  std::vector<index> kept;
  for (std::size_t r = 0; r < K; ++r)
    if (std::binary_search(keep.begin(), keep.end(), r))
      kept.push_back(dims[r]);
    else
      pairs.push_back({r, K + r});
  index m = 1;
  for (index d : kept) m *= d;
  tensor<T, dyn, dyn> out(m, m);
  std::vector<index> split = kept;  // the result seen as (kept.., kept..)
  split.insert(split.end(), kept.begin(), kept.end());
  detail::partial_trace_into(exec::thread_count(policy), t, pairs, dtensor_view<T>(out.data(), dyn_extents(split)));
  return out;
}
template <tensor_like M>
tensor<value_type_of_t<M>, dyn, dyn> partial_trace(const M& op, const std::vector<index>& dims,
                                                   std::vector<std::size_t> keep) {
  return partial_trace(exec::seq, op, dims, std::move(keep));
}

}  // namespace tenet
