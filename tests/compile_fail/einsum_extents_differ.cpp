// expect: einsum: contracted extents differ
// j is 4 in A and 5 in B, both static.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::tensor<double, 3, 4> A;
  tenet::tensor<double, 5, 6> B;
  auto C = tenet::einsum<"ij,jk->ik">(A, B);
  (void)C;
}
