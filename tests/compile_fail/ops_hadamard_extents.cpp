// expect: hadamard: the operands' extents differ
// 3 x 4 times 4 x 3, elementwise.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 3, 4> a;
  tenet::tensor<double, 4, 3> b;
  auto h = tenet::hadamard(a, b);
  (void)h;
}
