// expect: einsum: an output label appears in no operand
// The target's label z is in no operand.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  using namespace tenet::labels;
  tenet::tensor<double, 3, 4> A;
  tenet::dtensor<double> C;
  C(i, z) = A(i, j);
}
