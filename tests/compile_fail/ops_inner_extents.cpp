// expect: inner: the operands' extents differ
// The inner product of 2 x 3 and 3 x 2 tensors.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3> a;
  tenet::tensor<double, 3, 2> b;
  return static_cast<int>(tenet::inner(a, b));
}
