// expect: permute: the indices are not a permutation of 0..rank-1
#include <tenet/tenet.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> X;
  auto p = tenet::permute<0, 0, 1>(X);
  (void)p;
}
