// The per-thread plan cache (exec/plan_cache.hpp): a repeated contraction plans once, and
// a plan is reused only for the same extents, strides and engine. Each result is checked
// against explicit loops in double, so a plan reused for the wrong layout would show.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <cmath>
#include <span>
#include <vector>

namespace {

using idx = tenet::index;
using tenet::dtensor;
namespace exec = tenet::exec;
namespace ed = tenet::exec::detail;

dtensor<double> random_tensor(std::vector<idx> shape, std::uint64_t seed) {
  dtensor<double> x{tenet::dyn_extents(std::span<const idx>(shape))};
  x.fill_random(seed);
  return x;
}

// max |C(i, j) - sum_k A(i, k) B(k, j)| over C, for views of any strides.
template <class VA, class VB, class VC>
double gemm_error(const VA& A, const VB& B, const VC& C) {
  double err = 0;
  for (idx i = 0; i < C.extent(0); ++i)
    for (idx j = 0; j < C.extent(1); ++j) {
      double s = 0;
      for (idx k = 0; k < A.extent(1); ++k) s += A(i, k) * B(k, j);
      err = std::max(err, std::abs(C(i, j) - s));
    }
  return err;
}

ed::plan_cache_stats counts() { return ed::plan_cache_counts<double>(); }

}  // namespace

TEST_CASE("a repeated contraction is planned once; another layout or engine is planned anew") {
  const auto A = random_tensor({37, 29}, 1), B = random_tensor({29, 41}, 2);
  const auto At = random_tensor({29, 37}, 3);  // read transposed: the same extents, other strides
  dtensor<double> C{tenet::dyn_extents({37, 41})};
  tenet::einsum_into("ik,kj->ij", C, A, B);  // planned (or found from an earlier test)
  const auto s0 = counts();
  tenet::einsum_into("ik,kj->ij", C, A, B);
  CHECK(counts().hits == s0.hits + 1);
  CHECK(counts().misses == s0.misses);
  CHECK(gemm_error(A.view(), B.view(), C.view()) < 1e-12);

  // The same labels and extents with A transposed in memory: a new plan, a right result.
  const auto Av = tenet::permute(At.view(), {1, 0});
  tenet::einsum_into("ik,kj->ij", C, Av, B);
  CHECK(counts().misses == s0.misses + 1);
  CHECK(gemm_error(Av, B.view(), C.view()) < 1e-12);
  // Back and forth, each layout finds its own plan.
  for (int r = 0; r < 3; ++r) {
    tenet::einsum_into("ik,kj->ij", C, A, B);
    CHECK(gemm_error(A.view(), B.view(), C.view()) < 1e-12);
    tenet::einsum_into("ik,kj->ij", C, Av, B);
    CHECK(gemm_error(Av, B.view(), C.view()) < 1e-12);
  }
  CHECK(counts().misses == s0.misses + 1);

  // Another engine asked for: planned for it.
  tenet::einsum_into(exec::seq.with(exec::engine::direct), "ik,kj->ij", C, A, B);
  CHECK(counts().misses == s0.misses + 2);
  CHECK(gemm_error(A.view(), B.view(), C.view()) < 1e-12);
}

TEST_CASE("the plan cache evicts old entries and keeps no huge tables, and stays right") {
  const auto s0 = counts();
  // More distinct shapes than the cache holds: the first is planned again afterwards.
  const idx shapes = static_cast<idx>(ed::plan_cache<double>::capacity) + 4;
  for (idx r = 0; r < 2; ++r)
    for (idx t = 0; t < shapes; ++t) {
      const auto A = random_tensor({5 + t, 7}, 10 + static_cast<std::uint64_t>(t)), B = random_tensor({7, 9}, 4);
      dtensor<double> C{tenet::dyn_extents({5 + t, 9})};
      tenet::einsum_into("ik,kj->ij", C, A, B);
      CHECK(gemm_error(A.view(), B.view(), C.view()) < 1e-12);
    }
  CHECK(counts().misses >= s0.misses + 2 * static_cast<std::size_t>(shapes) - 1);

  // A GETT plan over more rows than plan_cache keeps tables for: right, and not kept.
  const idx m = static_cast<idx>(ed::plan_cache<double>::max_table_elements) + 3;
  const auto A = random_tensor({m, 3}, 5), B = random_tensor({3, 17}, 6);
  dtensor<double> C{tenet::dyn_extents({m, 17})};
  const auto s1 = counts();
  for (int r = 0; r < 2; ++r) {
    tenet::einsum_into(exec::seq.with(exec::engine::gett), "ik,kj->ij", C, A, B);
    CHECK(gemm_error(A.view(), B.view(), C.view()) < 1e-12);
  }
  CHECK(counts().misses == s1.misses + 2);
  CHECK(counts().hits == s1.hits);
}

#ifdef _OPENMP
TEST_CASE("threads plan on their own caches and get their own right results") {
  constexpr int threads = 4;
  std::vector<dtensor<double>> as, bs, cs;
  for (int t = 0; t < threads; ++t) {
    as.push_back(random_tensor({20 + 3 * t, 11}, 20 + static_cast<std::uint64_t>(t)));
    bs.push_back(random_tensor({11, 13 + t}, 30 + static_cast<std::uint64_t>(t)));
    cs.emplace_back(tenet::dyn_extents({20 + 3 * t, 13 + t}));
  }
  std::vector<double> err(threads, 1.0);
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int t = 0; t < threads; ++t) {
    double e = 0;
    for (int r = 0; r < 5; ++r) {
      tenet::einsum_into("ik,kj->ij", cs[static_cast<std::size_t>(t)], as[static_cast<std::size_t>(t)],
                         bs[static_cast<std::size_t>(t)]);
      e = std::max(e, gemm_error(as[static_cast<std::size_t>(t)].view(), bs[static_cast<std::size_t>(t)].view(),
                                 cs[static_cast<std::size_t>(t)].view()));
    }
    err[static_cast<std::size_t>(t)] = e;
  }
  for (int t = 0; t < threads; ++t) CHECK(err[static_cast<std::size_t>(t)] < 1e-12);
}
#endif
