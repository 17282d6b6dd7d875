// expect: view_of: the Eigen matrix is a temporary
#include <tenet/interop/eigen.hpp>

// A view of a temporary Eigen::Matrix would outlive its elements.
void f() { (void)tenet::view_of(Eigen::MatrixXd(2, 2)); }
