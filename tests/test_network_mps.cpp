// Matrix product states: TT-SVD reconstruction and its error bound, canonical forms, inner
// products and product states against explicit loops over the dense tensors.
#include <doctest/doctest.h>

#include <tenet/network/mps.hpp>

#include <cmath>
#include <vector>

namespace {

using idx = tenet::index;

double frob_diff(const tenet::dtensor<double>& a, const tenet::dtensor<double>& b) {
  REQUIRE(a.shape() == b.shape());
  double s = 0;
  for (idx i = 0; i < a.size(); ++i) s += (a.data()[i] - b.data()[i]) * (a.data()[i] - b.data()[i]);
  return std::sqrt(s);
}
double frob(const tenet::dtensor<double>& a) {
  double s = 0;
  for (double x : a) s += x * x;
  return std::sqrt(s);
}

// Dense X[i...] = sum over bonds of the product of cores, by explicit loops over every index
// and every bond assignment (independent of mps::to_dense).
tenet::dtensor<double> dense_by_loops(const std::vector<tenet::dtensor<double>>& cores) {
  std::vector<idx> d;
  for (const auto& c : cores) d.push_back(c.extent(1));
  tenet::dtensor<double> out{tenet::dyn_extents(d)};
  std::vector<idx> i(d.size(), 0);
  for (idx n = 0; n < out.size(); ++n) {
    std::vector<double> row{1.0};
    for (std::size_t k = 0; k < cores.size(); ++k) {
      const auto& c = cores[k];
      std::vector<double> next(static_cast<std::size_t>(c.extent(2)), 0.0);
      for (idx a = 0; a < c.extent(0); ++a)
        for (idx b = 0; b < c.extent(2); ++b) next[static_cast<std::size_t>(b)] += row[static_cast<std::size_t>(a)] * c(a, i[k], b);
      row = next;
    }
    out.data()[n] = row[0];
    for (std::size_t k = d.size(); k-- > 0;) {
      if (++i[k] < d[k]) break;
      i[k] = 0;
    }
  }
  return out;
}

std::vector<tenet::dtensor<double>> random_cores(const std::vector<idx>& d, const std::vector<idx>& r, std::uint64_t seed) {
  std::vector<tenet::dtensor<double>> c;
  for (std::size_t k = 0; k < d.size(); ++k) {
    c.emplace_back(r[k], d[k], r[k + 1]);
    c.back().fill_normal(seed + k);
  }
  return c;
}

}  // namespace

TEST_CASE("mps: TT-SVD without truncation reconstructs to 1e-12") {
  for (const auto& shape : std::vector<std::vector<idx>>{{5}, {3, 4}, {2, 3, 4, 5}, {4, 1, 3, 2, 3}, {2, 2, 2, 2, 2, 2, 2, 2}}) {
    tenet::dtensor<double> x{tenet::dyn_extents(shape)};
    x.fill_normal(11 + shape.size());
    const auto m = tenet::mps<double>::from_dense(x);
    CHECK(m.length() == shape.size());
    CHECK(m.physical_dims() == shape);
    CHECK(frob_diff(m.to_dense(), x) <= 1e-12 * frob(x));
    CHECK(frob_diff(dense_by_loops(m.cores()), x) <= 1e-12 * frob(x));
    CHECK(m.truncation_error() < 1e-12 * frob(x));
    // Bonds are the ranks of the unfoldings: at most min(prod left, prod right).
    const auto b = m.bond_dims();
    idx left = 1, right = x.size();
    for (std::size_t k = 0; k + 1 < shape.size(); ++k) {
      left *= shape[k], right /= shape[k];
      CHECK(b[k + 1] <= std::min(left, right));
    }
    // Left to right TT-SVD leaves every core but the last left-orthonormal.
    for (std::size_t k = 0; k + 1 < m.length(); ++k) CHECK(m.left_orthonormality_error(k) < 1e-12);
  }
}

TEST_CASE("mps: TT-SVD finds the bond dimensions of a low-rank tensor") {
  const auto cores = random_cores({3, 4, 5, 4, 3}, {1, 2, 3, 3, 2, 1}, 5);
  const auto x = dense_by_loops(cores);
  const auto m = tenet::mps<double>::from_dense(x, {.rel_tol = 1e-10});
  CHECK(m.bond_dims() == std::vector<idx>{1, 2, 3, 3, 2, 1});
  CHECK(frob_diff(m.to_dense(), x) <= 1e-12 * frob(x));
}

