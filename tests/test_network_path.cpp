// Tensor networks and contraction paths: optimal against brute force on random networks,
// greedy and branch and bound against optimal, every path against the contraction by
// definition, paths as data, and the errors.
#include <doctest/doctest.h>

#include <tenet/core/compare.hpp>
#include <tenet/network/network.hpp>

#include "network_testing.hpp"

#include <cmath>
#include <sstream>
#include <string>

namespace {

using nettest::make_random;
using nettest::random_net;
using tenet::contraction_path;
using idx = tenet::index;

double rel_diff(double a, double b) { return std::abs(a - b) / std::max(1.0, std::abs(b)); }

// Every valid order of n tensors drawn at random: pick two live ids at each step.
contraction_path random_path(int n, std::uint64_t seed) {
  tenet::splitmix64 g(seed);
  contraction_path p{n, {}};
  std::vector<int> live;
  for (int t = 0; t < n; ++t) live.push_back(t);
  while (live.size() > 1) {
    const auto i = static_cast<std::size_t>(g.uniform() * static_cast<double>(live.size())) % live.size();
    const int a = live[i];
    live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    const auto j = static_cast<std::size_t>(g.uniform() * static_cast<double>(live.size())) % live.size();
    const int b = live[j];
    live.erase(live.begin() + static_cast<std::ptrdiff_t>(j));
    live.push_back(p.push(a, b));
  }
  return p;
}

template <class T>
tenet::network<T> make_network(const random_net& r, std::vector<tenet::dtensor<T>>& data, std::uint64_t seed) {
  tenet::network<T> net;
  data.clear();
  for (std::size_t t = 0; t < r.tensors.size(); ++t) {
    std::vector<idx> shape;
    for (int l : r.tensors[t]) shape.push_back(r.extent[static_cast<std::size_t>(l)]);
    data.emplace_back(tenet::dyn_extents(shape));
    data.back().fill_random(seed + t);
  }
  for (std::size_t t = 0; t < r.tensors.size(); ++t) {
    std::vector<tenet::leg_label> lab(r.tensors[t].begin(), r.tensors[t].end());
    net.add(data[t], lab);
  }
  std::vector<tenet::leg_label> out(r.output.begin(), r.output.end());
  net.set_output(out);
  return net;
}

template <class T>
double max_rel_error(const tenet::dtensor<T>& got, const std::vector<double>& ref) {
  double scale = 1e-300, err = 0;
  for (double x : ref) scale = std::max(scale, std::abs(x));
  for (std::size_t i = 0; i < ref.size(); ++i) err = std::max(err, std::abs(static_cast<double>(got.data()[i]) - ref[i]));
  return err / scale;
}

}  // namespace

TEST_CASE("network: path::optimal equals the brute-force minimum on random networks of 3-8 tensors") {
  int checked = 0, outer_helped = 0;
  for (int n = 3; n <= 8; ++n)
    for (std::uint64_t s = 0; s < (n <= 6 ? 12u : 5u); ++s) {
      const random_net r = make_random(1000 * static_cast<std::uint64_t>(n) + s, n, s % 3 != 0, 4);
      const tenet::tensor_graph g = nettest::to_graph(r);
      const double brute = nettest::brute_force_min_flops(r, false);
      const contraction_path p = tenet::path::optimal(g);
      CAPTURE(n);
      CAPTURE(s);
      CAPTURE(p);
      CHECK(rel_diff(tenet::contraction_cost(g, p).flops, brute) < 1e-12);
      // The connected search against brute force over orders that contract sharing pairs.
      const double brute_conn = nettest::brute_force_min_flops(r, true);
      const contraction_path pc = tenet::path::optimal(g, {.exhaustive_up_to = 0});
      CHECK(rel_diff(tenet::contraction_cost(g, pc).flops, brute_conn) < 1e-12);
      CHECK(brute <= brute_conn * (1 + 1e-12));
      outer_helped += brute < brute_conn * (1 - 1e-12);
      // Greedy and branch and bound are never below optimal; bounded branch and bound never above greedy.
      const double greedy = tenet::contraction_cost(g, tenet::path::greedy(g)).flops;
      const double bb = tenet::contraction_cost(g, tenet::path::branch_bound(g)).flops;
      CHECK(greedy >= brute * (1 - 1e-12));
      CHECK(bb >= brute * (1 - 1e-12));
      CHECK(bb <= greedy * (1 + 1e-12));
      CHECK(rel_diff(tenet::contraction_cost(g, tenet::path::automatic(g)).flops, brute) < 1e-12);
      ++checked;
    }
  CHECK(checked == 4 * 12 + 2 * 5);
  MESSAGE("outer products paid off on " << outer_helped << " of " << checked << " networks");
}

