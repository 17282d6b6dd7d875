#pragma once
// What the image operators (convolutions, per-channel affine, layer norm over channels,
// pooling) share: batches of images in NCHW layout (batch, channels, height, width; row-major,
// as PyTorch), their run-time and compile-time checks, the result type that keeps what is
// known at compile time, and views whose W stride is 1 (a strided operand is packed once,
// so that every kernel's inner loop runs over contiguous memory and vectorizes).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/copy.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/exec/threads.hpp"
#include "tenet/ops/common.hpp"

namespace tenet::detail {

/// The four extents of an NCHW batch.
struct nchw_dims {
  index n, c, h, w;
};

/// Checks that X is of rank 4; `what` names the operator and its operands' shapes.
template <class T>
nchw_dims image_dims(const dtensor_view<T>& x, const std::string& what) {
  if (x.rank() != 4) throw shape_error(what + ": X must be of rank 4 (N, C, H, W)");
  return {x.extent(0), x.extent(1), x.extent(2), x.extent(3)};
}

/// A read-only image view whose W stride is 1: the operand itself, or a packed copy of it.
/// Neither copyable nor movable (the view may point into the copy).
template <class T>
class unit_w_input {
 public:
  template <class P>
  unit_w_input(P policy, const dtensor_view<const T>& x) : v_(x) {
    if (x.rank() == 4 && x.extent(3) > 1 && x.stride(3) != 1) {
      copy_.emplace(for_overwrite, dyn_extents(x.extents()));
      exec::copy(policy, x, copy_->view());
      v_ = copy_->view();
    }
  }
  unit_w_input(const unit_w_input&) = delete;
  unit_w_input& operator=(const unit_w_input&) = delete;
  const dtensor_view<const T>& view() const noexcept { return v_; }

 private:
  dtensor_view<const T> v_;
  std::optional<dtensor<T>> copy_;
};

/// A writable image view whose W stride is 1: the destination itself, or a temporary that
/// finish() copies into the destination.
template <class T>
class unit_w_output {
 public:
  explicit unit_w_output(const dtensor_view<T>& y) : dst_(y), v_(y) {
    if (y.extent(3) > 1 && y.stride(3) != 1) {
      tmp_.emplace(for_overwrite, dyn_extents(y.extents()));
      v_ = tmp_->view();
    }
  }
  unit_w_output(const unit_w_output&) = delete;
  unit_w_output& operator=(const unit_w_output&) = delete;
  const dtensor_view<T>& view() const noexcept { return v_; }
  template <class P>
  void finish(P policy) const {
    if (tmp_) exec::copy(policy, tmp_->view(), dst_);
  }

