// expect: khatri_rao: the factors' numbers of columns differ
// 3 x 2 and 4 x 3 factors.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 3, 2> a;
  tenet::tensor<double, 4, 3> b;
  auto k = tenet::khatri_rao(a, b);
  (void)k;
}
