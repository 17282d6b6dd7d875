// expect: trace: the matrix is not square
// The trace of a 2 x 3 matrix.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3> a;
  return static_cast<int>(tenet::trace(a));
}
