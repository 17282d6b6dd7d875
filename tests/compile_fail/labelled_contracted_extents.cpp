// expect: einsum: contracted extents differ
// j is 4 in A and 5 in B.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  using namespace tenet::labels;
  tenet::tensor<double, 3, 4> A;
  tenet::tensor<double, 5, 6> B;
  tenet::dtensor<double> C;
  C(i, k) = A(i, j) * B(j, k);
}
