// expect: reshape: at most one extent can be inferred
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::dtensor<double> X{2, 3, 4};
  auto r = tenet::reshape<tenet::dyn, tenet::dyn>(X);
  (void)r;
}
