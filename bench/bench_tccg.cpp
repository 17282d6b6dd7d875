// A TCCG-style set of tensor contractions (transposed layouts, small and odd extents, ranks
// 2 to 6) against their peers, float and double, 1 and 2 threads, all in one run.
//
// For every case (in the notation `out=A*B`) and element type, five implementations:
//   tenet          tenet::einsum_into(exec::seq | exec::par(2), "A,B->out", C, A, B), automatic
//                  engine (run-time subscripts: one instantiation for all cases), into a C
//                  allocated once, as the GEMM peers write theirs (a new 4 MB result per call
//                  costs bij=bik*bkj a third of its time in page faults)
//   eigen_tensor   Eigen::Tensor<T, N, RowMajor>::contract over the index pairs into Eigen's
//                  order (free modes of the left operand, then of the right), then a shuffle
//                  into the einsum's order where it differs; the higher-rank operand is the
//                  left one. Both thread counts run on a ThreadPoolDevice (a 1- or 2-thread
//                  pool), so each case's contraction is instantiated once, not per count.
//   xtensor_blas   xt::linalg::tensordot (OpenBLAS), then xt::transpose where needed
//   openblas_gemm  cblas_sgemm / cblas_dgemm of the same m, n, k on row-major buffers
//   eigen_gemm     Eigen's GEMM of the same m, n, k on row-major maps
// A batch label (leading A, B and the output: bij=bik*bkj) is a loop over the batch for
// every peer (contract and tensordot cannot batch; the GEMMs run once per batch).
// Threads: openblas_set_num_threads and Eigen::setNbThreads (1 | 2) for the peers (this
// bench only; the library calls nothing OpenBLAS-specific).
// Counters: GFLOP/s, and peak_frac = GFLOP/s over the peak of a large square cblas_sgemm
// (2048^3) at the same thread count, measured in this run before the benchmarks (also in
// the JSON context as sgemm_peak_GFLOP/s_1T and _2T). For double the bar is still sgemm's.
// Before timing, eigen_tensor's and xtensor_blas's results are checked against tenet's.
// bench/run_tccg.sh runs this with repetitions and prints the tables of medians.
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
#include <type_traits>
#include <vector>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>
#include <xtensor-blas/xlinalg.hpp>  // also declares the cblas_* functions
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xmanipulation.hpp>

#include <tenet/tenet.hpp>

extern "C" void openblas_set_num_threads(int);

namespace {

using idx = std::ptrdiff_t;

// A contraction out(lc) = A(la) B(lb) with one extent per label.
struct case_spec {
  std::string a, b, c;
  std::vector<std::pair<char, idx>> ext;

