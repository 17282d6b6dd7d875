// expect: labelled assignment: the right side is not a labelled expression
// A bare number is not a labelled expression (fill() sets every element).
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  using namespace tenet::labels;
  tenet::tensor<double, 3, 4> C;
  C(i, j) = 3.0;
}