TEST_CASE("mps: truncation obeys the bound sqrt(sum of discarded squared singular values)") {
  // A bond-3 tensor plus noise: singular values decay, then level off.
  tenet::dtensor<double> x = dense_by_loops(random_cores({4, 5, 6, 5, 4}, {1, 3, 3, 3, 3, 1}, 3));
  tenet::dtensor<double> noise{4, 5, 6, 5, 4};
  noise.fill_normal(4, 0.0, 0.05);
  for (idx i = 0; i < x.size(); ++i) x.data()[i] += noise.data()[i];
  const double nx = frob(x);
  int truncated = 0;
  for (double tol : {0.01, 0.05, 0.2, 0.6}) {
    const auto m = tenet::mps<double>::from_dense(x, {.rel_tol = tol});
    const double err = frob_diff(m.to_dense(), x);
    CAPTURE(tol);
    CAPTURE(m.truncation_error());
    truncated += m.truncation_error() > 0;
    CHECK(err <= m.truncation_error() * (1 + 1e-10) + 1e-12 * nx);
    CHECK(err >= m.truncation_error() * (1 - 1e-8) - 1e-12 * nx);  // left-orthonormal sweeps: equality
    CHECK(err <= tol * nx * (1 + 1e-12));                           // the relative guarantee
  }
  CHECK(truncated >= 3);
  for (idx bond : {1, 2, 5, 12}) {
    const auto m = tenet::mps<double>::from_dense(x, {.max_bond = bond});
    CHECK(m.max_bond() <= bond);
    const double err = frob_diff(m.to_dense(), x);
    CHECK(err <= m.truncation_error() * (1 + 1e-10) + 1e-12);
    CHECK(err >= m.truncation_error() * (1 - 1e-8) - 1e-12);
  }
  // Bond 1 on a rank-1 matrix loses nothing; on a full matrix it discards all but sigma_1.
  tenet::dtensor<double> a{6, 7};
  a.fill_normal(9);
  const auto one = tenet::mps<double>::from_dense(a, {.max_bond = 1});
  double s2 = 0;
  for (double v : a) s2 += v * v;
  const double err = frob_diff(one.to_dense(), a);
  CHECK(err < std::sqrt(s2));
  CHECK(std::abs(err - one.truncation_error()) < 1e-10);
}

TEST_CASE("mps: float TT-SVD") {
  tenet::dtensor<float> x{3, 4, 5};
  x.fill_normal(2);
  const auto m = tenet::mps<float>::from_dense(x);
  const auto y = m.to_dense();
  double err = 0, scale = 0;
  for (idx i = 0; i < x.size(); ++i) {
    err = std::max(err, std::abs(static_cast<double>(y.data()[i]) - static_cast<double>(x.data()[i])));
    scale = std::max(scale, std::abs(static_cast<double>(x.data()[i])));
  }
  CHECK(err <= 1e-5 * scale);
}

TEST_CASE("mps: canonical forms keep the tensor and make the cores orthonormal") {
  const auto cores = random_cores({3, 2, 4, 3, 2}, {1, 3, 5, 4, 2, 1}, 21);
  const auto ref = dense_by_loops(cores);
  for (std::size_t center : {std::size_t(0), std::size_t(2), std::size_t(4)}) {
    tenet::mps<double> m(cores);
    m.canonicalize(center);
    CHECK(frob_diff(m.to_dense(), ref) <= 1e-12 * frob(ref));
    for (std::size_t k = 0; k < center; ++k) CHECK(m.left_orthonormality_error(k) < 1e-12);
    for (std::size_t k = center + 1; k < m.length(); ++k) CHECK(m.right_orthonormality_error(k) < 1e-12);
    // The norm sits in the center core.
    double c2 = 0;
    for (double v : m.core(center)) c2 += v * v;
    CHECK(std::abs(std::sqrt(c2) - frob(ref)) < 1e-12 * frob(ref));
    // Orthonormality is not automatic: the random cores are not orthonormal.
    CHECK(tenet::mps<double>(cores).left_orthonormality_error(1) > 1e-3);
  }
  tenet::mps<double> l(cores), r(cores);
  l.left_canonicalize();
  r.right_canonicalize();
  for (std::size_t k = 0; k + 1 < l.length(); ++k) CHECK(l.left_orthonormality_error(k) < 1e-12);
  for (std::size_t k = 1; k < r.length(); ++k) CHECK(r.right_orthonormality_error(k) < 1e-12);
  // Bonds larger than the ranks allow shrink: r_1 = 3 > d_0 = 3? no; r_2 = 5 > 3*2 = 6? no; r_3 = 4 > ... fine.
  CHECK(frob_diff(l.to_dense(), ref) <= 1e-12 * frob(ref));
  CHECK(frob_diff(r.to_dense(), ref) <= 1e-12 * frob(ref));
  CHECK_THROWS_AS(l.canonicalize(9), tenet::shape_error);
}

