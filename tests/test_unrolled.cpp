// The unrolled engine (exec/unrolled.hpp): tiny einsum<"..."> contractions of owning tensors
// with static extents run as straight-line code; each form against its defining loops in
// double, what explain reports, and when it does not apply.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <cmath>

namespace {

using tenet::tensor;
using idx = tenet::index;
namespace exec = tenet::exec;

template <class X, class R>
double max_abs_err(const X& x, const R& ref) {
  double worst = 0;
  for (idx n = 0; n < ref.size(); ++n) {
    const double e = std::abs(double(x.data()[n]) - double(ref.data()[n]));
    if (!(e <= worst)) worst = e;  // NaN: worst
  }
  return worst;
}

}  // namespace

TEST_CASE_TEMPLATE("unrolled einsum: products, transposed outputs, batches, traces, sums, outer", T, float, double) {
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-13;
  tensor<T, 3, 4> a;
  tensor<T, 4, 5> b;
  tensor<T, 5, 4> bt;
  a.fill_random(1), b.fill_random(2), bt.fill_random(3);
  {  // ij,jk->ik and ij,kj->ki (B and C transposed)
    const auto c = tenet::einsum<"ij,jk->ik">(a, b);
    const auto d = tenet::einsum<"ij,kj->ki">(a, bt);
    static_assert(std::is_same_v<std::remove_const_t<decltype(d)>, tensor<T, 5, 3>>);
    tensor<double, 3, 5> rc;
    tensor<double, 5, 3> rd;
    for (idx i = 0; i < 3; ++i)
      for (idx k = 0; k < 5; ++k)
        for (idx j = 0; j < 4; ++j) {
          rc(i, k) += double(a(i, j)) * double(b(j, k));
          rd(k, i) += double(a(i, j)) * double(bt(k, j));
        }
    CHECK(max_abs_err(c, rc) <= tol);
    CHECK(max_abs_err(d, rd) <= tol);
  }
  {  // bij,bjk->bik
    tensor<T, 2, 3, 3> x, y;
    x.fill_random(4), y.fill_random(5);
    const auto z = tenet::einsum<"bij,bjk->bik">(x, y);
    tensor<double, 2, 3, 3> r;
    for (idx p = 0; p < 2; ++p)
      for (idx i = 0; i < 3; ++i)
        for (idx k = 0; k < 3; ++k)
          for (idx j = 0; j < 3; ++j) r(p, i, k) += double(x(p, i, j)) * double(y(p, j, k));
    CHECK(max_abs_err(z, r) <= tol);
  }
  {  // ii,i-> (a diagonal), ij,j-> (everything summed), i,j->ij (outer), ijk,k->ji
    tensor<T, 4, 4> m;
    tensor<T, 4> v;
    tensor<T, 3, 2, 4> t;
    m.fill_random(6), v.fill_random(7), t.fill_random(8);
    double tr = 0, all = 0;
    for (idx i = 0; i < 4; ++i) tr += double(m(i, i)) * double(v(i));
    for (idx i = 0; i < 4; ++i)
      for (idx j = 0; j < 4; ++j) all += double(m(i, j)) * double(v(j));
    CHECK(std::abs(double(tenet::einsum<"ii,i->">(m, v)()) - tr) <= tol);
    CHECK(std::abs(double(tenet::einsum<"ij,j->">(m, v)()) - all) <= tol);
    const auto o = tenet::einsum<"i,j->ij">(v, v);
    tensor<double, 4, 4> ro;
    for (idx i = 0; i < 4; ++i)
      for (idx j = 0; j < 4; ++j) ro(i, j) = double(v(i)) * double(v(j));
    CHECK(max_abs_err(o, ro) <= tol);
    const auto q = tenet::einsum<"ijk,k->ji">(t, v);
    tensor<double, 2, 3> rq;
    for (idx i = 0; i < 3; ++i)
      for (idx j = 0; j < 2; ++j)
        for (idx k = 0; k < 4; ++k) rq(j, i) += double(t(i, j, k)) * double(v(k));
    CHECK(max_abs_err(q, rq) <= tol);
  }
}

TEST_CASE("unrolled einsum: explain names it; larger, viewed or dynamic operands and other engines do not use it") {
  tensor<float, 4, 4> a, b;
  a.fill_random(1), b.fill_random(2);
  auto r = tenet::explain<"ij,jk->ik">(a, b);
  REQUIRE(r.steps.size() == 1);
  CHECK(r.steps[0].used == exec::engine::unrolled);
  CHECK(r.steps[0].m == 16);
  CHECK(r.steps[0].k == 4);
  CHECK(r.steps[0].k_labels == "j");
  CHECK(r.str().find("engine unrolled") != std::string::npos);
  r = tenet::explain<"ij,jk->ik">(exec::seq.with(exec::engine::unrolled), a, b);
  CHECK(r.steps[0].used == exec::engine::unrolled);
  // Asked for another engine: that engine runs, with the same numbers.
  r = tenet::explain<"ij,jk->ik">(exec::seq.with(exec::engine::gett), a, b);
  CHECK(r.steps[0].used == exec::engine::gett);
  const auto c1 = tenet::einsum<"ij,jk->ik">(a, b);
  const auto c2 = tenet::einsum<"ij,jk->ik">(exec::seq.with(exec::engine::gett), a, b);
  CHECK(max_abs_err(c1, c2) <= 1e-5);
  // 16 x 16 x 16 = 4096 terms: above exec::unrolled_max_terms.
  tensor<float, 16, 16> big;
  big.fill_random(3);
  CHECK(tenet::explain<"ij,jk->ik">(big, big).steps[0].used != exec::engine::unrolled);
  // A view has run-time strides; a dynamic extent is not known at compile time.
  CHECK(tenet::explain<"ij,jk->ik">(tenet::permute<1, 0>(a), b).steps[0].used != exec::engine::unrolled);
  tenet::tensor<float, 4, tenet::dyn> d(4);
  d.fill_random(4);
  CHECK(tenet::explain<"ij,jk->ik">(a, d).steps[0].used != exec::engine::unrolled);
  // Asking for it where it cannot run: the planner's choice runs and says so.
  tenet::dtensor<float> da(idx(4), idx(4));
  da.fill_random(5);
  r = tenet::explain(exec::seq.with(exec::engine::unrolled), "ij,jk->ik", da, da);
  CHECK(r.steps[0].asked == exec::engine::unrolled);
  CHECK(r.steps[0].used != exec::engine::unrolled);
  CHECK(r.str().find("cannot run it") != std::string::npos);
}
