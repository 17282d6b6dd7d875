// einsum_into / einsum_add: the run-time einsum written into (or added onto) an existing
// tensor or view. Checked against explicit loops in double: the output keeps its buffer, a
// strided view target leaves the elements between its strides alone, a wrong shape throws
// shape_error naming both shapes and writes nothing, and operands overlapping the target
// are read before it is written.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace {

using idx = tenet::index;
using tenet::dtensor;
using tenet::dtensor_view;
namespace exec = tenet::exec;

dtensor<double> random_tensor(std::vector<idx> shape, std::uint64_t seed) {
  dtensor<double> x{tenet::dyn_extents(std::span<const idx>(shape))};
  x.fill_random(seed);
  return x;
}

// C(b, i, j) = sum_k A(b, i, k) B(b, k, j), by the definition.
std::vector<double> batched_product(const dtensor<double>& A, const dtensor<double>& B) {
  const idx nb = A.extent(0), ni = A.extent(1), nk = A.extent(2), nj = B.extent(2);
  std::vector<double> c(static_cast<std::size_t>(nb * ni * nj), 0.0);
  for (idx b = 0; b < nb; ++b)
    for (idx i = 0; i < ni; ++i)
      for (idx j = 0; j < nj; ++j) {
        double s = 0;
        for (idx k = 0; k < nk; ++k) s += A(b, i, k) * B(b, k, j);
        c[static_cast<std::size_t>((b * ni + i) * nj + j)] = s;
      }
  return c;
}

}  // namespace

TEST_CASE("einsum_into writes the contraction into the existing buffer, on every policy") {
  const auto A = random_tensor({3, 7, 5}, 1), B = random_tensor({3, 5, 6}, 2);
  const std::vector<double> ref = batched_product(A, B);
  for (int threads : {1, 2}) {
    dtensor<double> C(3, 7, 6);
    C.fill(-99.0);
    const double* before = C.data();
    if (threads == 1)
      tenet::einsum_into("bik,bkj->bij", C, A, B);
    else
      tenet::einsum_into(exec::par(threads), "bik,bkj->bij", C, A, B);
    CHECK(C.data() == before);
    for (std::size_t q = 0; q < ref.size(); ++q) REQUIRE(C.data()[q] == doctest::Approx(ref[q]).epsilon(1e-12));
  }
  // A static tensor target, float, and the transposed output order "bji".
  tenet::tensor<float, 3, 6, 7> Ct;
  dtensor<float> Af(A), Bf(B);
  tenet::einsum_into(exec::seq, "bik,bkj->bji", Ct, Af, Bf);
  for (idx b = 0; b < 3; ++b)
    for (idx i = 0; i < 7; ++i)
      for (idx j = 0; j < 6; ++j)
        REQUIRE(Ct(b, j, i) == doctest::Approx(ref[static_cast<std::size_t>((b * 7 + i) * 6 + j)]).epsilon(1e-5));
}

TEST_CASE("einsum_into<\"...\"> and einsum_add<\"...\">: compile-time subscripts, static and dynamic targets") {
  tenet::tensor<double, 4, 5> A;
  tenet::tensor<double, 5, 3> B;
  tenet::tensor<double, 3> v;
  A.fill_random(21);
  B.fill_random(22);
  v.fill_random(23);
  tenet::tensor<double, 4, 3> C;
  tenet::einsum_into<"ij,jk->ik">(C, A, B);
  dtensor<double> y(4);
  y.fill(0.5);
  tenet::einsum_add<"ij,jk,k->i">(exec::par(2), y, A, B, v);  // planned at compile time
  for (idx i = 0; i < 4; ++i) {
    double yi = 0.5;
    for (idx k = 0; k < 3; ++k) {
      double s = 0;
      for (idx j = 0; j < 5; ++j) s += A(i, j) * B(j, k);
      REQUIRE(C(i, k) == doctest::Approx(s).epsilon(1e-12));
      yi += s * v(k);
    }
    REQUIRE(y(i) == doctest::Approx(yi).epsilon(1e-12));
  }
  dtensor<double> wrong(4, 4);
  CHECK_THROWS_AS(tenet::einsum_into<"ij,jk->ik">(wrong, A, B), tenet::shape_error);
}

