// expect: mode_contract: a mode is out of range
// Mode 3 of an order-3 C.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> c;
  tenet::tensor<double, 4, 3> y;
  auto z = tenet::mode_contract<tenet::mode_list{3}, tenet::mode_list{0}>(c, y);
  (void)z;
}
