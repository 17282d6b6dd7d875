#pragma once
// tenet::mps<T>: matrix product states (tensor trains). Core k has shape (r_k, d_k, r_{k+1})
// with r_0 = r_L = 1, so that
//   X[i_0, ..., i_{L-1}] = G_0[:, i_0, :] G_1[:, i_1, :] ... G_{L-1}[:, i_{L-1}, :].
// from_dense runs TT-SVD (Oseledets 2011) with Eigen's BDCSVD, left to right: each core is
// the left singular vectors of the remaining tensor, so the squared error is exactly the sum
// of the squared singular values it discards (truncation_error() reports its square root).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SVD>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/network/error.hpp"

namespace tenet {

struct mps_options {
  /// Relative accuracy: each of the L-1 truncations discards singular values worth at most
  /// rel_tol * ||X||_F / sqrt(L-1), so ||X - mps||_F <= rel_tol * ||X||_F. 0 keeps all
  /// nonzero singular values (exact up to rounding).
  double rel_tol = 0;
  /// Largest bond dimension (0: no limit). Applied after rel_tol.
  index max_bond = 0;
};

namespace detail {
template <class T>
using rm_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using cm_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
}  // namespace detail

template <class T>
class mps {
  static_assert(std::is_floating_point_v<T>, "tenet::mps: float or double elements");
  using rmat = detail::rm_matrix<T>;
  using rmap = Eigen::Map<rmat>;
  using crmap = Eigen::Map<const rmat>;

 public:
  using value_type = T;

  mps() = default;
  /// From cores of shape (r_k, d_k, r_{k+1}); throws shape_error unless the bonds fit and
  /// the outer bonds are 1.
  explicit mps(std::vector<dtensor<T>> cores) : cores_(std::move(cores)) {
    for (std::size_t k = 0; k < cores_.size(); ++k) {
      const auto& c = cores_[k];
      if (c.rank() != 3)
        throw shape_error("tenet::mps: core " + std::to_string(k) + " has shape " + detail::shape_string(c.extents()) +
                          "; cores are (left bond, physical, right bond)");
      if (k == 0 && c.extent(0) != 1)
        throw shape_error("tenet::mps: the first core's left bond must be 1; shape " + detail::shape_string(c.extents()));
      if (k + 1 == cores_.size() && c.extent(2) != 1)
        throw shape_error("tenet::mps: the last core's right bond must be 1; shape " + detail::shape_string(c.extents()));
      if (k > 0 && cores_[k - 1].extent(2) != c.extent(0))
        throw shape_error("tenet::mps: bond " + std::to_string(k) + " differs: core " + std::to_string(k - 1) +
                          " has shape " + detail::shape_string(cores_[k - 1].extents()) + ", core " + std::to_string(k) +
                          " has shape " + detail::shape_string(c.extents()));
    }
  }