  idx extent(char l) const {
    for (auto [x, e] : ext)
      if (x == l) return e;
    return 0;
  }
  std::vector<idx> shape(const std::string& labels) const {
    std::vector<idx> s;
    for (char l : labels) s.push_back(extent(l));
    return s;
  }
  bool has(const std::string& s, char l) const { return s.find(l) != std::string::npos; }
  // The GEMM of equal size: m over A's free labels, n over B's, k over the summed ones.
  idx gemm_extent(bool in_a, bool in_b) const {
    idx e = 1;
    for (auto [l, x] : ext)
      if (has(a, l) == in_a && has(b, l) == in_b && has(c, l) == !(in_a && in_b)) e *= x;
    return e;
  }
  idx m() const { return gemm_extent(true, false); }
  idx n() const { return gemm_extent(false, true); }
  idx k() const { return gemm_extent(true, true); }
  // A batch label (in A, B and the output) leads all three; the peers loop over it.
  bool batched() const { return !c.empty() && !a.empty() && !b.empty() && a[0] == c[0] && b[0] == c[0]; }
  idx batch() const { return batched() ? extent(c[0]) : 1; }
  std::string slice(const std::string& l) const { return batched() ? l.substr(1) : l; }  // one batch's labels
  double flops() const { return 2.0 * double(batch()) * double(m()) * double(n()) * double(k()); }
  std::string tag = {};  // set by make_specs where the subscripts repeat: the extents
  std::string name() const { return c + "=" + a + "*" + b + tag; }
};

// The set: first the six contractions of bench_einsum (the cases, same sizes), then
// TCCG-style ones with primes (17, 31, 61, ...), extents 1 to 3 and a few powers of two.
std::vector<case_spec> make_specs() {
  std::vector<case_spec> specs = {
      {"acd", "db", "abc", {{'a', 150}, {'b', 150}, {'c', 150}, {'d', 150}}},
      {"aebf", "fdec", "abcd", {{'a', 48}, {'b', 48}, {'c', 48}, {'d', 48}, {'e', 48}, {'f', 48}}},
      {"acd", "dbc", "ab", {{'a', 256}, {'b', 256}, {'c', 48}, {'d', 48}}},
      {"ad", "bdc", "abc", {{'a', 150}, {'b', 150}, {'c', 150}, {'d', 150}}},
      {"bik", "bkj", "bij", {{'b', 64}, {'i', 128}, {'j', 128}, {'k', 128}}},  // batched
      {"ibj", "ab", "iaj", {{'i', 256}, {'a', 256}, {'b', 256}, {'j', 256}}},  // mode-2 product
      {"ca", "bc", "ab", {{'a', 509}, {'b', 251}, {'c', 383}}},                           // rank 2, both transposed
      {"bda", "dc", "abc", {{'a', 64}, {'b', 61}, {'c', 128}, {'d', 96}}},                 // TCCG abc-bda-dc
      {"acd", "db", "abc", {{'a', 17}, {'b', 31}, {'c', 61}, {'d', 31}}},                  // small, odd
      {"dca", "bd", "abc", {{'a', 3}, {'b', 257}, {'c', 509}, {'d', 2}}},                  // k = 2, m = 3
      {"acd", "dbc", "ab", {{'a', 61}, {'b', 61}, {'c', 17}, {'d', 31}}},                  // two k labels, split
      {"dbea", "ec", "abcd", {{'a', 31}, {'b', 17}, {'c', 48}, {'d', 31}, {'e', 61}}},     // TCCG abcd-dbea-ec
      {"ea", "ebcd", "abcd", {{'a', 31}, {'b', 48}, {'c', 48}, {'d', 48}, {'e', 17}}},     // mode-1 product
      {"aebf", "fdec", "abcd", {{'a', 2}, {'b', 128}, {'c', 3}, {'d', 96}, {'e', 31}, {'f', 17}}},  // extents 2, 3
      {"efbad", "cf", "abcde", {{'a', 13}, {'b', 13}, {'c', 31}, {'d', 13}, {'e', 13}, {'f', 61}}},  // rank 5
      {"dega", "gfbc", "abcdef",
       {{'a', 12}, {'b', 12}, {'c', 12}, {'d', 12}, {'e', 12}, {'f', 12}, {'g', 17}}},  // TCCG rank 6
  };
  // A case whose subscripts an earlier one has (a small, odd-sized twin) is named with its
  // extents too, so that the tables never take the medians of two cases together.
  for (std::size_t i = 0; i < specs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (specs[j].name() == specs[i].name()) {
        std::string t = "[";
        for (auto [l, e] : specs[i].ext) t += std::string(t.size() > 1 ? "," : "") + l + std::to_string(e);
        specs[i].tag = t + "]";
      }
  return specs;
}

// One implementation of a case: runs it; `out` is its result (row-major, the einsum's
// order) after a run, or null where it computes something else (the GEMM peers).
struct impl {
  std::function<void()> run;
  std::function<const void*()> out;
};

Eigen::ThreadPoolDevice& pool_device(int threads) {
  static Eigen::ThreadPool pool1(1), pool2(2);
  static Eigen::ThreadPoolDevice dev1(&pool1, 1), dev2(&pool2, 2);
  return threads == 1 ? dev1 : dev2;
}

template <class T>
struct operands {
  case_spec spec;
  tenet::dtensor<T> a, b;
  explicit operands(case_spec s)
      : spec(std::move(s)), a(tenet::dyn_extents(spec.shape(spec.a))), b(tenet::dyn_extents(spec.shape(spec.b))) {
    a.fill_random(1);
    b.fill_random(2);
  }
};

template <class T>
impl tenet_impl(std::shared_ptr<const operands<T>> o, int threads) {
  const std::string sub = o->spec.a + "," + o->spec.b + "->" + o->spec.c;
  auto c = std::make_shared<tenet::dtensor<T>>(tenet::einsum(sub, o->a, o->b));  // allocated once
  impl r;
  if (threads == 1)
    r.run = [=] { tenet::einsum_into(tenet::exec::seq, sub, *c, o->a, o->b); };
  else
    r.run = [=] { tenet::einsum_into(tenet::exec::par(threads), sub, *c, o->a, o->b); };
  r.out = [=] { return static_cast<const void*>(c->data()); };
  return r;
}

// Eigen's contract of X(lx) Y(ly) (X the left operand; one batch's labels), with the
// permutation from its output order to the output's labels; a loop over the batch.
template <class T, int NX, int NY, int NK>
impl eigen_tensor_rank(const T* px, const std::string& lx, const T* py, const std::string& ly, const case_spec& s,
                       int threads) {
  constexpr int NC = NX + NY - 2 * NK;
  using tx = Eigen::TensorMap<const Eigen::Tensor<T, NX, Eigen::RowMajor>>;
  using ty = Eigen::TensorMap<const Eigen::Tensor<T, NY, Eigen::RowMajor>>;
  using tc = Eigen::Tensor<T, NC, Eigen::RowMajor>;
  const std::string lc = s.slice(s.c);
  auto dims = [&](const std::string& l, auto& d) {
    for (std::size_t r = 0; r < l.size(); ++r) d[r] = s.extent(l[r]);
  };
  Eigen::array<Eigen::Index, NX> dx;
  Eigen::array<Eigen::Index, NY> dy;
  dims(lx, dx), dims(ly, dy);
  idx sx = 1, sy = 1;  // elements per batch
  for (auto e : dx) sx *= e;
  for (auto e : dy) sy *= e;
  const idx nb = s.batch();
  auto x = std::make_shared<std::vector<T>>(px, px + nb * sx);
  auto y = std::make_shared<std::vector<T>>(py, py + nb * sy);
  Eigen::array<Eigen::IndexPair<int>, NK> pairs;
  std::string natural;  // Eigen's output order
  int q = 0;
  for (std::size_t r = 0; r < lx.size(); ++r) {
    const auto p = ly.find(lx[r]);
    if (p == std::string::npos)
      natural += lx[r];
    else
      pairs[static_cast<std::size_t>(q++)] = {static_cast<int>(r), static_cast<int>(p)};
  }
  for (char l : ly)
    if (lx.find(l) == std::string::npos) natural += l;
  Eigen::array<int, NC> shuffle;
  Eigen::array<Eigen::Index, NC> dn, dc;
  bool identity = true;
  idx sc = 1;
  for (std::size_t r = 0; r < static_cast<std::size_t>(NC); ++r) {
    shuffle[r] = static_cast<int>(natural.find(lc[r]));
    identity = identity && shuffle[r] == static_cast<int>(r);
    dn[r] = s.extent(natural[r]);
    dc[r] = s.extent(lc[r]);
    sc *= dc[r];
  }
  auto tmp = std::make_shared<tc>(dn);  // .device() does not resize
  auto c = std::make_shared<std::vector<T>>(static_cast<std::size_t>(nb * sc));
  impl r;
  r.run = [=] {
    Eigen::ThreadPoolDevice& dev = pool_device(threads);
    for (idx b = 0; b < nb; ++b) {
      Eigen::TensorMap<tc> out(c->data() + b * sc, dc);
      if (identity) {
        out.device(dev) = tx(x->data() + b * sx, dx).contract(ty(y->data() + b * sy, dy), pairs);
      } else {
        tmp->device(dev) = tx(x->data() + b * sx, dx).contract(ty(y->data() + b * sy, dy), pairs);
        out.device(dev) = tmp->shuffle(shuffle);
      }
    }
  };
  r.out = [=] { return static_cast<const void*>(c->data()); };
  return r;
}

template <class T>
impl eigen_tensor_impl(std::shared_ptr<const operands<T>> o, int threads) {
  const case_spec& s = o->spec;
  const bool a_left = s.a.size() >= s.b.size();
  const T* px = a_left ? o->a.data() : o->b.data();
  const T* py = a_left ? o->b.data() : o->a.data();
  const std::string lx = s.slice(a_left ? s.a : s.b);
  const std::string ly = s.slice(a_left ? s.b : s.a);
  const int nk = static_cast<int>(lx.size() + ly.size() - s.slice(s.c).size()) / 2;
  const int key = static_cast<int>(lx.size()) * 100 + static_cast<int>(ly.size()) * 10 + nk;
  switch (key) {  // the (left rank, right rank, pairs) of the set, one instantiation each
    case 221: return eigen_tensor_rank<T, 2, 2, 1>(px, lx, py, ly, s, threads);
    case 321: return eigen_tensor_rank<T, 3, 2, 1>(px, lx, py, ly, s, threads);
    case 332: return eigen_tensor_rank<T, 3, 3, 2>(px, lx, py, ly, s, threads);
    case 421: return eigen_tensor_rank<T, 4, 2, 1>(px, lx, py, ly, s, threads);
    case 442: return eigen_tensor_rank<T, 4, 4, 2>(px, lx, py, ly, s, threads);
    case 441: return eigen_tensor_rank<T, 4, 4, 1>(px, lx, py, ly, s, threads);
    case 521: return eigen_tensor_rank<T, 5, 2, 1>(px, lx, py, ly, s, threads);
    default: break;
  }
  std::fprintf(stderr, "bench_tccg: no Eigen Tensor instantiation for %s (key %d)\n", s.name().c_str(), key);
  std::abort();
}

// tensordot of one batch's slices; a loop over the batch, each result copied into place.
template <class T>
impl xtensor_impl(std::shared_ptr<const operands<T>> o) {
  const case_spec& s = o->spec;
  const std::string la = s.slice(s.a), lb = s.slice(s.b), lc = s.slice(s.c);
  auto shape = [&](const std::string& l) {
    std::vector<std::size_t> sh;
    for (char x : l) sh.push_back(static_cast<std::size_t>(s.extent(x)));
    return sh;
  };
  auto count = [](const std::vector<std::size_t>& sh) {
    std::size_t n = 1;
    for (std::size_t e : sh) n *= e;
    return n;
  };
  const std::vector<std::size_t> sha = shape(la), shb = shape(lb);
  const std::size_t sa = count(sha), sb = count(shb), sc = count(shape(lc));
  const std::size_t nb = static_cast<std::size_t>(s.batch());
  auto x = std::make_shared<std::vector<T>>(o->a.data(), o->a.data() + nb * sa);
  auto y = std::make_shared<std::vector<T>>(o->b.data(), o->b.data() + nb * sb);
  std::vector<std::size_t> ax, ay, perm;
  std::string natural;  // tensordot's order: A's free modes, then B's
  for (std::size_t r = 0; r < la.size(); ++r) {
    const auto p = lb.find(la[r]);
    if (p == std::string::npos)
      natural += la[r];
    else
      ax.push_back(r), ay.push_back(p);
  }
  for (char l : lb)
    if (la.find(l) == std::string::npos) natural += l;
  bool identity = true;
  for (std::size_t r = 0; r < lc.size(); ++r) {
    perm.push_back(natural.find(lc[r]));
    identity = identity && perm.back() == r;
  }
  auto c = std::make_shared<xt::xarray<T>>();
  auto all = std::make_shared<std::vector<T>>(nb > 1 ? nb * sc : 0);
  impl r;
  r.run = [=] {
    for (std::size_t q = 0; q < nb; ++q) {
      auto xa = xt::adapt(x->data() + q * sa, sa, xt::no_ownership(), sha);
      auto ya = xt::adapt(y->data() + q * sb, sb, xt::no_ownership(), shb);
      if (identity)
        *c = xt::linalg::tensordot(xa, ya, ax, ay);
      else
        *c = xt::transpose(xt::linalg::tensordot(xa, ya, ax, ay), perm);
      if (nb > 1) std::copy_n(c->data(), sc, all->data() + q * sc);
    }
  };
  r.out = [=] { return static_cast<const void*>(nb > 1 ? all->data() : c->data()); };
  return r;
}

// C (m x n) = A (m x k) B (k x n), row-major, on CBLAS or Eigen.
// `nb` of them for a batched case.
template <class T>
struct gemm_peer {
  idx m, n, k, nb;
  std::vector<T> a, b, c;
  gemm_peer(idx m_, idx n_, idx k_, idx nb_ = 1)
      : m(m_), n(n_), k(k_), nb(nb_), a(std::size_t(nb * m * k)), b(std::size_t(nb * k * n)),
        c(std::size_t(nb * m * n)) {
    tenet::splitmix64 g(7);
    for (T& x : a) x = static_cast<T>(g.uniform() * 2 - 1);
    for (T& x : b) x = static_cast<T>(g.uniform() * 2 - 1);
  }
  void blas() {
    const int im = int(m), in = int(n), ik = int(k);
    for (idx q = 0; q < nb; ++q) {
      const T *pa = a.data() + q * m * k, *pb = b.data() + q * k * n;
      T* pc = c.data() + q * m * n;
      if constexpr (std::is_same_v<T, float>)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, im, in, ik, 1.0f, pa, ik, pb, in, 0.0f, pc, in);
      else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, im, in, ik, 1.0, pa, ik, pb, in, 0.0, pc, in);
    }
  }
  void eigen() {
    using mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    for (idx q = 0; q < nb; ++q) {
      Eigen::Map<const mat> am(a.data() + q * m * k, m, k), bm(b.data() + q * k * n, k, n);
      Eigen::Map<mat> cm(c.data() + q * m * n, m, n);
      cm.noalias() = am * bm;
    }
  }
};

