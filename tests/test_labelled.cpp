// Labelled expression templates: C(i, k) = A(i, j) * B(j, k) and friends. Every result is
// checked against explicit loops over the definition, in double, written here.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using tenet::dtensor;
using tenet::dyn;
using tenet::tensor;
using idx = tenet::index;

template <class T>
constexpr double tol() {
  return std::is_same_v<T, float> ? 1e-4 : 1e-12;
}

// True when x has ref's shape and |x - ref| <= rtol * (1 + |ref|) everywhere. Walks x through
// its strides, so views (permuted, strided) are compared element by element too.
template <class X>
bool close(const X& x, const dtensor<double>& ref, double rtol) {
  const auto v = tenet::as_view(x);
  if (static_cast<std::size_t>(v.rank()) != ref.rank()) return false;
  for (std::size_t r = 0; r < ref.rank(); ++r)
    if (v.extent(r) != ref.extent(r)) return false;
  std::vector<idx> pos(ref.rank(), 0);
  for (idx n = 0; n < ref.size(); ++n) {
    idx off = 0;
    for (std::size_t r = 0; r < pos.size(); ++r) off += pos[r] * v.stride(r);
    const double got = static_cast<double>(v.data()[off]), want = ref.data()[n];
    if (!(std::abs(got - want) <= rtol * (1 + std::abs(want)))) return false;
    for (std::size_t r = pos.size(); r-- > 0;) {
      if (++pos[r] < ref.extent(r)) break;
      pos[r] = 0;
    }
  }
  return true;
}

// The message of the shape_error that f throws ("" if it throws none).
std::string shape_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const tenet::shape_error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// ---- references: explicit loops in double ----

// R(p, q) = sum_s X(p, s) Y(s, q)
template <class X, class Y>
dtensor<double> ref_matmul(const X& x, const Y& y) {
  dtensor<double> r{x.extent(0), y.extent(1)};
  for (idx p = 0; p < x.extent(0); ++p)
    for (idx q = 0; q < y.extent(1); ++q)
      for (idx s = 0; s < x.extent(1); ++s) r(p, q) += double(x(p, s)) * double(y(s, q));
  return r;
}

// R(q, p) = X(p, q)
dtensor<double> ref_transpose(const dtensor<double>& x) {
  dtensor<double> r{x.extent(1), x.extent(0)};
  for (idx p = 0; p < x.extent(0); ++p)
    for (idx q = 0; q < x.extent(1); ++q) r(q, p) = x(p, q);
  return r;
}

// R = a X + b Y (same shape, any rank)
dtensor<double> ref_axpby(double a, const dtensor<double>& x, double b, const dtensor<double>& y) {
  dtensor<double> r(x);
  for (idx n = 0; n < r.size(); ++n) r.data()[n] = a * x.data()[n] + b * y.data()[n];
  return r;
}

// X copied into double (rank 2)
template <class X>
dtensor<double> ref_copy2(const X& x) {
  dtensor<double> r{x.extent(0), x.extent(1)};
  for (idx p = 0; p < x.extent(0); ++p)
    for (idx q = 0; q < x.extent(1); ++q) r(p, q) = double(x(p, q));
  return r;
}

}  // namespace

