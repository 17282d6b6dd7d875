// expect: einsum: '\.\.\.' \(broadcasting\) is not supported
// Broadcasting with "..." is not supported; every mode must be named.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> A;
  tenet::tensor<double, 4, 5> B;
  auto C = tenet::einsum<"...j,jk->...k">(A, B);
  (void)C;
}
