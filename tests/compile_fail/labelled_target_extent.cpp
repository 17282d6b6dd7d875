// expect: labelled assignment: the target's static extent differs from the expression's
// C is 3 x 6 but A(i,j) * B(j,k) is 3 x 5.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  using namespace tenet::labels;
  tenet::tensor<double, 3, 4> A;
  tenet::tensor<double, 4, 5> B;
  tenet::tensor<double, 3, 6> C;
  C(i, k) = A(i, j) * B(j, k);
}
