// expect: tenet compile-fail harness works
#include <tenet/tenet.hpp>

static_assert(sizeof(int) == 0, "tenet compile-fail harness works");