  /// TT-SVD of a dense tensor of rank >= 1 (see mps_options).
  template <class X>
    requires tensor_like<X>
  static mps from_dense(const X& x, const mps_options& o = {}) {
    static_assert(std::is_same_v<value_type_of_t<X>, T>, "tenet::mps::from_dense: element types differ");
    const auto v = as_view(x);
    const std::size_t L = v.rank();
    if (L == 0) throw shape_error("tenet::mps::from_dense: a tensor of rank 0 has no sites");
    dtensor<T> dense(v);  // contiguous row-major copy
    double norm2 = 0;
    for (const T& e : dense) norm2 += static_cast<double>(e) * static_cast<double>(e);
    const double delta = L > 1 ? o.rel_tol * std::sqrt(norm2) / std::sqrt(static_cast<double>(L - 1)) : 0.0;
    mps out;
    rmat rest = crmap(dense.data(), 1, dense.size());  // (r_k, d_k * ... * d_{L-1})
    index r = 1;
    double discarded = 0;
    for (std::size_t k = 0; k + 1 < L; ++k) {
      const index d = v.extent(k);
      const index cols = rest.size() / std::max<index>(r * d, 1);
      const rmat m = crmap(rest.data(), r * d, cols);
      Eigen::BDCSVD<detail::cm_matrix<T>> svd(m, Eigen::ComputeThinU | Eigen::ComputeThinV);
      const auto& s = svd.singularValues();
      index keep = s.size();
      double tail = 0;  // squared singular values dropped so far, smallest first
      while (keep > 1 && tail + static_cast<double>(s(keep - 1)) * static_cast<double>(s(keep - 1)) <= delta * delta) {
        tail += static_cast<double>(s(keep - 1)) * static_cast<double>(s(keep - 1));
        --keep;
      }
      if (o.max_bond > 0) keep = std::min(keep, o.max_bond);
      keep = std::max<index>(keep, 1);
      for (index q = keep; q < s.size(); ++q) discarded += static_cast<double>(s(q)) * static_cast<double>(s(q));
      if (s.size() == 0) keep = 1;  // an extent-0 mode: keep one zero bond
      dtensor<T> core{r, d, keep};
      rmap cm(core.data(), r * d, keep);
      if (s.size() > 0) cm = svd.matrixU().leftCols(keep);
      out.cores_.push_back(std::move(core));
      rmat next(keep, cols);
      if (s.size() > 0)
        next = s.head(keep).asDiagonal() * svd.matrixV().leftCols(keep).transpose();
      else
        next.setZero();
      rest = std::move(next);
      r = keep;
    }
    dtensor<T> last{r, v.extent(L - 1), index(1)};
    std::copy(rest.data(), rest.data() + rest.size(), last.data());
    out.cores_.push_back(std::move(last));
    out.discarded_ = std::sqrt(discarded);
    return out;
  }

  std::size_t length() const noexcept { return cores_.size(); }
  const dtensor<T>& core(std::size_t k) const { return cores_.at(k); }
  const std::vector<dtensor<T>>& cores() const noexcept { return cores_; }
  /// r_0 .. r_L.
  std::vector<index> bond_dims() const {
    std::vector<index> b;
    for (const auto& c : cores_) b.push_back(c.extent(0));
    if (!cores_.empty()) b.push_back(cores_.back().extent(2));
    return b;
  }
  std::vector<index> physical_dims() const {
    std::vector<index> d;
    for (const auto& c : cores_) d.push_back(c.extent(1));
    return d;
  }
  index max_bond() const {
    index m = 0;
    for (index b : bond_dims()) m = std::max(m, b);
    return m;
  }
  /// Number of stored elements.
  index parameter_count() const {
    index n = 0;
    for (const auto& c : cores_) n += c.size();
    return n;
  }
  /// sqrt(sum of the squared singular values from_dense discarded) = ||X - mps||_F.
  double truncation_error() const noexcept { return discarded_; }

  /// Every core but the last left-orthonormal (QR sweep, left to right).
  void left_canonicalize() { canonicalize(cores_.empty() ? 0 : cores_.size() - 1); }
  /// Every core but the first right-orthonormal (sweep right to left).
  void right_canonicalize() { canonicalize(0); }
  /// Mixed canonical form: cores left of `center` left-, right of it right-orthonormal.
  void canonicalize(std::size_t center) {
    if (cores_.empty()) return;
    if (center >= cores_.size())
      throw shape_error("tenet::mps::canonicalize: site " + std::to_string(center) + " of " + std::to_string(cores_.size()));
    for (std::size_t k = 0; k < center; ++k) shift_left_to_right(k);
    for (std::size_t k = cores_.size() - 1; k > center; --k) shift_right_to_left(k);
  }

  /// Deviation of core k from left-orthonormality: max |sum_{a,s} G[a,s,b] G[a,s,b'] - delta|.
  double left_orthonormality_error(std::size_t k) const {
    const auto& c = cores_.at(k);
    const crmap m(c.data(), c.extent(0) * c.extent(1), c.extent(2));
    const rmat g = m.transpose() * m;
    return (g - rmat::Identity(g.rows(), g.cols())).cwiseAbs().maxCoeff();
  }
  /// Deviation of core k from right-orthonormality: max |sum_{s,b} G[a,s,b] G[a',s,b] - delta|.
  double right_orthonormality_error(std::size_t k) const {
    const auto& c = cores_.at(k);
    const crmap m(c.data(), c.extent(0), c.extent(1) * c.extent(2));
    const rmat g = m * m.transpose();
    return (g - rmat::Identity(g.rows(), g.cols())).cwiseAbs().maxCoeff();
  }

