// expect: mode_product: X and U must share one element type
// A float tensor times a double matrix.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<float, 2, 3> x;
  tenet::tensor<double, 5, 3> u;
  auto y = tenet::mode_product<1>(x, u);
  (void)y;
}
