#pragma once
// Theorem 1 of DTTN (MATH.md 1.2), made explicit: with the local map
//   phi(x_j) = [x_j^0, x_j^1, ..., x_j^d]   (d = 2^L for a stack of L blocks),
// each output coordinate of the network is sum_p Coef[p_0..p_{D-1}] prod_j phi(x_j)[p_j], a
// contraction of a tensor network over the phi(x_j); as an MPS (TT-SVD of Coef) its bonds
// are finite.
//
// The coefficients are extracted by interpolation, not by expanding the cores symbolically:
// the output has degree <= d in each x_j separately (each of the 2^L leaves contributes
// degree <= 1), so its values on the tensor grid of d+1 nodes per variable determine it, and
//   Coef = F x_0 V^{-1} x_1 V^{-1} ... x_{D-1} V^{-1},   V[g, p] = t_g^p,
// where F holds the values on the grid: one mode product per variable with the inverse
// Vandermonde matrix. The nodes are Chebyshev points (cos(pi (2g+1) / (2d+2))), for which V
// is far better conditioned than on equispaced points. The grid has (d+1)^D points, so this
// is for small D (d = 4, D = 3: 125 evaluations).
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/LU>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/ops/multi_mode_product.hpp"

namespace tenet {

/// phi(x) = [1, x, x^2, ..., x^degree].
template <class = void>  // instantiated only where it is used (it pulls in SVDs and networks)
inline dtensor<double> monomial_features(double x, int degree) {
  dtensor<double> phi(index(degree + 1));
  double p = 1;
  for (int q = 0; q <= degree; ++q, p *= x) phi(q) = p;
  return phi;
}

/// The n Chebyshev points cos(pi (2g+1) / (2n)), g = 0..n-1, in (-1, 1).
template <class = void>  // instantiated only where it is used (it pulls in SVDs and networks)
inline std::vector<double> chebyshev_nodes(index n) {
  std::vector<double> t(static_cast<std::size_t>(n));
  for (index g = 0; g < n; ++g) t[static_cast<std::size_t>(g)] = 
        std::cos(std::numbers::pi * (2.0 * static_cast<double>(g) + 1) / (2.0 * static_cast<double>(n)));
  return t;
}

/// The tensor grid of (degree+1)^D points over D variables as a (points, D) batch, the first
/// variable slowest (row-major, like the coefficient tensor's modes).
template <class = void>  // instantiated only where it is used (it pulls in SVDs and networks)
inline dtensor<double> interpolation_grid(index D, int degree, index max_points = index(1) << 20) {
  const index n = degree + 1;
  double total = 1;
  for (index j = 0; j < D; ++j) total *= static_cast<double>(n);
  if (D < 1 || degree < 0 || total > static_cast<double>(max_points))
    throw shape_error("tenet::interpolation_grid: D = " + std::to_string(D) + ", degree " + std::to_string(degree) +
                      ": a grid of shape (" + std::to_string(static_cast<long long>(total)) + ", " + std::to_string(D) +
                      ") is over the limit of " + std::to_string(max_points) + " points");
  const auto t = chebyshev_nodes(n);
  const auto N = static_cast<index>(total);
  dtensor<double> pts(N, D);
  for (index p = 0; p < N; ++p)
    for (index j = D, rem = p; j-- > 0; rem /= n) pts(p, j) = t[static_cast<std::size_t>(rem % n)];
  return pts;
}

/// Coefficients of every output coordinate k from its values on interpolation_grid(D, degree):
/// values (points, K) -> K tensors of shape (degree+1, ..., degree+1) (D modes), entry
/// [p_0..p_{D-1}] the coefficient of x_0^{p_0} ... x_{D-1}^{p_{D-1}}. Exact (to rounding) when
/// each coordinate has degree <= `degree` in every variable.
template <class = void>  // instantiated only where it is used (it pulls in SVDs and networks)
inline std::vector<dtensor<double>> polynomial_coefficients(const dtensor<double>& values, index D, int degree) {
  if (D < 1 || degree < 0)
    throw shape_error("tenet::polynomial_coefficients: D = " + std::to_string(D) + ", degree " + std::to_string(degree) +
                      " (need D >= 1, degree >= 0)");
  const index n = degree + 1;
  index N = 1;
  for (index j = 0; j < D; ++j) N *= n;
  if (values.rank() != 2 || values.extent(0) != N)
    throw shape_error("tenet::polynomial_coefficients: values of shape " + detail::shape_string(values.extents()) +
                      " for a grid of (" + std::to_string(N) + ", " + std::to_string(D) + ") points");
  const auto t = chebyshev_nodes(n);
  Eigen::MatrixXd V(n, n);
  for (index g = 0; g < n; ++g)
    for (index p = 0; p < n; ++p) V(g, p) = std::pow(t[static_cast<std::size_t>(g)], static_cast<double>(p));
  const Eigen::MatrixXd Vi = V.fullPivLu().inverse();
  dtensor<double> vinv(n, n);  // U[p, g] for the mode product: Coef[.., p, ..] = sum_g V^{-1}[p, g] F[.., g, ..]
  for (index p = 0; p < n; ++p)
    for (index g = 0; g < n; ++g) vinv(p, g) = Vi(p, g);
  const std::vector<dtensor<double>> factors(static_cast<std::size_t>(D), vinv);
  const std::vector<index> shape(static_cast<std::size_t>(D), n);
  std::vector<dtensor<double>> out;
  for (index k = 0; k < values.extent(1); ++k) {
    dtensor<double> F{dyn_extents(shape)};
    for (index p = 0; p < N; ++p) F.data()[p] = values(p, k);
    out.push_back(multi_mode_product(F, factors));
  }
  return out;
}

}  // namespace tenet