template <class T>
impl make_impl(std::shared_ptr<const operands<T>> o, const std::string& peer, int threads) {
  if (peer == "tenet") return tenet_impl<T>(o, threads);
  if (peer == "eigen_tensor") return eigen_tensor_impl<T>(o, threads);
  if (peer == "xtensor_blas") return xtensor_impl<T>(o);
  auto g = std::make_shared<gemm_peer<T>>(o->spec.m(), o->spec.n(), o->spec.k(), o->spec.batch());
  const auto none = [] { return static_cast<const void*>(nullptr); };
  if (peer == "openblas_gemm") return {[=] { g->blas(); }, none};
  return {[=] { g->eigen(); }, none};
}

void set_peer_threads(int threads) {
  Eigen::setNbThreads(threads);
  openblas_set_num_threads(threads);
}

// A benchmarked (case, type): its name and a factory of implementations.
struct bench_case {
  std::string name;
  double flops;
  idx out_size;
  std::function<impl(const std::string&, int)> make;
  bool is_float;
};

template <class T>
bench_case make_case(const case_spec& s) {
  auto o = std::make_shared<const operands<T>>(s);
  idx out = 1;
  for (idx e : s.shape(s.c)) out *= e;
  return {std::string(std::is_same_v<T, float> ? "f32:" : "f64:") + s.name(), s.flops(), out,
          [o](const std::string& peer, int th) { return make_impl<T>(o, peer, th); }, std::is_same_v<T, float>};
}

