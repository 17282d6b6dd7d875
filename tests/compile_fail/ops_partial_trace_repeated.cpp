// expect: partial_trace: a mode appears twice
// Mode 0 in two pairs.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 2, 2, 2> x;
  auto y = tenet::partial_trace<tenet::mode_pair{0, 1}, tenet::mode_pair{2, 0}>(x);
  (void)y;
}
