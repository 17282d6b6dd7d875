// einsum on the device against cuBLAS, float32, for the six contractions of bench_einsum.cpp
// (the foundation's issue-2 cases), all in one run. Needs a CUDA device (it says so and exits
// with 1 without one). bench/bench_cuda_torch.py times torch.einsum on the same cases.
//
// For every case:
//   tenet        tenet::einsum(exec::cuda, "...", dA, dB): a new device tensor per call (from
//                the stream-ordered pool), the plan of tenet/exec/cuda/plan.hpp: one
//                cublasSgemmStridedBatched on the operands in place where the layout allows,
//                permutation kernels and temporaries otherwise.
//   cublas       cublasSgemmStridedBatched of the same m, n, k (and batch) on contiguous
//                column-major A, B, C (NN), into a preallocated C: the bar.
//   ..._tf32     the same with TF32 tensor cores (exec::cuda.with_tf32(); cuBLAS:
//                cublasGemmStridedBatchedEx, CUBLAS_COMPUTE_32F_FAST_TF32).
// Cases (`out=A*B`; m, n, k of the GEMM peer):
//   abc=acd*db     a=b=c=d=150            m=a*c=22500  n=b=150     k=d=150     1.01 GFLOP
//   abcd=aebf*fdec all extents 48         m=a*b=2304   n=c*d=2304  k=e*f=2304  24.5 GFLOP
//   ab=acd*dbc     a=b=256, c=d=48        m=256        n=256       k=c*d=2304  0.30 GFLOP
//   abc=ad*bdc     a=b=c=d=150            m=a=150      n=b*c=22500 k=d=150     1.01 GFLOP
//   bij=bik*bkj    b=64, i=j=k=128        64 x (m=n=k=128)                     0.27 GFLOP
//   iaj=ibj*ab     i=a=b=j=256 (mode-2)   m=a=256      n=i*j=65536 k=b=256     8.59 GFLOP
// Time: cudaEvents around each call on the stream (manual time), so GFLOP/s is device time;
// the counter is computed from that time (Google Benchmark's rate counters divide by CPU
// time). Before timing, 64 sampled elements of tenet's result are checked against sums
// written out on the host, and each implementation runs once (cuBLAS picks its kernels,
// the pool grows). The benchmark raises the default memory pool's release threshold, so that
// freed blocks stay in the pool between calls instead of going back to the driver at every
// synchronization (docs/cuda.md).
#include <benchmark/benchmark.h>

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <tenet/cuda.hpp>

namespace {

using idx = tenet::index;
using tenet::device_tensor;
using tenet::dtensor;
namespace exec = tenet::exec;

struct case_def {
  std::string name, subscripts;
  std::map<char, idx> ext;
  idx batch, m, n, k;
};

const std::vector<case_def>& cases() {
  static const std::vector<case_def> c = {
      {"abc=acd*db", "acd,db->abc", {{'a', 150}, {'b', 150}, {'c', 150}, {'d', 150}}, 1, 22500, 150, 150},
      {"abcd=aebf*fdec", "aebf,fdec->abcd", {{'a', 48}, {'b', 48}, {'c', 48}, {'d', 48}, {'e', 48}, {'f', 48}}, 1, 2304,
       2304, 2304},
      {"ab=acd*dbc", "acd,dbc->ab", {{'a', 256}, {'b', 256}, {'c', 48}, {'d', 48}}, 1, 256, 256, 2304},
      {"abc=ad*bdc", "ad,bdc->abc", {{'a', 150}, {'b', 150}, {'c', 150}, {'d', 150}}, 1, 150, 22500, 150},
      {"bij=bik*bkj", "bik,bkj->bij", {{'b', 64}, {'i', 128}, {'j', 128}, {'k', 128}}, 64, 128, 128, 128},
      {"iaj=ibj*ab", "ibj,ab->iaj", {{'i', 256}, {'a', 256}, {'b', 256}, {'j', 256}}, 1, 256, 65536, 256},
  };
  return c;
}

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "bench_cuda: %s: %s\n", what, cudaGetErrorString(e));
    std::exit(1);
  }
}

std::vector<idx> shape_of(const std::string& labels, const std::map<char, idx>& ext) {
  std::vector<idx> s;
  for (char c : labels) s.push_back(ext.at(c));
  return s;
}

dtensor<float> random(const std::vector<idx>& shape, std::uint64_t seed) {
  dtensor<float> t{tenet::dyn_extents(shape)};
  t.fill_random(seed);
  return t;
}

// Largest relative error of 64 sampled output elements against their sums on the host.
double sample_error(const case_def& c, const dtensor<float>& a, const dtensor<float>& b, const dtensor<float>& out) {
  const tenet::einsum_spec s = tenet::parse_einsum_or_throw(c.subscripts);
  const std::string la(s.operand(0)), lb(s.operand(1)), lo(s.output());
  std::string summed;
  for (char l : la + lb)
    if (lo.find(l) == std::string::npos && summed.find(l) == std::string::npos) summed += l;
  tenet::splitmix64 g(99);
  double worst = 0;
  for (int t = 0; t < 64; ++t) {
    std::map<char, idx> at;
    idx off = 0;
    for (std::size_t r = 0; r < lo.size(); ++r) {
      at[lo[r]] = static_cast<idx>(g.uniform() * static_cast<double>(out.extent(r)));
      off = off * out.extent(r) + at[lo[r]];
    }
    const idx terms = [&] {
      idx n = 1;
      for (char l : summed) n *= c.ext.at(l);
      return n;
    }();
    double sum = 0, mag = 0;
    for (idx q = 0; q < terms; ++q) {
      for (idx rem = q, r = static_cast<idx>(summed.size()); r-- > 0;) {
        const char l = summed[static_cast<std::size_t>(r)];
        at[l] = rem % c.ext.at(l), rem /= c.ext.at(l);
      }
      auto element = [&](const dtensor<float>& x, const std::string& labels) {
        idx o = 0;
        for (std::size_t r = 0; r < labels.size(); ++r) o = o * x.extent(r) + at[labels[r]];
        return static_cast<double>(x.data()[o]);
      };
      const double v = element(a, la) * element(b, lb);
      sum += v, mag += std::abs(v);
    }
    worst = std::max(worst, std::abs(out.data()[off] - sum) / std::max(mag, 1e-30));
  }
  return worst;
}