TEST_CASE("network: unbounded branch and bound equals the connected optimum on connected networks") {
  for (int n = 3; n <= 8; ++n)
    for (std::uint64_t s = 0; s < 6; ++s) {
      const random_net r = make_random(77 + 100 * static_cast<std::uint64_t>(n) + s, n, true, 4);
      const tenet::tensor_graph g = nettest::to_graph(r);
      tenet::search_stats st;
      const contraction_path p = tenet::path::branch_bound(g, {.max_nodes = 0, .max_branch = 0}, &st);
      CHECK(st.complete);
      CHECK(rel_diff(st.flops, tenet::contraction_cost(g, p).flops) < 1e-12);
      CHECK(rel_diff(st.flops, nettest::brute_force_min_flops(r, true)) < 1e-12);
    }
}

TEST_CASE("network: every path gives the contraction by definition") {
  for (int n = 1; n <= 7; ++n)
    for (std::uint64_t s = 0; s < 4; ++s) {
      const random_net r = make_random(5000 + 10 * static_cast<std::uint64_t>(n) + s, n, s % 2 == 0, 3, 5e4);
      std::vector<tenet::dtensor<double>> data;
      const auto net = make_network(r, data, 17 * s + static_cast<std::uint64_t>(n));
      const std::vector<double> ref = nettest::reference(r, data);
      std::vector<contraction_path> paths = {tenet::path::optimal(net), tenet::path::greedy(net),
                                             tenet::path::branch_bound(net), tenet::path::automatic(net),
                                             tenet::path::left_to_right(n), random_path(n, s + 99),
                                             tenet::path::optimal(net, {.exhaustive_up_to = 0})};
      for (const auto& p : paths) {
        CAPTURE(p);
        const tenet::dtensor<double> got = net.contract(p);
        REQUIRE(got.size() == static_cast<idx>(ref.size()));
        CHECK(max_rel_error(got, ref) < 1e-12);
      }
      const tenet::dtensor<double> par = net.contract(tenet::exec::par, paths[0]);
      CHECK(max_rel_error(par, ref) < 1e-12);
      CHECK(max_rel_error(net.contract(), ref) < 1e-12);
    }
}

TEST_CASE("network: float networks against the double reference") {
  const random_net r = make_random(4242, 6, true, 4, 1e5);
  std::vector<tenet::dtensor<float>> data;
  const auto net = make_network(r, data, 3);
  const std::vector<double> ref = nettest::reference(r, data);
  CHECK(max_rel_error(net.contract(tenet::path::optimal(net)), ref) < 1e-5);
}

TEST_CASE("network: the matrix chain has the textbook optimum") {
  // A 10x30, B 30x5, C 5x60: (AB)C costs 10*30*5 + 10*5*60 = 4500 multiply-adds, A(BC) 27000.
  tenet::tensor_graph g;
  g.add_tensor({"i", "j"}, {10, 30});
  g.add_tensor({"j", "k"}, {30, 5});
  g.add_tensor({"k", "l"}, {5, 60});
  const contraction_path p = tenet::path::optimal(g);
  CHECK(p == contraction_path{3, {{0, 1}, {3, 2}}});
  const tenet::path_cost c = tenet::contraction_cost(g, p);
  CHECK(c.flops == 9000);
  CHECK(c.largest_intermediate == 600);
  CHECK(c.peak_memory == 650);  // AB (50) alive while (AB)C (600) is formed
  CHECK(tenet::contraction_cost(g, contraction_path{3, {{1, 2}, {0, 3}}}).flops == 54000);
  CHECK(g.output() == std::vector<int>{0, 3});  // i and l: the labels that occur once
}

