// expect: multi_mode_product: a mode appears twice
// Two factors on mode 0.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3> x;
  tenet::tensor<double, 4, 2> u;
  auto y = tenet::multi_mode_product<0, 0>(x, u, u);
  (void)y;
}
