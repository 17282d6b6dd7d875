// Tree tensor networks: contraction from the leaves against the nested einsum of the
// definition and against explicit loops, shared cores, batches, to_dense, and bad trees.
#include <doctest/doctest.h>

#include <tenet/expr/einsum.hpp>
#include <tenet/network/ttn.hpp>

#include <cmath>
#include <functional>
#include <vector>

namespace {

using idx = tenet::index;
using tenet::dtensor;
using tenet::ttn_leaf;
using tenet::ttn_node;
using view = tenet::dtensor_view<const double>;

dtensor<double> rnd(std::vector<idx> shape, std::uint64_t seed) {
  dtensor<double> t{tenet::dyn_extents(shape)};
  t.fill_normal(seed, 0.0, 0.5);
  return t;
}

double max_diff(const dtensor<double>& a, const dtensor<double>& b) {
  REQUIRE(a.shape() == b.shape());
  double m = 0;
  for (idx i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a.data()[i] - b.data()[i]));
  return m;
}

// v = sum_{j,k} C[o, j, k] l[j] r[k] by explicit loops.
std::vector<double> node3(const dtensor<double>& c, const std::vector<double>& l, const std::vector<double>& r) {
  std::vector<double> v(static_cast<std::size_t>(c.extent(0)), 0.0);
  for (idx o = 0; o < c.extent(0); ++o)
    for (idx j = 0; j < c.extent(1); ++j)
      for (idx k = 0; k < c.extent(2); ++k)
        v[static_cast<std::size_t>(o)] += c(o, j, k) * l[static_cast<std::size_t>(j)] * r[static_cast<std::size_t>(k)];
  return v;
}
std::vector<double> as_vec(const dtensor<double>& x) { return {x.begin(), x.end()}; }

}  // namespace

TEST_CASE("ttn: a depth-2 binary tree equals the nested einsum of its definition") {
  // root C0(i,a,b); C1(a,c,d) over leaves 0,1; C2(b,e,f) over leaves 2,3.
  const auto c0 = rnd({3, 4, 5}, 1), c1 = rnd({4, 2, 3}, 2), c2 = rnd({5, 3, 2}, 3);
  const auto x0 = rnd({2}, 4), x1 = rnd({3}, 5), x2 = rnd({3}, 6), x3 = rnd({2}, 7);
  tenet::ttn<double> t;
  const int k0 = t.add_core(c0), k1 = t.add_core(c1), k2 = t.add_core(c2);
  t.add_node(k0, {ttn_node(1), ttn_node(2)});  // children named before they exist
  t.add_node(k1, {ttn_leaf(0), ttn_leaf(1)});
  t.add_node(k2, {ttn_leaf(2), ttn_leaf(3)});
  CHECK(t.root() == 0);
  CHECK(t.n_leaves() == 4);
  CHECK(t.leaf_extent(2) == 3);
  const std::vector<view> leaves = {x0.view(), x1.view(), x2.view(), x3.view()};
  const auto got = t.contract(std::span<const view>(leaves));
  const auto ref = tenet::einsum("iab,a,b->i", c0, tenet::einsum("acd,c,d->a", c1, x0, x1), tenet::einsum("bef,e,f->b", c2, x2, x3));
  CHECK(max_diff(got, ref) < 1e-13);
  const auto loops = node3(c0, node3(c1, as_vec(x0), as_vec(x1)), node3(c2, as_vec(x2), as_vec(x3)));
  for (idx o = 0; o < 3; ++o) CHECK(std::abs(got(o) - loops[static_cast<std::size_t>(o)]) < 1e-13);
  // The dense map (out, leaf0, ..., leaf3) contracted with the leaves gives the same.
  const auto dense = t.to_dense();
  CHECK(dense.shape() == std::vector<idx>{3, 2, 3, 3, 2});
  for (idx o = 0; o < 3; ++o) {
    double s = 0;
    for (idx c = 0; c < 2; ++c)
      for (idx d = 0; d < 3; ++d)
        for (idx e = 0; e < 3; ++e)
          for (idx f = 0; f < 2; ++f) s += dense(o, c, d, e, f) * x0(c) * x1(d) * x2(e) * x3(f);
    CHECK(std::abs(s - loops[static_cast<std::size_t>(o)]) < 1e-13);
  }
}