TEST_CASE("network: outer products can be optimal, and the exhaustive search finds them") {
  // A(i), B(j), C(i,j,k) with k large: A x B first costs 2ij + 2ijk; B.C first 2ijk + 2ik.
  tenet::tensor_graph g;
  g.add_tensor({"i"}, {2});
  g.add_tensor({"j"}, {3});
  g.add_tensor({"i", "j", "k"}, {2, 3, 50});
  const auto p = tenet::path::optimal(g);
  CHECK(p == contraction_path{3, {{0, 1}, {3, 2}}});
  CHECK(tenet::contraction_cost(g, p).flops == 2 * 6 + 2 * 300);
  const auto pc = tenet::path::optimal(g, {.exhaustive_up_to = 0});
  CHECK(tenet::contraction_cost(g, pc).flops == 2 * 300 + 2 * 100);
}

TEST_CASE("network: hyperedges, batch labels, diagonals and single tensors") {
  using tenet::dtensor;
  dtensor<double> x{4}, y{4}, z{4};
  x.fill_random(1), y.fill_random(2), z.fill_random(3);
  {  // a label on three tensors: sum_i x_i y_i z_i
    tenet::network<double> net;
    net.add(x, {"i"}), net.add(y, {"i"}), net.add(z, {"i"});
    CHECK(net.output_shape().empty());
    double ref = 0;
    for (idx i = 0; i < 4; ++i) ref += x(i) * y(i) * z(i);
    for (const auto& p : {tenet::path::optimal(net), tenet::path::greedy(net)}) CHECK(std::abs(net.contract(p).data()[0] - ref) < 1e-13);
    net.set_output({"i"});  // open hyperedge: x_i y_i z_i
    const auto h = net.contract(tenet::path::optimal(net));
    for (idx i = 0; i < 4; ++i) CHECK(std::abs(h(i) - x(i) * y(i) * z(i)) < 1e-13);
  }
  {  // batch: "bij,bjk,bkl->bil" with b marked as batch and output i, l
    dtensor<double> A{3, 2, 4}, B{3, 4, 5}, C{3, 5, 2};
    A.fill_random(4), B.fill_random(5), C.fill_random(6);
    tenet::network<double> net;
    net.add(A, {'b', 'i', 'j'}), net.add(B, {'b', 'j', 'k'}), net.add(C, {'b', 'k', 'l'});
    net.set_output({'i', 'l'});
    net.add_batch('b');
    const auto out = net.contract(tenet::path::optimal(net));
    REQUIRE(out.shape() == std::vector<idx>{3, 2, 2});
    double err = 0;
    for (idx b = 0; b < 3; ++b)
      for (idx i = 0; i < 2; ++i)
        for (idx l = 0; l < 2; ++l) {
          double ref = 0;
          for (idx j = 0; j < 4; ++j)
            for (idx k = 0; k < 5; ++k) ref += A(b, i, j) * B(b, j, k) * C(b, k, l);
          err = std::max(err, std::abs(out(b, i, l) - ref));
        }
    CHECK(err < 1e-13);
  }
  {  // a repeated label is a diagonal; one tensor alone is traced and permuted
    dtensor<double> M{3, 3, 2};
    M.fill_random(7);
    tenet::network<double> net;
    net.add(M, {"i", "i", "k"});
    const auto t = net.contract();  // output: k (i occurs twice)
    for (idx k = 0; k < 2; ++k) CHECK(std::abs(t(k) - (M(0, 0, k) + M(1, 1, k) + M(2, 2, k))) < 1e-14);
    tenet::network<double> one;
    one.add(M, {"a", "b", "c"});
    one.set_output({"c", "a", "b"});
    const auto perm = one.contract(tenet::path::optimal(one));
    CHECK(perm.shape() == std::vector<idx>{2, 3, 3});
    CHECK(perm(1, 2, 0) == M(2, 0, 1));
  }
  {  // owned (moved-in) tensors, integer labels, mixed static extents
    tenet::tensor<double, 2, 3> P;
    P.fill_random(8);
    tenet::tensor<double, 3, 2> Q;
    Q.fill_random(9);
    const tenet::tensor<double, 3, 2> Qc = Q;
    tenet::network<double> net;
    net.add(P, {0, 1});
    net.add(std::move(Q), {1, 2});
    const auto r = net.contract();
    for (idx i = 0; i < 2; ++i)
      for (idx k = 0; k < 2; ++k) {
        double ref = 0;
        for (idx j = 0; j < 3; ++j) ref += P(i, j) * Qc(j, k);
        CHECK(std::abs(r(i, k) - ref) < 1e-14);
      }
  }
}

