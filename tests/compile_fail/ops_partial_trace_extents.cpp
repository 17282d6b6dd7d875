// expect: partial_trace: a pair of modes has different extents
// Tracing modes of extents 3 and 4.
#include <tenet/ops.hpp>

int main() {
  tenet::tensor<double, 2, 3, 2, 4> x;
  auto y = tenet::partial_trace<tenet::mode_pair{1, 3}>(x);
  (void)y;
}
