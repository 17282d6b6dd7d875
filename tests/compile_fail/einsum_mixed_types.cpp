// expect: einsum: operands must share one element type
// float times double: no silent promotion.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::tensor<float, 3, 4> A;
  tenet::tensor<double, 4, 5> B;
  auto C = tenet::einsum<"ij,jk->ik">(A, B);
  (void)C;
}
