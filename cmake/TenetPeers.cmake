# xtensor and xtensor-blas: the interop targets the tests exercise and the peers
# the benchmarks time against. Included by the top-level CMakeLists.txt.

# Debian's generic libblas.so may be the slow reference BLAS; ask for OpenBLAS
# (which also carries LAPACK) unless the user picked a vendor.
if(NOT DEFINED BLA_VENDOR)
  set(BLA_VENDOR OpenBLAS)
endif()
find_package(xtensor 0.24 REQUIRED)
find_package(xtensor-blas REQUIRED)  # its config finds BLAS and LAPACK and links them

# xtensor-blas declares the cblas_*/LAPACK symbols itself, so a BLAS without them
# would only show up when linking the first test or benchmark. Fail at configure.
include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_LIBRARIES xtensor xtensor-blas)
set(CMAKE_REQUIRED_QUIET ON)
check_cxx_source_compiles([[
#include <xtensor/xtensor.hpp>
#include <xtensor-blas/xlinalg.hpp>
int main() {
  xt::xtensor<double, 2> a = {{2.0, 0.0}, {0.0, 2.0}};
  xt::xtensor<double, 2> p = xt::linalg::dot(a, a);  // cblas_dgemm
  xt::xtensor<double, 2> i = xt::linalg::inv(a);     // LAPACK getrf/getri
  return static_cast<int>(p(0, 0) + i(0, 0));
}]] TENET_XTENSOR_BLAS_LINKS)
unset(CMAKE_REQUIRED_LIBRARIES)
unset(CMAKE_REQUIRED_QUIET)
if(NOT TENET_XTENSOR_BLAS_LINKS)
  message(FATAL_ERROR "A program using xtensor-blas does not link against "
    "BLAS='${BLAS_LIBRARIES}' LAPACK='${LAPACK_LIBRARIES}'. Install libopenblas-dev "
    "(scripts/install-deps.sh) or set BLA_VENDOR; see CMakeFiles/CMakeError.log.")
endif()