TEST_CASE("mps: inner products, norms, entries and product states against the dense tensors") {
  const auto ca = random_cores({3, 2, 4, 3}, {1, 2, 4, 3, 1}, 31);
  const auto cb = random_cores({3, 2, 4, 3}, {1, 3, 2, 2, 1}, 41);
  const tenet::mps<double> a(ca), b(cb);
  const auto da = dense_by_loops(ca), db = dense_by_loops(cb);
  double ref = 0;
  for (idx i = 0; i < da.size(); ++i) ref += da.data()[i] * db.data()[i];
  CHECK(std::abs(tenet::inner(a, b) - ref) < 1e-12 * std::max(1.0, std::abs(ref)));
  CHECK(std::abs(tenet::norm(a) - frob(da)) < 1e-12 * frob(da));
  // One entry.
  CHECK(std::abs(a(std::vector<idx>{2, 1, 3, 0}) - da(2, 1, 3, 0)) < 1e-13);
  // A product state: sum_i a[i] v0[i0] v1[i1] v2[i2] v3[i3].
  std::vector<tenet::dtensor<double>> v;
  for (idx d : {3, 2, 4, 3}) {
    v.emplace_back(d);
    v.back().fill_normal(static_cast<std::uint64_t>(d) * 7);
  }
  double pref = 0;
  for (idx i = 0; i < 3; ++i)
    for (idx j = 0; j < 2; ++j)
      for (idx k = 0; k < 4; ++k)
        for (idx l = 0; l < 3; ++l) pref += da(i, j, k, l) * v[0](i) * v[1](j) * v[2](k) * v[3](l);
  const std::vector<tenet::dtensor_view<const double>> vv(v.begin(), v.end());
  CHECK(std::abs(tenet::contract_product(a, std::span<const tenet::dtensor_view<const double>>(vv)) - pref) <
        1e-12 * std::max(1.0, std::abs(pref)));
  // Inner products survive canonicalization and TT-SVD.
  tenet::mps<double> ac = a;
  ac.canonicalize(2);
  CHECK(std::abs(tenet::inner(ac, b) - ref) < 1e-12 * std::max(1.0, std::abs(ref)));
  CHECK(std::abs(tenet::inner(tenet::mps<double>::from_dense(da), b) - ref) < 1e-11 * std::max(1.0, std::abs(ref)));
}

TEST_CASE("mps: errors") {
  std::vector<tenet::dtensor<double>> bad;
  bad.emplace_back(1, 2, 3);
  bad.emplace_back(4, 2, 1);
  try {
    tenet::mps<double> m(bad);
    FAIL("no shape_error");
  } catch (const tenet::shape_error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("(1, 2, 3)") != std::string::npos);
    CHECK(msg.find("(4, 2, 1)") != std::string::npos);
  }
  std::vector<tenet::dtensor<double>> open;
  open.emplace_back(2, 2, 1);
  CHECK_THROWS_AS(tenet::mps<double>{open}, tenet::shape_error);
  const auto a = tenet::mps<double>(random_cores({2, 3}, {1, 2, 1}, 1));
  const auto b = tenet::mps<double>(random_cores({3, 2}, {1, 2, 1}, 2));
  CHECK_THROWS_AS(tenet::inner(a, b), tenet::shape_error);
  CHECK_THROWS_AS(a.to_dense(3), tenet::shape_error);
  CHECK_THROWS_AS(a(std::vector<idx>{0, 3}), tenet::shape_error);
  CHECK_THROWS_AS(tenet::mps<double>::from_dense(tenet::dtensor<double>{}), tenet::shape_error);
}