TEST_CASE("network: paths are plain data that print, parse and convert") {
  const contraction_path p{4, {{0, 2}, {1, 3}, {4, 5}}};
  CHECK(p.to_string() == "4: (0, 2) (1, 3) (4, 5)");
  CHECK(contraction_path::parse(p.to_string()) == p);
  CHECK(contraction_path::parse(" 4 :(0,2)(1 ,3) ( 4,5 ) ") == p);
  std::ostringstream os;
  os << p;
  CHECK(os.str() == p.to_string());
  const auto lin = p.to_linear();  // opt_einsum's form
  CHECK(lin == std::vector<std::pair<int, int>>{{0, 2}, {0, 1}, {0, 1}});
  CHECK(contraction_path::from_linear(4, lin) == p);
  CHECK(tenet::path::left_to_right(4) == contraction_path{4, {{0, 1}, {4, 2}, {5, 3}}});
  CHECK(contraction_path::parse("1:") == contraction_path{1, {}});
  // Round trip of a found path, then reuse on the same network.
  const random_net r = make_random(31, 6, true);
  const auto g = nettest::to_graph(r);
  const auto found = tenet::path::optimal(g);
  const auto back = contraction_path::parse(found.to_string());
  CHECK(tenet::contraction_cost(g, back).flops == tenet::contraction_cost(g, found).flops);
  CHECK(tenet::describe(g, found).find("total flops") != std::string::npos);
}

TEST_CASE("network: memory limits on intermediates") {
  // Limit the intermediates to one element less than the unconstrained optimum needs.
  int bound = 0;
  for (std::uint64_t s = 0; s < 40; ++s) {
    const random_net r = make_random(7000 + s, 6, true, 5);
    const auto g = nettest::to_graph(r);
    const auto free_steps = tenet::path_steps(g, tenet::path::optimal(g));
    double m = 0;
    for (std::size_t k = 0; k + 1 < free_steps.size(); ++k) m = std::max(m, free_steps[k].size);
    const double limit = m - 1, free_flops = tenet::contraction_cost(g, tenet::path::optimal(g)).flops;
    auto respects = [&](const contraction_path& p) {
      const auto steps = tenet::path_steps(g, p);
      for (std::size_t k = 0; k + 1 < steps.size(); ++k)
        if (steps[k].size > limit) return false;
      return true;
    };
    contraction_path best;
    try {
      best = tenet::path::optimal(g, {.max_intermediate = limit});
    } catch (const tenet::path_error&) {  // no order at all: every finder must say so
      CHECK_THROWS_AS(tenet::path::greedy(g, {.max_intermediate = limit}), tenet::path_error);
      CHECK_THROWS_AS(tenet::path::branch_bound(g, {.max_intermediate = limit}), tenet::path_error);
      CHECK_THROWS_AS(tenet::path::automatic(g, {.max_intermediate = limit}), tenet::path_error);
      continue;
    }
    ++bound;
    CHECK(respects(best));
    const double best_flops = tenet::contraction_cost(g, best).flops;
    CHECK(best_flops >= free_flops);
    CHECK(respects(tenet::path::automatic(g, {.max_intermediate = limit})));
    for (auto finder : {+[](const tenet::tensor_graph& gg, double lim) { return tenet::path::greedy(gg, {.max_intermediate = lim}); },
                        +[](const tenet::tensor_graph& gg, double lim) { return tenet::path::branch_bound(gg, {.max_intermediate = lim}); },
                        +[](const tenet::tensor_graph& gg, double lim) {
                          return tenet::path::optimal(gg, {.exhaustive_up_to = 0, .max_intermediate = lim});
                        }}) {
      try {
        const auto p = finder(g, limit);
        CHECK(respects(p));
        CHECK(tenet::contraction_cost(g, p).flops >= best_flops * (1 - 1e-12));
      } catch (const tenet::path_error&) {  // a heuristic may miss the few orders that fit
      }
    }
  }
  CHECK(bound >= 3);  // the limit binds and some order meets it
  tenet::tensor_graph g;
  g.add_tensor({"i", "j"}, {10, 10});
  g.add_tensor({"j", "k"}, {10, 10});
  g.add_tensor({"k", "l"}, {10, 10});
  CHECK_THROWS_AS(tenet::path::optimal(g, {.max_intermediate = 50}), tenet::path_error);
  CHECK_THROWS_AS(tenet::path::greedy(g, {.max_intermediate = 50}), tenet::path_error);
  CHECK_NOTHROW(tenet::path::greedy(g, {.max_intermediate = 100}));
}

