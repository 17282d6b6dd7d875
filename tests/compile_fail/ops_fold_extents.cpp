// expect: fold: the matrix's extents differ
// A 3 x 8 matrix folded along mode 0 into 2 x 3 x 4 (needs 2 x 12).
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 3, 8> m;
  auto x = tenet::fold<0, 2, 3, 4>(m);
  (void)x;
}
