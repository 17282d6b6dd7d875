// expect: view_of: the Eigen expression does not store its elements
#include <tenet/interop/eigen.hpp>

// A sum is an expression, not memory: there is nothing to view.
void f() {
  Eigen::MatrixXd a(2, 2), b(2, 2);
  (void)tenet::view_of(a + b);
}
