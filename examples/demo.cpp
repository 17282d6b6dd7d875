// Placeholder until the real demo lands; scripts/demo.sh builds and runs it.
#include <tenet/tenet.hpp>

#include <cstdio>

int main() {
  std::puts("tenet demo placeholder");
  return 0;
}
