// Multi-operand einsum contracts along the order of least flops: planned at compile time for
// static extents (constexpr), at run time otherwise. The order is checked against the
// network layer's exhaustive optimum, and the results against explicit loops.
#include <doctest/doctest.h>

#include <tenet/expr/einsum.hpp>
#include <tenet/expr/einsum_path.hpp>
#include <tenet/network/path_cost.hpp>
#include <tenet/network/path_optimal.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

using idx = tenet::index;

// The network of an einsum, for the network layer's cost model and optimal search.
tenet::tensor_graph graph_of(const std::string& in, const std::string& out, const std::vector<std::vector<idx>>& shapes) {
  tenet::tensor_graph g;
  std::size_t op = 0, pos = 0;
  for (std::size_t q = 0; q <= in.size(); ++q)
    if (q == in.size() || in[q] == ',') {
      std::vector<tenet::leg_label> lab;
      for (char c : in.substr(pos, q - pos)) lab.emplace_back(c);
      g.add_tensor(lab, shapes[op++]);
      pos = q + 1;
    }
  std::vector<tenet::leg_label> o;
  for (char c : out) o.emplace_back(c);
  g.set_output(o);
  return g;
}

tenet::contraction_path as_path(const tenet::einsum_order& o) {
  tenet::contraction_path p{o.n_operands, {}};
  for (int k = 0; k < o.n_steps; ++k) p.push(o.steps[static_cast<std::size_t>(k)][0], o.steps[static_cast<std::size_t>(k)][1]);
  return p;
}

// A 5-matrix chain whose left-to-right order is poor: 40x2, 2x40, 40x3, 3x50, 50x2.
using A_t = tenet::tensor<double, 40, 2>;
using B_t = tenet::tensor<double, 2, 40>;
using C_t = tenet::tensor<double, 40, 3>;
using D_t = tenet::tensor<double, 3, 50>;
using E_t = tenet::tensor<double, 50, 2>;
constexpr tenet::einsum_order chain_order = tenet::static_einsum_order<"ij,jk,kl,lm,mn->in", A_t, B_t, C_t, D_t, E_t>;
// Planned at compile time: these are static_asserts, not run-time checks.
static_assert(chain_order.optimal);
static_assert(chain_order.n_steps == 4);
// Left to right costs 2*(40*2*40 + 40*40*3 + 40*3*50 + 40*50*2) = 36000 flops; the best,
// A ((B C) (D E)), costs 2*(240 + 300 + 12 + 160) = 1424.
static_assert(chain_order.flops == 1424);

}  // namespace

TEST_CASE("einsum: a static 5-operand einsum takes the optimal order, found at compile time") {
  const auto g = graph_of("ij,jk,kl,lm,mn", "in", {{40, 2}, {2, 40}, {40, 3}, {3, 50}, {50, 2}});
  const double best = tenet::contraction_cost(g, tenet::path::optimal(g)).flops;  // exhaustive over all orders
  CHECK(chain_order.flops == best);
  CHECK(tenet::contraction_cost(g, as_path(chain_order)).flops == best);
  CHECK(tenet::contraction_cost(g, tenet::path::left_to_right(5)).flops == 36000);
  CHECK(best == 1424);
  // And the contraction itself is right.
  A_t a;
  B_t b;
  C_t c;
  D_t d;
  E_t e;
  a.fill_random(1), b.fill_random(2), c.fill_random(3), d.fill_random(4), e.fill_random(5);
  const auto r = tenet::einsum<"ij,jk,kl,lm,mn->in">(a, b, c, d, e);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(r)>, tenet::tensor<double, 40, 2>>);
  // Reference: explicit loops, matrix by matrix.
  std::vector<double> cur(40 * 2);
  for (idx i = 0; i < 40; ++i)
    for (idx j = 0; j < 2; ++j) cur[static_cast<std::size_t>(i * 2 + j)] = a(i, j);
  auto mul = [&](std::vector<double> x, idx cols, auto&& m, idx mcols) {
    std::vector<double> y(static_cast<std::size_t>(40 * mcols), 0.0);
    for (idx i = 0; i < 40; ++i)
      for (idx k = 0; k < cols; ++k)
        for (idx q = 0; q < mcols; ++q) y[static_cast<std::size_t>(i * mcols + q)] += x[static_cast<std::size_t>(i * cols + k)] * m(k, q);
    return y;
  };
  cur = mul(cur, 2, b, 40);
  cur = mul(cur, 40, c, 3);
  cur = mul(cur, 3, d, 50);
  cur = mul(cur, 50, e, 2);
  double err = 0, scale = 0;
  for (idx i = 0; i < 40; ++i)
    for (idx n = 0; n < 2; ++n) {
      err = std::max(err, std::abs(r(i, n) - cur[static_cast<std::size_t>(i * 2 + n)]));
      scale = std::max(scale, std::abs(cur[static_cast<std::size_t>(i * 2 + n)]));
    }
  CHECK(err <= 1e-12 * scale);
}