TEST_CASE_TEMPLATE("labelled: matrix product with static extents", T, float, double) {
  using namespace tenet::labels;
  tensor<T, 3, 4> A;
  tensor<T, 4, 5> B;
  A.fill_random(1);
  B.fill_random(2);
  tensor<T, 3, 5> C;
  C(i, k) = A(i, j) * B(j, k);
  CHECK(close(C, ref_matmul(A, B), tol<T>()));

  SUBCASE("transposed target") {
    tensor<T, 5, 3> D;
    D(k, i) = A(i, j) * B(j, k);
    CHECK(close(D, ref_transpose(ref_matmul(A, B)), tol<T>()));
  }
  SUBCASE("transposed operand") {
    tensor<T, 4, 3> At;
    At(j, i) = A(i, j);
    CHECK(close(At, ref_transpose(ref_copy2(A)), tol<T>()));
    tensor<T, 3, 5> E;
    E(i, k) = At(j, i) * B(j, k);
    CHECK(close(E, ref_matmul(A, B), tol<T>()));
  }
  SUBCASE("operand order does not matter") {
    tensor<T, 3, 5> E;
    E(i, k) = B(j, k) * A(i, j);
    CHECK(close(E, ref_matmul(A, B), tol<T>()));
  }
  SUBCASE("const operands") {
    const auto& ca = A;
    const auto& cb = B;
    tensor<T, 3, 5> E;
    E(i, k) = ca(i, j) * cb(j, k);
    CHECK(close(E, ref_matmul(A, B), tol<T>()));
  }
  SUBCASE("upper-case labels") {
    constexpr tenet::label<'I'> I{};
    constexpr tenet::label<'J'> J{};
    tensor<T, 3, 5> E;
    E(I, k) = A(I, J) * B(J, k);
    CHECK(close(E, ref_matmul(A, B), tol<T>()));
  }
}

TEST_CASE_TEMPLATE("labelled: dynamic extents and resized targets", T, float, double) {
  using namespace tenet::labels;
  dtensor<T> A{6, 7};
  tensor<T, dyn, dyn> B(7, 2);
  A.fill_random(3);
  B.fill_random(4);
  const dtensor<double> ref = ref_matmul(A, B);

  SUBCASE("dtensor target starts as a rank-0 scalar") {
    dtensor<T> C;
    REQUIRE(C.rank() == 0);
    C(i, k) = A(i, j) * B(j, k);
    CHECK(C.rank() == 2);
    CHECK(close(C, ref, tol<T>()));
  }
  SUBCASE("dtensor target of another rank and shape") {
    dtensor<T> C{2, 2, 2};
    C(i, k) = A(i, j) * B(j, k);
    CHECK(close(C, ref, tol<T>()));
  }
  SUBCASE("tensor<T, dyn, dyn> target starts empty") {
    tensor<T, dyn, dyn> C;
    CHECK(C.size() == 0);
    C(i, k) = A(i, j) * B(j, k);
    CHECK(close(C, ref, tol<T>()));
  }
  SUBCASE("mixed static and dynamic target extents") {
    tensor<T, dyn, 2> C(1);
    C(i, k) = A(i, j) * B(j, k);
    CHECK(C.extent(0) == 6);
    CHECK(close(C, ref, tol<T>()));
  }
  SUBCASE("a static operand with dynamic ones") {
    tensor<T, 2, 3> S;
    S.fill_random(5);
    dtensor<T> C;
    C(i, l) = A(i, j) * B(j, k) * S(k, l);
    dtensor<double> r{6, 3};
    for (idx p = 0; p < 6; ++p)
      for (idx q = 0; q < 3; ++q)
        for (idx s = 0; s < 2; ++s) r(p, q) += ref(p, s) * double(S(s, q));
    CHECK(close(C, r, tol<T>()));
  }
  SUBCASE("a static target whose extents do not fit throws with both shapes") {
    tensor<T, 6, 3> C;
    const std::string msg = shape_error_of([&] { C(i, k) = A(i, j) * B(j, k); });
    CHECK(contains(msg, "labelled assignment"));
    CHECK(contains(msg, "(6, 2)"));
    CHECK(contains(msg, "(6, 3)"));
  }
  SUBCASE("contracted extents that differ at run time throw with both shapes") {
    dtensor<T> B2{5, 2};
    dtensor<T> C;
    const std::string msg = shape_error_of([&] { C(i, k) = A(i, j) * B2(j, k); });
    CHECK(contains(msg, "(6, 7)"));
    CHECK(contains(msg, "(5, 2)"));
  }
  SUBCASE("wrong number of labels on a dtensor operand throws") {
    const dtensor<T>& ca = A;
    dtensor<T> C;
    CHECK_THROWS_AS(C(i) = ca(i, j, k), tenet::shape_error);
    CHECK_THROWS_AS(C(i) = A(i, j, k) * A(i, j, k), tenet::shape_error);
  }
}

