#pragma once
// Owning tensors: `tensor<T, E...>` (each E an extent or `dyn`) and `dtensor<T>` (rank known
// at run time). Row-major, 64-byte aligned. A tensor with all extents static stores no shape.
#include <algorithm>
#include <array>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/label.hpp"
#include "tenet/core/random.hpp"
#include "tenet/core/storage.hpp"
#include "tenet/core/tensor_view.hpp"

namespace tenet {

template <class T, class Ext>
class basic_tensor;

template <class T, std::size_t... E>
using tensor = basic_tensor<T, extents<E...>>;
template <class T>
using dtensor = basic_tensor<T, dyn_extents>;

template <class T, class Ext>
class basic_tensor {
  static_assert(std::is_arithmetic_v<T> || requires { typename T::value_type; },
                "tenet: tensor elements must be arithmetic (or complex)");

 public:
  using element_type = T;
  using value_type = T;
  using extents_type = Ext;
  using view_type = basic_tensor_view<T, Ext>;
  using const_view_type = basic_tensor_view<const T, Ext>;

  /// All-static extents: allocated, zeros. dtensor: a rank-0 scalar. Otherwise: empty.
  basic_tensor() : buf_(Ext{}.size()) {}
  explicit basic_tensor(const Ext& ext) : ext_(ext), buf_(ext_.size()) {}
  /// Elements left uninitialized, for a result the caller writes in full before reading it.
  basic_tensor(for_overwrite_t, const Ext& ext) : ext_(ext), buf_(for_overwrite, ext_.size()) {}
  /// Extents as integers: all of them, or (static rank) only the dynamic ones.
  template <std::integral... I>
    requires(sizeof...(I) > 0)
  explicit basic_tensor(I... ext) : basic_tensor(make_ext(ext...)) {}
  /// Copies a tensor or view of the same extents type (or any, into a dtensor).
  template <class V>
    requires requires(const V& v) { v.view(); }
  explicit basic_tensor(const V& src);
  template <class U, class Ext2>
  explicit basic_tensor(const basic_tensor_view<U, Ext2>& src);
  /// A dtensor takes the storage of any tensor without copying.
  template <class Ext2>
    requires(std::is_same_v<Ext, dyn_extents> && !std::is_same_v<Ext2, dyn_extents>)
  basic_tensor(basic_tensor<T, Ext2>&& o) noexcept  // NOLINT: implicit, like a move
      : ext_(o.extents()), buf_(std::move(o).release_buffer()) {}

  basic_tensor(const basic_tensor& o) : ext_(o.ext_), buf_(o.data(), o.size()) {}
  basic_tensor(basic_tensor&& o) noexcept : ext_(std::move(o.ext_)), buf_(std::move(o.buf_)) {
    if constexpr (!Ext::is_static()) o.ext_ = empty_extents();
  }
  basic_tensor& operator=(const basic_tensor& o) {
    if (this != &o) {
      resize(o.ext_);  // also allocates when a moved-from tensor has equal extents but no storage
      std::copy_n(o.data(), o.size(), data());
    }
    return *this;
  }
  basic_tensor& operator=(basic_tensor&& o) noexcept {
    ext_ = std::move(o.ext_);
    buf_ = std::move(o.buf_);
    if constexpr (!Ext::is_static()) o.ext_ = empty_extents();
    return *this;
  }
  ~basic_tensor() = default;

  auto rank() const noexcept { return ext_.rank(); }
  index extent(std::size_t r) const noexcept { return ext_.extent(r); }
  const Ext& extents() const noexcept { return ext_; }
  auto shape() const {
    if constexpr (detail::is_static_rank<Ext>::value)
      return ext_.as_array();
    else
      return ext_.as_vector();
  }
  index stride(std::size_t r) const noexcept {
    index s = 1;
    for (std::size_t q = r + 1; q < rank(); ++q) s *= extent(q);
    return s;
  }
  auto strides() const { return detail::make_strides(ext_); }
  index size() const noexcept { return ext_.size(); }
  T* data() noexcept { return buf_.data(); }
  const T* data() const noexcept { return buf_.data(); }
  T* begin() noexcept { return data(); }
  T* end() noexcept { return data() + size(); }
  const T* begin() const noexcept { return data(); }
  const T* end() const noexcept { return data() + size(); }

  view_type view() noexcept { return view_type(data(), ext_); }
  const_view_type view() const noexcept { return const_view_type(data(), ext_); }
  // A tensor passes for any view its own view converts to (const, or with run-time rank).
  template <class U, class Ext2>
    requires std::is_convertible_v<view_type, basic_tensor_view<U, Ext2>>
  operator basic_tensor_view<U, Ext2>() & noexcept {  // NOLINT
    return view();
  }
  template <class U, class Ext2>
    requires std::is_convertible_v<const_view_type, basic_tensor_view<U, Ext2>>
  operator basic_tensor_view<U, Ext2>() const& noexcept {  // NOLINT
    return view();
  }

  template <std::integral... I>
  T& operator()(I... i) noexcept {
    return data()[offset(i...)];
  }
  template <std::integral... I>
  const T& operator()(I... i) const noexcept {
    return data()[offset(i...)];
  }

