#pragma once
// Extents that store only what is dynamic (as std::extents does): a tensor whose extents are
// all static carries no shape at run time.
#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"

namespace tenet {

/// Signed index type used for extents, strides and offsets.
using index = std::ptrdiff_t;

/// Marks an extent known only at run time.
inline constexpr std::size_t dyn = std::dynamic_extent;

template <std::size_t... E>
class extents {
  static constexpr std::size_t static_[sizeof...(E) + 1] = {E..., 0};

  // Position of extent r among the dynamic ones.
  static constexpr std::size_t dyn_slot(std::size_t r) noexcept {
    std::size_t s = 0;
    for (std::size_t q = 0; q < r; ++q) s += static_[q] == dyn;
    return s;
  }

 public:
  static constexpr std::size_t rank() noexcept { return sizeof...(E); }
  static constexpr std::size_t rank_dynamic() noexcept { return ((E == dyn) + ... + 0); }
  /// The static extent of mode r, or `dyn`.
  static constexpr std::size_t static_extent(std::size_t r) noexcept { return static_[r]; }
  static constexpr bool is_static() noexcept { return rank_dynamic() == 0; }

  constexpr extents() noexcept = default;

  /// Either the dynamic extents only, or all extents (the static ones are then checked).
  template <std::integral... I>
    requires(sizeof...(I) > 0 && (sizeof...(I) == rank_dynamic() || sizeof...(I) == rank()))
  constexpr explicit extents(I... ext) {
    const index v[] = {static_cast<index>(ext)...};
    assign(std::span<const index>(v, sizeof...(I)));
  }

  /// From a run-time list of length rank() or rank_dynamic(); throws shape_error otherwise.
  explicit extents(std::span<const index> ext) { assign(ext); }

  constexpr index extent(std::size_t r) const noexcept {
    if (static_[r] != dyn) return static_cast<index>(static_[r]);
    if constexpr (rank_dynamic() > 0)
      return dyn_[dyn_slot(r)];
    else
      return 0;
  }

  constexpr index size() const noexcept {
    index n = 1;
    for (std::size_t r = 0; r < rank(); ++r) n *= extent(r);
    return n;
  }

  constexpr std::array<index, rank()> as_array() const noexcept {
    std::array<index, rank()> a{};
    for (std::size_t r = 0; r < rank(); ++r) a[r] = extent(r);
    return a;
  }

  friend constexpr bool operator==(const extents& a, const extents& b) noexcept {
    return a.dyn_ == b.dyn_;
  }

 private:
  constexpr void assign(std::span<const index> ext) {
    if (ext.size() == rank()) {
      for (std::size_t r = 0; r < rank(); ++r) {
        if (ext[r] < 0) throw shape_error("tenet: negative extent in " + detail::shape_string(ext));
        if (static_[r] != dyn && static_cast<index>(static_[r]) != ext[r]) {
          std::array<index, rank()> want{};
          for (std::size_t q = 0; q < rank(); ++q)
            want[q] = static_[q] == dyn ? -1 : static_cast<index>(static_[q]);
          throw shape_error("tenet: extents " + detail::shape_string(ext) +
                            " do not match the static extents " +
                            detail::shape_string(std::span<const index>(want)) + " (-1 = dyn)");
        }
        if constexpr (rank_dynamic() > 0)
          if (static_[r] == dyn) dyn_[dyn_slot(r)] = ext[r];
      }
    } else if (ext.size() == rank_dynamic()) {
      for (std::size_t q = 0; q < ext.size(); ++q) {
        if (ext[q] < 0) throw shape_error("tenet: negative extent in " + detail::shape_string(ext));
        if constexpr (rank_dynamic() > 0) dyn_[q] = ext[q];
      }
    } else {
      throw shape_error("tenet: " + std::to_string(ext.size()) + " extents " +
                        detail::shape_string(ext) + " given for a tensor of rank " +
                        std::to_string(rank()));
    }
  }

  struct none {
    friend constexpr bool operator==(none, none) noexcept { return true; }
  };
  [[no_unique_address]] std::conditional_t<(rank_dynamic() > 0), std::array<index, rank_dynamic()>, none> dyn_{};
};

/// Extents with every mode dynamic, of static rank R.
template <std::size_t R, class = std::make_index_sequence<R>>
struct dextents_impl;
template <std::size_t R, std::size_t... I>
struct dextents_impl<R, std::index_sequence<I...>> {
  using type = extents<((void)I, dyn)...>;
};
template <std::size_t R>
using dextents = typename dextents_impl<R>::type;

namespace detail {
// Row-major strides of a shape.
template <class Shape>
constexpr void row_major_strides(const Shape& shape, index* strides, std::size_t rank) noexcept {
  index s = 1;
  for (std::size_t r = rank; r-- > 0;) {
    strides[r] = s;
    s *= shape[r];
  }
}
}  // namespace detail

}  // namespace tenet

namespace tenet {

/// Extents whose rank, too, is known only at run time (the extents of dtensor).
class dyn_extents {
 public:
  dyn_extents() = default;
  explicit dyn_extents(std::span<const index> ext) : ext_(ext.begin(), ext.end()) { check(); }
  dyn_extents(std::initializer_list<index> ext) : ext_(ext) { check(); }
  template <std::size_t... E>
  dyn_extents(const extents<E...>& e) {  // NOLINT: every static-rank extents converts
    const auto a = e.as_array();
    ext_.assign(a.begin(), a.end());
  }

  std::size_t rank() const noexcept { return ext_.size(); }
  static constexpr std::size_t rank_dynamic() noexcept { return dyn; }
  static constexpr std::size_t static_extent(std::size_t) noexcept { return dyn; }
  static constexpr bool is_static() noexcept { return false; }
  index extent(std::size_t r) const noexcept { return ext_[r]; }
  index size() const noexcept {
    index n = 1;
    for (index e : ext_) n *= e;
    return n;
  }
  std::span<const index> as_span() const noexcept { return ext_; }
  const std::vector<index>& as_vector() const noexcept { return ext_; }
  friend bool operator==(const dyn_extents&, const dyn_extents&) = default;

 private:
  void check() const {
    for (index e : ext_)
      if (e < 0) throw shape_error("tenet: negative extent in " + detail::shape_string(as_span()));
  }
  std::vector<index> ext_;
};

namespace detail {
template <class Ext>
struct is_static_rank : std::true_type {};
template <>
struct is_static_rank<dyn_extents> : std::false_type {};

// Strides live in an array when the rank is static, in a vector otherwise.
template <class Ext>
struct strides_of {
  using type = std::array<index, Ext::rank()>;
};
template <>
struct strides_of<dyn_extents> {
  using type = std::vector<index>;
};

template <class Ext>
typename strides_of<Ext>::type make_strides(const Ext& e) {
  typename strides_of<Ext>::type s{};
  if constexpr (!is_static_rank<Ext>::value) s.resize(e.rank());
  index acc = 1;
  for (std::size_t r = e.rank(); r-- > 0;) {
    s[r] = acc;
    acc *= e.extent(r);
  }
  return s;
}

template <class Ext>
std::string shape_string(const Ext& e) {
  std::vector<index> v(e.rank());
  for (std::size_t r = 0; r < e.rank(); ++r) v[r] = e.extent(r);
  return shape_string(std::span<const index>(v));
}
}  // namespace detail
}  // namespace tenet
