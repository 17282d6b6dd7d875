// expect: labelled assignment: the target's element type differs from the operands'
// A float target for double operands (tenet never converts silently).
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  using namespace tenet::labels;
  tenet::tensor<double, 3, 4> A;
  tenet::tensor<float, 3, 4> C;
  C(i, j) = 2.0 * A(i, j);
}