  /// Labelled access for Einstein expressions: `A(i, j)`. (No labels: `s()` is element access.)
  template <char... C>
    requires(sizeof...(C) > 0)
  labelled<basic_tensor&, C...> operator()(label<C>...) & {
    // A dtensor target takes the expression's rank on assignment, so only static ranks check.
    if constexpr (detail::is_static_rank<Ext>::value) check_label_count<sizeof...(C)>();
    return {*this};
  }
  template <char... C>
    requires(sizeof...(C) > 0)
  labelled<const_view_type, C...> operator()(label<C>...) const& {
    check_label_count<sizeof...(C)>();
    return {view()};
  }
  template <char... C>
    requires(sizeof...(C) > 0)
  void operator()(label<C>...) && = delete;  // would dangle: name the tensor first

  /// Changes the extents; contents are value-initialized (nothing is kept).
  void resize(const Ext& ext) {
    if (!(ext == ext_) || (ext.size() > 0 && data() == nullptr)) {
      ext_ = ext;
      buf_ = detail::aligned_buffer<T>(ext_.size());
    }
  }

  basic_tensor& fill(const T& v) noexcept {
    std::fill(begin(), end(), v);
    return *this;
  }
  /// 0, 1, 2, ... in row-major order (times step, plus start).
  basic_tensor& iota(T start = T(0), T step = T(1)) noexcept {
    for (index n = 0; n < size(); ++n) data()[n] = start + static_cast<T>(n) * step;
    return *this;
  }
  /// Uniform in [lo, hi) from a seed; the same seed gives the same tensor everywhere.
  basic_tensor& fill_random(std::uint64_t seed, double lo = -1.0, double hi = 1.0) noexcept {
    splitmix64 g(seed);
    for (T& x : *this) x = static_cast<T>(lo + (hi - lo) * g.uniform());
    return *this;
  }
  /// Normal with the given mean and standard deviation, from a seed.
  basic_tensor& fill_normal(std::uint64_t seed, double mean = 0.0, double stddev = 1.0) noexcept {
    splitmix64 g(seed);
    for (T& x : *this) x = static_cast<T>(mean + stddev * g.normal());
    return *this;
  }

  detail::aligned_buffer<T> release_buffer() && noexcept {
    if constexpr (!Ext::is_static()) ext_ = empty_extents();
    return std::move(buf_);
  }

 private:
  // What a moved-from tensor is left with: size 0, so that no element claims storage it has
  // lost. (Ext{} would do for static rank, but is a rank-0 scalar of size 1 for a dtensor.)
  static Ext empty_extents() {
    if constexpr (detail::is_static_rank<Ext>::value)
      return Ext{};
    else
      return Ext{0};
  }

  template <class... I>
  static Ext make_ext(I... ext) {
    if constexpr (detail::is_static_rank<Ext>::value)
      return Ext(ext...);
    else
      return Ext{static_cast<index>(ext)...};
  }

  template <std::size_t N>
  void check_label_count() const {
    if constexpr (detail::is_static_rank<Ext>::value)
      static_assert(N == Ext::rank(), "tenet: number of labels differs from the tensor's rank");
    else if (N != rank())
      throw shape_error("tenet: " + std::to_string(N) + " labels for a tensor of shape " +
                        detail::shape_string(ext_));
  }

  template <class... I>
  index offset(I... i) const noexcept {
    if constexpr (detail::is_static_rank<Ext>::value)
      static_assert(sizeof...(I) == Ext::rank(), "tenet: number of indices differs from the tensor's rank");
    assert(sizeof...(I) == rank() && "tenet: number of indices differs from the tensor's rank");
    const index idx[] = {static_cast<index>(i)..., 0};
    index off = 0;
    for (std::size_t r = 0; r < sizeof...(I); ++r) {
      assert(idx[r] >= 0 && idx[r] < extent(r) && "tenet: index out of range");
      off = off * extent(r) + idx[r];
    }
    return off;
  }

  [[no_unique_address]] Ext ext_{};
  detail::aligned_buffer<T> buf_;
};

namespace detail {
// Copies any view into contiguous row-major storage at dst.
template <class U, class Ext, class T>
void copy_strided(const basic_tensor_view<U, Ext>& src, T* dst) {
  const std::size_t R = src.rank();
  if (src.size() == 0) return;
  std::vector<index> idx(R, 0);
  for (index n = 0, total = src.size(); n < total; ++n) {
    index off = 0;
    for (std::size_t r = 0; r < R; ++r) off += idx[r] * src.stride(r);
    dst[n] = static_cast<T>(src.data()[off]);
    for (std::size_t r = R; r-- > 0;) {
      if (++idx[r] < src.extent(r)) break;
      idx[r] = 0;
    }
  }
}
}  // namespace detail

template <class T, class Ext>
template <class V>
  requires requires(const V& v) { v.view(); }
basic_tensor<T, Ext>::basic_tensor(const V& src) : basic_tensor(src.view()) {}

template <class T, class Ext>
template <class U, class Ext2>
basic_tensor<T, Ext>::basic_tensor(const basic_tensor_view<U, Ext2>& src) {
  if constexpr (detail::is_static_rank<Ext>::value) {
    if (src.rank() != Ext::rank())
      throw shape_error("tenet: cannot copy a tensor of shape " + detail::shape_string(src.extents()) +
                        " into one of rank " + std::to_string(Ext::rank()));
    std::array<index, Ext::rank()> e{};
    for (std::size_t r = 0; r < e.size(); ++r) e[r] = src.extent(r);
    ext_ = Ext(std::span<const index>(e));
  } else {
    ext_ = dyn_extents(src.extents());
  }
  buf_ = detail::aligned_buffer<T>(for_overwrite, ext_.size());
  detail::copy_strided(src, data());
}

}  // namespace tenet
