// expect: einsum: an operand's rank differs from its number of labels
// The second operand has rank 3 but two labels.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::tensor<double, 3, 4> A;
  tenet::tensor<double, 4, 5, 6> B;
  auto C = tenet::einsum<"ij,jk->ik">(A, B);
  (void)C;
}