TEST_CASE("network: larger networks: automatic is never worse than greedy, and stays valid") {
  for (int n : {12, 20, 40, 70})
    for (std::uint64_t s = 0; s < 2; ++s) {
      const random_net r = make_random(900 + static_cast<std::uint64_t>(n) + s, n, true, 4, 1e300);
      const auto g = nettest::to_graph(r);
      const auto pa = tenet::path::automatic(g);
      const auto pg = tenet::path::greedy(g);
      CHECK_NOTHROW(pa.validate());
      CHECK(tenet::contraction_cost(g, pa).flops <= tenet::contraction_cost(g, pg).flops * (1 + 1e-12));
    }
}

TEST_CASE("network: errors name the problem") {
  using tenet::dtensor;
  dtensor<double> A{3, 4}, B{5, 6};
  tenet::network<double> net;
  net.add(A, {"i", "j"});
  // A label with two extents: shape_error with both shapes.
  try {
    net.add(B, {"j", "k"});
    FAIL("no shape_error");
  } catch (const tenet::shape_error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("(3, 4)") != std::string::npos);
    CHECK(msg.find("(5, 6)") != std::string::npos);
    CHECK(msg.find("'j'") != std::string::npos);
  }
  CHECK(net.n_tensors() == 1);  // the failed add left nothing behind
  CHECK(net.graph().find("k") == -1);
  CHECK(net.graph().n_labels() == 2);
  CHECK_THROWS_AS(net.add(B, {"k"}), tenet::shape_error);  // rank 2, one label
  tenet::dtensor<double> D{3, 4};
  CHECK_THROWS_AS(net.add(D, {"q", "q"}), tenet::shape_error);  // a repeated label with two extents
  CHECK_THROWS_AS(net.set_output({"nope"}), tenet::network_error);
  CHECK_THROWS_AS(net.set_output({"i", "i"}), tenet::network_error);
  CHECK_THROWS_AS(net.add_batch("zz"), tenet::network_error);

  dtensor<double> C{4, 2};
  net.add(C, {"j", "k"});
  net.add(C, {"j", "m"});
  // Invalid paths: path_error (a tenet::error), with the path in the message.
  const std::vector<contraction_path> bad = {
      contraction_path{3, {{0, 1}}},                  // too few steps
      contraction_path{3, {{0, 1}, {3, 3}}},          // an id twice in one step
      contraction_path{3, {{0, 1}, {0, 2}}},          // 0 already consumed
      contraction_path{3, {{0, 1}, {4, 2}}},          // 4 does not exist yet
      contraction_path{3, {{0, -1}, {3, 2}}},         // negative id
      contraction_path{2, {{0, 1}}},                  // for another number of tensors
      contraction_path{3, {{0, 1}, {3, 2}, {4, 0}}},  // too many steps
  };
  for (const auto& p : bad) {
    CAPTURE(p);
    CHECK_THROWS_AS(net.contract(p), tenet::path_error);
    CHECK_THROWS_AS(net.cost(p), tenet::path_error);
  }
  try {
    net.contract(contraction_path{3, {{0, 1}, {0, 2}}});
  } catch (const tenet::error& e) {
    CHECK(std::string(e.what()).find("already consumed") != std::string::npos);
  }
  CHECK_THROWS_AS(contraction_path::parse("3: (0, 1"), tenet::path_error);
  CHECK_THROWS_AS(contraction_path::parse("x"), tenet::path_error);
  CHECK_THROWS_AS(contraction_path::from_linear(3, {{0, 0}, {0, 1}}), tenet::path_error);
  CHECK_THROWS_AS(tenet::path::optimal(tenet::tensor_graph{}), tenet::path_error);
  CHECK_THROWS_AS(tenet::path::greedy(tenet::tensor_graph{}), tenet::path_error);
}