template <class T>
double rel_diff(const void* x, const void* y, idx n) {
  const T* a = static_cast<const T*>(x);
  const T* b = static_cast<const T*>(y);
  double d = 0, s = 0;
  for (idx q = 0; q < n; ++q) {
    const double e = std::abs(double(a[q]) - double(b[q]));
    if (!(e <= d)) d = e;  // NaN: the worst
    s = std::max(s, std::abs(double(b[q])));
  }
  return s > 0 ? d / s : d;
}

// eigen_tensor's and xtensor_blas's results (1 and 2 threads) must match tenet's.
bool verify(const std::vector<bench_case>& cases) {
  bool ok = true;
  for (const bench_case& c : cases) {
    set_peer_threads(1);
    impl ref = c.make("tenet", 1);
    ref.run();
    for (const char* p : {"tenet", "eigen_tensor", "xtensor_blas"})
      for (int th : {1, 2}) {
        set_peer_threads(th);
        impl x = c.make(p, th);
        x.run();
        const double e = c.is_float ? rel_diff<float>(x.out(), ref.out(), c.out_size)
                                    : rel_diff<double>(x.out(), ref.out(), c.out_size);
        if (!(e < (c.is_float ? 1e-4 : 1e-11))) {
          std::fprintf(stderr, "verify: %s: %s at %d threads differs from tenet at 1 thread (rel %.3g)\n",
                       c.name.c_str(), p, th, e);
          ok = false;
        }
      }
  }
  set_peer_threads(1);
  return ok;
}

