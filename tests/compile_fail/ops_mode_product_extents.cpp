// expect: mode_product: U's last extent differs from X's extent in the mode
// U is 5 x 4 but mode 1 of X has extent 3.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> x;
  tenet::tensor<double, 5, 4> u;
  auto y = tenet::mode_product<1>(x, u);
  (void)y;
}
