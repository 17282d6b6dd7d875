#pragma once
// The Khatri-Rao product: the column-wise Kronecker product, first factor varying slowest.
// For A_0 (I_0 x R), ..., A_{K-1} (I_{K-1} x R):
//   KR[(i_0, .., i_{K-1}), r] = w[r] * prod_k A_k[i_k, r],  row index i_0 I_1..I_{K-1} + .. + i_{K-1}
// It sums nothing, so it is memory bound and runs as a direct loop rather than a
// contraction: for each row of all factors but the last, the product of their rows (times the
// weights) is formed once, then multiplied into every row of the last factor.
//   khatri_rao(A, B, C)                     static extents checked, result type deduced
//   khatri_rao(span_of_views, weights, skip) TensorLy's form: optional weights (R) and a
//                                            factor index to leave out (CP-ALS)
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"
#include "tenet/exec/threads.hpp"

namespace tenet {

namespace detail {

template <class T>
std::vector<index> khatri_rao_shape(std::span<const dtensor_view<const T>> mats, const dtensor_view<const T>* w) {
  std::string shapes;
  for (std::size_t k = 0; k < mats.size(); ++k) shapes += (k ? ", " : "") + shape_string(mats[k].extents());
  if (mats.empty()) throw shape_error("tenet::khatri_rao: no factors given");
  index rows = 1;
  for (const auto& m : mats) {
    if (m.rank() != 2 || m.extent(1) != mats[0].extent(1))
      throw shape_error("tenet::khatri_rao: factors of shapes " + shapes +
                        (m.rank() != 2 ? " are not all matrices" : " differ in their number of columns"));
    rows *= m.extent(0);
  }
  if (w && (w->rank() != 1 || w->extent(0) != mats[0].extent(1)))
    throw shape_error("tenet::khatri_rao: weights of shape " + shape_string(w->extents()) + " for factors of shapes " +
                      shapes + " (one weight per column)");
  return {rows, mats[0].extent(1)};
}

/// out (rows x R, any strides) = the Khatri-Rao product of `mats`, times the weights.
template <class T>
void khatri_rao_into(int threads, std::span<const dtensor_view<const T>> mats, const dtensor_view<const T>* w,
                     const dtensor_view<T>& out) {
  const index R = mats[0].extent(1), K = static_cast<index>(mats.size());
  const auto& last = mats.back();
  const index n_last = last.extent(0);
  index n_prefix = 1;  // rows of all factors but the last
  for (index k = 0; k + 1 < K; ++k) n_prefix *= mats[static_cast<std::size_t>(k)].extent(0);
  if (n_prefix == 0 || n_last == 0 || R == 0) return;
  const index os0 = out.stride(0), os1 = out.stride(1), ls0 = last.stride(0), ls1 = last.stride(1);
  auto body = [&](index lo, index hi) {
    std::vector<T> row(static_cast<std::size_t>(R));
    for (index p = lo; p < hi; ++p) {
      for (index r = 0; r < R; ++r) row[static_cast<std::size_t>(r)] = w ? (*w)(r) : T(1);
      for (index rem = p, k = K - 1; k-- > 0;) {  // row index of factor k within p
        const auto& m = mats[static_cast<std::size_t>(k)];
        const index i = rem % m.extent(0);
        rem /= m.extent(0);
        const T* src = m.data() + i * m.stride(0);
        for (index r = 0; r < R; ++r) row[static_cast<std::size_t>(r)] *= src[r * m.stride(1)];
      }
      const T* __restrict v = row.data();
      for (index j = 0; j < n_last; ++j) {
        T* __restrict o = out.data() + (p * n_last + j) * os0;
        const T* __restrict l = last.data() + j * ls0;
        if (os1 == 1 && ls1 == 1)
          for (index r = 0; r < R; ++r) o[r] = v[r] * l[r];
        else
          for (index r = 0; r < R; ++r) o[r * os1] = v[r] * l[r * ls1];
      }
    }
  };
  exec::detail::split_range(n_prefix, threads, n_prefix * n_last * R >= (index{1} << 15), body);
}

template <std::size_t Rank, int Factor>
constexpr bool khatri_rao_factor_is_matrix() {
  static_assert(Rank == 2, "khatri_rao: every factor must be a matrix");
  return Rank == 2;
}
template <std::size_t ColumnsOfFirst, std::size_t ColumnsOfThis, int Factor>
constexpr bool khatri_rao_columns_agree() {
  static_assert(static_compatible(ColumnsOfFirst, ColumnsOfThis), "khatri_rao: the factors' numbers of columns differ");
  return static_compatible(ColumnsOfFirst, ColumnsOfThis);
}

template <class... M>
struct static_khatri_rao {
  using T = value_type_of_t<std::tuple_element_t<0, std::tuple<M...>>>;
  static_assert((std::is_same_v<T, value_type_of_t<M>> && ...), "khatri_rao: the factors must share one element type");
  static constexpr bool known = (has_static_rank<M> && ...);
  template <std::size_t... I>
  static constexpr bool check(std::index_sequence<I...>) {
    using First = std::tuple_element_t<0, std::tuple<M...>>;
    if constexpr (known)
      return (khatri_rao_factor_is_matrix<rank_of<M>(), static_cast<int>(I)>() && ...) &&
             (khatri_rao_columns_agree<static_extent_of<First>(1), static_extent_of<M>(1), static_cast<int>(I)>() && ...);
    else
      return true;
  }
  static constexpr bool ok = (std::is_same_v<T, value_type_of_t<M>> && ...) && check(std::index_sequence_for<M...>{});
  static constexpr std::array<std::size_t, 2> extents = {[] {
    std::size_t e = 1;
    ((e = static_product(e, static_extent_of<M>(0))), ...);
    return e;
  }(), [] {
    std::size_t e = dyn;
    ((e = static_merge(e, static_extent_of<M>(1))), ...);
    return e;
  }()};
  using result = std::conditional_t<known, tensor_from_t<T, extents>, dyn_tensor_t<T, 2>>;
};

}  // namespace detail

/// Khatri-Rao product of a range of matrices (at least one), each column scaled by
/// `weights` if given; the factor at index `skip` (a position in the range) is left out.
template <class P, tensor_range Mats, class T = value_type_of_t<std::ranges::range_value_t<Mats>>>
  requires execution_policy<P>
tensor<T, dyn, dyn> khatri_rao(P policy, const Mats& factors, std::optional<dtensor_view<const std::type_identity_t<T>>> weights = std::nullopt,
                               std::optional<std::size_t> skip = std::nullopt) {
  const auto mats = detail::views_of<T>(factors);
  if (skip && *skip >= mats.size())
    throw shape_error("tenet::khatri_rao: skip = " + std::to_string(*skip) + " but only " +
                      std::to_string(mats.size()) + " factors");
  std::vector<dtensor_view<const T>> kept;
  for (std::size_t k = 0; k < mats.size(); ++k)
    if (!skip || *skip != k) kept.push_back(mats[k]);
  const dtensor_view<const T>* w = weights ? &*weights : nullptr;
  const auto ext = detail::khatri_rao_shape<T>(kept, w);
  tensor<T, dyn, dyn> out(ext[0], ext[1]);
  detail::khatri_rao_into<T>(exec::thread_count(policy), kept, w, dtensor_view<T>(out.view()));
  return out;
}
template <tensor_range Mats, class T = value_type_of_t<std::ranges::range_value_t<Mats>>>
tensor<T, dyn, dyn> khatri_rao(const Mats& factors, std::optional<dtensor_view<const std::type_identity_t<T>>> weights = std::nullopt,
                               std::optional<std::size_t> skip = std::nullopt) {
  return khatri_rao(exec::seq, factors, weights, skip);
}

/// Khatri-Rao product of the given matrices, first factor slowest.
template <class P, tensor_like... M>
  requires(execution_policy<P> && sizeof...(M) > 0)
auto khatri_rao(P policy, const M&... m) {
  using S = detail::static_khatri_rao<M...>;
  using R = typename S::result;
  using T = typename S::T;
  if constexpr (S::ok) {
    const std::array<dtensor_view<const T>, sizeof...(M)> mats = {detail::dview(m)...};
    const auto ext = detail::khatri_rao_shape<T>(mats, nullptr);
    R out = detail::make_result<R>(ext);
    detail::khatri_rao_into<T>(exec::thread_count(policy), mats, nullptr, dtensor_view<T>(out.view()));
    return out;
  } else {
    return R{};
  }
}
template <tensor_like... M>
  requires(sizeof...(M) > 0)
auto khatri_rao(const M&... m) {
  return khatri_rao(exec::seq, m...);
}

}  // namespace tenet
