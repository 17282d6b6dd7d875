// Checks that a random Deep Tree Tensor Network is the tree tensor network it unfolds into
// (MATH.md 1.2): tree == network, Proposition 1 (homogeneity of degree 2^L) and Theorem 1
// (an MPS over phi(x_j) = [x_j^0 .. x_j^(2^L)]). Exits with 1 when a check fails.
//   example_dttn_verify [D [H [L [seed]]]]     defaults: 3 6 2 1
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

#include <tenet/models/dttn.hpp>

int main(int argc, char** argv) {
  tenet::dttn_verify_options o;
  try {
    if (argc > 1) o.D = std::stoll(argv[1]);
    if (argc > 2) o.H = std::stoll(argv[2]);
    if (argc > 3) o.L = static_cast<std::size_t>(std::stoul(argv[3]));
    if (argc > 4) o.seed = static_cast<std::uint64_t>(std::stoull(argv[4]));
  } catch (const std::exception&) {
    std::fprintf(stderr, "usage: %s [D [H [L [seed]]]]\n", argv[0]);
    return 2;
  }
  try {
    std::printf("DTTN: D = %lld, H = %lld, L = %zu, seed = %llu (float64)\n", static_cast<long long>(o.D),
                static_cast<long long>(o.H), o.L, static_cast<unsigned long long>(o.seed));
    const tenet::dttn_verify_report r = tenet::verify_dttn(o);
    for (const tenet::dttn_check* c : {&r.tree, &r.homogeneity, &r.theorem1})
      std::printf("  %-32s %-4s  error %.3e  (tol %.0e)  %s\n", c->name.c_str(), c->verdict(), c->value, c->tolerance,
                  c->note.c_str());
    std::printf("%s\n", r.pass() ? "all checks pass" : "a check FAILED");
    return r.pass() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
