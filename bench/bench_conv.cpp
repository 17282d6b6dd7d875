// The image operators of the DTTN block at DTTN-T's stage-1 sizes (224 x 224 input, after the
// stride-4 stem: 56 x 56, C = 96, Hc = 96 and 288), and the stem and first downsampling
// convolutions, batch 1 and 8, float, exec::seq and exec::par, against their peers:
//   tenet        tenet::conv3x3 / conv1x1 / conv2x2_stride2 (returns a new, zeroed tensor)
//   tenet_into   the same into a preallocated Y: the kernel alone, as the GEMM peer is timed
//   eigen_gemm   one Eigen GEMM of the same flops, (C_out x K) * (K x N Ho Wo) with
//                K = C_in/groups * kh * kw, row-major, into a preallocated C (for a 1x1 or 2x2
//                convolution this is the lowered product itself; for the depthwise 3x3,
//                K = 9); Eigen::setNbThreads(1) for seq, the OpenMP count for par
//   naive        (3x3 only) the defining 7-deep loop with the padding check inside, in float
// Cases (name: C_in -> C_out, groups, H x W):
//   3x3/dw96     96 -> 96, groups 96, 56 x 56    the block's L1 and R2 when Hc = C
//   3x3/L1_288   96 -> 288, groups 96, 56 x 56   L1 when Hc = 3C (each output reads one input)
//   3x3/dw288    288 -> 288, groups 288, 56 x 56 R2 when Hc = 3C
//   1x1/96_96, 1x1/96_288, 1x1/288_288, 1x1/288_96   R1, L2, P
//   2x2/stem1    3 -> 48 at 224 x 224;  2x2/stem2 48 -> 96 at 112 x 112;  2x2/down 96 -> 128 at 56 x 56
// GFLOP/s counts 2 flops per multiply-add (the bias adds are not counted). Every tenet result
// is checked against the naive loop (batch 1) before timing. Times (and so GFLOP/s) are CPU
// time for seq, which a loaded machine disturbs less, and wall time for par.
// Run: bench_conv --benchmark_repetitions=5 --benchmark_report_aggregates_only=true, and read
// the medians; filter with --benchmark_filter=3x3 etc. On a machine shared with other work set
// OMP_WAIT_POLICY=passive for the par rows: spinning OpenMP threads that lose their core make
// a parallel region cost a scheduler time slice (par rows 10-25x slower than seq, measured).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <tenet/ops/conv1x1.hpp>
#include <tenet/ops/conv2x2_stride2.hpp>
#include <tenet/ops/conv3x3.hpp>
#include <tenet/tenet.hpp>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using idx = std::ptrdiff_t;
using T = float;
using tenet::dtensor;

struct conv_case {
  const char* name;
  int k;  // kernel: 3 (padding 1, stride 1), 1, or 2 (stride 2)
  idx cin, cout, groups, h;
};

const conv_case cases[] = {
    {"3x3/dw96", 3, 96, 96, 96, 56},        {"3x3/L1_288", 3, 96, 288, 96, 56}, {"3x3/dw288", 3, 288, 288, 288, 56},
    {"1x1/96_96", 1, 96, 96, 1, 56},        {"1x1/96_288", 1, 96, 288, 1, 56},  {"1x1/288_288", 1, 288, 288, 1, 56},
    {"1x1/288_96", 1, 288, 96, 1, 56},      {"2x2/stem1", 2, 3, 48, 1, 224},    {"2x2/stem2", 2, 48, 96, 1, 112},
    {"2x2/down", 2, 96, 128, 1, 56},
};

idx out_extent(const conv_case& c) { return c.k == 2 ? c.h / 2 : c.h; }
double flops(const conv_case& c, idx n) {
  const double o = static_cast<double>(out_extent(c));
  return 2.0 * static_cast<double>(n) * static_cast<double>(c.cout) * o * o *
         static_cast<double>(c.cin / c.groups * c.k * c.k);
}

struct conv_data {
  dtensor<T> x, w, b, y;
  conv_data(const conv_case& c, idx n)
      : x(n, c.cin, c.h, c.h), w(c.cout, c.cin / c.groups, c.k, c.k), b(c.cout), y(n, c.cout, out_extent(c), out_extent(c)) {
    x.fill_random(1);
    w.fill_random(2, -0.3, 0.3);
    b.fill_random(3);
  }
};

