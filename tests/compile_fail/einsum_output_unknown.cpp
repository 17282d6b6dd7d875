// expect: einsum: an output label appears in no operand
// q is in no operand.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::tensor<double, 3, 4> A;
  tenet::tensor<double, 4, 5> B;
  auto C = tenet::einsum<"ij,jk->iq">(A, B);
  (void)C;
}
