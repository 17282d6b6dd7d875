// The tenet demo (`bash scripts/demo.sh`): builds tensors, contracts them every way tenet
// offers, and checks each result against explicit loops in double. One line per check,
// PASS or FAIL; the exit code is 1 if any check fails. The last line times one contraction.
#include <tenet/tenet.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>

namespace {

using tenet::dtensor;
using tenet::dyn;
using tenet::tensor;
using idx = tenet::index;

int failures = 0;

// Prints one check. `err` is max |result - reference| (negative: not a numerical check).
void check(bool ok, const std::string& what, double err = -1) {
  if (err >= 0)
    std::printf("%s  %-58s max |err| %.1e\n", ok ? "PASS" : "FAIL", what.c_str(), err);
  else
    std::printf("%s  %s\n", ok ? "PASS" : "FAIL", what.c_str());
  failures += !ok;
}

// Compares a result with a double reference of the same shape (tolerance for double sums).
template <class X>
void check_close(const X& x, const dtensor<double>& ref, const std::string& what, double tol = 1e-10) {
  double err = 0;
  try {
    err = tenet::max_abs_diff(x, ref);
  } catch (const tenet::shape_error& e) {
    check(false, what + ": " + e.what());
    return;
  }
  check(err <= tol, what, err);
}

// ---- references: explicit loops in double ----

template <class X, class Y>
dtensor<double> ref_matmul(const X& x, const Y& y) {  // R(p,q) = sum_s X(p,s) Y(s,q)
  dtensor<double> r{x.extent(0), y.extent(1)};
  for (idx p = 0; p < x.extent(0); ++p)
    for (idx q = 0; q < y.extent(1); ++q)
      for (idx s = 0; s < x.extent(1); ++s) r(p, q) += double(x(p, s)) * double(y(s, q));
  return r;
}

template <class X, class Y>
dtensor<double> ref_batch_matmul(const X& x, const Y& y) {  // R(b,p,q) = sum_s X(b,p,s) Y(b,s,q)
  dtensor<double> r{x.extent(0), x.extent(1), y.extent(2)};
  for (idx b = 0; b < x.extent(0); ++b)
    for (idx p = 0; p < x.extent(1); ++p)
      for (idx q = 0; q < y.extent(2); ++q)
        for (idx s = 0; s < x.extent(2); ++s) r(b, p, q) += double(x(b, p, s)) * double(y(b, s, q));
  return r;
}

}  // namespace

