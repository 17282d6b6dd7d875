// Multilinear operators against their peers, 1 thread, all in one run.
//
// mode_product: Y = X x_n U on X of 256^3 and U of 256 x 256, n = 0, 1, 2 (8.59 GFLOP each),
// float and double:
//   tenet         tenet::mode_product<n>(exec::seq, X, U) (returns a new, zeroed tensor)
//   tenet_into    tenet::mode_product_into(exec::seq, X, U, n, Y) into a preallocated Y: the
//                 kernel alone, as the GEMM peer is timed
//   eigen_tensor  Eigen::Tensor<T, 3, RowMajor>::contract over (n, 1), then the shuffle that
//                 moves the new mode back to position n (none for n = 2), DefaultDevice
//   eigen_gemm    one Eigen GEMM of the same flops: (256 x 256) * (256 x 65536), row-major,
//                 into a preallocated C, Eigen::setNbThreads(1) (= the n = 0 product)
//   eigen_gemm_t  the same flops as (65536 x 256) * (256 x 256)^T (= the n = 2 product)
// The bar (issue 3): tenet >= 0.8x eigen_gemm for every n, and >= 2x eigen_tensor for n = 1.
//
// khatri_rao and kron (float; memory bound, so GB/s of output written):
//   tenet         tenet::khatri_rao(A, B[, C]) / tenet::kron(A, B) (new tensors)
//   tenet_into    the same kernels into a preallocated output (detail::khatri_rao_into, kron_into)
//   loops         the defining loops, written plainly, into a preallocated output
// Cases: khatri_rao of 512 x 64 and 512 x 64 (output 262144 x 64); of three 64 x 32
// (262144 x 32); kron of two 64 x 64 (4096 x 4096).
//
// Every implementation's result is checked against tenet's before timing. Times are CPU
// time (everything is single-threaded), which a loaded machine disturbs less than wall time.
// Run: OMP_NUM_THREADS=1 bench_ops --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// --benchmark_enable_random_interleaving=true, and read the medians.
#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include <tenet/ops.hpp>
#include <tenet/tenet.hpp>

