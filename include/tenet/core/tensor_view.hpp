#pragma once
// Strided, non-owning views: `tensor_view<T, E...>` (static rank, extents static or `dyn`)
// and `dtensor_view<T>` (rank known at run time). Permuting, slicing a diagonal or taking a
// transposed layout changes strides only, never copies.
#include <array>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/label.hpp"

namespace tenet {

template <class T, class Ext>
class basic_tensor_view;

template <class T, std::size_t... E>
using tensor_view = basic_tensor_view<T, extents<E...>>;
template <class T>
using dtensor_view = basic_tensor_view<T, dyn_extents>;

template <class T, class Ext>
class basic_tensor_view {
 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;
  using extents_type = Ext;
  using strides_type = typename detail::strides_of<Ext>::type;

  basic_tensor_view() = default;
  /// A contiguous row-major view of `ext` elements at `p`.
  basic_tensor_view(T* p, const Ext& ext) : p_(p), ext_(ext), str_(detail::make_strides(ext)) {}
  /// A strided view; strides are in elements and may be any sign.
  basic_tensor_view(T* p, const Ext& ext, strides_type strides)
      : p_(p), ext_(ext), str_(std::move(strides)) {
    if (str_.size() != ext_.rank())
      throw shape_error("tenet: " + std::to_string(str_.size()) + " strides for extents " +
                        detail::shape_string(ext_));
  }
  /// Adds const, or drops static extent information (static rank -> dtensor_view).
  template <class U, class Ext2>
    requires(std::is_convertible_v<U (*)[], T (*)[]> &&
             (std::is_same_v<Ext2, Ext> || std::is_same_v<Ext, dyn_extents>))
  basic_tensor_view(const basic_tensor_view<U, Ext2>& o)  // NOLINT: implicit like span
      : p_(o.data()), ext_(o.extents()) {
    if constexpr (std::is_same_v<Ext2, Ext>)
      str_ = o.strides();
    else
      str_.assign(o.strides().begin(), o.strides().end());
  }

  auto rank() const noexcept { return ext_.rank(); }
  index extent(std::size_t r) const noexcept { return ext_.extent(r); }
  index stride(std::size_t r) const noexcept { return str_[r]; }
  const Ext& extents() const noexcept { return ext_; }
  const strides_type& strides() const noexcept { return str_; }
  index size() const noexcept { return ext_.size(); }
  T* data() const noexcept { return p_; }
  /// True when the view covers a contiguous row-major block.
  bool is_contiguous() const noexcept { return str_ == detail::make_strides(ext_); }

  template <std::integral... I>
  T& operator()(I... i) const noexcept {
    if constexpr (detail::is_static_rank<Ext>::value)
      static_assert(sizeof...(I) == Ext::rank(), "tenet: number of indices differs from the tensor's rank");
    assert(sizeof...(I) == rank() && "tenet: number of indices differs from the tensor's rank");
    const index idx[] = {static_cast<index>(i)..., 0};
    index off = 0;
    for (std::size_t r = 0; r < sizeof...(I); ++r) {
      assert(idx[r] >= 0 && idx[r] < extent(r) && "tenet: index out of range");
      off += idx[r] * str_[r];
    }
    return p_[off];
  }
  T& operator[](std::span<const index> idx) const noexcept {
    assert(idx.size() == rank());
    index off = 0;
    for (std::size_t r = 0; r < idx.size(); ++r) off += idx[r] * str_[r];
    return p_[off];
  }

  template <char... C>
    requires(sizeof...(C) > 0)
  labelled<basic_tensor_view, C...> operator()(label<C>...) const {
    if constexpr (detail::is_static_rank<Ext>::value)
      static_assert(sizeof...(C) == Ext::rank(), "tenet: number of labels differs from the tensor's rank");
    else if (sizeof...(C) != rank())
      throw shape_error("tenet: " + std::to_string(sizeof...(C)) + " labels for a tensor of shape " +
                        detail::shape_string(ext_));
    return {*this};
  }

 private:
  T* p_ = nullptr;
  [[no_unique_address]] Ext ext_{};
  strides_type str_{};
};

}  // namespace tenet
