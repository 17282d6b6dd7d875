// expect: unfold: the mode is out of range
// Unfolding an order-3 tensor along mode 3.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> x;
  auto m = tenet::unfold<3>(x);
  (void)m;
}
