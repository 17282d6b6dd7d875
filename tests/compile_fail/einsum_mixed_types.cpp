// expect: einsum: operands must share one element type
// float times double: no silent promotion.
#include <tenet/tenet.hpp>

int main() {
  tenet::tensor<float, 3, 4> A;
  tenet::tensor<double, 4, 5> B;
  auto C = tenet::einsum<"ij,jk->ik">(A, B);
  (void)C;
}
