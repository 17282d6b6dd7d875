#pragma once
// Unfoldings (matricizations) of X of shape (I_0, .., I_{N-1}) along mode n, and their inverses.
//   unfold(X, n): TensorLy's convention, M[i_n, j] with the other modes in order, the last
//     fastest: j = sum_{k != n} i_k prod_{m > k, m != n} I_m  (numpy: moveaxis(X, n, 0).reshape)
//   unfold_kolda(X, n): Kolda & Bader's, the *first* other mode fastest:
//     j = sum_{k != n} i_k prod_{m < k, m != n} I_m
//   fold(M, n, shape), fold_kolda(M, n, shape): the inverses, fold(unfold(X, n), n, shape) == X.
// Each returns a new tensor: one strided copy (exec::copy) of a permuted view, never a loop
// over multi-indices per element. unfold(X, 0) of a contiguous X is also reshape(X, {I_0, -1}).
#include <cstddef>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/copy.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

namespace detail {

/// The modes of X in the order the unfolding's row-major layout walks them: n first.
inline std::vector<std::size_t> unfold_order(std::size_t rank, std::size_t n, bool kolda) {
  std::vector<std::size_t> p{n};
  for (std::size_t k = 0; k < rank; ++k) {
    const std::size_t m = kolda ? rank - 1 - k : k;
    if (m != n) p.push_back(m);
  }
  return p;
}

template <class T>
void check_unfold_mode(const dtensor_view<const T>& x, std::size_t n, const char* name) {
  if (n >= x.rank())
    throw shape_error(std::string("tenet::") + name + ": mode " + std::to_string(n) +
                      " is out of range for a tensor of shape " + shape_string(x.extents()));
}

/// out (I_n x rest, any strides) = the unfolding of x.
template <class T>
void unfold_into(int threads, const dtensor_view<const T>& x, std::size_t n, bool kolda, const dtensor_view<T>& out) {
  const auto p = unfold_order(x.rank(), n, kolda);
  std::vector<index> ext, sx, so(p.size());
  for (std::size_t m : p) ext.push_back(x.extent(m)), sx.push_back(x.stride(m));
  // out's columns split into the other modes, the last of p fastest.
  so[0] = out.stride(0);
  index s = out.stride(1);
  for (std::size_t r = p.size(); r-- > 1;) so[r] = s, s *= ext[r];
  exec::copy(exec::parallel_policy{threads}, dtensor_view<const T>(x.data(), dyn_extents(ext), sx),
             dtensor_view<T>(out.data(), dyn_extents(ext), so));
}

/// out (shape `shape`) = fold of the matrix m along mode n.
template <class T>
void fold_into(int threads, const dtensor_view<const T>& m, std::size_t n, bool kolda, const dtensor_view<T>& out) {
  const auto p = unfold_order(out.rank(), n, kolda);
  std::vector<index> ext, so, sm(p.size());
  for (std::size_t q : p) ext.push_back(out.extent(q)), so.push_back(out.stride(q));
  sm[0] = m.stride(0);
  index s = m.stride(1);
  for (std::size_t r = p.size(); r-- > 1;) sm[r] = s, s *= ext[r];
  exec::copy(exec::parallel_policy{threads}, dtensor_view<const T>(m.data(), dyn_extents(ext), sm),
             dtensor_view<T>(out.data(), dyn_extents(ext), so));
}

template <class T>
void check_fold(const dtensor_view<const T>& m, std::size_t n, std::span<const index> shape, const char* name) {
  index rest = 1;
  for (std::size_t r = 0; r < shape.size(); ++r)
    if (r != n) rest *= shape[r];
  const std::string what = std::string("tenet::") + name + ": a matrix of shape " + shape_string(m.extents()) +
                           " folded along mode " + std::to_string(n) + " into shape " + shape_string(shape);
  if (n >= shape.size()) throw shape_error(what + ": the mode is out of range");
  for (index e : shape)
    if (e < 0) throw shape_error(what + ": a negative extent");
  if (m.rank() != 2 || m.extent(0) != shape[n] || m.extent(1) != rest)
    throw shape_error(what + ": the matrix must be " + std::to_string(shape[n]) + " x " + std::to_string(rest));
}

template <std::size_t Mode, std::size_t Rank>
constexpr bool unfold_mode_in_range() {
  static_assert(Mode < Rank, "unfold: the mode is out of range (mode >= rank)");
  return Mode < Rank;
}
template <std::size_t RankOfM>
constexpr bool fold_operand_is_matrix() {
  static_assert(RankOfM == 2, "fold: the operand must be a matrix");
  return RankOfM == 2;
}
template <std::size_t Rows, std::size_t Cols, std::size_t WantRows, std::size_t WantCols>
constexpr bool fold_extents_agree() {
  static_assert(static_compatible(Rows, WantRows) && static_compatible(Cols, WantCols),
                "fold: the matrix's extents differ from (shape[mode], product of the other extents)");
  return static_compatible(Rows, WantRows) && static_compatible(Cols, WantCols);
}

template <std::size_t N, class X>
struct static_unfold {
  static constexpr bool ok = [] {
    if constexpr (has_static_rank<X>)
      return unfold_mode_in_range<N, rank_of<X>()>();
    else
      return true;
  }();
  static constexpr std::array<std::size_t, 2> extents = [] {
    std::size_t rest = 1;
    for (std::size_t r = 0; r < rank_of<X>(); ++r)
      if (r != N) rest = static_product(rest, static_extent_of<X>(r));
    return std::array<std::size_t, 2>{static_extent_of<X>(N), has_static_rank<X> ? rest : dyn};
  }();
  using result = tensor_from_t<value_type_of_t<X>, extents>;
};

template <class T, std::size_t N, bool Kolda, class P, class X>
auto unfold_static(P policy, const X& x) {
  using S = static_unfold<N, X>;
  using R = typename S::result;
  if constexpr (S::ok) {
    const auto xv = dview(x);
    check_unfold_mode(xv, N, Kolda ? "unfold_kolda" : "unfold");
    index ext[2] = {xv.extent(N), 1};
    for (std::size_t r = 0; r < xv.rank(); ++r)
      if (r != N) ext[1] *= xv.extent(r);
    R out = make_result<R>(ext);
    unfold_into<T>(exec::thread_count(policy), xv, N, Kolda, dtensor_view<T>(out.view()));
    return out;
  } else {
    return R{};
  }
}

// The product of the static shape's extents other than mode N.
template <std::size_t N, std::size_t... E>
constexpr std::size_t fold_columns() {
  constexpr std::size_t shape[] = {E..., 0};
  std::size_t c = 1;
  for (std::size_t r = 0; r < sizeof...(E); ++r)
    if (r != N) c *= shape[r];
  return c;
}

template <std::size_t N, class M, std::size_t... E>
constexpr bool fold_static_ok() {
  constexpr std::size_t shape[] = {E..., 0};
  if constexpr (!unfold_mode_in_range<N, sizeof...(E)>())
    return false;
  else if constexpr (!has_static_rank<M>)
    return true;
  else if constexpr (!fold_operand_is_matrix<rank_of<M>()>())
    return false;
  else
    return fold_extents_agree<static_extent_of<M>(0), static_extent_of<M>(1), shape[N], fold_columns<N, E...>()>();
}

template <class T, std::size_t N, bool Kolda, std::size_t... E, class P, class M>
tensor<T, E...> fold_static(P policy, const M& m) {
  static_assert(sizeof...(E) > 0 && ((E != dyn) && ...),
                "fold: give the whole static shape, fold<mode, I_0, I_1, ...>(M); fold(M, mode, shape) takes a run-time one");
  if constexpr (fold_static_ok<N, M, E...>()) {
    const auto mv = dview(m);
    tensor<T, E...> out;
    check_fold(mv, N, out.extents().as_array(), Kolda ? "fold_kolda" : "fold");
    fold_into<T>(exec::thread_count(policy), mv, N, Kolda, dtensor_view<T>(out.view()));
    return out;
  } else {
    return {};
  }
}

template <class T, class P, class M>
dtensor<T> fold_dynamic(P policy, const M& m, std::size_t n, const std::vector<index>& shape, bool kolda) {
  const auto mv = dview(m);
  check_fold(mv, n, shape, kolda ? "fold_kolda" : "fold");
  dtensor<T> out{dyn_extents(shape)};
  fold_into<T>(exec::thread_count(policy), mv, n, kolda, out.view());
  return out;
}

template <class T, class P, class X>
tensor<T, dyn, dyn> unfold_dynamic(P policy, const X& x, std::size_t n, bool kolda) {
  const auto xv = dview(x);
  check_unfold_mode(xv, n, kolda ? "unfold_kolda" : "unfold");
  index cols = 1;
  for (std::size_t r = 0; r < xv.rank(); ++r)
    if (r != n) cols *= xv.extent(r);
  tensor<T, dyn, dyn> out(xv.extent(n), cols);
  unfold_into<T>(exec::thread_count(policy), xv, n, kolda, dtensor_view<T>(out.view()));
  return out;
}

}  // namespace detail

