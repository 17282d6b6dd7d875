#pragma once
// The shape check of an einsum, on shapes alone (plain C++, no kernels): operand count,
// ranks against the subscripts, one extent per label, and the output shape. The CPU einsum
// (expr/einsum_eval.hpp) and the device one (expr/einsum_device.hpp) both call it, so their
// messages are one text: "<head>\"subscripts\"): ..." with both shapes.
#include <algorithm>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/expr/einsum_spec.hpp"

namespace tenet::detail {

/// `head` then the subscripts: tenet::einsum("ij,jk->ik").
inline std::string einsum_context(const einsum_spec& s, const char* head = "tenet::einsum(") {
  // Appends only: GCC 12's -Wrestrict misfires on `"," + std::string(...)` at -O3.
  std::string r = head;
  r += '"';
  for (int i = 0; i < s.n_ops; ++i) {
    if (i) r += ',';
    r += s.operand(i);
  }
  r += "->";
  r += s.output();
  r += "\")";
  return r;
}

/// Checks the operand count, ranks and label extents; returns the output shape. shape_error
/// messages start with einsum_context(s, head).
inline std::vector<index> einsum_output_shape(const einsum_spec& s, std::span<const std::vector<index>> shapes,
                                              const char* head = "tenet::einsum(") {
  auto text = [](const std::vector<index>& v) { return shape_string(std::span<const index>(v)); };
  if (static_cast<int>(shapes.size()) != s.n_ops) {
    std::string given;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      if (i) given += ", ";
      given += text(shapes[i]);
    }
    throw shape_error(einsum_context(s, head) + ": the subscripts name " + std::to_string(s.n_ops) +
                      " operands but " + std::to_string(shapes.size()) + " were given, of shapes " + given);
  }
  index ext[128];
  int where[128] = {};
  std::fill(std::begin(ext), std::end(ext), index{-1});
  for (int i = 0; i < s.n_ops; ++i) {
    const auto lab = s.operand(i);
    const auto& sh = shapes[static_cast<std::size_t>(i)];
    if (lab.size() != sh.size())
      throw shape_error(einsum_context(s, head) + ": operand " + std::to_string(i) + " has shape " + text(sh) +
                        " but " + std::to_string(lab.size()) + " labels '" + std::string(lab) + "'");
    for (std::size_t r = 0; r < lab.size(); ++r) {
      const int l = static_cast<unsigned char>(lab[r]);
      if (ext[l] < 0) {
        ext[l] = sh[r];
        where[l] = i;
      } else if (ext[l] != sh[r]) {
        throw shape_error(einsum_context(s, head) + ": label '" + lab[r] + "' has extent " + std::to_string(ext[l]) +
                          " in operand " + std::to_string(where[l]) + " of shape " +
                          text(shapes[static_cast<std::size_t>(where[l])]) + " but " + std::to_string(sh[r]) +
                          " in operand " + std::to_string(i) + " of shape " + text(sh));
      }
    }
  }
  std::vector<index> out;
  for (char c : s.output()) out.push_back(ext[static_cast<unsigned char>(c)]);
  return out;
}

}  // namespace tenet::detail
