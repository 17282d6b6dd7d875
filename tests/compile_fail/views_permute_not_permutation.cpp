// expect: permute: the indices are not a permutation of 0..rank-1
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  tenet::tensor<double, 2, 3, 4> X;
  auto p = tenet::permute<0, 0, 1>(X);
  (void)p;
}
