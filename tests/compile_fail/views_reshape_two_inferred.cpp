// expect: reshape: at most one extent can be inferred
#include <tenet/tenet.hpp>

int main() {
  tenet::dtensor<double> X{2, 3, 4};
  auto r = tenet::reshape<tenet::dyn, tenet::dyn>(X);
  (void)r;
}
