// expect: einsum: the number of operands differs from the number the subscripts name
// Two operands named, one given.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::tensor<double, 3, 4> A;
  auto C = tenet::einsum<"ij,jk->ik">(A);
  (void)C;
}
