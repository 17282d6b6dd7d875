// expect: einsum: operands must share one element type
// The run-time form checks element types at compile time too.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::dtensor<float> A{3, 4};
  tenet::dtensor<double> B{4, 5};
  auto C = tenet::einsum("ij,jk->ik", A, B);
  (void)C;
}
