#pragma once
// Zero-copy interop with Eigen, both ways. Nothing here copies an element: each result aliases
// its argument's storage and is valid only while that storage lives.
//   as_eigen(X)         rank-2 tensor or view -> Eigen::Map of a row-major dynamic matrix with
//                       run-time strides (eigen_matrix_map<T>); read-only when T is const.
//   as_eigen_tensor(X)  static-rank tensor or view, contiguous row-major ->
//                       Eigen::TensorMap<Eigen::Tensor<T, R, Eigen::RowMajor>> (eigen_tensor_map).
//   view_of(M)          Eigen matrix, array, Map, Block, Ref, transpose (anything with direct
//                       access) -> tensor_view<T, rows, cols> (dyn where Eigen says Dynamic).
//   view_of(E)          Eigen::Tensor, TensorFixedSize, TensorMap -> tensor_view<T, ...> of the
//                       same rank, with column-major strides for ColMajor layouts.
// Not included by tenet/tenet.hpp: include it where you use Eigen.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/tensor_view.hpp"
#include "tenet/core/traits.hpp"

namespace tenet {

/// What as_eigen returns: a map of a row-major dynamic matrix with run-time outer (row) and
/// inner (column) strides; `T = const U` gives a read-only map.
template <class T>
using eigen_matrix_map =
    Eigen::Map<std::conditional_t<std::is_const_v<T>,
                                  const Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>,
                                  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>,
               Eigen::Unaligned, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;

/// What as_eigen_tensor returns: a map of a row-major Eigen::Tensor of rank R (read-only when
/// T is const).
template <class T, std::size_t R>
using eigen_tensor_map =
    Eigen::TensorMap<std::conditional_t<std::is_const_v<T>,
                                        const Eigen::Tensor<std::remove_const_t<T>, static_cast<int>(R), Eigen::RowMajor>,
                                        Eigen::Tensor<T, static_cast<int>(R), Eigen::RowMajor>>>;

namespace detail {

// Row-major with no gaps; the stride of an extent-1 mode is never used, so it may be anything.
template <class V>
bool eigen_dense_row_major(const V& v) {
  if (v.size() == 0) return true;
  index expect = 1;
  for (std::size_t r = v.rank(); r-- > 0;) {
    if (v.extent(r) != 1 && v.stride(r) != expect) return false;
    expect *= v.extent(r);
  }
  return true;
}

constexpr std::size_t eigen_extent(int n) noexcept {
  return n == Eigen::Dynamic ? dyn : static_cast<std::size_t>(n);
}

// Which Eigen tensor types hold their elements in memory, and which of those own them.
template <class D>
struct eigen_tensor_kind {
  static constexpr bool direct = false, owning = false;
};
template <class S, int R, int O, class I>
struct eigen_tensor_kind<Eigen::Tensor<S, R, O, I>> {
  static constexpr bool direct = true, owning = true;
};
template <class S, class Dims, int O, class I>
struct eigen_tensor_kind<Eigen::TensorFixedSize<S, Dims, O, I>> {
  static constexpr bool direct = true, owning = true;
};
template <class P, int O, template <class> class MP>
struct eigen_tensor_kind<Eigen::TensorMap<P, O, MP>> {
  static constexpr bool direct = true, owning = false;
};

// Static extents where Eigen has them (Sizes<...>), dyn otherwise.
template <class Dims, std::size_t R>
struct eigen_tensor_extents {
  using type = dextents<R>;
};
template <std::ptrdiff_t... I, std::size_t R>
struct eigen_tensor_extents<Eigen::Sizes<I...>, R> {
  using type = extents<static_cast<std::size_t>(I)...>;
};

}  // namespace detail

/// A rank-2 tensor or view as an Eigen map (row-major, strides carried over, zero copy).
/// Static rank other than 2 fails to compile; a dtensor/dtensor_view of another rank throws
/// shape_error.
template <class X>
  requires tensor_like<X>
auto as_eigen(X&& x) {
  static_assert(std::is_lvalue_reference_v<X> || is_tensor_view<std::remove_cvref_t<X>>::value,
                "as_eigen: the tensor is a temporary; the map would dangle (name it first)");
  const auto v = as_view(x);
  using V = std::remove_const_t<decltype(v)>;
  using T = typename V::element_type;
  using Ext = typename V::extents_type;
  if constexpr (detail::is_static_rank<Ext>::value) {
    static_assert(Ext::rank() == 2, "as_eigen: the tensor's rank is not 2 (use as_eigen_tensor)");
  } else if (v.rank() != 2) {
    throw shape_error("tenet::as_eigen: a tensor of shape " + detail::shape_string(v.extents()) +
                      " is not a matrix (rank 2); use as_eigen_tensor");
  }
  return eigen_matrix_map<T>(v.data(), v.extent(0), v.extent(1),
                             Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(v.stride(0), v.stride(1)));
}

/// A static-rank tensor or view as an Eigen::TensorMap (row-major, zero copy). Eigen's tensor
/// maps have no strides, so the view must be contiguous row-major (the stride of an extent-1
/// mode does not matter); otherwise throws shape_error.
template <class X>
  requires tensor_like<X>
auto as_eigen_tensor(X&& x) {
  static_assert(std::is_lvalue_reference_v<X> || is_tensor_view<std::remove_cvref_t<X>>::value,
                "as_eigen_tensor: the tensor is a temporary; the map would dangle (name it first)");
  const auto v = as_view(x);
  using V = std::remove_const_t<decltype(v)>;
  using T = typename V::element_type;
  using Ext = typename V::extents_type;
  if constexpr (!detail::is_static_rank<Ext>::value) {
    static_assert(detail::is_static_rank<Ext>::value,
                  "as_eigen_tensor: Eigen::Tensor's rank is a template parameter; pass a tensor or view "
                  "of static rank (e.g. tensor_view<T, dyn, dyn, dyn>)");
  } else {
    constexpr std::size_t R = Ext::rank();
    if (!detail::eigen_dense_row_major(v))
      throw shape_error("tenet::as_eigen_tensor: the view of shape " + detail::shape_string(v.extents()) +
                        " with strides " + detail::shape_string(std::span<const index>(v.strides())) +
                        " is not contiguous row-major; copy it into a tensor first");
    if constexpr (R == 0) {
      return eigen_tensor_map<T, 0>(v.data());
    } else {
      std::array<Eigen::DenseIndex, R> dims{};
      for (std::size_t r = 0; r < R; ++r) dims[r] = static_cast<Eigen::DenseIndex>(v.extent(r));
      return eigen_tensor_map<T, R>(v.data(), dims);
    }
  }
}

/// An Eigen dense object with direct access (Matrix, Array, Map, Block, Ref, Transpose of
/// those) as a rank-2 view of its elements: tensor_view<T, rows, cols>, with Eigen's
/// compile-time sizes where it has them. Row- and column-major storage, outer and inner strides
/// are all carried over; T is const when the Eigen side is read-only.
template <class X>
  requires std::is_base_of_v<Eigen::DenseBase<std::remove_cvref_t<X>>, std::remove_cvref_t<X>>
auto view_of(X&& m) {
  using D = std::remove_cvref_t<X>;
  static_assert(std::is_lvalue_reference_v<X> || !std::is_base_of_v<Eigen::PlainObjectBase<D>, D>,
                "view_of: the Eigen matrix is a temporary; the view would dangle (name it first)");
  constexpr bool direct = (static_cast<unsigned>(D::Flags) & Eigen::DirectAccessBit) != 0;
  if constexpr (!direct) {
    static_assert(direct, "view_of: the Eigen expression does not store its elements (evaluate it into a Matrix first)");
  } else {
    using T = std::remove_pointer_t<decltype(m.data())>;
    constexpr std::size_t Rows = detail::eigen_extent(D::RowsAtCompileTime);
    constexpr std::size_t Cols = detail::eigen_extent(D::ColsAtCompileTime);
    const index rows = m.rows(), cols = m.cols();
    index s_row = D::IsRowMajor ? m.outerStride() : m.innerStride();
    index s_col = D::IsRowMajor ? m.innerStride() : m.outerStride();
    // An extent-1 mode's stride is never used: give it the row-major one, so that a column
    // vector or a single row reads as contiguous.
    if (cols == 1) s_col = 1;
    if (rows == 1) s_row = s_col * cols;
    return tensor_view<T, Rows, Cols>(m.data(), extents<Rows, Cols>(rows, cols), std::array<index, 2>{s_row, s_col});
  }
}

/// An Eigen::Tensor, TensorFixedSize or TensorMap as a view of the same rank (static extents for
/// TensorFixedSize). ColMajor layouts (Eigen's default) give column-major strides, so that
/// view(i, j, k) is t(i, j, k) either way.
template <class X>
  requires std::is_base_of_v<Eigen::TensorBase<std::remove_cvref_t<X>, Eigen::ReadOnlyAccessors>, std::remove_cvref_t<X>>
auto view_of(X&& t) {
  using D = std::remove_cvref_t<X>;
  using kind = detail::eigen_tensor_kind<D>;
  static_assert(std::is_lvalue_reference_v<X> || !kind::owning,
                "view_of: the Eigen tensor is a temporary; the view would dangle (name it first)");
  if constexpr (!kind::direct) {
    static_assert(kind::direct,
                  "view_of: the Eigen tensor expression does not store its elements (evaluate it into an "
                  "Eigen::Tensor first)");
  } else {
    constexpr std::size_t R = static_cast<std::size_t>(D::NumIndices);
    using T = std::remove_pointer_t<decltype(t.data())>;
    using Ext = typename detail::eigen_tensor_extents<typename D::Dimensions, R>::type;
    std::array<index, R> ext{}, str{};
    for (std::size_t r = 0; r < R; ++r) ext[r] = static_cast<index>(t.dimension(static_cast<Eigen::DenseIndex>(r)));
    index acc = 1;
    if constexpr (static_cast<int>(D::Layout) == static_cast<int>(Eigen::RowMajor)) {
      for (std::size_t r = R; r-- > 0;) {
        str[r] = acc;
        acc *= ext[r];
      }
    } else {
      for (std::size_t r = 0; r < R; ++r) {
        str[r] = acc;
        acc *= ext[r];
      }
      // An extent-1 mode's stride is never used: give it the row-major one, as view_of does for matrices.
      for (std::size_t r = R; r-- > 0;)
        if (ext[r] == 1) str[r] = r + 1 < R ? str[r + 1] * ext[r + 1] : 1;
    }
    return basic_tensor_view<T, Ext>(t.data(), Ext(std::span<const index>(ext)), str);
  }
}

}  // namespace tenet
