// Tiny contractions with static extents: the unrolled engine (einsum<"..."> on owning
// tensors, exec/unrolled.hpp) against the same einsum through the run-time planner
// (dtensor operands), Eigen's fixed-size matrix product (the GEMM of equal m, n, k) and
// Eigen Tensor's contract on TensorFixedSize, in one run. Reports GFLOP/s (2 m n k per
// call); a call is nanoseconds, so this measures what planning and dispatch cost.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include <tenet/tenet.hpp>

namespace {

using tenet::index;

template <index M, index K, index N>
void set_flops(benchmark::State& state) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * M * N * K * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

template <index M, index K, index N>
void tenet_unrolled(benchmark::State& state) {
  tenet::tensor<float, M, K> a;
  tenet::tensor<float, K, N> b;
  a.fill_random(1), b.fill_random(2);
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.data());
    auto c = tenet::einsum<"ij,jk->ik">(a, b);
    benchmark::DoNotOptimize(c.data());
  }
  set_flops<M, K, N>(state);
}

template <index M, index K, index N>
void tenet_planned(benchmark::State& state) {
  tenet::dtensor<float> a(M, K), b(K, N), c(M, N);
  a.fill_random(1), b.fill_random(2);
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.data());
    c = tenet::einsum("ij,jk->ik", a, b);
    benchmark::DoNotOptimize(c.data());
  }
  set_flops<M, K, N>(state);
}

template <index M, index K, index N>
void eigen_gemm(benchmark::State& state) {
  Eigen::Matrix<float, M, K, Eigen::RowMajor> a = Eigen::Matrix<float, M, K, Eigen::RowMajor>::Random();
  Eigen::Matrix<float, K, N, Eigen::RowMajor> b = Eigen::Matrix<float, K, N, Eigen::RowMajor>::Random();
  Eigen::Matrix<float, M, N, Eigen::RowMajor> c;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.data());
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  set_flops<M, K, N>(state);
}

template <index M, index K, index N>
void eigen_tensor(benchmark::State& state) {
  Eigen::TensorFixedSize<float, Eigen::Sizes<M, K>, Eigen::RowMajor> a;
  Eigen::TensorFixedSize<float, Eigen::Sizes<K, N>, Eigen::RowMajor> b;
  Eigen::TensorFixedSize<float, Eigen::Sizes<M, N>, Eigen::RowMajor> c;
  a.setRandom(), b.setRandom();
  const Eigen::array<Eigen::IndexPair<int>, 1> dims = {Eigen::IndexPair<int>(1, 0)};
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.data());
    c = a.contract(b, dims);
    benchmark::DoNotOptimize(c.data());
  }
  set_flops<M, K, N>(state);
}

#define TINY(M, K, N)                                           \
  BENCHMARK(tenet_unrolled<M, K, N>)->Name("ij,jk->ik/" #M "x" #K "x" #N "/tenet_unrolled"); \
  BENCHMARK(tenet_planned<M, K, N>)->Name("ij,jk->ik/" #M "x" #K "x" #N "/tenet_planned");   \
  BENCHMARK(eigen_gemm<M, K, N>)->Name("ij,jk->ik/" #M "x" #K "x" #N "/eigen_gemm");         \
  BENCHMARK(eigen_tensor<M, K, N>)->Name("ij,jk->ik/" #M "x" #K "x" #N "/eigen_tensor")

TINY(3, 3, 3);
TINY(4, 4, 4);
TINY(8, 8, 8);
TINY(2, 16, 4);

}  // namespace

BENCHMARK_MAIN();
