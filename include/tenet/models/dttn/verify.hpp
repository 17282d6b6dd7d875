#pragma once
// Numerical checks of the DTTN unfolding (MATH.md 1.2) on a random DTTN stack, in float64:
//   tree         the tree's contraction (the explicit tenet::ttn when its dense cores fit,
//                and the CP-form tree always) equals [1; network(x)], max relative error;
//   homogeneity  Proposition 1: leaves lambda x~ give lambda^(2^L) times the output;
//   theorem1     Theorem 1: each output coordinate is an MPS over phi(x_j) = [x_j^0..x_j^d],
//                d = 2^L, built by interpolation and TT-SVD (polynomial_tt.hpp), contracted
//                with phi at random points and compared with the network.
// Each check has a value, a tolerance and a verdict; verify_dttn returns all three.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tenet/core/compare.hpp"
#include "tenet/core/random.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/models/dttn/aim_stack.hpp"
#include "tenet/models/dttn/dttn_tree.hpp"
#include "tenet/models/dttn/polynomial_tt.hpp"
#include "tenet/network/mps.hpp"

namespace tenet {

struct dttn_check {
  std::string name;
  double value = 0;      // the measured relative error
  double tolerance = 0;  // pass when value <= tolerance
  bool pass = false;
  bool skipped = false;  // not run (too large); neither pass nor fail
  std::string note;
  const char* verdict() const noexcept { return skipped ? "SKIP" : pass ? "PASS" : "FAIL"; }
};

struct dttn_verify_options {
  index D = 3;
  index H = 6;
  std::size_t L = 2;
  std::uint64_t seed = 1;
  index batch = 16;        // random inputs, uniform in [-1, 1]
  double lambda = 1.25;    // Proposition 1's scale
  double bias_std = 0.5;   // the random stack: nonzero biases, non-identity norms, so that
  double norm_spread = 0.5;  // the folding of each into the cores is exercised
  double alpha = 0.75;
  double tree_tol = 1e-12;
  double homogeneity_tol = 1e-12;
  double theorem1_tol = 1e-8;
  index max_core_elements = dttn_dense_core_limit;  // the dense ttn only within this
  index theorem1_max_points = index(1) << 16;       // (d+1)^D grid points; skipped beyond
  int theorem1_degree = 0;                          // 0: d = 2^L (less shows the check failing)
  double mps_rel_tol = 1e-12;                       // TT-SVD truncation
};

struct dttn_verify_report {
  dttn_check tree, homogeneity, theorem1;
  bool dense_ttn = false;         // the tree check included the explicit tenet::ttn
  std::vector<index> mps_bonds;   // Theorem 1: the largest bond over the coordinates, per bond
  bool pass() const noexcept {
    return tree.pass && homogeneity.pass && (theorem1.pass || theorem1.skipped);
  }
};

namespace detail {
inline dttn_check make_check(std::string name, double value, double tol, std::string note) {
  return {std::move(name), value, tol, value <= tol, false, std::move(note)};  // NaN fails
}
}  // namespace detail

/// Theorem 1 for a given DTTN stack: the max relative error, over `points` (n, D) and all
/// output coordinates, between the network and the MPS contractions over phi(x_j); the largest
/// bonds go to `bonds`. Throws shape_error when the grid exceeds max_points.
template <class = void>  // instantiated only where it is used (it pulls in SVDs and networks)
inline double theorem1_error(const dense_aim_stack<double>& s, const dtensor<double>& points, int degree,
                             double mps_rel_tol, index max_points, std::vector<index>* bonds = nullptr) {
  const index D = s.features();
  const dtensor<double> grid = interpolation_grid(D, degree, max_points);
  const auto coef = polynomial_coefficients(s.forward(grid), D, degree);
  const dtensor<double> net = s.forward(points);
  dtensor<double> tn(net.extent(0), net.extent(1));
  if (bonds) bonds->clear();
  for (index k = 0; k < D; ++k) {
    const auto m = mps<double>::from_dense(coef[static_cast<std::size_t>(k)], {.rel_tol = mps_rel_tol});
    const auto b = m.bond_dims();
    if (bonds) {
      bonds->resize(b.size(), 0);
      for (std::size_t q = 0; q < b.size(); ++q) (*bonds)[q] = std::max((*bonds)[q], b[q]);
    }
    for (index p = 0; p < points.extent(0); ++p) {
      std::vector<dtensor<double>> phi;
      for (index j = 0; j < D; ++j) phi.push_back(monomial_features(points(p, j), degree));
      const std::vector<dtensor_view<const double>> pv(phi.begin(), phi.end());
      tn(p, k) = contract_product(m, std::span<const dtensor_view<const double>>(pv));
    }
  }
  return rel_error(tn, net);
}

/// Builds a random DTTN stack of L blocks D -> H -> D from o.seed, unfolds it and runs the three
/// checks (see the top of this header).
template <class = void>  // instantiated only where it is used (it pulls in SVDs and networks)
inline dttn_verify_report verify_dttn(const dttn_verify_options& o = {}) {
  if (o.D < 1 || o.H < 1 || o.L < 1 || o.L > 20 || o.batch < 1)
    throw shape_error("tenet::verify_dttn: D = " + std::to_string(o.D) + ", H = " + std::to_string(o.H) + ", L = " +
                      std::to_string(o.L) + ", batch = " + std::to_string(o.batch) + " (need D, H, L, batch >= 1, L <= 20)");
  splitmix64 g(o.seed);
  const auto s = make_dense_aim_stack<double>(
      o.D, o.H, o.L, aim_variant::dttn,
      {.seed = g.next(), .bias_std = o.bias_std, .norm_spread = o.norm_spread, .alpha = o.alpha});
  dtensor<double> x(o.batch, o.D);
  x.fill_random(g.next());
  const dtensor<double> target = augment_input(s.forward(x));
  const dtensor<double> xt = augment_input(x);
  const dttn_tree<double> cp = unfold_stack(s);
  dttn_verify_report r;
  const double Dp1 = static_cast<double>(o.D + 1);
  r.dense_ttn = Dp1 * Dp1 * Dp1 <= static_cast<double>(o.max_core_elements);
  const std::string leaves = std::to_string(cp.n_leaves()) + " leaves";

  // The tree against the network; Proposition 1 on the same tree.
  const double lam = o.lambda, lam_d = std::pow(lam, static_cast<double>(cp.n_leaves()));
  dtensor<double> xs = xt;
  for (double& v : xs) v *= lam;
  double tree_err = rel_error(cp.contract_same(xt.view()), target);
  dtensor<double> base, scaled;
  if (r.dense_ttn) {
    const ttn<double> t = cp.to_ttn(o.max_core_elements);
    base = t.contract_same(xt.view());
    scaled = t.contract_same(xs.view());
    tree_err = std::max(tree_err, rel_error(base, target));
  } else {
    base = cp.contract_same(xt.view());
    scaled = cp.contract_same(xs.view());
  }
  r.tree = detail::make_check("tree == network", tree_err, o.tree_tol,
                              (r.dense_ttn ? "tenet::ttn (dense cores) and CP tree, " : "CP tree (dense cores over the limit), ") +
                                  leaves);
  for (double& v : base) v *= lam_d;
  r.homogeneity = detail::make_check("Proposition 1 (degree " + std::to_string(cp.n_leaves()) + ")", rel_error(scaled, base),
                                     o.homogeneity_tol,
                                     "leaves scaled by " + std::to_string(lam) + ", output by " + std::to_string(lam_d));

  // Theorem 1.
  const int degree = o.theorem1_degree > 0 ? o.theorem1_degree : static_cast<int>(cp.n_leaves());
  const std::string t1 = "Theorem 1 (phi degree " + std::to_string(degree) + ")";
  double grid = 1;
  for (index j = 0; j < o.D; ++j) grid *= degree + 1.0;
  if (grid > static_cast<double>(o.theorem1_max_points)) {
    r.theorem1 = {t1, 0, o.theorem1_tol, false, true,
                  "skipped: the grid of (" + std::to_string(degree + 1) + ")^" + std::to_string(o.D) +
                      " points is over the limit of " + std::to_string(o.theorem1_max_points)};
  } else {
    const double e = theorem1_error(s, x, degree, o.mps_rel_tol, o.theorem1_max_points, &r.mps_bonds);
    std::string b;
    for (index v : r.mps_bonds) b += (b.empty() ? "" : ", ") + std::to_string(v);
    r.theorem1 = detail::make_check(t1, e, o.theorem1_tol, "MPS over " + std::to_string(o.D) + " sites, bonds (" + b + ")");
  }
  return r;
}

}  // namespace tenet
