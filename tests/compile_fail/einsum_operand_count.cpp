// expect: einsum: the number of operands differs from the number the subscripts name
// Two operands named, one given.
#include <tenet/tenet.hpp>

int main() {
  tenet::tensor<double, 3, 4> A;
  auto C = tenet::einsum<"ij,jk->ik">(A);
  (void)C;
}
