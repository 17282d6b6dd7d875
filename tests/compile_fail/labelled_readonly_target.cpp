// expect: labelled assignment: the target is read-only
// A view of const elements cannot be assigned to.
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  using namespace tenet::labels;
  tenet::tensor<double, 3, 4> A;
  const tenet::tensor<double, 3, 4> C;
  auto v = C.view();
  v(i, j) = A(i, j);
}
