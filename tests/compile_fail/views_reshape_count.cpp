// expect: reshape: the element counts differ
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> X;
  auto r = tenet::reshape<5, 5>(X);
  (void)r;
}