TEST_CASE("ttn: general trees: a ternary node, a leaf under the root, a chain node") {
  // root R(o, p, q, l0): p = node A, q = node B, then leaf 0 directly.
  // A(p, l1, l2, l3) ternary; B(q, r) with one child: node C; C(r, l4, l5).
  const auto R = rnd({2, 3, 2, 4}, 11), A = rnd({3, 2, 2, 3}, 12), B = rnd({2, 3}, 13), C = rnd({3, 2, 3}, 14);
  std::vector<dtensor<double>> x;
  for (idx d : {4, 2, 2, 3, 2, 3}) x.push_back(rnd({d}, 20 + static_cast<std::uint64_t>(x.size())));
  tenet::ttn<double> t;
  t.add_node(t.add_core(C), {ttn_leaf(4), ttn_leaf(5)});                  // node 0
  t.add_node(t.add_core(A), {ttn_leaf(1), ttn_leaf(2), ttn_leaf(3)});     // node 1
  t.add_node(t.add_core(B), {ttn_node(0)});                               // node 2
  t.add_node(t.add_core(R), {ttn_node(1), ttn_node(2), ttn_leaf(0)});     // node 3: root
  CHECK(t.root() == 3);
  const std::vector<view> leaves(x.begin(), x.end());
  const auto got = t.contract(std::span<const view>(leaves));
  const auto ref = tenet::einsum("opql,p,q,l->o", R, tenet::einsum("pabc,a,b,c->p", A, x[1], x[2], x[3]),
                                 tenet::einsum("qr,r->q", B, tenet::einsum("rde,d,e->r", C, x[4], x[5])), x[0]);
  CHECK(max_diff(got, ref) < 1e-13);
}

TEST_CASE("ttn: perfect binary trees with shared level cores, batches, and homogeneity") {
  const int L = 3;
  const idx D = 3;
  std::vector<dtensor<double>> levels;
  for (int l = 0; l < L; ++l) levels.push_back(rnd({D, D, D}, 40 + static_cast<std::uint64_t>(l)));
  const auto t = tenet::ttn<double>::perfect_binary(levels);
  CHECK(t.n_leaves() == 8);
  CHECK(t.n_nodes() == 7);
  CHECK(t.n_cores() == 3);
  std::vector<dtensor<double>> x;
  for (int j = 0; j < 8; ++j) x.push_back(rnd({D}, 60 + static_cast<std::uint64_t>(j)));
  // Reference: recursive explicit loops over the definition.
  std::function<std::vector<double>(int, int)> value = [&](int level, int q) -> std::vector<double> {
    if (level == L) return as_vec(x[static_cast<std::size_t>(q)]);
    return node3(levels[static_cast<std::size_t>(level)], value(level + 1, 2 * q), value(level + 1, 2 * q + 1));
  };
  const auto ref = value(0, 0);
  const std::vector<view> leaves(x.begin(), x.end());
  const auto got = t.contract(std::span<const view>(leaves));
  for (idx o = 0; o < D; ++o) CHECK(std::abs(got(o) - ref[static_cast<std::size_t>(o)]) < 1e-13);
  CHECK(max_diff(t.contract(tenet::exec::par, std::span<const view>(leaves)), got) < 1e-13);

  // Batch: leaves (B, D); row b equals the single contraction of the b-th leaves.
  const idx B = 4;
  std::vector<dtensor<double>> xb;
  for (int j = 0; j < 8; ++j) xb.push_back(rnd({B, D}, 80 + static_cast<std::uint64_t>(j)));
  const std::vector<view> bleaves(xb.begin(), xb.end());
  const auto gb = t.contract(std::span<const view>(bleaves));
  REQUIRE(gb.shape() == std::vector<idx>{B, D});
  for (idx b = 0; b < B; ++b) {
    std::vector<dtensor<double>> row;
    for (int j = 0; j < 8; ++j) {
      row.emplace_back(D);
      for (idx d = 0; d < D; ++d) row.back()(d) = xb[static_cast<std::size_t>(j)](b, d);
    }
    const std::vector<view> rv(row.begin(), row.end());
    const auto single = t.contract(std::span<const view>(rv));
    for (idx d = 0; d < D; ++d) CHECK(std::abs(gb(b, d) - single(d)) < 1e-13);
  }

  // The same x at every leaf: degree 2^L homogeneous (Proposition 1 of the DTTN paper).
  const auto xs = rnd({D}, 99);
  dtensor<double> xs2{D};
  const double lambda = 1.7;
  for (idx d = 0; d < D; ++d) xs2(d) = lambda * xs(d);
  const auto y1 = t.contract_same(xs.view()), y2 = t.contract_same(xs2.view());
  for (idx d = 0; d < D; ++d) CHECK(std::abs(y2(d) - std::pow(lambda, 8) * y1(d)) < 1e-10 * std::max(1.0, std::abs(y2(d))));
  // to_dense of the whole tree agrees (3 x 3^8 elements).
  const auto dense = t.to_dense();
  CHECK(dense.rank() == 9);
  double s0 = 0;
  std::vector<idx> i(8, 0);
  for (idx n = 0; n < dense.size() / D; ++n) {
    double w = dense.data()[0 * (dense.size() / D) + n];
    for (int j = 0; j < 8; ++j) w *= x[static_cast<std::size_t>(j)](i[static_cast<std::size_t>(j)]);
    s0 += w;
    for (int j = 8; j-- > 0;) {
      if (++i[static_cast<std::size_t>(j)] < D) break;
      i[static_cast<std::size_t>(j)] = 0;
    }
  }
  CHECK(std::abs(s0 - ref[0]) < 1e-12);
  CHECK_THROWS_AS(t.to_dense(100), tenet::shape_error);
}

