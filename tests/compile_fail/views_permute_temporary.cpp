// expect: permute: the argument is a temporary tensor, so the view would dangle
#include <tenet/tenet.hpp>

int main() {
  auto p = tenet::permute<1, 0>(tenet::tensor<double, 2, 3>{});
  (void)p;
}