int main() {
  using namespace tenet::labels;  // index labels a..z for labelled expressions
  std::printf("tenet demo: every result is checked against explicit loops in double\n\n");

  // ---- tensors: static, mixed and run-time extents --------------------------------------
  tensor<double, 3, 4> S;  // all extents static: allocated, zero, no shape stored
  S.iota();                // 0, 1, 2, ... in row-major order
  tensor<double, dyn, 4> M(3);  // the dynamic extent given at run time
  M.fill_random(7);
  dtensor<double> D{2, 3, 4};  // rank known only at run time
  D.fill_normal(8);
  check(S(1, 2) == 6 && S.strides() == std::array<idx, 2>{4, 1} && sizeof(S) == sizeof(double*),
        "tensor<double, 3, 4>: row-major, S(1, 2) == 6, strides (4, 1), one pointer in size");
  check(M.extent(0) == 3 && M.size() == 12 && D.rank() == 3 && D.size() == 24 && D.stride(0) == 12,
        "tensor<double, dyn, 4>(3) and dtensor<double>{2, 3, 4}: extents, sizes, strides");
  auto St = tenet::permute<1, 0>(S);  // a view: strides swapped, nothing copied
  auto Sr = tenet::reshape<2, 6>(S);
  check(St(2, 1) == S(1, 2) && St.data() == S.data() && Sr(1, 0) == S(1, 2),
        "permute<1, 0>(S) and reshape<2, 6>(S) are views of S's elements");

  // ---- compile-time einsum: the result type is deduced from the static extents ----------
  tensor<double, 32, 48> A;
  tensor<double, 48, 40> B;
  tensor<double, 40, 24> C;
  A.fill_random(1);
  B.fill_random(2);
  C.fill_random(3);
  const dtensor<double> AB = ref_matmul(A, B);

  auto AB1 = tenet::einsum<"ij,jk->ik">(A, B);
  static_assert(std::is_same_v<decltype(AB1), tensor<double, 32, 40>>);
  check_close(AB1, AB, "einsum<\"ij,jk->ik\">(A, B) -> tensor<double, 32, 40>");

  tensor<double, dyn, dyn> Bd(48, 40);
  std::copy(B.begin(), B.end(), Bd.begin());
  auto AB2 = tenet::einsum<"ij,jk->ik">(A, Bd);  // extents not known statically stay dyn
  static_assert(std::is_same_v<decltype(AB2), tensor<double, 32, dyn>>);
  check_close(AB2, AB, "einsum<\"ij,jk->ik\">(A, B dynamic) -> tensor<double, 32, dyn>");

  auto ABt = tenet::einsum<"ij,jk->ki">(A, B);  // output labels in any order
  static_assert(std::is_same_v<decltype(ABt), tensor<double, 40, 32>>);
  check_close(tenet::permute<1, 0>(ABt), AB, "einsum<\"ij,jk->ki\">(A, B) is the transpose");

  // ---- run-time einsum: subscripts as a string, result a dtensor ------------------------
  dtensor<double> AB3 = tenet::einsum("ij,jk->ik", A, B);
  check_close(AB3, AB, "einsum(\"ij,jk->ik\", A, B) -> dtensor<double>");
  dtensor<double> AB4 = tenet::einsum("ij,jk", A, B);  // implicit output: labels seen once
  check_close(AB4, AB, "einsum(\"ij,jk\", A, B): implicit output \"ik\"");

  // ---- labelled expressions: Einstein notation in C++ -----------------------------------
  tensor<double, 32, 40> E;
  tensor<double, 32, 40> F;
  F.fill_random(4);
  E(i, k) = A(i, j) * B(j, k);
  check_close(E, AB, "E(i, k) = A(i, j) * B(j, k)");
  E(i, k) = 2.0 * A(i, j) * B(j, k) - F(i, k);
  dtensor<double> ref{32, 40};
  for (idx p = 0; p < 32; ++p)
    for (idx q = 0; q < 40; ++q) ref(p, q) = 2 * AB(p, q) - F(p, q);
  check_close(E, ref, "E(i, k) = 2.0 * A(i, j) * B(j, k) - F(i, k)");
  E(i, k) += F(i, k);
  for (idx p = 0; p < 32; ++p)
    for (idx q = 0; q < 40; ++q) ref(p, q) += F(p, q);
  check_close(E, ref, "E(i, k) += F(i, k)");
  dtensor<double> G;  // an owning target takes the expression's shape
  G(k, i) = A(i, j) * B(j, k);
  check_close(tenet::permute<1, 0>(G), AB, "G(k, i) = A(i, j) * B(j, k) into an empty dtensor");

  // ---- traces, diagonals, batches, outer products ---------------------------------------
  tensor<double, 6, 6> Q;
  Q.fill_random(5);
  double trace = 0;
  dtensor<double> diag{6};
  for (idx p = 0; p < 6; ++p) trace += diag(p) = Q(p, p);
  auto tr = tenet::einsum<"ii->">(Q);  // rank 0: one element
  static_assert(std::is_same_v<decltype(tr), tensor<double>>);
  check(std::abs(tr() - trace) < 1e-12, "einsum<\"ii->\">(Q): trace", std::abs(tr() - trace));
  check_close(tenet::einsum<"ii->i">(Q), diag, "einsum<\"ii->i\">(Q): diagonal");

  tensor<double, 8, 16, 12> X;
  tensor<double, 8, 12, 20> Y;
  X.fill_random(6);
  Y.fill_random(7);
  check_close(tenet::einsum<"bij,bjk->bik">(X, Y), ref_batch_matmul(X, Y), "einsum<\"bij,bjk->bik\">(X, Y): batched product");

  tensor<double, 5> u;
  tensor<double, 7> v;
  u.fill_random(8);
  v.fill_random(9);
  dtensor<double> uv{5, 7};
  for (idx p = 0; p < 5; ++p)
    for (idx q = 0; q < 7; ++q) uv(p, q) = u(p) * v(q);
  check_close(tenet::einsum<"i,j->ij">(u, v), uv, "einsum<\"i,j->ij\">(u, v): outer product");

  // ---- three operands, contracted pairwise left to right --------------------------------
  const dtensor<double> ABC = ref_matmul(AB, C);
  auto ABC1 = tenet::einsum<"ij,jk,kl->il">(A, B, C);
  static_assert(std::is_same_v<decltype(ABC1), tensor<double, 32, 24>>);
  check_close(ABC1, ABC, "einsum<\"ij,jk,kl->il\">(A, B, C)");
  tensor<double, 32, 24> H;
  H(i, l) = A(i, j) * B(j, k) * C(k, l);
  check_close(H, ABC, "H(i, l) = A(i, j) * B(j, k) * C(k, l)");

  // ---- policies: exec::seq and exec::par give the same result ---------------------------
  dtensor<double> P{16, 64, 48}, R{16, 48, 56};
  P.fill_random(10);
  R.fill_random(11);
  const dtensor<double> PR = ref_batch_matmul(P, R);
  auto PRs = tenet::einsum(tenet::exec::seq, "bij,bjk->bik", P, R);
  auto PRp = tenet::einsum(tenet::exec::par, "bij,bjk->bik", P, R);
  auto PR2 = tenet::einsum(tenet::exec::par(2), "bij,bjk->bik", P, R);
  check_close(PRs, PR, "einsum(exec::seq, \"bij,bjk->bik\", ...)");
  check_close(PRp, PR, "einsum(exec::par, ...) (" + std::to_string(tenet::exec::thread_count(tenet::exec::par)) +
                           " threads)");
  check_close(PR2, PR, "einsum(exec::par(2), ...)");
  check(tenet::max_abs_diff(PRs, PRp) <= 1e-12, "exec::seq and exec::par agree", tenet::max_abs_diff(PRs, PRp));
  dtensor<double> PRl;
  tenet::assign(tenet::exec::par, PRl(b, i, k), P(b, i, j) * R(b, j, k));
  check_close(PRl, PR, "assign(exec::par, C(b, i, k), P(b, i, j) * R(b, j, k))");

  // ---- float, and errors that name the problem ------------------------------------------
  tensor<float, 32, 48> Af;
  tensor<float, 48, 40> Bf;
  std::copy(A.begin(), A.end(), Af.begin());
  std::copy(B.begin(), B.end(), Bf.begin());
  check_close(tenet::einsum<"ij,jk->ik">(Af, Bf), AB, "einsum<\"ij,jk->ik\"> in float", 1e-4);

  try {
    dtensor<double> W{5, 6};
    (void)tenet::einsum("ij,jk->ik", A, W);
    check(false, "a shape mismatch throws tenet::shape_error");
  } catch (const tenet::shape_error& e) {
    check(true, std::string("shape_error: ") + e.what());
  }
  try {
    (void)tenet::einsum("ij,jk->i...", A, B);
    check(false, "a bad subscript throws tenet::parse_error");
  } catch (const tenet::parse_error& e) {
    check(true, std::string("parse_error: ") + e.what());
  }

  // ---- timing (informational): one contraction, best of 5 --------------------------------
  constexpr idx n = 512;
  dtensor<double> T1{n, n}, T2{n, n};
  T1.fill_random(12);
  T2.fill_random(13);
  auto gflops = [&](auto policy) {
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      auto T3 = tenet::einsum(policy, "ij,jk->ik", T1, T2);
      const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
      best = std::min(best, dt.count());
      if (T3.size() != n * n) return 0.0;
    }
    return 2.0 * double(n) * n * n / best * 1e-9;
  };
  const double gs = gflops(tenet::exec::seq), gp = gflops(tenet::exec::par);
  std::printf("\ntime  einsum(\"ij,jk->ik\"), %td x %td x %td, double: exec::seq %.1f GFLOP/s, exec::par %.1f GFLOP/s\n",
              n, n, n, gs, gp);

  std::printf("\n%s: %d check(s) failed\n", failures ? "FAILED" : "all passed", failures);
  return failures ? 1 : 0;
}
