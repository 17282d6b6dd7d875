// Deep Tensor Network attention against softmax and linear attention, float32, one batch of
// 8 heads, d = dv = 64, sequence lengths n = 1k, 4k, 16k, 64k, on 1 and 2 threads.
//
// Forms (benchmark names are `<form>/n:<n>/threads:<t>`):
//   tensor     tenet::tensor_attention(pol, Q, K, V): the batch form, causal none, trace
//              normalization; Q (K^T K)(Q^T V) / tau, O(n d^2) per head.
//   chunked    tensor_attention(pol, Q, K, V, {diagonal, masked, chunk = n / threads}): the
//              batch form of the causal masked attention, chunked as docs/dtn.md advises (one
//              thread: one chunk, the serial pass). With 8 heads on 2 threads the heads are
//              split across the threads and each head's chunks run one after another.
//   stream     attention_stream<float>(64, 64, {diagonal, masked}, 8).step_into, one token
//              after another (one thread: a stream has no policy). Counter state_bytes: the
//              whole state of the 8 heads, the same for every n.
//   softmax    exact softmax(Q K^T / sqrt(d)) V written with tenet: per head, blocks of 256
//              query rows, the (256 x n) score block by tenet::assign (a GEMM), a row
//              softmax, then the block times V (a GEMM). No n x n matrix is formed. Under 2
//              threads the heads are split across the threads (each GEMM on one thread).
//   linear     linear attention, phi(x) = elu(x) + 1 (non-causal):
//              phi(Q) (phi(K)^T V) / (phi(Q) (phi(K)^T 1)), the products by tenet::einsum.
// softmax at n = 64k is ~9 TFLOP (hours of this machine's 2 cores are not spent on it): it is
// registered but skipped with the message "skipped: ...", so the output says so.
//
// Counters: items_per_second = tokens/s (one token = one position of all 8 heads);
// working_bytes = Q, K, V, the output and all scratch that the form allocates (the stream:
// its state plus one token's q, k, v, o); state_bytes (stream) and scratch_bytes (batch
// forms: working_bytes less Q, K, V and the output).
// Before timing, every form's output is checked (on a few rows, against double loops, or
// the stream against the chunked batch form), and the program stops if one is wrong.
// bench/run_dtn.sh runs this and bench/bench_dtn_torch.py (the same softmax and linear
// attention in PyTorch) with interleaved repetitions and prints the table of medians.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <tenet/tenet.hpp>

