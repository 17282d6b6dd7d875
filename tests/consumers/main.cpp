// Compiles only if tenet::tenet hands out its include dir, C++20 and its deps.
#include <tenet/tenet.hpp>

static_assert(__cplusplus >= 202002L, "tenet::tenet must require C++20");

int main() { return 0; }