TEST_CASE_TEMPLATE("labelled: traces, diagonals, sums, outer and batch products", T, float, double) {
  using namespace tenet::labels;
  tensor<T, 4, 4> A;
  A.fill_random(6);
  double trace = 0, total = 0;
  for (idx p = 0; p < 4; ++p) {
    trace += double(A(p, p));
    for (idx q = 0; q < 4; ++q) total += double(A(p, q));
  }

  SUBCASE("trace into a rank-0 tensor (labelled with no labels)") {
    // s() is element access for a rank-0 tensor, so a rank-0 target is spelled as a labelled
    // object directly.
    tensor<T> s;
    tenet::labelled<tensor<T>&>{s} = A(i, i);
    CHECK(std::abs(double(s()) - trace) <= tol<T>() * (1 + std::abs(trace)));
    tenet::labelled<tensor<T>&>{s} = A(i, j);
    CHECK(std::abs(double(s()) - total) <= tol<T>() * (1 + std::abs(total)));
    tenet::labelled<tensor<T>&>{s} += A(i, i);
    CHECK(std::abs(double(s()) - total - trace) <= tol<T>() * (1 + std::abs(total + trace)));
  }
  SUBCASE("trace into a rank-0 dtensor") {
    dtensor<T> s;
    tenet::labelled<dtensor<T>&>{s} = A(i, i);
    REQUIRE(s.rank() == 0);
    CHECK(std::abs(double(s()) - trace) <= tol<T>() * (1 + std::abs(trace)));
  }
  SUBCASE("diagonal") {
    tensor<T, 4> d;
    d(i) = A(i, i);
    dtensor<double> r{4};
    for (idx p = 0; p < 4; ++p) r(p) = double(A(p, p));
    CHECK(close(d, r, tol<T>()));
  }
  SUBCASE("row sums") {
    tensor<T, 4> d;
    d(i) = A(i, j);
    dtensor<double> r{4};
    for (idx p = 0; p < 4; ++p)
      for (idx q = 0; q < 4; ++q) r(p) += double(A(p, q));
    CHECK(close(d, r, tol<T>()));
  }
  SUBCASE("outer product") {
    tensor<T, 3> u;
    tensor<T, 5> v;
    u.fill_random(7);
    v.fill_random(8);
    tensor<T, 3, 5> O;
    O(i, j) = u(i) * v(j);
    dtensor<double> r{3, 5};
    for (idx p = 0; p < 3; ++p)
      for (idx q = 0; q < 5; ++q) r(p, q) = double(u(p)) * double(v(q));
    CHECK(close(O, r, tol<T>()));
  }
  SUBCASE("Hadamard product") {
    tensor<T, 4, 4> B, H;
    B.fill_random(9);
    H(i, j) = A(i, j) * B(i, j);
    dtensor<double> r{4, 4};
    for (idx p = 0; p < 4; ++p)
      for (idx q = 0; q < 4; ++q) r(p, q) = double(A(p, q)) * double(B(p, q));
    CHECK(close(H, r, tol<T>()));
  }
  SUBCASE("batched matrix product") {
    tensor<T, 3, 2, 4> X;
    tensor<T, 3, 4, 5> Y;
    X.fill_random(10);
    Y.fill_random(11);
    tensor<T, 3, 2, 5> Z;
    Z(b, i, k) = X(b, i, j) * Y(b, j, k);
    dtensor<double> r{3, 2, 5};
    for (idx bb = 0; bb < 3; ++bb)
      for (idx p = 0; p < 2; ++p)
        for (idx q = 0; q < 5; ++q)
          for (idx s = 0; s < 4; ++s) r(bb, p, q) += double(X(bb, p, s)) * double(Y(bb, s, q));
    CHECK(close(Z, r, tol<T>()));
    SUBCASE("batch label moved to the end of the target") {
      tensor<T, 2, 5, 3> W;
      W(i, k, b) = X(b, i, j) * Y(b, j, k);
      dtensor<double> rw{2, 5, 3};
      for (idx bb = 0; bb < 3; ++bb)
        for (idx p = 0; p < 2; ++p)
          for (idx q = 0; q < 5; ++q) rw(p, q, bb) = r(bb, p, q);
      CHECK(close(W, rw, tol<T>()));
    }
  }
}