 private:
  dtensor_view<T> dst_, v_;
  std::optional<dtensor<T>> tmp_;
};

/// A per-channel vector (bias, scale, ...) checked to be of shape (C,), copied contiguous.
template <class T>
std::vector<T> channel_values(const dtensor_view<const T>& v, index c, const std::string& what, const char* name) {
  if (v.rank() != 1 || v.extent(0) != c)
    throw shape_error(what + ": the " + name + " must be of shape (" + std::to_string(c) + ",)");
  std::vector<T> out(static_cast<std::size_t>(c));
  for (index i = 0; i < c; ++i) out[static_cast<std::size_t>(i)] = v.data()[i * v.stride(0)];
  return out;
}

/// The shape string of an optional operand ("none" when absent).
template <class T>
std::string optional_shape(const dtensor_view<const T>* v) {
  return v ? shape_string(v->extents()) : std::string("none");
}

/// Throws unless Y has the expected shape.
template <class T>
void check_into_shape(const dtensor_view<T>& y, std::span<const index> want, const std::string& what) {
  const auto got = y.extents().as_span();
  if (!std::equal(want.begin(), want.end(), got.begin(), got.end()))
    throw shape_error(what + " gives shape " + shape_string(want) + ", not Y's " + shape_string(y.extents()));
}

/// Runs body(lo, hi) over `planes` units of work split between the policy's threads, when the
/// whole job (`work` elements) is worth a parallel region.
template <class F>
void for_planes(int threads, index planes, index work, F&& body) {
  exec::detail::split_range(planes, threads, work >= (index{1} << 15), body);
}

// ---- compile-time checks (static ranks and extents), each naming the problem ----

template <class X>
constexpr bool image_rank_ok() {
  if constexpr (has_static_rank<X>) {
    static_assert(rank_of<X>() == 4, "tenet image operators: X must be of rank 4 (N, C, H, W)");
    return rank_of<X>() == 4;
  } else {
    return true;
  }
}

template <class V>
constexpr bool channel_vector_ok(std::size_t channels) {
  if constexpr (has_static_rank<V>) {
    static_assert(rank_of<V>() == 1, "tenet image operators: a per-channel vector (bias, scale, ...) must be of rank 1");
    if constexpr (rank_of<V>() == 1) return static_compatible(static_extent_of<V>(0), channels);
    return false;
  } else {
    return true;
  }
}

/// The result type: tensor<T, E...> with the static extents `E` when X has static rank, a
/// dtensor otherwise.
template <class X, class T, auto E>
using image_result_t = std::conditional_t<has_static_rank<X>, tensor_from_t<T, E>, dtensor<T>>;

/// A stand-in for "no bias" in the static checks.
struct no_operand {};

template <class W, class T>
constexpr bool same_value_type() {
  if constexpr (std::is_same_v<W, no_operand>)
    return true;
  else
    return std::is_same_v<value_type_of_t<W>, T>;
}

/// The static checks of a convolution with a K x K kernel (K = 1, 2 or 3; K = 1 also takes a
/// (C_out, C_in) matrix) and its result's static extents. Dense (K = 1, 2): groups = 1, so
/// the weight's input channels must be X's channels.
template <std::size_t K, class X, class W, class B>
struct static_conv {
  using T = value_type_of_t<X>;
  static_assert(same_value_type<W, T>() && same_value_type<B, T>(),
                "tenet convolution: X, the weight and the bias must share one element type");
  static constexpr std::size_t w_rank = has_static_rank<W> ? rank_of<W>() : 0;
  static constexpr bool w_rank_ok = [] {
    if constexpr (has_static_rank<W>) {
      if constexpr (K == 1)
        static_assert(rank_of<W>() == 4 || rank_of<W>() == 2,
                      "tenet conv1x1: the weight must be of shape (C_out, C_in, 1, 1) or (C_out, C_in)");
      else
        static_assert(rank_of<W>() == 4, "tenet convolution: the weight must be of rank 4 (C_out, C_in / groups, kh, kw)");
      return rank_of<W>() == 4 || (K == 1 && rank_of<W>() == 2);
    }
    return true;
  }();
  static constexpr std::size_t cout = static_extent_of<W>(0);
  static constexpr bool kernel_ok = [] {
    if constexpr (has_static_rank<W>)
      if constexpr (rank_of<W>() == 4) {
        constexpr bool k = static_compatible(static_extent_of<W>(2), K) && static_compatible(static_extent_of<W>(3), K);
        static_assert(k, "tenet convolution: the weight's kernel extents (modes 2 and 3) are not those of the operator");
        return k;
      }
    return true;
  }();
  static constexpr bool channels_ok = [] {
    if constexpr (K != 3) {
      constexpr bool c = static_compatible(static_extent_of<W>(1), static_extent_of<X>(1));
      static_assert(c, "tenet convolution: the weight's input channels (mode 1) differ from X's channels (mode 1)");
      return c;
    }
    return true;
  }();
  static constexpr bool bias_ok = [] {
    if constexpr (!std::is_same_v<B, no_operand>) {
      constexpr bool b = channel_vector_ok<B>(cout);
      static_assert(b, "tenet convolution: the bias length differs from the weight's output channels (mode 0)");
      return b;
    }
    return true;
  }();
  static constexpr bool even_ok = [] {
    if constexpr (K == 2) {
      constexpr std::size_t h = static_extent_of<X>(2), w = static_extent_of<X>(3);
      constexpr bool e = (h == dyn || h % 2 == 0) && (w == dyn || w % 2 == 0);
      static_assert(e, "tenet conv2x2_stride2: X's height and width (modes 2 and 3) must be even");
      return e;
    }
    return true;
  }();
  static constexpr bool ok = same_value_type<W, T>() && same_value_type<B, T>() && image_rank_ok<X>() && w_rank_ok &&
                             kernel_ok && channels_ok && bias_ok && even_ok;
  static constexpr std::size_t halve(std::size_t e) { return K == 2 && e != dyn ? e / 2 : e; }
  static constexpr std::array<std::size_t, 4> extents = [] {
    std::size_t c = cout;
    if constexpr (!std::is_same_v<B, no_operand>) c = static_merge(c, static_extent_of<B>(0));
    return std::array<std::size_t, 4>{static_extent_of<X>(0), c, halve(static_extent_of<X>(2)),
                                      halve(static_extent_of<X>(3))};
  }();
  using result = image_result_t<X, T, extents>;
};

}  // namespace tenet::detail
