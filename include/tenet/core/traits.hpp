#pragma once
// What makes a type a tensor for tenet, and how to get a view of anything tensor-like.
#include <concepts>
#include <type_traits>

#include "tenet/core/tensor.hpp"
#include "tenet/core/tensor_view.hpp"

namespace tenet {

template <class X>
struct is_tensor_view : std::false_type {};
template <class T, class Ext>
struct is_tensor_view<basic_tensor_view<T, Ext>> : std::true_type {};
template <class X>
struct is_tensor : std::false_type {};
template <class T, class Ext>
struct is_tensor<basic_tensor<T, Ext>> : std::true_type {};

/// A tenet tensor or view (owning or not, static or run-time rank).
template <class X>
concept tensor_like = is_tensor<std::remove_cvref_t<X>>::value || is_tensor_view<std::remove_cvref_t<X>>::value;

/// The view of a tensor (const when the tensor is), or the view itself.
template <class X>
  requires tensor_like<X>
constexpr auto as_view(X&& x) noexcept {
  if constexpr (is_tensor_view<std::remove_cvref_t<X>>::value)
    return x;
  else
    return x.view();
}

template <class X>
using view_of_t = decltype(as_view(std::declval<X>()));
template <class X>
using value_type_of_t = typename std::remove_cvref_t<X>::value_type;

}  // namespace tenet