namespace {

using tenet::dtensor;
using tenet::dtensor_view;
using tenet::index;
namespace exec = tenet::exec;

constexpr index H = 8, D = 64, DV = 64;
constexpr index softmax_block = 256;  // query rows per score block
constexpr index sizes[] = {1024, 4096, 16384, 65536};
constexpr index softmax_max_n = 16384;  // beyond: skipped (64k: ~9 TFLOP)

// Q, K, V of shape (H, n, D) for the batch forms, and the same tokens as (n, H, D) for the
// stream, which takes one token of all heads at a time.
struct inputs {
  dtensor<float> q, k, v, qt, kt, vt;
};

const inputs& get_inputs(index n) {
  static std::map<index, std::unique_ptr<inputs>> cache;
  auto& p = cache[n];
  if (!p) {
    p = std::make_unique<inputs>();
    p->q = dtensor<float>(H, n, D);
    p->k = dtensor<float>(H, n, D);
    p->v = dtensor<float>(H, n, DV);
    p->q.fill_random(1 + static_cast<std::uint64_t>(n));
    p->k.fill_random(2 + static_cast<std::uint64_t>(n));
    p->v.fill_random(3 + static_cast<std::uint64_t>(n));
    auto token_major = [n](const dtensor<float>& x) {
      const index e = x.extent(2);
      dtensor<float> y(n, H, e);
      for (index h = 0; h < H; ++h)
        for (index t = 0; t < n; ++t)
          std::memcpy(y.data() + (t * H + h) * e, x.data() + (h * n + t) * e, sizeof(float) * static_cast<std::size_t>(e));
      return y;
    };
    p->qt = token_major(p->q);
    p->kt = token_major(p->k);
    p->vt = token_major(p->v);
  }
  return *p;
}

double io_bytes(index n) { return static_cast<double>(H * n * (2 * D + 2 * DV)) * sizeof(float); }

template <class F>
void with_policy(int threads, F&& f) {
  if (threads == 1)
    f(exec::seq);
  else
    f(exec::par(threads));
}

// ---- exact softmax attention, in blocks of query rows -------------------------------------

// e^x for x <= 0 (scores minus their row maximum), in a form the compiler vectorizes
// (std::exp is a library call per element): e^x = 2^k e^r, |r| <= ln2 / 2, with a degree-6
// Taylor polynomial for e^r (relative error ~1e-7, float's rounding). Below -87, e^x = 0.
inline float exp_nonpositive(float x) {
  x = std::max(x, -87.0f);
  const float k = std::nearbyint(x * 1.44269504f);
  const float r = (x - k * 0.693145752f) - k * 1.42860677e-6f;  // ln2 in two parts
  float p = 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(k) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// Scratch of one thread: one score block (softmax_block x n) and its row sums.
struct softmax_scratch {
  std::vector<float> s, inv;
};

// O = softmax(Q K^T / sqrt(D)) V for one head: q, k of n x D, v and o of n x DV.
void softmax_head(const float* q, const float* k, const float* v, float* o, index n, softmax_scratch& w) {
  using namespace tenet::labels;
  w.s.resize(static_cast<std::size_t>(softmax_block * n));
  w.inv.resize(static_cast<std::size_t>(softmax_block));
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  const dtensor_view<const float> K(k, tenet::dyn_extents{n, D}), V(v, tenet::dyn_extents{n, DV});
  for (index r0 = 0; r0 < n; r0 += softmax_block) {
    const index rows = std::min(softmax_block, n - r0);
    const dtensor_view<const float> Qb(q + r0 * D, tenet::dyn_extents{rows, D});
    dtensor_view<float> S(w.s.data(), tenet::dyn_extents{rows, n}), Ob(o + r0 * DV, tenet::dyn_extents{rows, DV});
    tenet::assign(exec::seq, S(i, j), Qb(i, a) * K(j, a));
    for (index r = 0; r < rows; ++r) {
      float* row = w.s.data() + r * n;
      float mx = row[0];
      for (index j2 = 1; j2 < n; ++j2) mx = std::max(mx, row[j2]);
      float sum = 0;
#pragma omp simd reduction(+ : sum)
      for (index j2 = 0; j2 < n; ++j2) {
        const float e = exp_nonpositive((row[j2] - mx) * scale);
        row[j2] = e;
        sum += e;
      }
      w.inv[static_cast<std::size_t>(r)] = 1.0f / sum;
    }
    tenet::assign(exec::seq, Ob(i, c), S(i, j) * V(j, c));
    for (index r = 0; r < rows; ++r)
      for (index c2 = 0; c2 < DV; ++c2) o[(r0 + r) * DV + c2] *= w.inv[static_cast<std::size_t>(r)];
  }
}

// All heads; with 2 threads, the heads are split across them, each with its own scratch.
void softmax_attention(int threads, const inputs& in, dtensor<float>& out, std::vector<softmax_scratch>& w) {
  const index n = in.q.extent(1);
  w.resize(static_cast<std::size_t>(threads));
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
#endif
  for (index h = 0; h < H; ++h) {
#ifdef _OPENMP
    softmax_scratch& ws = w[static_cast<std::size_t>(omp_get_thread_num())];
#else
    softmax_scratch& ws = w[0];
#endif
    softmax_head(in.q.data() + h * n * D, in.k.data() + h * n * D, in.v.data() + h * n * DV,
                 out.data() + h * n * DV, n, ws);
  }
}

// ---- linear attention, phi = elu + 1 --------------------------------------------------------

inline float elu1(float x) { return x > 0 ? x + 1 : std::exp(x); }

template <class Pol>
dtensor<float> linear_attention(Pol pol, const inputs& in, dtensor<float>& fq, dtensor<float>& fk) {
  const index m = in.q.size();
  const int threads = exec::thread_count(pol);
  (void)threads;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
#endif
  for (index i = 0; i < m; ++i) {
    fq.data()[i] = elu1(in.q.data()[i]);
    fk.data()[i] = elu1(in.k.data()[i]);
  }
  auto kv = tenet::einsum<"hta,htc->hac">(pol, fk, in.v);  // (H, D, DV)
  auto z = tenet::einsum<"hta->ha">(pol, fk);               // (H, D)
  auto o = tenet::einsum<"hta,hac->htc">(pol, fq, kv);      // (H, n, DV)
  auto den = tenet::einsum<"hta,ha->ht">(pol, fq, z);       // (H, n)
  const index rows = den.size();
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
#endif
  for (index r = 0; r < rows; ++r) {
    const float inv = 1.0f / den.data()[r];
    for (index c = 0; c < DV; ++c) o.data()[r * DV + c] *= inv;
  }
  return o;
}

// ---- the forms ------------------------------------------------------------------------------

const tenet::attention_options masked_opts{.normalization = tenet::attention_norm::diagonal,
                                           .causal = tenet::attention_causal::masked};
tenet::attention_options chunked_opts(index n, int threads) {
  auto o = masked_opts;
  o.chunk = n / threads;
  return o;
}

void finish(benchmark::State& st, index n, double working, double state_bytes = -1) {
  st.SetItemsProcessed(st.iterations() * n);
  st.counters["working_bytes"] = working;
  if (state_bytes >= 0)
    st.counters["state_bytes"] = state_bytes;
  else
    st.counters["scratch_bytes"] = working - io_bytes(n);
}

void bm_tensor(benchmark::State& st, index n, int threads) {
  const auto& in = get_inputs(n);
  for (auto _ : st)
    with_policy(threads, [&](auto pol) { benchmark::DoNotOptimize(tenet::tensor_attention(pol, in.q, in.k, in.v)); });
  // Per head: K^T K, Q^T V, their product (d x d, d x dv, d x dv) and Q^T Q for tau; one per thread.
  finish(st, n, io_bytes(n) + static_cast<double>(threads * (2 * D * D + 2 * D * DV)) * sizeof(float));
}

void bm_chunked(benchmark::State& st, index n, int threads) {
  const auto& in = get_inputs(n);
  const auto opt = chunked_opts(n, threads);
  for (auto _ : st)
    with_policy(threads,
                [&](auto pol) { benchmark::DoNotOptimize(tenet::tensor_attention(pol, in.q, in.k, in.v, opt)); });
  const tenet::attention_state<float> one(D, DV, true);
  // One state per chunk (the scan's starting states) of the head(s) in flight.
  const index chunks = (n + opt.chunk - 1) / opt.chunk;
  finish(st, n, io_bytes(n) + static_cast<double>(threads * chunks) * static_cast<double>(one.bytes()));
}

void bm_stream(benchmark::State& st, index n) {
  const auto& in = get_inputs(n);
  tenet::attention_stream<float> s(D, DV, masked_opts, H);
  std::vector<float> o(static_cast<std::size_t>(H * DV));
  for (auto _ : st) {
    s.reset();
    for (index t = 0; t < n; ++t)
      s.step_into(in.qt.data() + t * H * D, in.kt.data() + t * H * D, in.vt.data() + t * H * DV, o.data());
    benchmark::DoNotOptimize(o.data());
  }
  st.SetItemsProcessed(st.iterations() * n);
  st.counters["state_bytes"] = static_cast<double>(s.state_bytes());
  st.counters["working_bytes"] = static_cast<double>(s.state_bytes() + sizeof(float) * (2 * H * D + 2 * H * DV));
}

void bm_softmax(benchmark::State& st, index n, int threads) {
  if (n > softmax_max_n) {
    st.SkipWithError("skipped: exact softmax attention at this n costs ~4 n^2 d flops per head (~9 TFLOP at 64k)");
    for (auto _ : st) {
    }
    return;
  }
  const auto& in = get_inputs(n);
  dtensor<float> out(H, n, DV);
  std::vector<softmax_scratch> w;
  for (auto _ : st) {
    softmax_attention(threads, in, out, w);
    benchmark::DoNotOptimize(out.data());
  }
  finish(st, n, io_bytes(n) + static_cast<double>(threads * (softmax_block * n + softmax_block)) * sizeof(float));
}

void bm_linear(benchmark::State& st, index n, int threads) {
  const auto& in = get_inputs(n);
  dtensor<float> fq(H, n, D), fk(H, n, D);
  for (auto _ : st)
    with_policy(threads, [&](auto pol) { benchmark::DoNotOptimize(linear_attention(pol, in, fq, fk)); });
  // phi(Q), phi(K), phi(K)^T V, phi(K)^T 1 and the denominators.
  finish(st, n, io_bytes(n) + static_cast<double>(2 * H * n * D + H * D * DV + H * D + H * n) * sizeof(float));
}

// ---- checks before timing -------------------------------------------------------------------

[[noreturn]] void fail(const std::string& what, double err) {
  std::fprintf(stderr, "bench_dtn: check failed: %s (relative error %.3g)\n", what.c_str(), err);
  std::exit(1);
}

// Max |a - b| over max |b| on the given rows of head h: a, b of (H, n, DV) layout.
double rows_error(const float* a, const std::vector<double>& ref, index n, index h, const std::vector<index>& rows) {
  double num = 0, den = 0;
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (index c = 0; c < DV; ++c) {
      const double x = a[(h * n + rows[r]) * DV + c], y = ref[r * DV + static_cast<std::size_t>(c)];
      num = std::max(num, std::abs(x - y));
      den = std::max(den, std::abs(y));
    }
  return num / den;
}

void check_forms() {
  const index n = 1024;
  const auto& in = get_inputs(n);
  const std::vector<index> rows = {0, 1, 255, 256, 700, n - 1};
  const index h = 5;
  const float *q = in.q.data() + h * n * D, *k = in.k.data() + h * n * D, *v = in.v.data() + h * n * DV;
  // softmax, in double from the definition
  std::vector<double> ref(rows.size() * DV, 0.0), p(static_cast<std::size_t>(n));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    double mx = -1e300, sum = 0;
    for (index j = 0; j < n; ++j) {
      double s = 0;
      for (index a = 0; a < D; ++a) s += double(q[rows[r] * D + a]) * k[j * D + a];
      p[static_cast<std::size_t>(j)] = s / 8.0;
      mx = std::max(mx, s / 8.0);
    }
    for (double& x : p) sum += (x = std::exp(x - mx));
    for (index j = 0; j < n; ++j)
      for (index c = 0; c < DV; ++c) ref[r * DV + static_cast<std::size_t>(c)] += p[static_cast<std::size_t>(j)] / sum * v[j * DV + c];
  }
  for (int threads : {1, 2}) {
    dtensor<float> out(H, n, DV);
    std::vector<softmax_scratch> w;
    softmax_attention(threads, in, out, w);
    const double e = rows_error(out.data(), ref, n, h, rows);
    if (!(e < 1e-4)) fail("softmax attention", e);
  }
  // linear attention, in double
  std::fill(ref.begin(), ref.end(), 0.0);
  std::vector<double> kv(static_cast<std::size_t>(D * DV), 0.0), z(static_cast<std::size_t>(D), 0.0);
  auto phi = [](double x) { return x > 0 ? x + 1 : std::exp(x); };
  for (index t = 0; t < n; ++t)
    for (index a = 0; a < D; ++a) {
      z[static_cast<std::size_t>(a)] += phi(k[t * D + a]);
      for (index c = 0; c < DV; ++c) kv[static_cast<std::size_t>(a * DV + c)] += phi(k[t * D + a]) * v[t * DV + c];
    }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    double den = 0;
    for (index a = 0; a < D; ++a) den += phi(q[rows[r] * D + a]) * z[static_cast<std::size_t>(a)];
    for (index a = 0; a < D; ++a)
      for (index c = 0; c < DV; ++c)
        ref[r * DV + static_cast<std::size_t>(c)] += phi(q[rows[r] * D + a]) * kv[static_cast<std::size_t>(a * DV + c)] / den;
  }
  dtensor<float> fq(H, n, D), fk(H, n, D);
  for (int threads : {1, 2}) {
    dtensor<float> o;
    with_policy(threads, [&](auto pol) { o = linear_attention(pol, in, fq, fk); });
    const double e = rows_error(o.data(), ref, n, h, rows);
    if (!(e < 1e-4)) fail("linear attention", e);
  }
  // the stream against the chunked batch form (both float; the tests check the forms in double)
  dtensor<float> batch = tenet::tensor_attention(exec::par(2), in.q, in.k, in.v, chunked_opts(n / 4, 1));
  tenet::attention_stream<float> s(D, DV, masked_opts, H);
  std::vector<float> o(static_cast<std::size_t>(H * DV));
  double num = 0, den = 0;
  for (index t = 0; t < n; ++t) {
    s.step_into(in.qt.data() + t * H * D, in.kt.data() + t * H * D, in.vt.data() + t * H * DV, o.data());
    for (index hh = 0; hh < H; ++hh)
      for (index c = 0; c < DV; ++c) {
        const double x = o[static_cast<std::size_t>(hh * DV + c)], y = batch.data()[(hh * n + t) * DV + c];
        num = std::max(num, std::abs(x - y));
        den = std::max(den, std::abs(y));
      }
  }
  if (!(num / den < 1e-3)) fail("stream vs chunked masked attention", num / den);
}

void register_all() {
  for (index n : sizes) {
    const std::string ns = "/n:" + std::to_string(n);
    for (int t : {1, 2}) {
      const std::string ts = "/threads:" + std::to_string(t);
      benchmark::RegisterBenchmark(("tensor" + ns + ts).c_str(), bm_tensor, n, t)->UseRealTime()->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("chunked" + ns + ts).c_str(), bm_chunked, n, t)->UseRealTime()->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("softmax" + ns + ts).c_str(), bm_softmax, n, t)->UseRealTime()->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("linear" + ns + ts).c_str(), bm_linear, n, t)->UseRealTime()->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark(("stream" + ns + "/threads:1").c_str(), bm_stream, n)->UseRealTime()->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  check_forms();
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