  /// One entry: X[i_0, ..., i_{L-1}].
  T operator()(std::span<const index> idx) const {
    if (idx.size() != cores_.size())
      throw shape_error("tenet::mps: " + std::to_string(idx.size()) + " indices for " + std::to_string(cores_.size()) + " sites");
    rmat row = rmat::Ones(1, 1);
    for (std::size_t k = 0; k < cores_.size(); ++k) {
      if (idx[k] < 0 || idx[k] >= cores_[k].extent(1))
        throw shape_error("tenet::mps: index " + std::to_string(idx[k]) + " out of range for site " + std::to_string(k) +
                          " of dimension " + std::to_string(cores_[k].extent(1)));
      row = row * crmap_strided(cores_[k], idx[k]);
    }
    return row(0, 0);
  }

  /// The dense tensor (d_0, ..., d_{L-1}); throws shape_error beyond max_elements.
  dtensor<T> to_dense(index max_elements = index(1) << 28) const {
    if (cores_.empty()) throw shape_error("tenet::mps::to_dense: no sites");
    const auto d = physical_dims();
    double total = 1;
    for (index e : d) total *= static_cast<double>(e);
    if (total > static_cast<double>(max_elements))
      throw shape_error("tenet::mps::to_dense: the dense tensor " + detail::shape_string(std::span<const index>(d)) +
                        " has more than " + std::to_string(max_elements) + " elements");
    rmat acc = rmat::Ones(1, 1);  // (d_0 ... d_{k-1}, r_k)
    for (const auto& c : cores_) {
      const rmat next = acc * crmap(c.data(), c.extent(0), c.extent(1) * c.extent(2));
      acc = crmap(next.data(), next.rows() * c.extent(1), c.extent(2));
    }
    dtensor<T> out{dyn_extents(d)};
    std::copy(acc.data(), acc.data() + acc.size(), out.data());
    return out;
  }

 private:
  // Row-slice s of core c as an (r_k x r_{k+1}) matrix.
  static Eigen::Map<const rmat, 0, Eigen::OuterStride<>> crmap_strided(const dtensor<T>& c, index s) {
    return {c.data() + s * c.extent(2), c.extent(0), c.extent(2), Eigen::OuterStride<>(c.extent(1) * c.extent(2))};
  }

  // Core k left-orthonormal by QR; R moves into core k+1.
  void shift_left_to_right(std::size_t k) {
    auto& c = cores_[k];
    const index rl = c.extent(0), d = c.extent(1), rr = c.extent(2);
    const index m = std::min(rl * d, rr);
    Eigen::HouseholderQR<detail::cm_matrix<T>> qr(detail::cm_matrix<T>(crmap(c.data(), rl * d, rr)));
    const detail::cm_matrix<T> q = qr.householderQ() * detail::cm_matrix<T>::Identity(rl * d, m);
    const rmat r = qr.matrixQR().topRows(m).template triangularView<Eigen::Upper>();
    dtensor<T> nc{rl, d, m};
    rmap(nc.data(), rl * d, m) = q;
    auto& next = cores_[k + 1];
    dtensor<T> nn{m, next.extent(1), next.extent(2)};
    rmap(nn.data(), m, next.extent(1) * next.extent(2)) = r * crmap(next.data(), rr, next.extent(1) * next.extent(2));
    c = std::move(nc);
    next = std::move(nn);
  }

