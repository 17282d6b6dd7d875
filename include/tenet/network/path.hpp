#pragma once
// A contraction path as plain data: the number of input tensors and a list of pairwise
// contractions. Ids follow the SSA convention: inputs are 0 .. n-1, and step k produces
// tensor n + k. A path for n tensors has n - 1 steps and uses every id exactly once.
// Paths print as "3: (0, 1) (3, 2)", parse back from that text, and convert to and from
// opt_einsum's "linear" form (positions in a list where each result goes to the end).
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenet/network/error.hpp"

namespace tenet {

/// One pairwise contraction: the ids of its two operands.
struct contraction_step {
  int a = 0, b = 0;
  friend bool operator==(const contraction_step&, const contraction_step&) = default;
};

/// A contraction order: `inputs` tensors, contracted pairwise by `steps` (SSA ids).
struct contraction_path {
  int inputs = 0;
  std::vector<contraction_step> steps;

  friend bool operator==(const contraction_path&, const contraction_path&) = default;

  /// Appends a step; returns the id of its result.
  int push(int a, int b) {
    steps.push_back({a, b});
    return inputs + static_cast<int>(steps.size()) - 1;
  }
  /// The id of the final tensor (the result of the last step, or input 0 when n == 1).
  int result() const noexcept { return steps.empty() ? 0 : inputs + static_cast<int>(steps.size()) - 1; }

  /// "3: (0, 1) (3, 2)".
  std::string to_string() const {
    std::string s = std::to_string(inputs) + ":";
    for (const auto& st : steps) s += " (" + std::to_string(st.a) + ", " + std::to_string(st.b) + ")";
    return s;
  }

  /// Throws path_error unless this is a complete contraction order for `inputs` tensors.
  void validate() const {
    auto fail = [&](const std::string& why) {
      throw path_error("tenet: invalid contraction path \"" + to_string() + "\": " + why);
    };
    if (inputs < 1) fail("a path needs at least one input tensor");
    if (static_cast<int>(steps.size()) != inputs - 1)
      fail(std::to_string(inputs) + " tensors need " + std::to_string(inputs - 1) + " steps, not " +
           std::to_string(steps.size()));
    std::vector<int> used_by(static_cast<std::size_t>(2 * inputs), -1);
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const int avail = inputs + static_cast<int>(k);
      for (int id : {steps[k].a, steps[k].b}) {
        if (id < 0 || id >= avail)
          fail("step " + std::to_string(k) + " uses id " + std::to_string(id) + ", but only ids 0.." +
               std::to_string(avail - 1) + " exist at that point");
        if (used_by[static_cast<std::size_t>(id)] >= 0)
          fail("step " + std::to_string(k) + " uses tensor " + std::to_string(id) + ", which step " +
               std::to_string(used_by[static_cast<std::size_t>(id)]) + " already consumed");
        used_by[static_cast<std::size_t>(id)] = static_cast<int>(k);
      }
    }
  }

  /// Parses the text that to_string writes; throws path_error on anything else.
  static contraction_path parse(std::string_view text) {
    std::size_t i = 0;
    auto fail = [&](const std::string& why) -> contraction_path {
      throw path_error("tenet: cannot parse contraction path \"" + std::string(text) + "\": " + why + " at position " +
                       std::to_string(i));
    };
    auto skip = [&] {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    };
    auto number = [&]() -> int {
      skip();
      const std::size_t start = i;
      long long v = 0;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && v < (1LL << 40))
        v = v * 10 + (text[i++] - '0');
      if (i == start) fail("expected a number");
      if (v >= (1LL << 30)) fail("number too large");
      return static_cast<int>(v);
    };
    auto expect = [&](char c) {
      skip();
      if (i >= text.size() || text[i] != c) fail(std::string("expected '") + c + "'");
      ++i;
    };
    contraction_path p;
    p.inputs = number();
    expect(':');
    for (skip(); i < text.size(); skip()) {
      expect('(');
      const int a = number();
      expect(',');
      const int b = number();
      expect(')');
      p.steps.push_back({a, b});
    }
    return p;
  }

  /// From opt_einsum's linear form: each pair names positions in the current list of
  /// tensors; both leave the list and the result is appended at its end.
  static contraction_path from_linear(int inputs, const std::vector<std::pair<int, int>>& linear) {
    contraction_path p{inputs, {}};
    std::vector<int> live;
    for (int t = 0; t < inputs; ++t) live.push_back(t);
    for (std::size_t k = 0; k < linear.size(); ++k) {
      const auto [x, y] = linear[k];
      const int n = static_cast<int>(live.size());
      if (x < 0 || y < 0 || x >= n || y >= n || x == y)
        throw path_error("tenet: invalid linear contraction path: step " + std::to_string(k) + " names positions (" +
                         std::to_string(x) + ", " + std::to_string(y) + ") in a list of " + std::to_string(n) +
                         " tensors");
      const int a = live[static_cast<std::size_t>(x)], b = live[static_cast<std::size_t>(y)];
      live.erase(live.begin() + std::max(x, y));
      live.erase(live.begin() + std::min(x, y));
      live.push_back(p.push(a, b));
    }
    return p;
  }

  /// To opt_einsum's linear form (validates first).
  std::vector<std::pair<int, int>> to_linear() const {
    validate();
    std::vector<int> live;
    for (int t = 0; t < inputs; ++t) live.push_back(t);
    std::vector<std::pair<int, int>> out;
    for (std::size_t k = 0; k < steps.size(); ++k) {
      int x = 0, y = 0;
      for (int q = 0; q < static_cast<int>(live.size()); ++q) {
        if (live[static_cast<std::size_t>(q)] == steps[k].a) x = q;
        if (live[static_cast<std::size_t>(q)] == steps[k].b) y = q;
      }
      out.emplace_back(x, y);
      live.erase(live.begin() + std::max(x, y));
      live.erase(live.begin() + std::min(x, y));
      live.push_back(inputs + static_cast<int>(k));
    }
    return out;
  }
};

inline std::ostream& operator<<(std::ostream& os, const contraction_path& p) { return os << p.to_string(); }

namespace path {
/// ((0, 1), 2), 3), ...: tensors contracted in the order they were added.
inline contraction_path left_to_right(int inputs) {
  contraction_path p{inputs, {}};
  int cur = 0;
  for (int t = 1; t < inputs; ++t) cur = p.push(cur, t);
  return p;
}
}  // namespace path

}  // namespace tenet
