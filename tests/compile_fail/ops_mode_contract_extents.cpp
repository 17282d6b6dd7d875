// expect: mode_contract: contracted extents differ
// Mode 1 of C (3) against mode 0 of Y (4).
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> c;
  tenet::tensor<double, 4, 3> y;
  auto z = tenet::mode_contract<tenet::mode_list{1}, tenet::mode_list{0}>(c, y);
  (void)z;
}
