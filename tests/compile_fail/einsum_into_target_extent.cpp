// expect: einsum_into: the target's static extents differ from the result's
// A static target whose extents cannot hold the result is rejected at compile time.
#include <tenet/expr/einsum.hpp>

int main() {
  tenet::tensor<double, 3, 4> A;
  tenet::tensor<double, 4, 5> B;
  tenet::tensor<double, 3, 4> C;
  tenet::einsum_into<"ij,jk->ik">(C, A, B);
}
