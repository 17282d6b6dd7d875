// tenet::explain and engine preferences: the report names what runs, a forced engine runs
// (and computes the same numbers), and an engine that cannot run a contraction falls back.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using tenet::dtensor;
using idx = tenet::index;
namespace exec = tenet::exec;

// C[a,b,d] = sum_c A[a,b,c] B[c,d], in double, by its definition.
dtensor<double> reference_abd(const dtensor<float>& a, const dtensor<float>& b) {
  dtensor<double> c{a.extent(0), a.extent(1), b.extent(1)};
  for (idx i = 0; i < a.extent(0); ++i)
    for (idx j = 0; j < a.extent(1); ++j)
      for (idx l = 0; l < b.extent(1); ++l) {
        double s = 0;
        for (idx k = 0; k < a.extent(2); ++k) s += double(a(i, j, k)) * double(b(k, l));
        c(i, j, l) = s;
      }
  return c;
}

double max_rel_err(const dtensor<float>& x, const dtensor<double>& ref) {
  double worst = 0, scale = 0;
  for (idx n = 0; n < ref.size(); ++n) scale = std::max(scale, std::abs(ref.data()[n]));
  for (idx n = 0; n < ref.size(); ++n) {
    const double e = std::abs(double(x.data()[n]) - ref.data()[n]);
    if (!(e <= worst)) worst = e;  // a NaN counts as the worst error (std::max would drop it)
  }
  return worst / scale;
}

}  // namespace

TEST_CASE("explain reports the GEMM-shaped problem of a contraction and computes nothing") {
  dtensor<float> a{8, 5, 12}, b{12, 7};
  a.fill_random(1);
  b.fill_random(2);
  const auto r = tenet::explain("abc,cd->abd", a, b);
  REQUIRE(r.steps.size() == 1);
  const auto& s = r.steps[0];
  CHECK(s.a == "abc");
  CHECK(s.b == "cd");
  CHECK(s.c == "abd");
  CHECK(s.shape_a == std::vector<idx>{8, 5, 12});
  CHECK(s.shape_c == std::vector<idx>{8, 5, 7});
  CHECK(s.used != exec::engine::automatic);
  if (s.used != exec::engine::direct) {
    CHECK(s.m * s.n * s.k * s.calls == 8 * 5 * 7 * 12);  // every multiply-add, once
    CHECK(s.k == 12);
  }
  CHECK(s.flops() > 0);
  CHECK(r.str().find("step 0: abc(8,5,12) * cd(12,7) -> abd(8,5,7)") != std::string::npos);

  // The compile-time form plans the same contraction the same way.
  const auto rs = tenet::explain<"abc,cd->abd">(a, b);
  REQUIRE(rs.steps.size() == 1);
  CHECK(rs.steps[0].used == s.used);
  CHECK(rs.steps[0].m == s.m);
  CHECK(rs.steps[0].n == s.n);
}

TEST_CASE("explain lists every pairwise step of a chain, and none for one operand") {
  dtensor<double> a{6, 4}, b{4, 5}, c{5, 3};
  a.fill_random(3), b.fill_random(4), c.fill_random(5);
  const auto r = tenet::explain("ij,jk,kl->il", a, b, c);
  CHECK(r.steps.size() == 2);
  CHECK(r.steps.back().c == "il");
  const auto t = tenet::explain("ii->", dtensor<double>{3, 3});
  CHECK(t.steps.empty());
  CHECK(t.str().find("no pairwise contraction") != std::string::npos);
  // Errors are the einsum's own.
  CHECK_THROWS_AS(tenet::explain("ij,jk->ik", a, c), tenet::shape_error);
}

TEST_CASE("a forced engine runs, reports itself, and gives the einsum's numbers") {
  dtensor<float> a{9, 6, 33}, b{33, 17};
  a.fill_random(6);
  b.fill_random(7);
  const dtensor<double> ref = reference_abd(a, b);
  for (auto e : {exec::engine::direct, exec::engine::gett, exec::engine::gemm, exec::engine::ttgt}) {
    INFO("engine " << exec::engine_name(e));
    for (int threads : {1, 2}) {
      const auto run = [&](auto policy) {
        const auto r = tenet::explain(policy, "abc,cd->abd", a, b);
        REQUIRE(r.steps.size() == 1);
        CHECK(r.steps[0].used == e);
        CHECK(r.steps[0].asked == e);
        const dtensor<float> c = tenet::einsum(policy, "abc,cd->abd", a, b);
        CHECK(max_rel_err(c, ref) < 1e-5);
      };
      if (threads == 1)
        run(exec::seq.with(e));
      else
        run(exec::par(2).with(e));
    }
  }
}

