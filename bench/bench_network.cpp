// Contraction paths: how long the path finders take (random regular graphs, MPS and TTN
// shapes, 8 to 64 tensors) and what their paths cost against the left-to-right order on
// standard networks (matrix chains, MPS inner products, 2^L-leaf binary TTNs), with the
// time of the contractions themselves.
//
//   bench_network                       everything
//   bench_network --benchmark_filter=find/   path finding only
//
// Counters: flops of the found path ("flops"), and on the standard networks the flops of
// each order and the ratio left-to-right / optimal.
#include <benchmark/benchmark.h>

#include <tenet/network.hpp>

#include <algorithm>
#include <bit>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace {

using tenet::contraction_path;
using tenet::index;
using tenet::leg_label;
using tenet::tensor_graph;

// A random d-regular graph on n tensors (configuration model, redrawn until simple); every
// edge a label of extent `ext`.
tensor_graph random_regular(int n, int d, std::uint64_t seed, index ext) {
  tenet::splitmix64 g(seed);
  for (;;) {
    std::vector<int> stubs;
    for (int v = 0; v < n; ++v)
      for (int k = 0; k < d; ++k) stubs.push_back(v);
    for (std::size_t i = stubs.size(); i > 1; --i)
      std::swap(stubs[i - 1], stubs[static_cast<std::size_t>(g.uniform() * static_cast<double>(i)) % i]);
    std::vector<std::vector<leg_label>> labs(static_cast<std::size_t>(n));
    std::vector<std::pair<int, int>> edges;
    bool ok = true;
    for (std::size_t i = 0; ok && i < stubs.size(); i += 2) {
      const auto e = std::minmax(stubs[i], stubs[i + 1]);
      ok = e.first != e.second && std::find(edges.begin(), edges.end(), std::pair<int, int>(e)) == edges.end();
      edges.emplace_back(e);
      labs[static_cast<std::size_t>(stubs[i])].emplace_back(static_cast<int>(i / 2));
      labs[static_cast<std::size_t>(stubs[i + 1])].emplace_back(static_cast<int>(i / 2));
    }
    if (!ok) continue;
    tensor_graph G;
    for (const auto& l : labs) G.add_tensor(l, std::vector<index>(l.size(), ext));
    return G;
  }
}

// <a|b> for two MPS of L sites: tensors a_0..a_{L-1}, then b_0..b_{L-1} (2L tensors), as
// one would write the einsum. Physical extent d, bond D.
tensor_graph mps_inner(int L, index d, index D) {
  tensor_graph G;
  for (int side = 0; side < 2; ++side)
    for (int k = 0; k < L; ++k) {
      const std::string p = side ? "b" : "a";
      std::vector<leg_label> lab;
      std::vector<index> ext;
      if (k > 0) lab.emplace_back(p + std::to_string(k)), ext.push_back(D);
      lab.emplace_back("s" + std::to_string(k)), ext.push_back(d);
      if (k + 1 < L) lab.emplace_back(p + std::to_string(k + 1)), ext.push_back(D);
      G.add_tensor(lab, ext);
    }
  return G;
}

// A perfect binary TTN of depth L with bond D: 2^L - 1 order-3 cores (heap order), then 2^L
// leaf vectors, contracted to the root's output vector.
tensor_graph binary_ttn(int L, index D) {
  tensor_graph G;
  const int nodes = (1 << L) - 1;
  for (int i = 0; i < nodes; ++i) G.add_tensor({i, 2 * i + 1, 2 * i + 2}, {D, D, D});
  for (int j = 0; j < (1 << L); ++j) G.add_tensor({nodes + j}, {D});
  G.set_output({0});
  return G;
}

// A chain of n matrices with extents drawn in [lo, hi].
tensor_graph matrix_chain(int n, std::uint64_t seed, index lo, index hi) {
  tenet::splitmix64 g(seed);
  auto draw = [&] { return lo + static_cast<index>(g.uniform() * static_cast<double>(hi - lo + 1)); };
  tensor_graph G;
  index prev = draw();
  for (int k = 0; k < n; ++k) {
    const index next = draw();
    G.add_tensor({k, k + 1}, {prev, next});
    prev = next;
  }
  return G;
}

