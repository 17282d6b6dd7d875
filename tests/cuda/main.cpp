// The main of tenet_cuda_tests. Without a usable CUDA device (none, or no driver: CI) it
// prints why and how many tests it skips, and exits with 77, which ctest reports as Skipped
// (SKIP_RETURN_CODE); with one it runs the doctest cases of test_cuda.cu.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cuda_runtime_api.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int skip_code = 77;  // tests/cuda/CMakeLists.txt: SKIP_RETURN_CODE

// The number of test cases the filters in argv select (doctest's --count; passed as an
// argument: doctest 2.4's setOption skips its first, "program name", argument).
int count_tests(int argc, char** argv) {
  std::vector<const char*> args(argv, argv + argc);
  args.push_back("--count");
  doctest::Context ctx(static_cast<int>(args.size()), args.data());
  std::ostringstream out;
  ctx.setCout(&out);
  ctx.run();
  const std::string s = out.str(), key = "passing the current filters: ";
  const auto at = s.find(key);
  return at == std::string::npos ? -1 : std::stoi(s.substr(at + key.size()));
}

}  // namespace

int main(int argc, char** argv) {
  int devices = 0;
  const cudaError_t e = cudaGetDeviceCount(&devices);
  if (e != cudaSuccess || devices == 0) {
    const std::string why = e != cudaSuccess ? cudaGetErrorString(e) : "cudaGetDeviceCount found none";
    std::printf("tenet_cuda_tests: no CUDA device (%s): skipping the %d device tests\n", why.c_str(),
                count_tests(argc, argv));
    return skip_code;
  }
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
