// einsum against its peers, float32, 1 and 2 threads, all in one run.
//
// For every case below, four implementations of the same contraction are timed:
//   tenet         tenet::einsum_into<"...">(exec::seq | exec::par(2), C, A, B) into a preallocated
//                 C, as the GEMM and Eigen Tensor peers write theirs
//   eigen_gemm    Eigen's own GEMM of the same m, n, k on row-major maps (C = A * B into a
//                 preallocated C; a loop of `batch` GEMMs for a batch label), threads through
//                 Eigen::setNbThreads(1 | 2). The bar: tenet >= 0.9x this on GEMM-like cases.
//   eigen_tensor  Eigen::Tensor<float, N, RowMajor>::contract over the index pairs, then a
//                 shuffle where Eigen's output order (free modes of the left operand, then of
//                 the right) differs from the einsum's; the operand order is chosen so that
//                 the shuffle moves whole contiguous rows where one is needed. A batch label
//                 (which contract cannot express) is a loop over 2-D contractions. 1 thread:
//                 DefaultDevice; 2 threads: ThreadPoolDevice on a 2-thread pool.
//   xtensor_blas  xt::linalg::tensordot (OpenBLAS, openblas_set_num_threads(1 | 2)), then
//                 xt::transpose into the output order where needed; a batch label is a loop
//                 of xt::linalg::dot.
// Cases (einsum in the notation `out=A*B`; m, n, k of the GEMM peer):
//   abc=acd*db     a=b=c=d=150            m=a*c=22500  n=b=150     k=d=150     1.01 GFLOP
//   abcd=aebf*fdec all extents 48         m=a*b=2304   n=c*d=2304  k=e*f=2304  24.5 GFLOP
//   ab=acd*dbc     a=b=256, c=d=48        m=256        n=256       k=c*d=2304  0.30 GFLOP
//   abc=ad*bdc     a=b=c=d=150            m=a=150      n=b*c=22500 k=d=150     1.01 GFLOP
//   bij=bik*bkj    b=64, i=j=k=128        64 x (m=n=k=128)                     0.27 GFLOP
//   iaj=ibj*ab     i=a=b=j=256 (mode-2)   m=a=256      n=i*j=65536 k=b=256     8.59 GFLOP
// Each benchmark reports GFLOP/s (counter, from real time) and process CPU time, so
// CPU/real shows how many cores a run really used.
// Before timing, every implementation's result is checked against tenet's.
// bench/run_einsum.sh runs this with repetitions and prints the table of medians.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xtensor.hpp>

#include <tenet/tenet.hpp>

extern "C" void openblas_set_num_threads(int);