TEST_CASE_TEMPLATE("labelled: chains of three and four operands", T, float, double) {
  using namespace tenet::labels;
  tensor<T, 3, 4> A;
  tensor<T, 4, 5> B;
  tensor<T, 5, 2> C;
  tensor<T, 2, 6> D;
  A.fill_random(12);
  B.fill_random(13);
  C.fill_random(14);
  D.fill_random(15);
  const dtensor<double> abc = ref_matmul(ref_matmul(A, B), C);

  tensor<T, 3, 2> E;
  E(i, l) = A(i, j) * B(j, k) * C(k, l);
  CHECK(close(E, abc, tol<T>()));

  tensor<T, 3, 2> F;
  F(i, l) = (A(i, j) * B(j, k)) * (2.0 * C(k, l));  // products of products multiply out
  CHECK(close(F, ref_axpby(2.0, abc, 0.0, abc), tol<T>()));

  tensor<T, 6, 3> G;
  G(m, i) = A(i, j) * B(j, k) * C(k, l) * D(l, m);
  CHECK(close(G, ref_transpose(ref_matmul(abc, D)), tol<T>()));

  // A scalar: the full contraction u^T A B C w.
  tensor<T, 3> u;
  tensor<T, 2> w;
  u.fill_random(16);
  w.fill_random(17);
  tensor<T> s;
  tenet::labelled<tensor<T>&>{s} = u(i) * A(i, j) * B(j, k) * C(k, l) * w(l);
  double want = 0;
  for (idx p = 0; p < 3; ++p)
    for (idx q = 0; q < 2; ++q) want += double(u(p)) * abc(p, q) * double(w(q));
  CHECK(std::abs(double(s()) - want) <= tol<T>() * (1 + std::abs(want)));
}

TEST_CASE_TEMPLATE("labelled: sums, differences and scalar factors", T, float, double) {
  using namespace tenet::labels;
  tensor<T, 3, 4> A, X;
  tensor<T, 4, 5> B, Y;
  tensor<T, 3, 5> D;
  A.fill_random(20);
  B.fill_random(21);
  X.fill_random(22);
  Y.fill_random(23);
  D.fill_random(24);
  const dtensor<double> ab = ref_matmul(A, B), xy = ref_matmul(X, Y), d = ref_copy2(D);
  tensor<T, 3, 5> C;

  SUBCASE("scalar in front, behind, both, and negation") {
    C(i, k) = 2.0 * A(i, j) * B(j, k);
    CHECK(close(C, ref_axpby(2.0, ab, 0, ab), tol<T>()));
    C(i, k) = A(i, j) * B(j, k) * 3.0;
    CHECK(close(C, ref_axpby(3.0, ab, 0, ab), tol<T>()));
    C(i, k) = 2.0 * A(i, j) * (B(j, k) * -0.25);
    CHECK(close(C, ref_axpby(-0.5, ab, 0, ab), tol<T>()));
    C(i, k) = -(A(i, j) * B(j, k));
    CHECK(close(C, ref_axpby(-1.0, ab, 0, ab), tol<T>()));
    C(i, k) = 0.5 * D(i, k);
    CHECK(close(C, ref_axpby(0.5, d, 0, d), tol<T>()));
  }
  SUBCASE("sums and differences of products") {
    C(i, k) = A(i, j) * B(j, k) + D(i, k);
    CHECK(close(C, ref_axpby(1, ab, 1, d), tol<T>()));
    C(i, k) = A(i, j) * B(j, k) - X(i, j) * Y(j, k);
    CHECK(close(C, ref_axpby(1, ab, -1, xy), tol<T>()));
    C(i, k) = 2.0 * A(i, j) * B(j, k) - 0.5 * X(i, j) * Y(j, k) + D(i, k);
    dtensor<double> r = ref_axpby(2, ab, -0.5, xy);
    CHECK(close(C, ref_axpby(1, r, 1, d), tol<T>()));
    C(i, k) = D(i, k) - A(i, j) * B(j, k);
    CHECK(close(C, ref_axpby(-1, ab, 1, d), tol<T>()));
  }
  SUBCASE("terms with differently ordered labels") {
    tensor<T, 5, 3> Dt;
    Dt(k, i) = D(i, k);
    C(i, k) = Dt(k, i) + A(i, j) * B(j, k);
    CHECK(close(C, ref_axpby(1, ab, 1, d), tol<T>()));
  }
  SUBCASE("+= adds, with and without factors") {
    C(i, k) = D(i, k);
    C(i, k) += A(i, j) * B(j, k);
    CHECK(close(C, ref_axpby(1, ab, 1, d), tol<T>()));
    C(i, k) = D(i, k);
    C(i, k) += 3.0 * A(i, j) * B(j, k);
    CHECK(close(C, ref_axpby(3, ab, 1, d), tol<T>()));
    C(i, k) = D(i, k);
    C(i, k) += A(i, j) * B(j, k) - 2.0 * X(i, j) * Y(j, k);
    dtensor<double> r = ref_axpby(1, ab, -2, xy);
    CHECK(close(C, ref_axpby(1, r, 1, d), tol<T>()));
  }
  SUBCASE("a sum whose second term has another shape throws") {
    dtensor<T> C2;
    tensor<T, 3, 3> S;
    // The first term sizes the dtensor to (3, 5); the second gives (3, 3).
    const std::string msg = shape_error_of([&] { C2(i, k) = A(i, j) * B(j, k) + S(i, k); });
    CHECK(contains(msg, "(3, 5)"));
    CHECK(contains(msg, "(3, 3)"));
  }
}

