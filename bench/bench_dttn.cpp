// Inference of the whole image DTTN-T (MATH.md 1.1: blocks 6/6/16/6, channels 96/128/160/192,
// 1000 classes, 7.8M parameters), float, at 224 x 224, batch 1 and 8, exec::seq and exec::par,
// for both variants. Reports images/s (items_per_second) and GFLOP/s (2 flops per multiply-add
// of the convolutions and the head, counted from the configuration; about 6.2 GFLOP an image).
// Times are CPU time for seq and wall time for par (as bench_conv).
//
// The weights are seeded Kaiming-normal (dttn_network(cfg, 1)) with alpha = 0.01 in every
// block: with the default alpha = 1 the activations of this 38-block polynomial network (no
// nonlinearity, every block squares) overflow float by stage 1's sixth block (inf, then NaN),
// which would time arithmetic on non-finite values; 0.01 keeps the logits O(1). With TENET_DTTN_WEIGHTS=dir
// set, the DTTN weights go to dir/dttn_t.safetensors and a 1-image input and its logits to
// dir/dttn_t_io.safetensors, for bench/bench_dttn_torch.py to time PyTorch on the same weights
// (and check its logits against tenet's).
// Run: bench_dttn --benchmark_repetitions=3 --benchmark_report_aggregates_only=true; on a shared
// machine set OMP_WAIT_POLICY=passive for the par rows (see bench_conv.cpp).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <tenet/io/safetensors.hpp>
#include <tenet/models/dttn/image_network.hpp>
#include <tenet/models/dttn/image_weights.hpp>

namespace {

using tenet::aim_variant;
using tenet::dtensor;
using tenet::index;

// Multiply-adds of one 224 x 224 image, from the configuration (biases, norms, products and
// the residual not counted).
double flops_per_image(const tenet::dttn_config& c) {
  const auto& C = c.channels;
  double h = 56, macs = 112.0 * 112 * (C[0] / 2) * 3 * 4 + 56.0 * 56 * C[0] * (C[0] / 2) * 4;
  for (int s = 0; s < 4; ++s) {
    if (s > 0) {
      h /= 2;
      macs += h * h * C[s] * C[s - 1] * 4;
    }
    for (index b = 0; b < c.blocks[s]; ++b) {
      const double D = static_cast<double>(C[s]), Hc = static_cast<double>(tenet::dttn_config::hidden(C[s], b));
      macs += h * h * (9 * Hc + Hc * Hc + Hc * D + 9 * Hc + D * Hc);  // L1, L2, R1, R2, P
    }
  }
  return 2 * (macs + static_cast<double>(c.num_classes * C[3]));
}

tenet::dttn_network<float> make(aim_variant v) {
  tenet::dttn_network<float> net(tenet::dttn_preset("T", 1000, v), 1);
  for (auto& stage : net.stages)
    for (auto& blk : stage) blk.alpha.fill(0.01f);
  return net;
}

const tenet::dttn_network<float>& network(aim_variant v) {
  static const tenet::dttn_network<float> t = make(aim_variant::dttn);
  static const tenet::dttn_network<float> d = make(aim_variant::dttn_dagger);
  return v == aim_variant::dttn ? t : d;
}

template <class P>
void run(benchmark::State& state, P policy, aim_variant v) {
  const auto& net = network(v);
  const index N = state.range(0);
  dtensor<float> x(N, index(3), index(224), index(224));
  x.fill_random(static_cast<std::uint64_t>(N));
  for (auto _ : state) {
    dtensor<float> y = net.forward(policy, x);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * N);
  state.counters["GFLOP/s"] = benchmark::Counter(flops_per_image(net.config()) * static_cast<double>(N) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void dttn_seq(benchmark::State& s) { run(s, tenet::exec::seq, aim_variant::dttn); }
void dttn_par(benchmark::State& s) { run(s, tenet::exec::par, aim_variant::dttn); }
void dagger_seq(benchmark::State& s) { run(s, tenet::exec::seq, aim_variant::dttn_dagger); }
void dagger_par(benchmark::State& s) { run(s, tenet::exec::par, aim_variant::dttn_dagger); }

BENCHMARK(dttn_seq)->Name("DTTN-T/seq")->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond);
BENCHMARK(dttn_par)->Name("DTTN-T/par")->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(dagger_seq)->Name("DTTN-dagger-T/seq")->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond);
BENCHMARK(dagger_par)->Name("DTTN-dagger-T/par")->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();

void export_weights() {
  const char* dir = std::getenv("TENET_DTTN_WEIGHTS");
  if (!dir || !*dir) return;
  const std::filesystem::path d(dir);
  std::filesystem::create_directories(d);
  const auto& net = network(aim_variant::dttn);
  tenet::io::write_safetensors(d / "dttn_t.safetensors", tenet::save_weights(net));
  dtensor<float> x(index(1), index(3), index(224), index(224));
  x.fill_random(1);
  tenet::io::tensor_map io;
  io.set("input", x);
  io.set("output", net.forward(tenet::exec::par, x));
  tenet::io::write_safetensors(d / "dttn_t_io.safetensors", io);
  std::fprintf(stderr, "bench_dttn: wrote %s/dttn_t.safetensors and dttn_t_io.safetensors\n", dir);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  export_weights();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