namespace {

using tenet::dyn;
using idx = std::ptrdiff_t;
template <int N>
using etensor = Eigen::Tensor<float, N, Eigen::RowMajor>;
template <int N>
using emap = Eigen::TensorMap<const Eigen::Tensor<const float, N, Eigen::RowMajor>>;
using ematrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using pairs1 = Eigen::array<Eigen::IndexPair<int>, 1>;
using pairs2 = Eigen::array<Eigen::IndexPair<int>, 2>;

Eigen::ThreadPoolDevice& pool_device() {
  static Eigen::ThreadPool pool(2);
  static Eigen::ThreadPoolDevice dev(&pool, 2);
  return dev;
}

// Assigns `expr` to `dst` on one thread (DefaultDevice) or on the 2-thread pool.
template <class D, class E>
void eigen_assign(D& dst, const E& expr, int threads) {
  if (threads == 1)
    dst = expr;
  else
    dst.device(pool_device()) = expr;
}

template <class X>
std::vector<idx> shape_of(const X& x) {
  std::vector<idx> s;
  for (std::size_t r = 0; r < x.rank(); ++r) s.push_back(x.extent(r));
  return s;
}

std::vector<std::size_t> ushape(const std::vector<idx>& s) { return {s.begin(), s.end()}; }

// One implementation of a case: runs the contraction; `out` is its result (row-major, in the
// einsum's output order) after a run.
struct impl {
  std::function<void()> run;
  std::function<const float*()> out;
};

// A case: operands (as tenet tensors, copied into each peer's containers), the GEMM peer's
// shape, and a factory of implementations per (peer, threads).
struct case_def {
  std::string name;
  double flops;
  idx out_size;  // elements of the output
  std::function<impl(const std::string& peer, int threads)> make;
};

// ---- the GEMM peer: batch x (C(m x n) = A(m x k) B(k x n)), row-major --------------------
struct gemm_peer {
  idx batch, m, n, k;
  std::vector<float> a, b, c;
  gemm_peer(idx batch_, idx m_, idx n_, idx k_) : batch(batch_), m(m_), n(n_), k(k_) {
    a.resize(static_cast<std::size_t>(batch * m * k));
    b.resize(static_cast<std::size_t>(batch * k * n));
    c.resize(static_cast<std::size_t>(batch * m * n));
    tenet::splitmix64 g(7);
    for (float& x : a) x = static_cast<float>(g.uniform() * 2 - 1);
    for (float& x : b) x = static_cast<float>(g.uniform() * 2 - 1);
  }
  void run() {
    for (idx q = 0; q < batch; ++q) {
      Eigen::Map<const ematrix> am(a.data() + q * m * k, m, k), bm(b.data() + q * k * n, k, n);
      Eigen::Map<ematrix> cm(c.data() + q * m * n, m, n);
      cm.noalias() = am * bm;
    }
  }
};

// ---- cases ---------------------------------------------------------------------------------
// Each case keeps its operands as tenet tensors A, B; peers copy them.

template <tenet::fixed_string S, class TA, class TB>
impl tenet_impl(std::shared_ptr<TA> A, std::shared_ptr<TB> B, int threads) {
  using R = decltype(tenet::einsum<S>(tenet::exec::seq, *A, *B));
  auto C = std::make_shared<R>(tenet::einsum<S>(tenet::exec::seq, *A, *B));  // the output, allocated once
  impl r;
  if (threads == 1)
    r.run = [=] { tenet::einsum_into<S>(tenet::exec::seq, *C, *A, *B); };
  else
    r.run = [=] { tenet::einsum_into<S>(tenet::exec::par(threads), *C, *A, *B); };
  r.out = [=] { return static_cast<const float*>(C->data()); };
  return r;
}

impl gemm_impl(idx batch, idx m, idx n, idx k) {
  auto g = std::make_shared<gemm_peer>(batch, m, n, k);
  return {[=] { g->run(); }, [] { return static_cast<const float*>(nullptr); }};  // not comparable
}

template <int N>
etensor<N> to_eigen(const float* p, const std::vector<idx>& s) {
  Eigen::array<Eigen::Index, N> d;
  for (int r = 0; r < N; ++r) d[static_cast<std::size_t>(r)] = s[static_cast<std::size_t>(r)];
  etensor<N> t(d);
  if (p) std::copy_n(p, t.size(), t.data());
  return t;
}

xt::xarray<float> to_xt(const float* p, const std::vector<idx>& s) {
  xt::xarray<float> t = xt::zeros<float>(ushape(s));
  std::copy_n(p, t.size(), t.data());
  return t;
}

// contract (+ shuffle) of Eigen tensors; `left_a` says whether A is the left operand.
template <int NA, int NB, int NC, class Pairs>
impl eigen_tensor_impl(const float* pa, const std::vector<idx>& sa, const float* pb, const std::vector<idx>& sb,
                       bool left_a, Pairs pairs, std::array<int, NC> shuffle, const std::vector<idx>& sc,
                       int threads) {
  auto A = std::make_shared<etensor<NA>>(to_eigen<NA>(pa, sa));
  auto B = std::make_shared<etensor<NB>>(to_eigen<NB>(pb, sb));
  auto C = std::make_shared<etensor<NC>>(to_eigen<NC>(nullptr, sc));  // .device() does not resize
  bool identity = true;
  for (int r = 0; r < NC; ++r) identity = identity && shuffle[static_cast<std::size_t>(r)] == r;
  impl r;
  r.run = [=] {
    if (left_a) {
      if (identity)
        eigen_assign(*C, A->contract(*B, pairs), threads);
      else
        eigen_assign(*C, A->contract(*B, pairs).shuffle(shuffle), threads);
    } else {
      if (identity)
        eigen_assign(*C, B->contract(*A, pairs), threads);
      else
        eigen_assign(*C, B->contract(*A, pairs).shuffle(shuffle), threads);
    }
  };
  r.out = [=] { return static_cast<const float*>(C->data()); };
  return r;
}

// tensordot (+ transpose); tensordot's output: A's free modes, then B's.
impl xtensor_impl(const float* pa, const std::vector<idx>& sa, const float* pb, const std::vector<idx>& sb,
                  std::vector<std::size_t> ax_a, std::vector<std::size_t> ax_b, std::vector<std::size_t> perm) {
  auto A = std::make_shared<xt::xarray<float>>(to_xt(pa, sa));
  auto B = std::make_shared<xt::xarray<float>>(to_xt(pb, sb));
  auto C = std::make_shared<xt::xarray<float>>();
  bool identity = true;
  for (std::size_t r = 0; r < perm.size(); ++r) identity = identity && perm[r] == r;
  impl r;
  r.run = [=] {
    if (identity)
      *C = xt::linalg::tensordot(*A, *B, ax_a, ax_b);  // a move of the result, no copy
    else
      *C = xt::transpose(xt::linalg::tensordot(*A, *B, ax_a, ax_b), perm);
  };
  r.out = [=] { return static_cast<const float*>(C->data()); };
  return r;
}

using t2 = tenet::tensor<float, dyn, dyn>;
using t3 = tenet::tensor<float, dyn, dyn, dyn>;
using t4 = tenet::tensor<float, dyn, dyn, dyn, dyn>;

template <class T, class... I>
std::shared_ptr<T> make_operand(std::uint64_t seed, I... ext) {
  auto t = std::make_shared<T>(static_cast<idx>(ext)...);
  t->fill_random(seed);
  return t;
}

std::vector<case_def> make_cases() {
  std::vector<case_def> cases;

  {  // abc=acd*db: A(a,c,d), B(d,b)
    const idx a = 150, b = 150, c = 150, d = 150;
    auto A = make_operand<t3>(1, a, c, d);
    auto B = make_operand<t2>(2, d, b);
    cases.push_back({"abc=acd*db", 2.0 * a * b * c * d, a * b * c, [=](const std::string& p, int th) {
                       if (p == "tenet") return tenet_impl<"acd,db->abc">(A, B, th);
                       if (p == "eigen_gemm") return gemm_impl(1, a * c, b, d);
                       if (p == "eigen_tensor")  // B.contract(A) = (b, a, c) -> (a, b, c)
                         return eigen_tensor_impl<3, 2, 3>(A->data(), shape_of(*A), B->data(), shape_of(*B), false,
                                                           pairs1{{{0, 2}}}, {1, 0, 2}, {a, b, c}, th);
                       // tensordot(A, B) = (a, c, b) -> (a, b, c)
                       return xtensor_impl(A->data(), shape_of(*A), B->data(), shape_of(*B), {2}, {0}, {0, 2, 1});
                     }});
  }
  {  // abcd=aebf*fdec: A(a,e,b,f), B(f,d,e,c)
    const idx e = 48;
    auto A = make_operand<t4>(3, e, e, e, e);
    auto B = make_operand<t4>(4, e, e, e, e);
    cases.push_back({"abcd=aebf*fdec", 2.0 * std::pow(double(e), 6), e * e * e * e,
                     [=](const std::string& p, int th) {
                       if (p == "tenet") return tenet_impl<"aebf,fdec->abcd">(A, B, th);
                       if (p == "eigen_gemm") return gemm_impl(1, e * e, e * e, e * e);
                       if (p == "eigen_tensor")  // A.contract(B) = (a, b, d, c) -> (a, b, c, d)
                         return eigen_tensor_impl<4, 4, 4>(A->data(), shape_of(*A), B->data(), shape_of(*B), true,
                                                           pairs2{{{1, 2}, {3, 0}}}, {0, 1, 3, 2}, {e, e, e, e}, th);
                       return xtensor_impl(A->data(), shape_of(*A), B->data(), shape_of(*B), {1, 3}, {2, 0},
                                           {0, 1, 3, 2});
                     }});
  }
  {  // ab=acd*dbc: A(a,c,d), B(d,b,c)
    const idx a = 256, b = 256, c = 48, d = 48;
    auto A = make_operand<t3>(5, a, c, d);
    auto B = make_operand<t3>(6, d, b, c);
    cases.push_back({"ab=acd*dbc", 2.0 * a * b * c * d, a * b, [=](const std::string& p, int th) {
                       if (p == "tenet") return tenet_impl<"acd,dbc->ab">(A, B, th);
                       if (p == "eigen_gemm") return gemm_impl(1, a, b, c * d);
                       if (p == "eigen_tensor")
                         return eigen_tensor_impl<3, 3, 2>(A->data(), shape_of(*A), B->data(), shape_of(*B), true,
                                                           pairs2{{{1, 2}, {2, 0}}}, {0, 1}, {a, b}, th);
                       return xtensor_impl(A->data(), shape_of(*A), B->data(), shape_of(*B), {1, 2}, {2, 0}, {0, 1});
                     }});
  }
  {  // abc=ad*bdc: A(a,d), B(b,d,c)
    const idx a = 150, b = 150, c = 150, d = 150;
    auto A = make_operand<t2>(7, a, d);
    auto B = make_operand<t3>(8, b, d, c);
    cases.push_back({"abc=ad*bdc", 2.0 * a * b * c * d, a * b * c, [=](const std::string& p, int th) {
                       if (p == "tenet") return tenet_impl<"ad,bdc->abc">(A, B, th);
                       if (p == "eigen_gemm") return gemm_impl(1, a, b * c, d);
                       if (p == "eigen_tensor")
                         return eigen_tensor_impl<2, 3, 3>(A->data(), shape_of(*A), B->data(), shape_of(*B), true,
                                                           pairs1{{{1, 1}}}, {0, 1, 2}, {a, b, c}, th);
                       return xtensor_impl(A->data(), shape_of(*A), B->data(), shape_of(*B), {1}, {1}, {0, 1, 2});
                     }});
  }
  {  // bij=bik*bkj: batched GEMM; contract cannot batch, so Eigen Tensor and xtensor loop over b
    const idx nb = 64, i = 128, j = 128, k = 128;
    auto A = make_operand<t3>(9, nb, i, k);
    auto B = make_operand<t3>(10, nb, k, j);
    cases.push_back({"bij=bik*bkj", 2.0 * nb * i * j * k, nb * i * j, [=](const std::string& p, int th) -> impl {
                       if (p == "tenet") return tenet_impl<"bik,bkj->bij">(A, B, th);
                       if (p == "eigen_gemm") return gemm_impl(nb, i, j, k);
                       auto C = std::make_shared<std::vector<float>>(static_cast<std::size_t>(nb * i * j));
                       impl r;
                       r.out = [=] { return static_cast<const float*>(C->data()); };
                       if (p == "eigen_tensor") {
                         r.run = [=] {
                           for (idx q = 0; q < nb; ++q) {
                             emap<2> a2(A->data() + q * i * k, i, k), b2(B->data() + q * k * j, k, j);
                             Eigen::TensorMap<etensor<2>> c2(C->data() + q * i * j, i, j);
                             eigen_assign(c2, a2.contract(b2, pairs1{{{1, 0}}}), th);
                           }
                         };
                       } else {
                         r.run = [=] {
                           const std::array<std::size_t, 2> sa{std::size_t(i), std::size_t(k)},
                               sb{std::size_t(k), std::size_t(j)};
                           for (idx q = 0; q < nb; ++q) {
                             auto a2 = xt::adapt(A->data() + q * i * k, std::size_t(i * k), xt::no_ownership(), sa);
                             auto b2 = xt::adapt(B->data() + q * k * j, std::size_t(k * j), xt::no_ownership(), sb);
                             auto c2 = xt::linalg::dot(a2, b2);
                             std::copy_n(c2.data(), i * j, C->data() + q * i * j);
                           }
                         };
                       }
                       return r;
                     }});
  }
  {  // iaj=ibj*ab: mode-2 product X x_2 M
    const idx n = 256;
    auto X = make_operand<t3>(11, n, n, n);
    auto M = make_operand<t2>(12, n, n);
    cases.push_back({"iaj=ibj*ab", 2.0 * std::pow(double(n), 4), n * n * n, [=](const std::string& p, int th) {
                       if (p == "tenet") return tenet_impl<"ibj,ab->iaj">(X, M, th);
                       if (p == "eigen_gemm") return gemm_impl(1, n, n * n, n);
                       if (p == "eigen_tensor")  // M.contract(X) = (a, i, j) -> (i, a, j)
                         return eigen_tensor_impl<3, 2, 3>(X->data(), shape_of(*X), M->data(), shape_of(*M), false,
                                                           pairs1{{{1, 1}}}, {1, 0, 2}, {n, n, n}, th);
                       // tensordot(X, M) = (i, j, a) -> (i, a, j)
                       return xtensor_impl(X->data(), shape_of(*X), M->data(), shape_of(*M), {1}, {1}, {0, 2, 1});
                     }});
  }
  return cases;
}

void set_peer_threads(int threads) {
  Eigen::setNbThreads(threads);
  openblas_set_num_threads(threads);
}

// Max |x - y| / max |y| over n elements.
double rel_diff(const float* x, const float* y, idx n) {
  double d = 0, s = 0;
  for (idx q = 0; q < n; ++q) {
    d = std::max(d, std::abs(double(x[q]) - double(y[q])));
    s = std::max(s, std::abs(double(y[q])));
  }
  return s > 0 ? d / s : d;
}

// Every implementation's result (1 and 2 threads) must match tenet's at 1 thread.
bool verify(const std::vector<case_def>& cases) {
  bool ok = true;
  for (const case_def& c : cases) {
    set_peer_threads(1);
    impl ref = c.make("tenet", 1);
    ref.run();
    for (const char* p : {"tenet", "eigen_tensor", "xtensor_blas"})
      for (int th : {1, 2}) {
        set_peer_threads(th);
        impl x = c.make(p, th);
        x.run();
        const double e = rel_diff(x.out(), ref.out(), c.out_size);
        if (!(e < 1e-4)) {
          std::fprintf(stderr, "verify: %s: %s at %d threads differs from tenet at 1 thread (rel %.3g)\n",
                       c.name.c_str(), p, th, e);
          ok = false;
        }
      }
  }
  set_peer_threads(1);
  return ok;
}

void run_impl(benchmark::State& state, const case_def* c, const std::string& peer, int threads) {
  // Eigen's global count too: tenet's Eigen-GEMM plans follow Eigen::setNbThreads when set.
  set_peer_threads(threads);
  impl x = c->make(peer, threads);
  x.run();  // warm-up: first-touch of buffers, thread pools started
  for (auto _ : state) {
    x.run();
    benchmark::DoNotOptimize(x.out());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(c->flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  set_peer_threads(1);
  // OpenBLAS's and Eigen's pool threads spin for a while after their last task; let them
  // go to sleep before the next benchmark starts, so they do not steal its core.
  if (threads > 1) std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  static const std::vector<case_def> cases = make_cases();
  if (!verify(cases)) return 2;
  for (int threads : {1, 2})
    for (const case_def& c : cases)
      for (const char* peer : {"tenet", "eigen_gemm", "eigen_tensor", "xtensor_blas"}) {
        const std::string name = c.name + "/" + peer + "/" + std::to_string(threads) + "T";
        benchmark::RegisterBenchmark(name.c_str(), run_impl, &c, std::string(peer), threads)
            ->UseRealTime()
            ->MeasureProcessCPUTime()
            ->Unit(benchmark::kMillisecond);
      }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
