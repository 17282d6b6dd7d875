// tenet::explain and engine preferences: the report names what runs, a forced engine runs
// (and computes the same numbers), and an engine that cannot run a contraction falls back.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <cmath>
#include <string>

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
  for (idx n = 0; n < ref.size(); ++n) worst = std::max(worst, std::abs(double(x.data()[n]) - ref.data()[n]));
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
