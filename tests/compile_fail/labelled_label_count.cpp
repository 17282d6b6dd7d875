// expect: number of labels differs from the tensor's rank
// A has rank 2 but is given three labels.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  using namespace tenet::labels;
  tenet::tensor<double, 3, 4> A;
  tenet::tensor<double, 3> C;
  C(i) = A(i, j, k);
}