TEST_CASE("an engine that cannot run a contraction falls back to the planner's choice") {
  // k = {a, c} is not one stride group in A (b sits between them) and k labels cannot be
  // looped over: a GEMM needs a transposed copy, so `gemm` (no copies) cannot run this.
  dtensor<double> a{4, 5, 6}, b{4, 6};
  a.fill_random(8);
  b.fill_random(9);
  const auto r = tenet::explain(exec::seq.with(exec::engine::gemm), "abc,ac->b", a, b);
  REQUIRE(r.steps.size() == 1);
  CHECK(r.steps[0].asked == exec::engine::gemm);
  CHECK(r.steps[0].used != exec::engine::gemm);
  CHECK(r.str().find("cannot run it") != std::string::npos);
  const dtensor<double> c = tenet::einsum(exec::seq.with(exec::engine::gemm), "abc,ac->b", a, b);
  for (idx j = 0; j < 5; ++j) {
    double s = 0;
    for (idx i = 0; i < 4; ++i)
      for (idx k = 0; k < 6; ++k) s += a(i, j, k) * b(i, k);
    CHECK(c(j) == doctest::Approx(s).epsilon(1e-12));
  }
}

namespace {

// out(lc) = sum over the other labels of x(lx) y(ly), in double, by its definition: one loop
// over every combination of label values. Operands are contiguous row-major.
template <class T>
dtensor<double> reference_pair(const std::string& lx, const dtensor<T>& x, const std::string& ly,
                               const dtensor<T>& y, const std::string& lc) {
  std::string labels;
  std::vector<idx> ext;
  auto add = [&](const std::string& l, const dtensor<T>& t) {
    for (std::size_t r = 0; r < l.size(); ++r)
      if (labels.find(l[r]) == std::string::npos) labels += l[r], ext.push_back(t.extent(r));
  };
  add(lx, x);
  add(ly, y);
  std::vector<idx> out_ext;
  for (char l : lc) out_ext.push_back(ext[labels.find(l)]);
  dtensor<double> c{tenet::dyn_extents(out_ext)};
  for (idx n = 0; n < c.size(); ++n) c.data()[n] = 0;
  std::vector<idx> v(labels.size(), 0);
  auto offset = [&](const std::string& l, const std::vector<idx>& e) {
    idx o = 0;
    for (std::size_t r = 0; r < l.size(); ++r) o = o * e[r] + v[labels.find(l[r])];
    return o;
  };
  std::vector<idx> ex(lx.size()), ey(ly.size());
  for (std::size_t r = 0; r < lx.size(); ++r) ex[r] = x.extent(r);
  for (std::size_t r = 0; r < ly.size(); ++r) ey[r] = y.extent(r);
  for (;;) {
    c.data()[offset(lc, out_ext)] += double(x.data()[offset(lx, ex)]) * double(y.data()[offset(ly, ey)]);
    std::size_t r = labels.size();
    while (r-- > 0 && ++v[r] == ext[r]) v[r] = 0;
    if (r == std::size_t(-1)) break;
  }
  return c;
}

template <class T>
double max_rel_err_to(const dtensor<T>& x, const dtensor<double>& ref) {
  double worst = 0, scale = 0;
  for (idx n = 0; n < ref.size(); ++n) scale = std::max(scale, std::abs(ref.data()[n]));
  for (idx n = 0; n < ref.size(); ++n) {
    const double e = std::abs(double(x.data()[n]) - ref.data()[n]);
    if (!(e <= worst)) worst = e;  // a NaN counts as the worst error (std::max would drop it)
  }
  return worst / scale;
}

// Forces engine::blas on contractions whose GEMMs need NoTrans/Trans operands, a transposed
// C, a copy first (ttgt-like), a batch loop and odd extents; checks what ran and the numbers.
template <class T>
void check_forced_blas(double tol) {
  struct pair_case {
    const char *x, *y, *c;
    std::vector<idx> sx, sy;
  };
  const std::vector<pair_case> cases = {
      {"abc", "cd", "abd", {9, 6, 33}, {33, 17}},  // A NoTrans, B NoTrans
      {"ba", "cb", "ac", {31, 7}, {5, 31}},        // both transposed
      {"ik", "jk", "ji", {13, 17}, {11, 17}},      // C transposed: C^T = B A^T
      {"abc", "cad", "bd", {4, 5, 6}, {6, 4, 3}},  // k = {a, c} split in A: a copy first
      {"bik", "bkj", "bij", {3, 7, 5}, {3, 5, 2}}, // a loop over b
  };
  std::uint64_t seed = 20;
  for (const pair_case& pc : cases) {
    const std::string sub = std::string(pc.x) + "," + pc.y + "->" + pc.c;
    INFO("einsum " << sub);
    dtensor<T> x{tenet::dyn_extents(pc.sx)}, y{tenet::dyn_extents(pc.sy)};
    x.fill_random(seed++);
    y.fill_random(seed++);
    const dtensor<double> ref = reference_pair(pc.x, x, pc.y, y, pc.c);
    for (int threads : {1, 2}) {
      const auto run = [&](auto policy) {
        const auto r = tenet::explain(policy, sub, x, y);
        REQUIRE(r.steps.size() == 1);
        CHECK(r.steps[0].asked == exec::engine::blas);
#ifdef TENET_HAS_CBLAS
        CHECK(r.steps[0].used == exec::engine::blas);
        CHECK(r.str().find("engine blas") != std::string::npos);
#else
        CHECK(r.steps[0].used != exec::engine::blas);  // no CBLAS: the planner's choice runs
        CHECK(r.str().find("asked for blas: cannot run it") != std::string::npos);
#endif
        const dtensor<T> c = tenet::einsum(policy, sub, x, y);
        CHECK(max_rel_err_to(c, ref) < tol);
      };
      if (threads == 1)
        run(exec::seq.with(exec::engine::blas));
      else
        run(exec::par(2).with(exec::engine::blas));
    }
  }
}

}  // namespace

