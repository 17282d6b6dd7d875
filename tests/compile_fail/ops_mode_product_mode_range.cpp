// expect: mode_product: the mode is out of range
// A mode product on mode 3 of an order-3 tensor.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> x;
  tenet::tensor<double, 5, 4> u;
  auto y = tenet::mode_product<3>(x, u);
  (void)y;
}