// The best GFLOP/s of a square cblas_sgemm over a few runs, at `threads`.
double sgemm_peak(int threads) {
  const idx n = 2048;
  gemm_peer<float> g(n, n, n);
  set_peer_threads(threads);
  g.blas();  // warm-up
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    g.blas();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, 2.0 * double(n) * double(n) * double(n) / s * 1e-9);
  }
  set_peer_threads(1);
  return best;
}

std::array<double, 3> peak_gflops{};  // by thread count

void run_impl(benchmark::State& state, const bench_case* c, const std::string& peer, int threads) {
  set_peer_threads(threads);
  impl x = c->make(peer, threads);
  x.run();  // warm-up: first touch, thread pools started
  for (auto _ : state) {
    x.run();
    benchmark::DoNotOptimize(x.out());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(c->flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  // A rate of flops / peak is the fraction of the peak.
  state.counters["peak_frac"] = benchmark::Counter(c->flops * 1e-9 / peak_gflops[std::size_t(threads)],
                                                   benchmark::Counter::kIsIterationInvariantRate);
  set_peer_threads(1);
  // Pool threads spin a while after their last task: let them sleep before the next one.
  if (threads > 1) std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  static std::vector<bench_case> cases;
  for (const case_spec& s : make_specs()) {
    cases.push_back(make_case<float>(s));
    cases.push_back(make_case<double>(s));
  }
  if (!verify(cases)) return 2;
  for (int threads : {1, 2}) {
    peak_gflops[std::size_t(threads)] = sgemm_peak(threads);
    benchmark::AddCustomContext("sgemm_peak_GFLOP/s_" + std::to_string(threads) + "T",
                                std::to_string(peak_gflops[std::size_t(threads)]));
    std::fprintf(stderr, "sgemm peak (2048^3), %d thread(s): %.1f GFLOP/s\n", threads,
                 peak_gflops[std::size_t(threads)]);
  }
  for (int threads : {1, 2})
    for (const bench_case& c : cases)
      for (const char* peer : {"tenet", "eigen_tensor", "xtensor_blas", "openblas_gemm", "eigen_gemm"}) {
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