TEST_CASE_TEMPLATE("labelled: += needs the target's shape", T, float, double) {
  using namespace tenet::labels;
  dtensor<T> A{3, 5}, B{5, 5};
  A.fill_random(25);
  B.fill_random(26);
  SUBCASE("an owning target of another shape is not resized (its values would be lost)") {
    dtensor<T> C{3, 4};
    C.fill(T(1));
    const std::string msg = shape_error_of([&] { C(i, k) += A(i, j) * B(j, k); });
    CHECK(contains(msg, "(3, 4)"));
    CHECK(contains(msg, "(3, 5)"));
    CHECK(C.extent(1) == 4);
    CHECK(C(0, 0) == T(1));
  }
  SUBCASE("a default (rank-0) dtensor") {
    dtensor<T> C;
    CHECK_THROWS_AS(C(i, k) += A(i, j) * B(j, k), tenet::shape_error);
  }
  SUBCASE("the right shape accumulates") {
    dtensor<T> C{3, 5};
    C.fill(T(1));
    C(i, k) += A(i, j) * B(j, k);
    dtensor<double> ones{3, 5};
    ones.fill(1);
    CHECK(close(C, ref_axpby(1, ref_matmul(A, B), 1, ones), tol<T>()));
  }
}

TEST_CASE_TEMPLATE("labelled: operands that alias the target", T, float, double) {
  using namespace tenet::labels;
  tensor<T, 4, 4> S;
  S.fill_random(30);
  const dtensor<double> s0 = ref_copy2(S);

  SUBCASE("S(i,j) = S(j,i) + S(i,j)") {
    S(i, j) = S(j, i) + S(i, j);
    CHECK(close(S, ref_axpby(1, ref_transpose(s0), 1, s0), tol<T>()));
  }
  SUBCASE("transpose in place") {
    S(i, j) = S(j, i);
    CHECK(close(S, ref_transpose(s0), tol<T>()));
  }
  SUBCASE("square in place") {
    S(i, k) = S(i, j) * S(j, k);
    CHECK(close(S, ref_matmul(s0, s0), tol<T>()));
  }
  SUBCASE("+= with an aliased, scaled term") {
    S(i, j) += 2.0 * S(j, i);
    CHECK(close(S, ref_axpby(1, s0, 2, ref_transpose(s0)), tol<T>()));
  }
  SUBCASE("aliasing through a view of the target") {
    auto v = S.view();
    S(i, j) = v(j, i) - 0.5 * S(i, j);
    CHECK(close(S, ref_axpby(1, ref_transpose(s0), -0.5, s0), tol<T>()));
  }
  SUBCASE("a view target aliasing an operand") {
    auto v = tenet::permute<1, 0>(S);
    v(i, j) = S(i, k) * S(k, j);  // writes S^T = S S, i.e. S = (S S)^T
    CHECK(close(S, ref_transpose(ref_matmul(s0, s0)), tol<T>()));
  }
  SUBCASE("disjoint views of one buffer") {
    dtensor<T> buf{2, 4, 4};
    buf.fill_random(31);
    auto all = buf.view();
    tenet::tensor_view<T, 4, 4> top(all.data(), {}), bottom(all.data() + 16, {});
    const dtensor<double> b0 = ref_copy2(bottom);
    top(i, j) = bottom(j, i);
    CHECK(close(top, ref_transpose(b0), tol<T>()));
    CHECK(close(bottom, b0, 0));
  }
  SUBCASE("a dtensor target that changes rank") {
    dtensor<T> M{4, 3};
    M.fill_random(32);
    dtensor<T> x{3};
    x.fill_random(33);
    dtensor<double> r{4};
    for (idx p = 0; p < 4; ++p)
      for (idx q = 0; q < 3; ++q) r(p) += double(M(p, q)) * double(x(q));
    M(i) = M(i, j) * x(j);
    CHECK(close(M, r, tol<T>()));
  }
  SUBCASE("aliased targets whose shape cannot change throw with both shapes") {
    dtensor<T> B{4, 2};
    auto v = S.view();
    const std::string msg = shape_error_of([&] { v(i, k) = S(i, j) * B(j, k); });
    CHECK(contains(msg, "(4, 4)"));
    CHECK(contains(msg, "(4, 2)"));
    const std::string msg2 = shape_error_of([&] { S(i, k) = S(i, j) * B(j, k); });
    CHECK(contains(msg2, "(4, 4)"));
    CHECK(contains(msg2, "(4, 2)"));
    CHECK(close(S, s0, 0));  // untouched
  }
  SUBCASE("a dtensor target that changes shape") {
    dtensor<T> M{4, 4}, B{4, 2};
    M.fill_random(34);
    B.fill_random(35);
    const dtensor<double> r = ref_matmul(M, B);
    M(i, k) = M(i, j) * B(j, k);
    CHECK(close(M, r, tol<T>()));
  }
}

