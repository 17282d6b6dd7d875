// expect: partial_trace: a mode is out of range
// Mode 4 of an order-4 tensor.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3, 2, 4> x;
  auto y = tenet::partial_trace<tenet::mode_pair{0, 4}>(x);
  (void)y;
}
