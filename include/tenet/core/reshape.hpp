#pragma once
// Reshaping a contiguous tensor is a view with new extents; a strided view that is not
// contiguous cannot be reshaped without a copy, and says so (copy it into a tensor first).
//   reshape<6, 4>(X), reshape<dyn, 4>(X): static rank; a dyn extent is inferred.
//   reshape(X, {6, 4}): run-time; returns a dtensor_view; -1 infers one extent.
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/traits.hpp"

namespace tenet {

namespace detail {
// A view of a temporary tensor would dangle once the full expression ends.
template <class X>
constexpr void reshape_source() {
  static_assert(std::is_lvalue_reference_v<X> || is_tensor_view<std::remove_cvref_t<X>>::value,
                "reshape: the argument is a temporary tensor, so the view would dangle; name the tensor first");
}
// Fills one inferred extent (-1) and checks the element count.
inline std::vector<index> reshape_extents(std::vector<index> ext, index size, const std::string& from) {
  const std::string asked = shape_string(std::span<const index>(ext));
  index known = 1;
  int infer = -1;
  for (std::size_t r = 0; r < ext.size(); ++r) {
    if (ext[r] == -1 && infer < 0)
      infer = static_cast<int>(r);
    else if (ext[r] < 0)
      throw shape_error("tenet::reshape: bad extents " + asked + " for shape " + from +
                        " (one -1 may be inferred; the others must be >= 0)");
    else
      known *= ext[r];
  }
  if (infer >= 0) ext[static_cast<std::size_t>(infer)] = known ? size / known : 0;
  index n = 1;
  for (index e : ext) n *= e;
  if (n != size)
    throw shape_error("tenet::reshape: cannot reshape shape " + from + " (" + std::to_string(size) +
                      " elements) into " + asked);
  return ext;
}

template <class V>
void require_contiguous(const V& v) {
  if (!v.is_contiguous())
    throw shape_error("tenet::reshape: the view of shape " + shape_string(v.extents()) +
                      " is not contiguous; copy it into a tensor first");
}
}  // namespace detail

template <std::size_t... E, class X>
  requires tensor_like<X>
auto reshape(X&& x) {
  detail::reshape_source<X>();
  auto v = as_view(std::forward<X>(x));
  using V = decltype(v);
  using T = typename V::element_type;
  using VExt = typename V::extents_type;
  constexpr std::size_t n_dyn = ((E == dyn) + ... + 0);
  static_assert(n_dyn <= 1, "reshape: at most one extent can be inferred (dyn)");
  if constexpr (n_dyn == 0 && VExt::is_static()) {
    constexpr std::size_t from = [] {
      std::size_t n = 1;
      for (std::size_t r = 0; r < VExt::rank(); ++r) n *= VExt::static_extent(r);
      return n;
    }();
    static_assert(from == (E * ... * 1), "reshape: the element counts differ");
  }
  detail::require_contiguous(v);
  std::vector<index> ext = {(E == dyn ? index(-1) : static_cast<index>(E))...};
  ext = detail::reshape_extents(ext, v.size(), detail::shape_string(v.extents()));
  return tensor_view<T, E...>(v.data(), extents<E...>(std::span<const index>(ext)));
}

/// Run-time extents (one may be -1, inferred); returns a dtensor_view.
template <class X>
  requires tensor_like<X>
auto reshape(X&& x, std::vector<index> ext) {
  detail::reshape_source<X>();
  auto v = as_view(std::forward<X>(x));
  using T = typename decltype(v)::element_type;
  detail::require_contiguous(v);
  ext = detail::reshape_extents(std::move(ext), v.size(), detail::shape_string(v.extents()));
  return dtensor_view<T>(v.data(), dyn_extents(ext));
}

}  // namespace tenet
