#pragma once
// Zero-copy interop with xtensor, both ways. Nothing here copies an element: each result aliases
// its argument's storage and is valid only while that storage lives.
//   as_xtensor(X)  tensor or view -> xt::adapt(ptr, size, xt::no_ownership(), shape, strides):
//                  an xtensor_adaptor of rank R for a static rank, an xarray_adaptor for a
//                  dtensor/dtensor_view; strided (layout_type::dynamic); read-only for const T.
//   view_of(E)     an xtensor expression with strided storage (xarray, xtensor, xtensor_fixed,
//                  xt::adapt results, strided xt::view / xt::transpose / xt::strided_view) ->
//                  dtensor_view<T> (run-time rank), tensor_view<T, dyn, ...> (static rank) or
//                  tensor_view<T, N...> (xtensor_fixed's shape).
// xtensor gives extent-1 modes a stride of 0; view_of replaces it with the row-major one (the
// stride of an extent-1 mode is never used), so contiguous row-major data reads as contiguous.
// Not included by tenet/tenet.hpp: include it where you use xtensor.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbuffer_adaptor.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xfixed.hpp>
#include <xtensor/xshape.hpp>
#include <xtensor/xtensor.hpp>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/tensor_view.hpp"
#include "tenet/core/traits.hpp"

namespace tenet {

namespace detail {

// xarray, xtensor and xtensor_fixed own their elements; adaptors and views do not.
template <class E>
struct xt_owning : std::false_type {};
template <class EC, xt::layout_type L, class SC, class Tag>
struct xt_owning<xt::xarray_container<EC, L, SC, Tag>> : std::true_type {};
template <class EC, std::size_t N, xt::layout_type L, class Tag>
struct xt_owning<xt::xtensor_container<EC, N, L, Tag>> : std::true_type {};
template <class ET, class S, xt::layout_type L, bool SH, class Tag>
struct xt_owning<xt::xfixed_container<ET, S, L, SH, Tag>> : std::true_type {};

// The extents type of the view of an expression whose shape type is S.
template <class S, std::ptrdiff_t N = xt::static_dimension<S>::value>
struct xt_extents {
  using type = dextents<static_cast<std::size_t>(N)>;
};
template <class S>
struct xt_extents<S, -1> {
  using type = dyn_extents;
};
template <std::size_t... I, std::ptrdiff_t N>
struct xt_extents<xt::fixed_shape<I...>, N> {
  using type = extents<I...>;
};

template <class E>
concept xt_strided = requires(E& e) {
  e.data();
  e.data_offset();
  e.strides();
  e.shape();
};

}  // namespace detail

/// A tenet tensor or view as an xtensor adaptor over the same elements, strides carried over.
/// xt::adapt indexes with unsigned offsets, so a view with a negative stride throws shape_error.
template <class X>
  requires tensor_like<X>
auto as_xtensor(X&& x) {
  static_assert(std::is_lvalue_reference_v<X> || is_tensor_view<std::remove_cvref_t<X>>::value,
                "as_xtensor: the tensor is a temporary; the adaptor would dangle (name it first)");
  const auto v = as_view(x);
  using V = std::remove_const_t<decltype(v)>;
  using Ext = typename V::extents_type;
  const std::size_t R = v.rank();
  for (std::size_t r = 0; r < R; ++r)
    if (v.stride(r) < 0)
      throw shape_error("tenet::as_xtensor: the view of shape " + detail::shape_string(v.extents()) +
                        " has strides " + detail::shape_string(std::span<const index>(v.strides())) +
                        "; xtensor adaptors take no negative strides");
  const auto size = static_cast<std::size_t>(v.size());
  if constexpr (detail::is_static_rank<Ext>::value) {
    std::array<std::size_t, Ext::rank()> shape{};
    std::array<std::ptrdiff_t, Ext::rank()> strides{};
    for (std::size_t r = 0; r < R; ++r) {
      shape[r] = static_cast<std::size_t>(v.extent(r));
      strides[r] = v.stride(r);
    }
    return xt::adapt(v.data(), size, xt::no_ownership(), shape, strides);
  } else {
    xt::dynamic_shape<std::size_t> shape(R);
    xt::dynamic_shape<std::ptrdiff_t> strides(R);
    for (std::size_t r = 0; r < R; ++r) {
      shape[r] = static_cast<std::size_t>(v.extent(r));
      strides[r] = v.stride(r);
    }
    return xt::adapt(v.data(), size, xt::no_ownership(), shape, strides);
  }
}

/// An xtensor expression with strided storage as a view of its elements (zero copy; the data
/// offset of strided views is applied). T is const when the expression is read-only.
template <class X>
  requires xt::is_xexpression<std::remove_cvref_t<X>>::value
auto view_of(X&& e) {
  using D = std::remove_cvref_t<X>;
  static_assert(std::is_lvalue_reference_v<X> || !detail::xt_owning<D>::value,
                "view_of: the xtensor container is a temporary; the view would dangle (name it first)");
  if constexpr (!detail::xt_strided<std::remove_reference_t<X>>) {
    static_assert(detail::xt_strided<std::remove_reference_t<X>>,
                  "view_of: the xtensor expression has no strided storage (evaluate it into an xt::xarray first)");
  } else {
    using T = std::remove_pointer_t<decltype(e.data())>;
    using Ext = typename detail::xt_extents<typename D::shape_type>::type;
    using strides_type = typename detail::strides_of<Ext>::type;
    const auto& shape = e.shape();
    const auto& xstr = e.strides();
    const std::size_t R = shape.size();
    std::vector<index> ext(R);
    strides_type str{};
    if constexpr (!detail::is_static_rank<Ext>::value) str.resize(R);
    for (std::size_t r = 0; r < R; ++r) {
      ext[r] = static_cast<index>(shape[r]);
      str[r] = static_cast<index>(xstr[r]);
    }
    for (std::size_t r = R; r-- > 0;)
      if (ext[r] == 1) str[r] = r + 1 < R ? str[r + 1] * ext[r + 1] : 1;
    return basic_tensor_view<T, Ext>(e.data() + e.data_offset(), Ext(std::span<const index>(ext)), std::move(str));
  }
}

}  // namespace tenet