template <class P>
void run_tenet(P p, const conv_case& c, conv_data& d) {
  if (c.k == 3) {
    auto y = tenet::conv3x3(p, d.x, d.w, d.b, c.groups);
    benchmark::DoNotOptimize(y.data());
  } else if (c.k == 1) {
    auto y = tenet::conv1x1(p, d.x, d.w, d.b);
    benchmark::DoNotOptimize(y.data());
  } else {
    auto y = tenet::conv2x2_stride2(p, d.x, d.w, d.b);
    benchmark::DoNotOptimize(y.data());
  }
}
template <class P>
void run_into(P p, const conv_case& c, conv_data& d) {
  if (c.k == 3)
    tenet::conv3x3_into(p, d.x, d.w, d.b, c.groups, d.y);
  else if (c.k == 1)
    tenet::conv1x1_into(p, d.x, d.w, d.b, d.y);
  else
    tenet::conv2x2_stride2_into(p, d.x, d.w, d.b, d.y);
  benchmark::DoNotOptimize(d.y.data());
}

// The definition, with the padding check in the innermost loops (any k, stride, groups).
void naive(const conv_case& c, const conv_data& d, dtensor<T>& y) {
  const idx N = d.x.extent(0), H = c.h, Ho = out_extent(c), cin_g = c.cin / c.groups, cout_g = c.cout / c.groups;
  const idx stride = c.k == 2 ? 2 : 1, pad = c.k == 3 ? 1 : 0;
  for (idx n = 0; n < N; ++n)
    for (idx o = 0; o < c.cout; ++o)
      for (idx h = 0; h < Ho; ++h)
        for (idx v = 0; v < Ho; ++v) {
          T s = d.b(o);
          for (idx i = 0; i < cin_g; ++i)
            for (idx kh = 0; kh < c.k; ++kh)
              for (idx kw = 0; kw < c.k; ++kw) {
                const idx hi = h * stride + kh - pad, wi = v * stride + kw - pad;
                if (hi >= 0 && hi < H && wi >= 0 && wi < H) s += d.w(o, i, kh, kw) * d.x(n, (o / cout_g) * cin_g + i, hi, wi);
              }
          y(n, o, h, v) = s;
        }
}

void check(const conv_case& c) {
  conv_data d(c, 1);
  dtensor<T> want(d.y.extents());
  naive(c, d, want);
  run_into(tenet::exec::par, c, d);
  double err = 0, scale = 0;
  for (idx i = 0; i < want.size(); ++i) {
    err = std::max(err, std::abs(double(d.y.data()[i]) - double(want.data()[i])));
    scale = std::max(scale, std::abs(double(want.data()[i])));
  }
  if (err > 1e-5 * scale) {
    std::fprintf(stderr, "bench_conv: %s differs from the naive loop (max error %g)\n", c.name, err);
    std::exit(1);
  }
}

void set_flops(benchmark::State& s, double f) {
  s.counters["GFLOP/s"] = benchmark::Counter(f * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

int all_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

void register_case(const conv_case& c, idx n, bool par) {
  const std::string base = std::string(c.name) + "/N=" + std::to_string(n) + (par ? "/par" : "/seq");
  auto reg = [&](const char* who, auto f) {
    auto* b = benchmark::RegisterBenchmark((base + "/" + who).c_str(), f)->Unit(benchmark::kMillisecond);
    if (par) b->UseRealTime();
  };
  reg("tenet", [c, n, par](benchmark::State& s) {
    conv_data d(c, n);
    for (auto _ : s) par ? run_tenet(tenet::exec::par, c, d) : run_tenet(tenet::exec::seq, c, d);
    set_flops(s, flops(c, n));
  });
  reg("tenet_into", [c, n, par](benchmark::State& s) {
    conv_data d(c, n);
    for (auto _ : s) par ? run_into(tenet::exec::par, c, d) : run_into(tenet::exec::seq, c, d);
    set_flops(s, flops(c, n));
  });
  reg("eigen_gemm", [c, n, par](benchmark::State& s) {
    using mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const idx K = c.cin / c.groups * c.k * c.k, cols = n * out_extent(c) * out_extent(c);
    mat a = mat::Random(c.cout, K), b = mat::Random(K, cols), r(c.cout, cols);
    Eigen::setNbThreads(par ? all_threads() : 1);
    for (auto _ : s) {
      r.noalias() = a * b;
      benchmark::DoNotOptimize(r.data());
    }
    Eigen::setNbThreads(1);
    set_flops(s, flops(c, n));
  });
  if (c.k == 3 && !par)
    reg("naive", [c, n](benchmark::State& s) {
      conv_data d(c, n);
      dtensor<T> y(d.y.extents());
      for (auto _ : s) {
        naive(c, d, y);
        benchmark::DoNotOptimize(y.data());
      }
      set_flops(s, flops(c, n));
    });
}

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);
  for (const conv_case& c : cases) check(c);
  for (const conv_case& c : cases)
    for (idx n : {idx{1}, idx{8}})
      for (bool par : {false, true}) register_case(c, n, par);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