// Times `run` (which queues work on `stream`) with events; reports GFLOP/s of device time.
void time_it(benchmark::State& state, cudaStream_t stream, double flops, const std::function<void()>& run) {
  cudaEvent_t start, stop;
  check(cudaEventCreate(&start), "cudaEventCreate");
  check(cudaEventCreate(&stop), "cudaEventCreate");
  run();  // warm-up: cuBLAS heuristics, the pool
  check(cudaStreamSynchronize(stream), "warm-up");
  double seconds = 0;
  for (auto _ : state) {
    check(cudaEventRecord(start, stream), "cudaEventRecord");
    run();
    check(cudaEventRecord(stop, stream), "cudaEventRecord");
    check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    state.SetIterationTime(ms / 1e3);
    seconds += ms / 1e3;
  }
  state.counters["GFLOP/s"] = flops * static_cast<double>(state.iterations()) / seconds / 1e9;
  state.counters["GFLOP"] = flops / 1e9;
  check(cudaEventDestroy(start), "cudaEventDestroy");
  check(cudaEventDestroy(stop), "cudaEventDestroy");
}

void register_case(const case_def& c) {
  const double flops = 2.0 * static_cast<double>(c.batch * c.m * c.n * c.k);
  const tenet::einsum_spec spec = tenet::parse_einsum_or_throw(c.subscripts);
  auto a = std::make_shared<dtensor<float>>(random(shape_of(std::string(spec.operand(0)), c.ext), 1));
  auto b = std::make_shared<dtensor<float>>(random(shape_of(std::string(spec.operand(1)), c.ext), 2));
  for (bool tf32 : {false, true}) {
    const std::string suffix = tf32 ? "_tf32" : "";
    benchmark::RegisterBenchmark((c.name + "/tenet" + suffix).c_str(), [=](benchmark::State& state) {
      const auto policy = exec::cuda.with_tf32(tf32);
      const device_tensor<float> da = tenet::to_device(policy, *a), db = tenet::to_device(policy, *b);
      if (!tf32) {
        const double err = sample_error(c, *a, *b, tenet::to_host(policy, tenet::einsum(policy, c.subscripts, da, db)));
        if (err > 1e-4) state.SkipWithError(("wrong result: relative error " + std::to_string(err)).c_str());
      }
      time_it(state, policy.stream, flops, [&] {
        const device_tensor<float> out = tenet::einsum(policy, c.subscripts, da, db);
        benchmark::DoNotOptimize(out.data());
      });
    })->UseManualTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((c.name + "/cublas" + suffix).c_str(), [=](benchmark::State& state) {
      const auto policy = exec::cuda;
      const device_tensor<float> ga = tenet::to_device(policy, random({c.batch, c.k, c.m}, 3));
      const device_tensor<float> gb = tenet::to_device(policy, random({c.batch, c.n, c.k}, 4));
      device_tensor<float> gc({c.batch, c.n, c.m}, policy);
      cublasHandle_t h = tenet::detail::cuda::cublas_handle(policy);
      const float one = 1, zero = 0;
      const int m = static_cast<int>(c.m), n = static_cast<int>(c.n), k = static_cast<int>(c.k);
      const int batch = static_cast<int>(c.batch);
      time_it(state, policy.stream, flops, [&] {
        if (tf32)
          TENET_CUBLAS_CHECK(cublasGemmStridedBatchedEx(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, ga.data(),
                                                        CUDA_R_32F, m, c.m * c.k, gb.data(), CUDA_R_32F, k, c.k * c.n,
                                                        &zero, gc.data(), CUDA_R_32F, m, c.m * c.n, batch,
                                                        CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_GEMM_DEFAULT));
        else
          TENET_CUBLAS_CHECK(cublasSgemmStridedBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, ga.data(), m,
                                                       c.m * c.k, gb.data(), k, c.k * c.n, &zero, gc.data(), m,
                                                       c.m * c.n, batch));
      });
    })->UseManualTime()->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int devices = 0;
  const cudaError_t e = cudaGetDeviceCount(&devices);
  if (e != cudaSuccess || devices == 0) {
    std::fprintf(stderr, "bench_cuda: no CUDA device (%s)\n",
                 e != cudaSuccess ? cudaGetErrorString(e) : "cudaGetDeviceCount found none");
    return 1;
  }
  int dev = 0;
  check(cudaGetDevice(&dev), "cudaGetDevice");
  cudaMemPool_t pool;
  check(cudaDeviceGetDefaultMemPool(&pool, dev), "cudaDeviceGetDefaultMemPool");
  std::uint64_t keep = UINT64_MAX;
  check(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep), "cudaMemPoolSetAttribute");
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, dev), "cudaGetDeviceProperties");
  benchmark::AddCustomContext("device", prop.name);
  for (const case_def& c : cases()) register_case(c);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