// ---- TensorLy's convention ----
template <std::size_t N, class P, tensor_like X>
  requires execution_policy<P>
auto unfold(P policy, const X& x) { return detail::unfold_static<value_type_of_t<X>, N, false>(policy, x); }
template <std::size_t N, tensor_like X>
auto unfold(const X& x) { return unfold<N>(exec::seq, x); }
template <class P, tensor_like X>
  requires execution_policy<P>
auto unfold(P policy, const X& x, std::size_t n) { return detail::unfold_dynamic<value_type_of_t<X>>(policy, x, n, false); }
template <tensor_like X>
auto unfold(const X& x, std::size_t n) { return unfold(exec::seq, x, n); }

/// fold<n, I_0, .., I_{N-1}>(M): the (static) shape is the result type.
template <std::size_t N, std::size_t... E, class P, tensor_like M>
  requires execution_policy<P>
auto fold(P policy, const M& m) { return detail::fold_static<value_type_of_t<M>, N, false, E...>(policy, m); }
template <std::size_t N, std::size_t... E, tensor_like M>
auto fold(const M& m) { return fold<N, E...>(exec::seq, m); }
template <class P, tensor_like M>
  requires execution_policy<P>
auto fold(P policy, const M& m, std::size_t n, const std::vector<index>& shape) {
  return detail::fold_dynamic<value_type_of_t<M>>(policy, m, n, shape, false);
}
template <tensor_like M>
auto fold(const M& m, std::size_t n, const std::vector<index>& shape) { return fold(exec::seq, m, n, shape); }