namespace {

using tenet::dyn;
using idx = std::ptrdiff_t;
constexpr idx N = 256;

template <class T>
struct mode_case {
  tenet::tensor<T, N, N, N> x;
  tenet::tensor<T, N, N> u;
  mode_case() {
    x.fill_random(1);
    u.fill_random(2);
  }
};
template <class T>
mode_case<T>& data() {
  static mode_case<T> d;
  return d;
}

template <class T>
void check(const char* what, const T* got, const T* want, idx n) {
  double err = 0, scale = 0;
  for (idx i = 0; i < n; ++i) {
    err = std::max(err, std::abs(double(got[i]) - double(want[i])));
    scale = std::max(scale, std::abs(double(want[i])));
  }
  if (err > (sizeof(T) == 4 ? 1e-4 : 1e-10) * scale) {
    std::fprintf(stderr, "bench_ops: %s differs from tenet (max error %g)\n", what, err);
    std::exit(1);
  }
}

void set_flops(benchmark::State& s, double flops) {
  s.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
void set_bytes(benchmark::State& s, double bytes) {
  s.counters["GB/s"] = benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
constexpr double mode_flops = 2.0 * N * N * N * N;

template <class T, int Mode>
void BM_mode_product_tenet(benchmark::State& s) {
  auto& d = data<T>();
  for (auto _ : s) {
    auto y = tenet::mode_product<Mode>(tenet::exec::seq, d.x, d.u);
    benchmark::DoNotOptimize(y.data());
  }
  set_flops(s, mode_flops);
}

template <class T, int Mode>
void BM_mode_product_tenet_into(benchmark::State& s) {
  auto& d = data<T>();
  tenet::tensor<T, N, N, N> y;
  for (auto _ : s) {
    tenet::mode_product_into(tenet::exec::seq, d.x, d.u, Mode, y);
    benchmark::DoNotOptimize(y.data());
  }
  const auto ref = tenet::mode_product<Mode>(d.x, d.u);
  check("tenet_into", y.data(), ref.data(), y.size());
  set_flops(s, mode_flops);
}

template <class T, int Mode>
void BM_mode_product_eigen_tensor(benchmark::State& s) {
  auto& d = data<T>();
  using in3 = Eigen::TensorMap<const Eigen::Tensor<const T, 3, Eigen::RowMajor>>;
  using in2 = Eigen::TensorMap<const Eigen::Tensor<const T, 2, Eigen::RowMajor>>;
  in3 x(d.x.data(), N, N, N);
  in2 u(d.u.data(), N, N);
  Eigen::Tensor<T, 3, Eigen::RowMajor> y(N, N, N);
  const Eigen::array<Eigen::IndexPair<int>, 1> pairs = {Eigen::IndexPair<int>(Mode, 1)};
  // contract gives (X's other modes, j); move j back to position Mode.
  const Eigen::array<int, 3> shuffle = Mode == 0 ? Eigen::array<int, 3>{2, 0, 1} : Eigen::array<int, 3>{0, 2, 1};
  for (auto _ : s) {
    if constexpr (Mode == 2)
      y = x.contract(u, pairs);
    else
      y = x.contract(u, pairs).shuffle(shuffle);
    benchmark::DoNotOptimize(y.data());
  }
  const auto ref = tenet::mode_product<Mode>(d.x, d.u);
  check("eigen_tensor", y.data(), ref.data(), ref.size());
  set_flops(s, mode_flops);
}

template <class T>
void BM_mode_product_eigen_gemm(benchmark::State& s) {
  auto& d = data<T>();
  using mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const mat> u(d.u.data(), N, N), x(d.x.data(), N, N * N);
  mat c(N, N * N);
  for (auto _ : s) {
    c.noalias() = u * x;
    benchmark::DoNotOptimize(c.data());
  }
  const auto ref = tenet::mode_product<0>(d.x, d.u);  // the same product
  check("eigen_gemm", c.data(), ref.data(), ref.size());
  set_flops(s, mode_flops);
}

// The same flops in the other orientation: C (65536 x 256) = X (65536 x 256) * U^T.
template <class T>
void BM_mode_product_eigen_gemm_t(benchmark::State& s) {
  auto& d = data<T>();
  using mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const mat> u(d.u.data(), N, N), x(d.x.data(), N * N, N);
  mat c(N * N, N);
  for (auto _ : s) {
    c.noalias() = x * u.transpose();
    benchmark::DoNotOptimize(c.data());
  }
  const auto ref = tenet::mode_product<2>(d.x, d.u);  // the same product
  check("eigen_gemm_t", c.data(), ref.data(), ref.size());
  set_flops(s, mode_flops);
}

// ---- Khatri-Rao and Kronecker: GB/s of output ----

void BM_khatri_rao2_tenet(benchmark::State& s) {
  tenet::tensor<float, dyn, dyn> a(512, 64), b(512, 64);
  a.fill_random(1), b.fill_random(2);
  for (auto _ : s) {
    auto k = tenet::khatri_rao(a, b);
    benchmark::DoNotOptimize(k.data());
  }
  set_bytes(s, 512.0 * 512 * 64 * sizeof(float));
}
void BM_khatri_rao2_tenet_into(benchmark::State& s) {
  tenet::tensor<float, dyn, dyn> a(512, 64), b(512, 64), k(512 * 512, 64);
  a.fill_random(1), b.fill_random(2);
  const std::array<tenet::dtensor_view<const float>, 2> m = {a.view(), b.view()};
  for (auto _ : s) {
    tenet::detail::khatri_rao_into<float>(1, m, nullptr, tenet::dtensor_view<float>(k.view()));
    benchmark::DoNotOptimize(k.data());
  }
  set_bytes(s, 512.0 * 512 * 64 * sizeof(float));
}
void BM_khatri_rao2_loops(benchmark::State& s) {
  const idx I = 512, J = 512, R = 64;
  tenet::tensor<float, dyn, dyn> a(I, R), b(J, R), k(I * J, R);
  a.fill_random(1), b.fill_random(2);
  const float *pa = a.data(), *pb = b.data();
  float* pk = k.data();
  for (auto _ : s) {
    for (idx i = 0; i < I; ++i)
      for (idx j = 0; j < J; ++j)
        for (idx r = 0; r < R; ++r) pk[(i * J + j) * R + r] = pa[i * R + r] * pb[j * R + r];
    benchmark::DoNotOptimize(pk);
  }
  const auto ref = tenet::khatri_rao(a, b);
  check("khatri_rao loops", k.data(), ref.data(), ref.size());
  set_bytes(s, double(I) * J * R * sizeof(float));
}

void BM_khatri_rao3_tenet(benchmark::State& s) {
  tenet::tensor<float, dyn, dyn> a(64, 32), b(64, 32), c(64, 32);
  a.fill_random(1), b.fill_random(2), c.fill_random(3);
  for (auto _ : s) {
    auto k = tenet::khatri_rao(a, b, c);
    benchmark::DoNotOptimize(k.data());
  }
  set_bytes(s, 64.0 * 64 * 64 * 32 * sizeof(float));
}
void BM_khatri_rao3_tenet_into(benchmark::State& s) {
  tenet::tensor<float, dyn, dyn> a(64, 32), b(64, 32), c(64, 32), k(64 * 64 * 64, 32);
  a.fill_random(1), b.fill_random(2), c.fill_random(3);
  const std::array<tenet::dtensor_view<const float>, 3> m = {a.view(), b.view(), c.view()};
  for (auto _ : s) {
    tenet::detail::khatri_rao_into<float>(1, m, nullptr, tenet::dtensor_view<float>(k.view()));
    benchmark::DoNotOptimize(k.data());
  }
  set_bytes(s, 64.0 * 64 * 64 * 32 * sizeof(float));
}
void BM_khatri_rao3_loops(benchmark::State& s) {
  const idx I = 64, R = 32;
  tenet::tensor<float, dyn, dyn> a(I, R), b(I, R), c(I, R), k(I * I * I, R);
  a.fill_random(1), b.fill_random(2), c.fill_random(3);
  const float *pa = a.data(), *pb = b.data(), *pc = c.data();
  float* pk = k.data();
  for (auto _ : s) {
    for (idx i = 0; i < I; ++i)
      for (idx j = 0; j < I; ++j)
        for (idx l = 0; l < I; ++l)
          for (idx r = 0; r < R; ++r) pk[((i * I + j) * I + l) * R + r] = pa[i * R + r] * pb[j * R + r] * pc[l * R + r];
    benchmark::DoNotOptimize(pk);
  }
  const auto ref = tenet::khatri_rao(a, b, c);
  check("khatri_rao3 loops", k.data(), ref.data(), ref.size());
  set_bytes(s, double(I) * I * I * R * sizeof(float));
}

void BM_kron_tenet(benchmark::State& s) {
  tenet::tensor<float, dyn, dyn> a(64, 64), b(64, 64);
  a.fill_random(1), b.fill_random(2);
  for (auto _ : s) {
    auto k = tenet::kron(a, b);
    benchmark::DoNotOptimize(k.data());
  }
  set_bytes(s, 4096.0 * 4096 * sizeof(float));
}
void BM_kron_tenet_into(benchmark::State& s) {
  tenet::tensor<float, dyn, dyn> a(64, 64), b(64, 64), k(4096, 4096);
  a.fill_random(1), b.fill_random(2);
  for (auto _ : s) {
    tenet::detail::kron_into<float>(1, a.view(), b.view(), tenet::dtensor_view<float>(k.view()));
    benchmark::DoNotOptimize(k.data());
  }
  set_bytes(s, 4096.0 * 4096 * sizeof(float));
}
void BM_kron_loops(benchmark::State& s) {
  const idx M = 64;
  tenet::tensor<float, dyn, dyn> a(M, M), b(M, M), k(M * M, M * M);
  a.fill_random(1), b.fill_random(2);
  const float *pa = a.data(), *pb = b.data();
  float* pk = k.data();
  for (auto _ : s) {
    for (idx i0 = 0; i0 < M; ++i0)
      for (idx j0 = 0; j0 < M; ++j0)
        for (idx i1 = 0; i1 < M; ++i1)
          for (idx j1 = 0; j1 < M; ++j1) pk[(i0 * M + j0) * M * M + i1 * M + j1] = pa[i0 * M + i1] * pb[j0 * M + j1];
    benchmark::DoNotOptimize(pk);
  }
  const auto ref = tenet::kron(a, b);
  check("kron loops", k.data(), ref.data(), ref.size());
  set_bytes(s, double(M) * M * M * M * sizeof(float));
}

// What a new 64 MB result costs by itself (allocation, zero fill, first-touch page faults):
// the difference between the tenet and tenet_into rows of the memory-bound operators.
void BM_new_tensor_64MB(benchmark::State& s) {
  for (auto _ : s) {
    tenet::tensor<float, dyn, dyn> t(4096, 4096);
    benchmark::DoNotOptimize(t.data());
  }
  set_bytes(s, 4096.0 * 4096 * sizeof(float));
}

#define TENET_MODE_BENCH(T, M)                                                                           \
  BENCHMARK(BM_mode_product_tenet<T, M>)->Name("mode_product/" #T "/n=" #M "/tenet")->Unit(benchmark::kMillisecond); \
  BENCHMARK(BM_mode_product_tenet_into<T, M>)->Name("mode_product/" #T "/n=" #M "/tenet_into")->Unit(benchmark::kMillisecond); \
  BENCHMARK(BM_mode_product_eigen_tensor<T, M>)->Name("mode_product/" #T "/n=" #M "/eigen_tensor")->Unit(benchmark::kMillisecond);

TENET_MODE_BENCH(float, 0)
TENET_MODE_BENCH(float, 1)
TENET_MODE_BENCH(float, 2)
BENCHMARK(BM_mode_product_eigen_gemm<float>)->Name("mode_product/float/eigen_gemm")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_mode_product_eigen_gemm_t<float>)->Name("mode_product/float/eigen_gemm_t")->Unit(benchmark::kMillisecond);
TENET_MODE_BENCH(double, 0)
TENET_MODE_BENCH(double, 1)
TENET_MODE_BENCH(double, 2)
BENCHMARK(BM_mode_product_eigen_gemm<double>)->Name("mode_product/double/eigen_gemm")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_mode_product_eigen_gemm_t<double>)->Name("mode_product/double/eigen_gemm_t")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_khatri_rao2_tenet)->Name("khatri_rao/512x64,512x64/tenet")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_khatri_rao2_tenet_into)->Name("khatri_rao/512x64,512x64/tenet_into")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_khatri_rao2_loops)->Name("khatri_rao/512x64,512x64/loops")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_khatri_rao3_tenet)->Name("khatri_rao/3x64x32/tenet")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_khatri_rao3_tenet_into)->Name("khatri_rao/3x64x32/tenet_into")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_khatri_rao3_loops)->Name("khatri_rao/3x64x32/loops")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_kron_tenet)->Name("kron/64x64,64x64/tenet")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_kron_tenet_into)->Name("kron/64x64,64x64/tenet_into")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_kron_loops)->Name("kron/64x64,64x64/loops")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_new_tensor_64MB)->Name("new_tensor/64MB")->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
