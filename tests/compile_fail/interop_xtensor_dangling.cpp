// expect: view_of: the xtensor container is a temporary
#include <tenet/interop/xtensor.hpp>

// A view of a temporary xt::xarray would outlive its elements.
void f() { (void)tenet::view_of(xt::xarray<double>({1.0, 2.0})); }