// ---- Kolda and Bader's convention ----
template <std::size_t N, class P, tensor_like X>
  requires execution_policy<P>
auto unfold_kolda(P policy, const X& x) { return detail::unfold_static<value_type_of_t<X>, N, true>(policy, x); }
template <std::size_t N, tensor_like X>
auto unfold_kolda(const X& x) { return unfold_kolda<N>(exec::seq, x); }
template <class P, tensor_like X>
  requires execution_policy<P>
auto unfold_kolda(P policy, const X& x, std::size_t n) { return detail::unfold_dynamic<value_type_of_t<X>>(policy, x, n, true); }
template <tensor_like X>
auto unfold_kolda(const X& x, std::size_t n) { return unfold_kolda(exec::seq, x, n); }
template <std::size_t N, std::size_t... E, class P, tensor_like M>
  requires execution_policy<P>
auto fold_kolda(P policy, const M& m) { return detail::fold_static<value_type_of_t<M>, N, true, E...>(policy, m); }
template <std::size_t N, std::size_t... E, tensor_like M>
auto fold_kolda(const M& m) { return fold_kolda<N, E...>(exec::seq, m); }
template <class P, tensor_like M>
  requires execution_policy<P>
auto fold_kolda(P policy, const M& m, std::size_t n, const std::vector<index>& shape) {
  return detail::fold_dynamic<value_type_of_t<M>>(policy, m, n, shape, true);
}
template <tensor_like M>
auto fold_kolda(const M& m, std::size_t n, const std::vector<index>& shape) { return fold_kolda(exec::seq, m, n, shape); }

}  // namespace tenet