TEST_CASE("engine::blas runs with a CBLAS, falls back without one, and gives the einsum's numbers") {
  check_forced_blas<float>(1e-5);
  check_forced_blas<double>(1e-12);
}

TEST_CASE("automatic takes the BLAS plan only when its calibrated rate makes it cheaper") {
  // C(i,j) = A(i,k) B(k,j), all row-major: i=64, k=48, j=40.
  using tenet::exec::detail::label_dim;
  const std::vector<label_dim> d = {{'i', 64, {48, 0, 40}, {true, false, true}},
                                    {'k', 48, {1, 40, 0}, {true, true, false}},
                                    {'j', 40, {0, 1, 1}, {false, true, true}}};
  namespace ed = tenet::exec::detail;
  const ed::cost_model cm;  // default: BLAS rate = Eigen's, so Eigen is kept
  CHECK(cm.blas_flops_per_ns == cm.flops_per_ns);
  const auto eigen_plan = ed::plan_contraction(d, cm, false, exec::engine::automatic, true);
  CHECK(ed::engine_of(eigen_plan) == exec::engine::gemm);
  ed::cost_model fast = cm;
  fast.blas_flops_per_ns = 4 * cm.flops_per_ns;
  const auto blas_plan = ed::plan_contraction(d, fast, false, exec::engine::automatic, true);
  CHECK(ed::engine_of(blas_plan) == exec::engine::blas);
  CHECK(blas_plan.cost < eigen_plan.cost);
  // Without a CBLAS for the type, no calibration makes it a candidate; forcing it falls back.
  CHECK(ed::engine_of(ed::plan_contraction(d, fast, false, exec::engine::automatic, false)) != exec::engine::blas);
  CHECK(ed::engine_of(ed::plan_contraction(d, cm, false, exec::engine::blas, false)) != exec::engine::blas);
  CHECK(ed::engine_of(ed::plan_contraction(d, cm, false, exec::engine::blas, true)) == exec::engine::blas);
}

TEST_CASE("a GEMV into a strided vector, or one of many short passes, is costed as such") {
  namespace ed = tenet::exec::detail;
  const ed::cost_model cm;
  // Contiguous along the long dimension: the cheapest GEMV of this size.
  const double cheap = ed::gemm_call_cost(509, 1, 2, cm, 2);
  CHECK(ed::gemm_call_cost(509, 1, 2, cm, 509) > 4 * cheap);         // 509 passes of 2
  CHECK(ed::gemm_call_cost(509, 1, 2, cm, 2, true) > 10 * cheap);    // result stride 509
  CHECK(ed::gemm_call_cost(16, 16, 16, cm, 16, true) == ed::gemm_call_cost(16, 16, 16, cm));  // not a GEMV
  // CBLAS runs every shape as a GEMM: no cheap GEMV path (1.45 us for this one, measured).
  CHECK(ed::blas_call_cost(257, 1, 2, cm) > 5 * cheap);
  CHECK(ed::blas_call_cost(64, 64, 64, cm) == ed::gemm_call_cost(64, 64, 64, cm));  // equal rates
  // abc = dca * bd with a = 3, b = 257, c = 509, d = 2 (row-major): every loop of GEMVs
  // either walks 2-element rows or writes C with stride 509; the planner used to pick
  // 771 of them (ten times slower than the native kernel, measured).
  dtensor<float> x(tenet::dyn_extents({2, 509, 3})), y(tenet::dyn_extents({257, 2}));
  x.fill_random(1);
  y.fill_random(2);
  const auto r = tenet::explain("dca,bd->abc", x, y);  // with or without a CBLAS
  REQUIRE(r.steps.size() == 1);
  CHECK(r.steps[0].used == exec::engine::gett);
  // Its 1527 CBLAS calls (m = 257, n = 1, k = 2) took 1.7-2.8 ms, measured: never the pick.
  using tenet::exec::detail::label_dim;
  const std::vector<label_dim> d = {{'a', 3, {1, 0, 257 * 509}, {true, false, true}},
                                    {'b', 257, {0, 2, 509}, {false, true, true}},
                                    {'c', 509, {3, 0, 1}, {true, false, true}},
                                    {'d', 2, {509 * 3, 1, 0}, {true, true, false}}};
  CHECK(ed::engine_of(ed::plan_contraction(d, cm, true, exec::engine::automatic, true)) == exec::engine::gett);
  CHECK(ed::engine_of(ed::plan_contraction(d, cm, false, exec::engine::automatic, true)) != exec::engine::blas);
}
