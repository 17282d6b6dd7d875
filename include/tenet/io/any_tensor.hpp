#pragma once
// `any_tensor`: a dtensor of one of the element types that weight files carry (float,
// double, int32, int64, uint8), chosen at run time by what the file holds, and the
// conversions between them that cannot lose a value silently (any type to float or double;
// integers to integers whose range holds every element).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/tensor_view.hpp"

namespace tenet::io {

/// The element types an any_tensor can hold (in the order of any_tensor::variant_type).
enum class dtype : unsigned char { f32, f64, i32, i64, u8 };

/// NumPy's name of a dtype ("float32", "float64", "int32", "int64", "uint8").
constexpr std::string_view dtype_name(dtype t) noexcept {
  switch (t) {
    case dtype::f32: return "float32";
    case dtype::f64: return "float64";
    case dtype::i32: return "int32";
    case dtype::i64: return "int64";
    case dtype::u8: return "uint8";
  }
  return "?";
}

template <class T>
inline constexpr bool is_element_type_v =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int32_t> ||
    std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint8_t>;

namespace detail {
template <class T>
constexpr bool check_element_type() {
  static_assert(is_element_type_v<T>,
                "tenet::io: the element type must be float, double, std::int32_t, std::int64_t or std::uint8_t");
  return is_element_type_v<T>;
}
}  // namespace detail

template <class T>
  requires(detail::check_element_type<T>())
inline constexpr dtype dtype_of_v = std::is_same_v<T, float>          ? dtype::f32
                                    : std::is_same_v<T, double>       ? dtype::f64
                                    : std::is_same_v<T, std::int32_t> ? dtype::i32
                                    : std::is_same_v<T, std::int64_t> ? dtype::i64
                                                                      : dtype::u8;

namespace detail {

/// dst[k] = src[k] as T. Floating T takes any source; integer T takes integer sources whose
/// every value fits (else format_error). `what` names the tensor in messages.
template <class T, class S>
void convert_elements(const S* src, T* dst, std::size_t n, const std::string& what) {
  if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, S>) {
    for (std::size_t k = 0; k < n; ++k) dst[k] = static_cast<T>(src[k]);
  } else if constexpr (std::is_floating_point_v<S>) {
    throw format_error(what + ": cannot convert " + std::string(dtype_name(dtype_of_v<S>)) + " to " +
                       std::string(dtype_name(dtype_of_v<T>)) + " (floating values convert only to float or double)");
  } else {
    for (std::size_t k = 0; k < n; ++k) {
      if (!std::in_range<T>(src[k]))
        throw format_error(what + ": element " + std::to_string(k) + " (" + std::to_string(src[k]) + ") does not fit in " +
                           std::string(dtype_name(dtype_of_v<T>)));
      dst[k] = static_cast<T>(src[k]);
    }
  }
}

}  // namespace detail

class any_tensor {
 public:
  using variant_type = std::variant<dtensor<float>, dtensor<double>, dtensor<std::int32_t>, dtensor<std::int64_t>,
                                    dtensor<std::uint8_t>>;

  /// A float scalar 0 (a default dtensor).
  any_tensor() = default;
  /// Takes a tensor's storage (a dtensor's, or a static tensor's) without copying.
  template <class T, class Ext>
    requires(detail::check_element_type<T>())
  any_tensor(basic_tensor<T, Ext>&& t) : v_(dtensor<T>(std::move(t))) {}  // NOLINT: implicit, like a move
  /// Copies a tensor or a view (any strides) into contiguous row-major storage.
  template <class T, class Ext>
    requires(detail::check_element_type<T>())
  any_tensor(const basic_tensor<T, Ext>& t) : v_(dtensor<T>(t)) {}  // NOLINT
  template <class T, class Ext>
    requires(detail::check_element_type<std::remove_const_t<T>>())
  any_tensor(const basic_tensor_view<T, Ext>& v) : v_(dtensor<std::remove_const_t<T>>(v)) {}  // NOLINT

  dtype type() const noexcept { return static_cast<dtype>(v_.index()); }
  const dyn_extents& extents() const noexcept {
    return std::visit([](const auto& t) -> const dyn_extents& { return t.extents(); }, v_);
  }
  std::size_t rank() const noexcept { return extents().rank(); }
  index extent(std::size_t r) const noexcept { return extents().extent(r); }
  const std::vector<index>& shape() const noexcept { return extents().as_vector(); }
  index size() const noexcept { return extents().size(); }

  template <class T>
  bool holds() const noexcept {
    return std::holds_alternative<dtensor<T>>(v_);
  }
  /// The tensor itself; T must be the held type (else format_error: `as<T>()` converts).
  template <class T>
  const dtensor<T>& get() const {
    check_holds<T>();
    return std::get<dtensor<T>>(v_);
  }
  template <class T>
  dtensor<T>& get() {
    check_holds<T>();
    return std::get<dtensor<T>>(v_);
  }
  /// A copy with elements of type T (the conversions of convert_elements).
  template <class T>
  dtensor<T> as(const std::string& what = "tenet::io::any_tensor::as") const {
    detail::check_element_type<T>();
    dtensor<T> out(extents());
    convert_to(out.data(), what);
    return out;
  }
  /// Writes the elements, converted to T, to dst (size() of them).
  template <class T>
  void convert_to(T* dst, const std::string& what) const {
    std::visit(
        [&](const auto& t) { detail::convert_elements(t.data(), dst, static_cast<std::size_t>(t.size()), what); }, v_);
  }

  template <class F>
  decltype(auto) visit(F&& f) const {
    return std::visit(std::forward<F>(f), v_);
  }
  const variant_type& variant() const noexcept { return v_; }

 private:
  template <class T>
  void check_holds() const {
    detail::check_element_type<T>();
    if (!holds<T>())
      throw format_error("tenet::io::any_tensor::get: the tensor holds " + std::string(dtype_name(type())) + ", not " +
                         std::string(dtype_name(dtype_of_v<T>)) + " (as<T>() converts)");
  }

  variant_type v_;
};

}  // namespace tenet::io
