// expect: einsum_into: the output is read-only
// A const tensor cannot be the target of einsum_into.
#include <tenet/expr/einsum.hpp>

int main() {
  tenet::dtensor<double> A(3, 4), B(4, 5);
  const tenet::dtensor<double> C(3, 5);
  tenet::einsum_into("ij,jk->ik", C, A, B);
}
