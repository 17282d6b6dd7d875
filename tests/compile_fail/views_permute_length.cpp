// expect: permute: the permutation's length differs from the rank
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> X;
  auto p = tenet::permute<1, 0>(X);
  (void)p;
}
