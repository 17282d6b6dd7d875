// expect: reshape: the element counts differ
#include <tenet/tenet.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> X;
  auto r = tenet::reshape<5, 5>(X);
  (void)r;
}