  // Core k right-orthonormal by an LQ factorization (QR of the transpose); L moves into core k-1.
  void shift_right_to_left(std::size_t k) {
    auto& c = cores_[k];
    const index rl = c.extent(0), d = c.extent(1), rr = c.extent(2);
    const index m = std::min(rl, d * rr);
    Eigen::HouseholderQR<detail::cm_matrix<T>> qr(detail::cm_matrix<T>(crmap(c.data(), rl, d * rr).transpose()));
    const detail::cm_matrix<T> q = qr.householderQ() * detail::cm_matrix<T>::Identity(d * rr, m);  // (d rr, m)
    const rmat r = qr.matrixQR().topRows(m).template triangularView<Eigen::Upper>();              // (m, rl)
    dtensor<T> nc{m, d, rr};
    rmap(nc.data(), m, d * rr) = q.transpose();
    auto& prev = cores_[k - 1];
    dtensor<T> np{prev.extent(0), prev.extent(1), m};
    rmap(np.data(), prev.extent(0) * prev.extent(1), m) =
        crmap(prev.data(), prev.extent(0) * prev.extent(1), rl) * r.transpose();
    c = std::move(nc);
    prev = std::move(np);
  }

  std::vector<dtensor<T>> cores_;
  double discarded_ = 0;
};

/// <a, b> = sum over all indices of a[i] b[i], by transfer matrices: O(L d r^3). Throws
/// shape_error when the lengths or physical dimensions differ.
template <class T>
T inner(const mps<T>& a, const mps<T>& b) {
  using rmat = detail::rm_matrix<T>;
  using crmap = Eigen::Map<const rmat>;
  if (a.length() != b.length() || a.physical_dims() != b.physical_dims())
    throw shape_error("tenet::inner: MPS of physical dimensions " +
                      detail::shape_string(std::span<const index>(a.physical_dims())) + " and " +
                      detail::shape_string(std::span<const index>(b.physical_dims())));
  rmat e = rmat::Ones(1, 1);  // (r_k of a, r_k of b)
  for (std::size_t k = 0; k < a.length(); ++k) {
    const auto& ca = a.core(k);
    const auto& cb = b.core(k);
    const index d = ca.extent(1);
    // X[a, (s, b')] = sum_a' E[a, a'] B[a', s, b'];  E'[b, b'] = sum_{a,s} A[(a, s), b] X[(a, s), b'].
    const rmat x = e * crmap(cb.data(), cb.extent(0), d * cb.extent(2));
    const crmap xm(x.data(), ca.extent(0) * d, cb.extent(2));
    e = crmap(ca.data(), ca.extent(0) * d, ca.extent(2)).transpose() * xm;
  }
  return e(0, 0);
}

/// ||a||_F.
template <class T>
T norm(const mps<T>& a) {
  return std::sqrt(std::max(inner(a, a), T(0)));
}

/// sum over all indices of a[i_0, ..., i_{L-1}] v_0[i_0] ... v_{L-1}[i_{L-1}]: the inner
/// product with a product state. One vector per site, of its physical dimension.
template <class T>
T contract_product(const mps<T>& a, std::span<const dtensor_view<const T>> vectors) {
  using rmat = detail::rm_matrix<T>;
  if (vectors.size() != a.length())
    throw shape_error("tenet::contract_product: " + std::to_string(vectors.size()) + " vectors for " +
                      std::to_string(a.length()) + " sites");
  rmat e = rmat::Ones(1, 1);
  for (std::size_t k = 0; k < a.length(); ++k) {
    const auto& c = a.core(k);
    const auto& v = vectors[k];
    if (v.rank() != 1 || v.extent(0) != c.extent(1))
      throw shape_error("tenet::contract_product: vector " + std::to_string(k) + " of shape " +
                        detail::shape_string(v.extents()) + " for a core of shape " + detail::shape_string(c.extents()));
    rmat m = rmat::Zero(c.extent(0), c.extent(2));  // sum_s G[:, s, :] v[s]
    for (index s = 0; s < c.extent(1); ++s)
      m += v(s) * Eigen::Map<const rmat, 0, Eigen::OuterStride<>>(c.data() + s * c.extent(2), c.extent(0), c.extent(2),
                                                                   Eigen::OuterStride<>(c.extent(1) * c.extent(2)));
    e = e * m;
  }
  return e(0, 0);
}

}  // namespace tenet