TEST_CASE_TEMPLATE("labelled: view targets", T, float, double) {
  using namespace tenet::labels;
  tensor<T, 3, 4> A;
  tensor<T, 4, 5> B;
  A.fill_random(40);
  B.fill_random(41);
  const dtensor<double> ab = ref_matmul(A, B);

  SUBCASE("a static view writes through") {
    tensor<T, 3, 5> C;
    tenet::tensor_view<T, 3, 5> v = C.view();
    v(i, k) = A(i, j) * B(j, k);
    CHECK(close(C, ab, tol<T>()));
  }
  SUBCASE("a permuted view receives the transposed result") {
    tensor<T, 5, 3> Ct;
    tenet::permute<1, 0>(Ct)(i, k) = A(i, j) * B(j, k);
    CHECK(close(Ct, ref_transpose(ab), tol<T>()));
  }
  SUBCASE("a strided view (every other column) receives it") {
    dtensor<T> wide{3, 10};
    wide.fill(T(7));
    tenet::dtensor_view<T> v(wide.data(), tenet::dyn_extents{3, 5}, std::vector<idx>{10, 2});
    v(i, k) = A(i, j) * B(j, k);
    CHECK(close(v, ab, tol<T>()));
    for (idx p = 0; p < 3; ++p)
      for (idx q = 1; q < 10; q += 2) CHECK(wide(p, q) == T(7));
  }
  SUBCASE("+= into a view") {
    tensor<T, 3, 5> C;
    C.fill(T(1));
    auto v = C.view();
    v(i, k) += A(i, j) * B(j, k);
    dtensor<double> ones{3, 5};
    ones.fill(1);
    CHECK(close(C, ref_axpby(1, ab, 1, ones), tol<T>()));
  }
  SUBCASE("a view of the wrong shape throws shape_error with both shapes") {
    tensor<T, 3, 4> C;
    C.fill(T(2));
    tenet::dtensor_view<T> v = C.view();
    const std::string msg = shape_error_of([&] { v(i, k) = A(i, j) * B(j, k); });
    CHECK(contains(msg, "(3, 4)"));
    CHECK(contains(msg, "(3, 5)"));
    CHECK(C(0, 0) == T(2));  // untouched
    tensor<T, dyn, dyn> D(3, 4);
    tenet::tensor_view<T, dyn, dyn> w = D.view();
    const std::string msg2 = shape_error_of([&] { w(i, k) = A(i, j) * B(j, k); });
    CHECK(contains(msg2, "(3, 4)"));
    CHECK(contains(msg2, "(3, 5)"));
  }
  SUBCASE("a dtensor_view with the wrong number of labels throws") {
    tensor<T, 3, 5> C;
    tenet::dtensor_view<T> v = C.view();
    CHECK_THROWS_AS(v(i, j, k) = A(i, j) * B(j, k), tenet::shape_error);
  }
}

