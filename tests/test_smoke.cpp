#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

TEST_CASE("smoke: the test harness runs") { CHECK(1 + 1 == 2); }