TEST_CASE("einsum: run-time multi-operand orders equal the network optimum and give the same tensor") {
  struct tcase {
    std::string in, out;
    std::vector<std::vector<idx>> shapes;
  };
  const std::vector<tcase> cases = {
      {"ij,jk,kl", "il", {{3, 30}, {30, 4}, {4, 50}}},
      {"i,j,ijk", "k", {{2}, {3}, {2, 3, 40}}},                       // an outer product pays off
      {"ab,bc,cd,da", "", {{4, 5}, {5, 6}, {6, 3}, {3, 4}}},          // a ring, traced
      {"bij,bjk,bkl", "bil", {{2, 3, 4}, {2, 4, 5}, {2, 5, 3}}},      // batch
      {"ia,ib,ic,abc", "i", {{5, 3}, {5, 4}, {5, 2}, {3, 4, 2}}},     // a hyperedge i
  };
  for (const auto& tc : cases) {
    CAPTURE(tc.in);
    const auto g = graph_of(tc.in, tc.out, tc.shapes);
    const tenet::einsum_spec spec = tenet::parse_einsum_or_throw(tc.in + "->" + tc.out);
    std::vector<tenet::dtensor<double>> data;
    for (const auto& s : tc.shapes) {
      data.emplace_back(tenet::dyn_extents(s));
      data.back().fill_random(data.size());
    }
    const std::vector<tenet::dtensor_view<const double>> views(data.begin(), data.end());
    const auto order = tenet::plan_einsum_order(spec, std::span<const tenet::dtensor_view<const double>>(views));
    CHECK(order.optimal);
    CHECK(order.flops == tenet::contraction_cost(g, tenet::path::optimal(g)).flops);
    CHECK(tenet::contraction_cost(g, as_path(order)).flops == order.flops);
  }
  // Values: a ring trace against explicit loops.
  tenet::dtensor<double> A{4, 5}, B{5, 6}, C{6, 3}, D{3, 4};
  A.fill_random(1), B.fill_random(2), C.fill_random(3), D.fill_random(4);
  double ref = 0;
  for (idx a = 0; a < 4; ++a)
    for (idx b = 0; b < 5; ++b)
      for (idx c = 0; c < 6; ++c)
        for (idx d = 0; d < 3; ++d) ref += A(a, b) * B(b, c) * C(c, d) * D(d, a);
  CHECK(std::abs(tenet::einsum("ab,bc,cd,da->", A, B, C, D).data()[0] - ref) < 1e-12 * std::abs(ref));
  // Values: an outer product first.
  tenet::dtensor<double> x{2}, y{3}, Z{2, 3, 40};
  x.fill_random(5), y.fill_random(6), Z.fill_random(7);
  const auto w = tenet::einsum("i,j,ijk->k", x, y, Z);
  for (idx k = 0; k < 40; ++k) {
    double s = 0;
    for (idx i = 0; i < 2; ++i)
      for (idx j = 0; j < 3; ++j) s += x(i) * y(j) * Z(i, j, k);
    CHECK(std::abs(w(k) - s) < 1e-13);
  }
}

TEST_CASE("einsum: more operands than the exhaustive search takes go left to right") {
  std::string in;
  std::vector<std::vector<idx>> shapes;
  for (int k = 0; k < 12; ++k) {
    if (k) in += ',';
    in += static_cast<char>('a' + k);
    in += static_cast<char>('a' + k + 1);
    shapes.push_back({2, 3});
    shapes.back() = {k % 2 ? 3 : 2, k % 2 ? 2 : 3};
  }
  const tenet::einsum_spec spec = tenet::parse_einsum_or_throw(in + "->am");
  std::vector<tenet::dtensor<double>> data;
  for (const auto& s : shapes) data.emplace_back(tenet::dyn_extents(s)), data.back().fill_random(data.size());
  const std::vector<tenet::dtensor_view<const double>> views(data.begin(), data.end());
  const auto order = tenet::plan_einsum_order(spec, std::span<const tenet::dtensor_view<const double>>(views));
  CHECK(!order.optimal);
  CHECK(order.n_steps == 11);
  CHECK(as_path(order) == tenet::path::left_to_right(12));
}