TEST_CASE("einsum_add adds onto the target; one and three operands too") {
  const auto A = random_tensor({4, 5}, 3), B = random_tensor({5, 3}, 4), v = random_tensor({3}, 5);
  auto C = random_tensor({4, 3}, 6);
  const dtensor<double> C0(C);
  tenet::einsum_add(exec::par(2), "ij,jk->ik", C, A, B);
  for (idx i = 0; i < 4; ++i)
    for (idx k = 0; k < 3; ++k) {
      double s = C0(i, k);
      for (idx j = 0; j < 5; ++j) s += A(i, j) * B(j, k);
      REQUIRE(C(i, k) == doctest::Approx(s).epsilon(1e-12));
    }
  dtensor<double> y(4);
  tenet::einsum_into("ij,jk,k->i", y, A, B, v);
  for (idx i = 0; i < 4; ++i) {
    double s = 0;
    for (idx j = 0; j < 5; ++j)
      for (idx k = 0; k < 3; ++k) s += A(i, j) * B(j, k) * v(k);
    REQUIRE(y(i) == doctest::Approx(s).epsilon(1e-12));
  }
  dtensor<double> t(5);
  t.fill(1.0);
  tenet::einsum_add("ij->j", t, A);  // column sums, plus one
  for (idx j = 0; j < 5; ++j) {
    double s = 1.0;
    for (idx i = 0; i < 4; ++i) s += A(i, j);
    REQUIRE(t(j) == doctest::Approx(s).epsilon(1e-12));
  }
}

TEST_CASE("einsum_into a strided view writes only the view's elements") {
  const auto A = random_tensor({6, 4}, 7), B = random_tensor({4, 5}, 8);
  // Every other column of a 6 x 10 buffer, transposed: the view is (5, 6) with strides (2, 10).
  std::vector<double> buf(60, -7.0);
  dtensor_view<double> out(buf.data(), tenet::dyn_extents{5, 6}, {2, 10});
  tenet::einsum_into(exec::par(2), "ij,jk->ki", out, A, B);
  for (idx i = 0; i < 6; ++i)
    for (idx c = 0; c < 10; ++c) {
      const double got = buf[static_cast<std::size_t>(i * 10 + c)];
      if (c % 2) {
        REQUIRE(got == -7.0);
        continue;
      }
      double s = 0;
      for (idx j = 0; j < 4; ++j) s += A(i, j) * B(j, c / 2);
      REQUIRE(got == doctest::Approx(s).epsilon(1e-12));
    }
}

TEST_CASE("einsum_into: a target of the wrong shape throws shape_error with both shapes, untouched") {
  const auto A = random_tensor({3, 4}, 9), B = random_tensor({4, 5}, 10);
  dtensor<double> C(3, 4);
  C.fill(2.5);
  std::string msg;
  try {
    tenet::einsum_into("ij,jk->ik", C, A, B);
  } catch (const tenet::shape_error& e) {
    msg = e.what();
  }
  CHECK(msg.find("tenet::einsum_into(\"ij,jk->ik\")") != std::string::npos);
  CHECK(msg.find("(3, 4)") != std::string::npos);
  CHECK(msg.find("(3, 5)") != std::string::npos);
  for (idx q = 0; q < 12; ++q) CHECK(C.data()[q] == 2.5);
  dtensor<double> r3(3, 5, 1);  // a rank that differs is the same error
  CHECK_THROWS_AS(tenet::einsum_add("ij,jk->ik", r3, A, B), tenet::shape_error);
  // Errors of the operands themselves are einsum's: a label with two extents.
  CHECK_THROWS_AS(tenet::einsum_into("ij,jk->ik", C, A, A), tenet::shape_error);
}

TEST_CASE("einsum_into and einsum_add: an operand that overlaps the target is read first") {
  const auto S0 = random_tensor({5, 5}, 11);
  auto S = dtensor<double>(S0);
  tenet::einsum_into("ij,jk->ik", S, S, S);  // S = S0 S0
  for (idx i = 0; i < 5; ++i)
    for (idx k = 0; k < 5; ++k) {
      double s = 0;
      for (idx j = 0; j < 5; ++j) s += S0(i, j) * S0(j, k);
      REQUIRE(S(i, k) == doctest::Approx(s).epsilon(1e-12));
    }
  auto T = dtensor<double>(S0);
  tenet::einsum_add(exec::par(2), "ji->ij", T, T);  // T = S0 + S0^T
  for (idx i = 0; i < 5; ++i)
    for (idx j = 0; j < 5; ++j) REQUIRE(T(i, j) == doctest::Approx(S0(i, j) + S0(j, i)).epsilon(1e-12));
  // A target that is a row of the operand: out(j) = sum_k M(0, k) M(k, j) with out = M's row 0.
  auto M = random_tensor({4, 4}, 12);
  const dtensor<double> M0(M);
  dtensor_view<double> row0(M.data(), tenet::dyn_extents{4});
  tenet::einsum_into("k,kj->j", row0, dtensor_view<const double>(M.data(), tenet::dyn_extents{4}), M);
  for (idx j = 0; j < 4; ++j) {
    double s = 0;
    for (idx k = 0; k < 4; ++k) s += M0(0, k) * M0(k, j);
    REQUIRE(M(0, j) == doctest::Approx(s).epsilon(1e-12));
  }
}