using finder = std::function<contraction_path(const tensor_graph&)>;
const std::vector<std::pair<std::string, finder>>& finders() {
  static const std::vector<std::pair<std::string, finder>> f = {
      {"optimal", [](const tensor_graph& g) { return tenet::path::optimal(g, {.max_pairs = std::size_t(1) << 24}); }},
      {"greedy", [](const tensor_graph& g) { return tenet::path::greedy(g); }},
      {"branch_bound", [](const tensor_graph& g) { return tenet::path::branch_bound(g); }},
      {"automatic", [](const tensor_graph& g) { return tenet::path::automatic(g); }},
  };
  return f;
}

void find_path(benchmark::State& st, tensor_graph g, finder f) {
  contraction_path p;
  try {
    p = f(g);
  } catch (const tenet::path_error& e) {
    st.SkipWithError(e.what());
    return;
  }
  for (auto _ : st) benchmark::DoNotOptimize(p = f(g));
  st.counters["tensors"] = g.n_tensors();
  st.counters["flops"] = tenet::contraction_cost(g, p).flops;
}

// Flops of each order on one network; the contraction itself is timed with the chosen order.
void compare_orders(benchmark::State& st, tensor_graph g, int which) {
  const contraction_path ltr = tenet::path::left_to_right(g.n_tensors());
  const contraction_path opt = tenet::path::automatic(g);
  const contraction_path grd = tenet::path::greedy(g);
  const double f_ltr = tenet::contraction_cost(g, ltr).flops, f_opt = tenet::contraction_cost(g, opt).flops,
               f_grd = tenet::contraction_cost(g, grd).flops;
  const contraction_path& p = which == 0 ? ltr : which == 1 ? grd : opt;
  tenet::network<double> net;
  std::vector<tenet::dtensor<double>> data;
  for (int t = 0; t < g.n_tensors(); ++t) {
    data.emplace_back(tenet::dyn_extents(g.shape(t)));
    data.back().fill_random(static_cast<std::uint64_t>(t));
  }
  for (int t = 0; t < g.n_tensors(); ++t) {
    std::vector<leg_label> lab;
    for (int l : g.labels(t)) lab.push_back(g.name(l));
    net.add(data[static_cast<std::size_t>(t)], lab);
  }
  std::vector<leg_label> out;
  for (int l : g.output()) out.push_back(g.name(l));
  net.set_output(out);
  const double peak = tenet::contraction_cost(g, p).largest_intermediate;
  if (peak > 3e8) {
    st.SkipWithError(("intermediate of " + std::to_string(peak) + " elements; not run").c_str());
    return;
  }
  for (auto _ : st) benchmark::DoNotOptimize(net.contract(p, tenet::exec::seq));
  st.counters["flops_left_to_right"] = f_ltr;
  st.counters["flops_greedy"] = f_grd;
  st.counters["flops_optimal"] = f_opt;
  st.counters["ltr_over_optimal"] = f_ltr / f_opt;
  st.counters["greedy_over_optimal"] = f_grd / f_opt;
  st.counters["GFLOP/s"] =
      benchmark::Counter(tenet::contraction_cost(g, p).flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

int register_all() {
  for (int n : {8, 16, 32, 64}) {
    const std::vector<std::pair<std::string, tensor_graph>> shapes = {
        {"regular3", random_regular(n, 3, static_cast<std::uint64_t>(n), 2)},
        {"mps_inner", mps_inner(n / 2, 2, 8)},
        {"ttn", binary_ttn(std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned>(n))) - 2), 4)},
    };
    for (const auto& [shape, g] : shapes)
      for (const auto& [name, f] : finders()) {
        if (name == "optimal" && shape == "regular3" && n > 16) continue;  // exponential
        benchmark::RegisterBenchmark(("find/" + name + "/" + shape + "/" + std::to_string(g.n_tensors())).c_str(), find_path,
                                     g, f)
            ->Unit(benchmark::kMillisecond);
      }
  }
  const std::vector<std::pair<std::string, tensor_graph>> standard = {
      {"matrix_chain8", matrix_chain(8, 7, 8, 256)},
      {"mps_inner_L10_d2_D32", mps_inner(10, 2, 32)},
      {"ttn_L3_D16", binary_ttn(3, 16)},
      {"ttn_L4_D8", binary_ttn(4, 8)},
  };
  const char* orders[] = {"left_to_right", "greedy", "optimal"};
  for (const auto& [name, g] : standard)
    for (int which = 0; which < 3; ++which)
      benchmark::RegisterBenchmark(("contract/" + name + "/" + orders[which]).c_str(), compare_orders, g, which)
          ->Unit(benchmark::kMillisecond);
  return 0;
}
[[maybe_unused]] const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
