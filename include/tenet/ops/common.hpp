#pragma once
// What the multilinear operators share: mode pairs and mode lists usable as template
// arguments, the static extents of an operand, the result type built from what is known at
// compile time, and the elementwise product kernel behind outer, kron and hadamard.
#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/exec/threads.hpp"

namespace tenet {

/// Two modes traced against each other: `partial_trace<mode_pair{0, 2}>(T)`.
struct mode_pair {
  std::size_t first, second;
};

/// A list of modes as a template argument: `mode_contract<mode_list{1, 2}, mode_list{0, 1}>`.
/// (A structural type, so GCC also accepts the bare braces `<{1, 2}, {0, 1}>`.)
struct mode_list {
  static constexpr std::size_t capacity = 32;
  std::size_t m[capacity]{};
  std::size_t n = 0;
  constexpr mode_list(std::initializer_list<std::size_t> l) {
    for (std::size_t x : l) {
      if (n == capacity) throw "tenet::mode_list: more than 32 modes";  // not a constant: fails to compile
      m[n++] = x;
    }
  }
  constexpr std::size_t size() const noexcept { return n; }
  constexpr std::size_t operator[](std::size_t i) const noexcept { return m[i]; }
};

/// A range of tensors or views (a std::vector<dtensor<double>>, say): lists of factors.
template <class Rng>
concept tensor_range = std::ranges::forward_range<Rng> && tensor_like<std::ranges::range_value_t<Rng>>;

namespace detail {

/// Read-only views of every tensor in a range; all must have the element type T.
template <class T, class Rng>
std::vector<dtensor_view<const T>> views_of(const Rng& r) {
  static_assert(std::is_same_v<value_type_of_t<std::ranges::range_value_t<Rng>>, T>,
                "tenet: the factors must have the same element type as the tensor");
  std::vector<dtensor_view<const T>> v;
  if constexpr (std::is_same_v<value_type_of_t<std::ranges::range_value_t<Rng>>, T>)
    for (const auto& x : r) v.emplace_back(as_view(x));
  return v;
}

template <class X>
using extents_of_t = typename std::remove_cvref_t<X>::extents_type;
template <class X>
inline constexpr bool has_static_rank = is_static_rank<extents_of_t<X>>::value;

/// The static rank of X (callers check has_static_rank first).
template <class X>
constexpr std::size_t rank_of() {
  if constexpr (has_static_rank<X>)
    return extents_of_t<X>::rank();
  else
    return 0;
}

/// The static extent of mode r of X, or dyn (also for r out of range, so that failed checks
/// do not cascade into out-of-bounds reads at compile time).
template <class X>
constexpr std::size_t static_extent_of(std::size_t r) {
  if constexpr (has_static_rank<X>)
    return r < rank_of<X>() ? extents_of_t<X>::static_extent(r) : dyn;
  else
    return dyn;
}

/// Product of static extents; dyn if any is dyn.
constexpr std::size_t static_product(std::size_t a, std::size_t b) { return a == dyn || b == dyn ? dyn : a * b; }
/// Two static extents that must agree: the known one (dyn if neither is known).
constexpr std::size_t static_merge(std::size_t a, std::size_t b) { return a == dyn ? b : a; }
/// True unless both are known and differ.
constexpr bool static_compatible(std::size_t a, std::size_t b) { return a == dyn || b == dyn || a == b; }

/// tensor<T, E[0], E[1], ...> from a constexpr array of extents.
template <class T, auto E, class = std::make_index_sequence<E.size()>>
struct tensor_from;
template <class T, auto E, std::size_t... I>
struct tensor_from<T, E, std::index_sequence<I...>> {
  using type = tensor<T, E[I]...>;
};
template <class T, auto E>
using tensor_from_t = typename tensor_from<T, E>::type;

/// tensor<T, dyn, ..., dyn> of rank R.
template <class T, std::size_t R>
using dyn_tensor_t = basic_tensor<T, dextents<R>>;

/// A result tensor of type R with run-time extents `ext` (checked against R's static ones),
/// zero-filled, or uninitialized for a kernel that writes every element (`for_overwrite`).
template <class R, class... Tag>
R make_result(std::span<const index> ext, Tag... tag) {
  using Ext = typename R::extents_type;
  if constexpr (is_static_rank<Ext>::value)
    return R(tag..., Ext(ext));
  else
    return R(tag..., dyn_extents(ext));
}

/// Any tensor or view as a read-only view of run-time rank.
template <class X>
auto dview(const X& x) {
  return dtensor_view<const value_type_of_t<X>>(as_view(x));
}

template <class X>
std::string shape_of(const X& x) {
  return shape_string(as_view(x).extents());
}

inline std::string modes_string(std::span<const std::size_t> m) {
  std::vector<index> v(m.begin(), m.end());
  return shape_string(std::span<const index>(v));
}

/// One dimension of an elementwise product: extent and strides in out, a and b
/// (a stride of 0 broadcasts, as in an outer product).
struct product_dim {
  index ext, so, sa, sb;
};

/// out[o] = a[ia] * b[ib] over the multi-index of `dims` (out must not overlap a or b).
/// The last dimension is the inner loop; unit and zero strides get vectorizable loops.
template <class T>
void product_kernel(std::vector<product_dim> dims, const T* a, const T* b, T* out, int threads) {
  for (const product_dim& d : dims)
    if (d.ext == 0) return;
  std::erase_if(dims, [](const product_dim& d) { return d.ext == 1; });
  std::vector<product_dim> m;  // merge dimensions contiguous in all three
  for (const product_dim& d : dims) {
    if (!m.empty() && m.back().so == d.so * d.ext && m.back().sa == d.sa * d.ext && m.back().sb == d.sb * d.ext) {
      m.back().ext *= d.ext;
      m.back().so = d.so, m.back().sa = d.sa, m.back().sb = d.sb;
    } else {
      m.push_back(d);
    }
  }
  const product_dim in = m.empty() ? product_dim{1, 1, 1, 1} : m.back();
  if (!m.empty()) m.pop_back();
  index n_outer = 1;
  for (const product_dim& d : m) n_outer *= d.ext;
  auto body = [&](index lo, index hi) {
    // Offsets of the first outer index, then an odometer (no divisions per row).
    std::vector<index> idx(m.size(), 0);
    index oo = 0, oa = 0, ob = 0;
    for (index rem = lo, r = static_cast<index>(m.size()); r-- > 0;) {
      const auto q = static_cast<std::size_t>(r);
      idx[q] = rem % m[q].ext;
      rem /= m[q].ext;
      oo += idx[q] * m[q].so, oa += idx[q] * m[q].sa, ob += idx[q] * m[q].sb;
    }
    for (index o = lo; o < hi; ++o) {
      T* __restrict po = out + oo;
      const T* __restrict pa = a + oa;
      const T* __restrict pb = b + ob;
      const index n = in.ext;
      if (in.so == 1 && in.sa == 0 && in.sb == 1) {
        const T s = *pa;
        for (index i = 0; i < n; ++i) po[i] = s * pb[i];
      } else if (in.so == 1 && in.sa == 1 && in.sb == 0) {
        const T s = *pb;
        for (index i = 0; i < n; ++i) po[i] = pa[i] * s;
      } else if (in.so == 1 && in.sa == 1 && in.sb == 1) {
        for (index i = 0; i < n; ++i) po[i] = pa[i] * pb[i];
      } else {
        for (index i = 0; i < n; ++i) po[i * in.so] = pa[i * in.sa] * pb[i * in.sb];
      }
      for (std::size_t r = m.size(); r-- > 0;) {
        oo += m[r].so, oa += m[r].sa, ob += m[r].sb;
        if (++idx[r] < m[r].ext) break;
        oo -= m[r].so * m[r].ext, oa -= m[r].sa * m[r].ext, ob -= m[r].sb * m[r].ext;
        idx[r] = 0;
      }
    }
  };
  exec::detail::split_range(n_outer, threads, n_outer * in.ext >= (index{1} << 15), body);
}

/// Row-major strides of a shape.
inline std::vector<index> strides_for(std::span<const index> ext) {
  std::vector<index> s(ext.size());
  index acc = 1;
  for (std::size_t r = ext.size(); r-- > 0;) {
    s[r] = acc;
    acc *= ext[r];
  }
  return s;
}

}  // namespace detail
}  // namespace tenet