TEST_CASE_TEMPLATE("labelled: tenet::assign and add_assign with a policy", T, float, double) {
  using namespace tenet::labels;
  namespace exec = tenet::exec;
  // Large enough that the parallel paths (loops of GEMMs, strided copies) really split.
  dtensor<T> A{8, 48, 40}, B{8, 40, 56};
  A.fill_random(50);
  B.fill_random(51);
  dtensor<double> r{8, 56, 48};  // r(b, k, i) = sum_j A(b, i, j) B(b, j, k)
  for (idx bb = 0; bb < 8; ++bb)
    for (idx p = 0; p < 48; ++p)
      for (idx q = 0; q < 56; ++q)
        for (idx s = 0; s < 40; ++s) r(bb, q, p) += double(A(bb, p, s)) * double(B(bb, s, q));

  dtensor<T> Cseq, Cpar2, Cpar;
  tenet::assign(exec::seq, Cseq(b, k, i), A(b, i, j) * B(b, j, k));
  tenet::assign(exec::par(2), Cpar2(b, k, i), A(b, i, j) * B(b, j, k));
  tenet::assign(exec::par, Cpar(b, k, i), A(b, i, j) * B(b, j, k));
  CHECK(close(Cseq, r, tol<T>()));
  CHECK(close(Cpar2, r, tol<T>()));
  CHECK(close(Cpar, r, tol<T>()));

  tenet::add_assign(exec::par(2), Cpar2(b, k, i), A(b, i, j) * B(b, j, k));
  CHECK(close(Cpar2, ref_axpby(2, r, 0, r), tol<T>()));
  tenet::add_assign(exec::par(2), Cpar2(b, k, i), -2.0 * A(b, i, j) * B(b, j, k));
  CHECK(close(Cpar2, ref_axpby(0, r, 0, r), tol<T>()));

  // A pure permutation (a strided copy) under par, and a scaled sum.
  dtensor<T> P;
  tenet::assign(exec::par(2), P(j, b, i), 3.0 * A(b, i, j) + A(b, i, j));
  REQUIRE(P.rank() == 3);
  bool ok = P.extent(0) == 40 && P.extent(1) == 8 && P.extent(2) == 48;
  for (idx bb = 0; ok && bb < 8; ++bb)
    for (idx p = 0; p < 48; ++p)
      for (idx s = 0; s < 40; ++s) ok = ok && std::abs(double(P(s, bb, p)) - 4.0 * double(A(bb, p, s))) <= tol<T>() * 8;
  CHECK(ok);
}