TEST_CASE("ttn: bad trees give clear errors") {
  const auto c = rnd({2, 2, 2}, 1);
  {  // a cycle: nodes 1 and 2 are each other's child; node 0 is the root
    tenet::ttn<double> t;
    const int k = t.add_core(c);
    t.add_node(k, {ttn_leaf(0), ttn_leaf(1)});
    t.add_node(k, {ttn_node(2), ttn_leaf(2)});
    t.add_node(k, {ttn_node(1), ttn_leaf(3)});
    try {
      t.validate();
      FAIL("no error");
    } catch (const tenet::network_error& e) {
      CHECK(std::string(e.what()).find("cycle") != std::string::npos);
    }
  }
  {  // every node has a parent: a cycle without a root
    tenet::ttn<double> t;
    const int k = t.add_core(c);
    t.add_node(k, {ttn_node(1), ttn_leaf(0)});
    t.add_node(k, {ttn_node(0), ttn_leaf(1)});
    CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("cycle"), tenet::network_error);
  }
  {  // a node that is its own child
    tenet::ttn<double> t;
    t.add_node(t.add_core(c), {ttn_node(0), ttn_leaf(0)});
    CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("cycle"), tenet::network_error);
  }
  {  // two parents, two roots, a missing leaf, a leaf used twice, unknown ids
    tenet::ttn<double> t;
    const int k = t.add_core(c);
    t.add_node(k, {ttn_leaf(0), ttn_leaf(1)});
    t.add_node(k, {ttn_node(0), ttn_leaf(2)});
    t.add_node(k, {ttn_node(0), ttn_leaf(3)});
    CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("child of both"), tenet::network_error);
  }
  {
    tenet::ttn<double> t;
    const int k = t.add_core(c);
    t.add_node(k, {ttn_leaf(0), ttn_leaf(1)});
    t.add_node(k, {ttn_leaf(2), ttn_leaf(3)});
    CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("root"), tenet::network_error);
  }
  {
    tenet::ttn<double> t;
    t.add_node(t.add_core(c), {ttn_leaf(0), ttn_leaf(2)});
    CHECK_THROWS_WITH_AS(t.validate(), doctest::Contains("leaf 1 is missing"), tenet::network_error);
  }
  {
    tenet::ttn<double> t;
    t.add_node(t.add_core(c), {ttn_leaf(0), ttn_leaf(0)});
    CHECK_THROWS_AS(t.validate(), tenet::network_error);
  }
  {
    tenet::ttn<double> t;
    t.add_node(t.add_core(c), {ttn_node(5), ttn_leaf(0)});
    CHECK_THROWS_AS(t.validate(), tenet::network_error);
    tenet::ttn<double> u;
    u.add_node(3, {ttn_leaf(0), ttn_leaf(1)});
    CHECK_THROWS_AS(u.validate(), tenet::network_error);
  }
  {  // extents: a child's output does not fit its slot; a core of the wrong rank; bad leaves
    tenet::ttn<double> t;
    const int k = t.add_core(c), big = t.add_core(rnd({3, 2, 2}, 2));
    t.add_node(k, {ttn_node(1), ttn_leaf(0)});
    t.add_node(big, {ttn_leaf(1), ttn_leaf(2)});
    try {
      t.validate();
      FAIL("no error");
    } catch (const tenet::shape_error& e) {
      CHECK(std::string(e.what()).find("(3, 2, 2)") != std::string::npos);
      CHECK(std::string(e.what()).find("(2, 2, 2)") != std::string::npos);
    }
    tenet::ttn<double> r;
    r.add_node(r.add_core(c), {ttn_leaf(0)});
    CHECK_THROWS_AS(r.validate(), tenet::shape_error);
    tenet::ttn<double> ok;
    ok.add_node(ok.add_core(c), {ttn_leaf(0), ttn_leaf(1)});
    const auto x = rnd({2}, 3), y = rnd({3}, 4);
    const std::vector<view> wrong_ext = {x.view(), y.view()}, too_few = {x.view()};
    CHECK_THROWS_AS(ok.contract(std::span<const view>(wrong_ext)), tenet::shape_error);
    CHECK_THROWS_AS(ok.contract(std::span<const view>(too_few)), tenet::shape_error);
  }
}
