// A tour of the einsum forms tenet supports, on small tensors, printing each result.
// Build: the example_einsum_forms target (built with the other examples).
#include <tenet/tenet.hpp>

#include <cstdio>
#include <string>

namespace {

// Prints a tensor of rank 0, 1 or 2 (any tenet tensor or view).
template <class X>
void show(const std::string& what, const X& x) {
  const auto v = tenet::as_view(x);
  std::string shape = "(";
  for (std::size_t r = 0; r < v.rank(); ++r) shape += (r ? ", " : "") + std::to_string(v.extent(r));
  if (v.rank() == 1) shape += ",";
  std::printf("%s  ->  shape %s)\n", what.c_str(), shape.c_str());
  if (v.rank() == 0) {
    std::printf("    %g\n", double(*v.data()));
  } else if (v.rank() == 1) {
    std::printf("   ");
    for (tenet::index p = 0; p < v.extent(0); ++p) std::printf(" %7g", double(v.data()[p * v.stride(0)]));
    std::printf("\n");
  } else {
    for (tenet::index p = 0; p < v.extent(0); ++p) {
      std::printf("   ");
      for (tenet::index q = 0; q < v.extent(1); ++q)
        std::printf(" %7g", double(v.data()[p * v.stride(0) + q * v.stride(1)]));
      std::printf("\n");
    }
  }
}

}  // namespace

int main() {
  using tenet::dtensor;
  using tenet::tensor;
  tensor<double, 2, 3> A;  // 0 1 2 / 3 4 5
  tensor<double, 3, 2> B;  // 1 2 / 3 4 / 5 6
  tensor<double, 3, 3> Q;  // 0 .. 8
  tensor<double, 2> u;     // 1 2
  tensor<double, 3> v;     // 1 2 3
  A.iota();
  B.iota(1);
  Q.iota();
  u.iota(1);
  v.iota(1);
  show("A", A);
  show("B", B);
  show("Q", Q);

  std::printf("\n-- compile-time subscripts: einsum<\"...\">(...), result type deduced --\n");
  auto C = tenet::einsum<"ij,jk->ik">(A, B);  // tensor<double, 2, 2>
  show("einsum<\"ij,jk->ik\">(A, B)        matrix product", C);
  show("einsum<\"ij->ji\">(A)              transpose", tenet::einsum<"ij->ji">(A));
  show("einsum<\"ii->\">(Q)                trace", tenet::einsum<"ii->">(Q));
  show("einsum<\"ii->i\">(Q)               diagonal", tenet::einsum<"ii->i">(Q));
  show("einsum<\"ij->\">(A)                sum of all elements", tenet::einsum<"ij->">(A));
  show("einsum<\"ij->j\">(A)               column sums", tenet::einsum<"ij->j">(A));
  show("einsum<\"i,j->ij\">(u, v)          outer product", tenet::einsum<"i,j->ij">(u, v));
  show("einsum<\"ij,ij->ij\">(A, A)        Hadamard product", tenet::einsum<"ij,ij->ij">(A, A));
  show("einsum<\"ij,j->i\">(A, v)          matrix-vector", tenet::einsum<"ij,j->i">(A, v));
  show("einsum<\"i,ij,j->\">(u, A, v)      u^T A v: three operands", tenet::einsum<"i,ij,j->">(u, A, v));
  show("einsum<\"ij,jk,kl->il\">(A, B, A)  a chain, left to right", tenet::einsum<"ij,jk,kl->il">(A, B, A));

  std::printf("\n-- implicit output (no \"->\"): the labels that occur once, in ASCII order --\n");
  show("einsum<\"ij,jk\">(A, B)   = \"ij,jk->ik\"", tenet::einsum<"ij,jk">(A, B));
  show("einsum<\"ji\">(A)         = \"ji->ij\" (a transpose)", tenet::einsum<"ji">(A));
  show("einsum<\"ii\">(Q)         = \"ii->\" (trace)", tenet::einsum<"ii">(Q));
  show("einsum<\"ij,ij\">(A, A)   = \"ij,ij->\" (sum of squares)", tenet::einsum<"ij,ij">(A, A));

  std::printf("\n-- batch modes: a label in every operand and the output --\n");
  tensor<double, 2, 2, 3> X;
  tensor<double, 2, 3, 1> Y;
  X.iota();
  Y.fill(1);
  auto Z = tenet::einsum<"bij,bjk->bik">(X, Y);  // tensor<double, 2, 2, 1>
  for (tenet::index b = 0; b < 2; ++b) {
    tenet::tensor_view<double, 2, 1> slice(Z.data() + 2 * b, {});
    show("einsum<\"bij,bjk->bik\">(X, ones)[" + std::to_string(b) + "]  row sums of X[b]", slice);
  }

  std::printf("\n-- run-time subscripts: einsum(\"...\", ...) returns a dtensor --\n");
  const std::string spec = "ij,jk->ki";
  dtensor<double> Ct = tenet::einsum(spec, A, B);
  show("einsum(\"" + spec + "\", A, B)", Ct);
  dtensor<double> D{2, 3};
  D.iota(10);
  show("einsum(\"ij,ij->i\", A, D)  (a dtensor operand)", tenet::einsum("ij,ij->i", A, D));

  std::printf("\n-- a policy first, in either form --\n");
  show("einsum<\"ij,jk->ik\">(exec::par, A, B)", tenet::einsum<"ij,jk->ik">(tenet::exec::par, A, B));
  show("einsum(exec::par(2), \"ij,jk->ik\", A, B)", tenet::einsum(tenet::exec::par(2), "ij,jk->ik", A, B));

  std::printf("\n-- the labelled form: labels absent from the target are summed --\n");
  using namespace tenet::labels;
  tensor<double, 2, 2> E;
  E(i, k) = A(i, j) * B(j, k) + 0.5 * C(k, i);
  show("E(i, k) = A(i, j) * B(j, k) + 0.5 * C(k, i)", E);

  std::printf("\n-- not supported: '...' (broadcasting); name every mode --\n");
  try {
    (void)tenet::einsum("...ij,...jk->...ik", A, B);
  } catch (const tenet::parse_error& e) {
    std::printf("parse_error: %s\n", e.what());
  }
  return 0;
}
