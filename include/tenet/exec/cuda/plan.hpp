#pragma once
// Host-side planning of the CUDA backend's contractions and copies (plain C++, no CUDA
// header, tested by the ordinary test suite without a GPU). Operands are contiguous row-major
// (device_tensor), named by int labels as in exec::contract.
//
// C(lc) = sum A(la) B(lb), after dropping extent-1 labels, groups the labels as
//   batch (in A, B, C), m (A, C), n (B, C), k (A, B),
// and labels in one operand only are summed out. When every group is one stride group in
// each operand (its labels adjacent, in one order shared by the operands) and each matrix has
// a unit stride, one cublas?gemmStridedBatched call does it in place: row-major C is
// column-major C^T, so the plan picks the orientation by C's unit stride and an N/T op and a
// leading dimension per operand (the C^T = B^T A^T trick). Otherwise the operands that are
// not GEMM-ready are first copied into a packed [batch, m, k] / [batch, k, n] layout (by a
// permutation kernel, or a reduction kernel that also takes diagonals and sums out the
// one-operand labels), and a C that is not is written as a packed temporary, then permuted.
// The group orders are chosen, among those the operands already have, to copy the fewest
// elements. Tiny contractions (little summation per output element) run as one direct kernel.
#include <algorithm>
#include <climits>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/exec/cuda/copy_plan.hpp"
#include "tenet/exec/cuda/element.hpp"

namespace tenet::detail::cuda {

/// One cublas?gemmStridedBatched call, column-major: C = op(A) op(B) per batch entry, where
/// cuBLAS's A is the first prepared operand, or the second when `swap`.
struct gemm_desc {
  bool trans_a = false, trans_b = false;
  index m = 1, n = 1, k = 1, lda = 1, ldb = 1, ldc = 1;
  index stride_a = 0, stride_b = 0, stride_c = 0, batch = 1;
  bool swap = false;
};

enum class plan_kind {
  nothing,  // an empty output
  zero,     // a sum over an extent-0 label: zeros
  gemm,     // optional copies of A and B, one strided-batched GEMM, an optional copy into C
  direct,   // one kernel: each output element sums a * b over its labels
  copy,     // one operand: a permutation / reduction / diagonal into C
};

struct device_plan {
  plan_kind kind = plan_kind::nothing;
  bool prep[2] = {false, false};  // operand i is copied into a packed temporary first
  copy_step prep_step[2];
  index prep_size[2] = {0, 0};
  gemm_desc gemm;
  loop_desc direct;
  copy_step copy;                  // kind == copy
  bool c_temp = false;             // the GEMM writes a packed temporary, copied into C by c_step
  index c_temp_size = 0;
  copy_step c_step;

  /// One line per step, for tests and debugging.
  std::string str() const {
    auto num = [](index v) { return std::to_string(v); };
    auto copy_str = [&](const copy_step& s) {
      return std::string(copy_kind_name(s.kind)) + " (" + num(s.d.out_size()) + " elements" +
             (s.d.red_rank ? ", summing " + num(s.d.red_size()) + " each" : std::string()) + ")";
    };
    switch (kind) {
      case plan_kind::nothing: return "nothing (empty output)";
      case plan_kind::zero: return "zero fill";
      case plan_kind::direct:
        return "direct (" + num(direct.out_size()) + " outputs, " + num(direct.red_size()) + " terms each)";
      case plan_kind::copy: return "copy: " + copy_str(copy);
      case plan_kind::gemm: break;
    }
    std::string s;
    for (int i = 0; i < 2; ++i)
      if (prep[i]) s += std::string(i ? "B" : "A") + " packed by " + copy_str(prep_step[i]) + "; ";
    const gemm_desc& g = gemm;
    s += "gemm_strided_batched" + std::string(g.swap ? " (swapped: C^T = B^T A^T)" : "") + ": op " +
         (g.trans_a ? "T" : "N") + (g.trans_b ? "T" : "N") + " m=" + num(g.m) + " n=" + num(g.n) + " k=" + num(g.k) +
         " lda=" + num(g.lda) + " ldb=" + num(g.ldb) + " ldc=" + num(g.ldc) + " batch=" + num(g.batch);
    if (g.batch > 1)
      s += " strides " + num(g.stride_a) + "," + num(g.stride_b) + "," + num(g.stride_c);
    if (c_temp) s += "; C by " + copy_str(c_step);
    return s;
  }
};

// ---- building blocks -------------------------------------------------------------------

/// A contiguous operand's labels: unique ones (repeats read the diagonal: strides add up),
/// split into those kept (wanted elsewhere) and those summed out here. Extent-1 labels are
/// dropped; `zero` marks an extent-0 label.
struct operand_labels {
  std::vector<int> kept;  // memory order of first occurrence
  std::vector<index> kept_ext, kept_str;
  std::vector<int> red;
  std::vector<index> red_ext, red_str;
  bool repeats = false, zero = false;
  index size = 1;  // elements of the operand

  bool reduces() const noexcept { return repeats || !red.empty(); }
  std::optional<index> stride(int l) const {
    for (std::size_t i = 0; i < kept.size(); ++i)
      if (kept[i] == l) return kept_str[i];
    return std::nullopt;
  }
  index extent(int l) const {
    for (std::size_t i = 0; i < kept.size(); ++i)
      if (kept[i] == l) return kept_ext[i];
    return 1;
  }
};

template <class Keep>
operand_labels analyse_operand(std::span<const index> shape, std::span<const int> labels, Keep keep) {
  if (shape.size() != labels.size())
    throw shape_error("tenet (CUDA): " + std::to_string(labels.size()) + " labels for an operand of shape " +
                      shape_string(shape));
  const auto str = row_major_strides(shape);
  operand_labels o;
  o.size = product(shape);
  std::vector<int> ul;
  std::vector<index> ue, us;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    if (shape[r] == 0) o.zero = true;
    auto it = std::find(ul.begin(), ul.end(), labels[r]);
    if (it == ul.end()) {
      ul.push_back(labels[r]), ue.push_back(shape[r]), us.push_back(str[r]);
    } else {
      const auto q = static_cast<std::size_t>(it - ul.begin());
      if (ue[q] != shape[r])
        throw shape_error("tenet (CUDA): a label repeats with extents " + std::to_string(ue[q]) + " and " +
                          std::to_string(shape[r]) + " in an operand of shape " + shape_string(shape));
      us[q] += str[r];
      if (shape[r] > 1) o.repeats = true;
    }
  }
  for (std::size_t q = 0; q < ul.size(); ++q) {
    if (ue[q] == 1) continue;
    if (keep(ul[q]))
      o.kept.push_back(ul[q]), o.kept_ext.push_back(ue[q]), o.kept_str.push_back(us[q]);
    else
      o.red.push_back(ul[q]), o.red_ext.push_back(ue[q]), o.red_str.push_back(us[q]);
  }
  return o;
}

inline bool has(std::span<const int> s, int l) { return std::find(s.begin(), s.end(), l) != s.end(); }

/// A logical R x C matrix with strides (sr, sc) as cuBLAS sees it: op(S) for a column-major S
/// with leading dimension ld (trans: X(r, c) = S[c + r ld], else S[r + c ld]). An extent of 1
/// leaves its stride free.
struct matrix_op {
  bool trans = false;
  index ld = 1;
};
inline std::optional<matrix_op> as_matrix(index R, index sr, index C, index sc) {
  const index rmin = std::max<index>(1, R), cmin = std::max<index>(1, C);
  if (R == 1 || sr == 1) {
    const index ld = C == 1 ? rmin : sc;
    if (ld >= rmin) return matrix_op{false, ld};
  }
  if (C == 1 || sc == 1) {
    const index ld = R == 1 ? cmin : sr;
    if (ld >= cmin) return matrix_op{true, ld};
  }
  return std::nullopt;
}

/// The strides of labels in one operand; a label it lacks has none.
struct stride_map {
  std::vector<int> labels;
  std::vector<index> ext, str;
  index of(int l) const {
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == l) return str[i];
    return 0;
  }
  index ext_of(int l) const {
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == l) return ext[i];
    return 1;
  }
};

/// A group of labels (in this order) as one index of an operand: its stride, or nullopt when
/// the labels are not nested in that order. An empty group has extent 1 (stride free: 0).
inline std::optional<index> group_stride(const stride_map& m, const std::vector<int>& g) {
  if (g.empty()) return index{0};
  for (std::size_t j = 0; j + 1 < g.size(); ++j)
    if (m.of(g[j]) != m.of(g[j + 1]) * m.ext_of(g[j + 1])) return std::nullopt;
  return m.of(g.back());
}

inline index group_extent(const stride_map& m, const std::vector<int>& g) {
  index n = 1;
  for (int l : g) n *= m.ext_of(l);
  return n;
}

struct groups {
  std::vector<int> batch, m, n, k;
};

/// The logical matrix of an operand (rows group x cols group), or nullopt when not GEMM-ready.
inline std::optional<matrix_op> operand_matrix(const stride_map& s, const std::vector<int>& batch,
                                               const std::vector<int>& rows, const std::vector<int>& cols) {
  const auto sb = group_stride(s, batch), sr = group_stride(s, rows), sc = group_stride(s, cols);
  if (!sb || !sr || !sc) return std::nullopt;
  return as_matrix(group_extent(s, rows), *sr, group_extent(s, cols), *sc);
}

/// The GEMM for GEMM-ready A, B, C (strides in sa, sb, sc); nullopt when one is not ready.
inline std::optional<gemm_desc> make_gemm(const groups& g, const stride_map& sa, const stride_map& sb,
                                          const stride_map& sc) {
  const auto c = operand_matrix(sc, g.batch, g.m, g.n);
  if (!c) return std::nullopt;
  const index M = group_extent(sc, g.m), N = group_extent(sc, g.n), K = group_extent(sa, g.k);
  gemm_desc d;
  d.ldc = c->ld;
  std::optional<matrix_op> x, y;
  if (!c->trans) {  // C column-major: C = A B
    x = operand_matrix(sa, g.batch, g.m, g.k), y = operand_matrix(sb, g.batch, g.k, g.n);
    d.m = M, d.n = N, d.swap = false;
  } else {  // C^T column-major: C^T = B^T A^T
    x = operand_matrix(sb, g.batch, g.n, g.k), y = operand_matrix(sa, g.batch, g.k, g.m);
    d.m = N, d.n = M, d.swap = true;
  }
  if (!x || !y) return std::nullopt;
  d.k = K;
  d.trans_a = x->trans, d.lda = x->ld, d.trans_b = y->trans, d.ldb = y->ld;
  d.batch = group_extent(sc, g.batch);
  const index s_a = *group_stride(sa, g.batch), s_b = *group_stride(sb, g.batch);
  d.stride_a = d.swap ? s_b : s_a;
  d.stride_b = d.swap ? s_a : s_b;
  d.stride_c = *group_stride(sc, g.batch);
  return d;
}

/// Distinct candidate orders of a group: the order each listed operand stores it in.
inline std::vector<std::vector<int>> orders_of(const std::vector<int>& group,
                                               std::initializer_list<const std::vector<int>*> operands) {
  std::vector<std::vector<int>> out;
  for (const auto* labels : operands) {
    std::vector<int> o;
    for (int l : *labels)
      if (has(group, l)) o.push_back(l);
    if (o.size() == group.size() && std::find(out.begin(), out.end(), o) == out.end()) out.push_back(o);
  }
  if (out.empty()) out.push_back(group);
  return out;
}

inline stride_map packed_map(const std::vector<int>& order, const stride_map& ext_source_a,
                             const stride_map& ext_source_b) {
  stride_map m;
  m.labels = order;
  for (int l : order) {
    const index e = has(ext_source_a.labels, l) ? ext_source_a.ext_of(l) : ext_source_b.ext_of(l);
    m.ext.push_back(e);
  }
  m.str = row_major_strides(m.ext);
  return m;
}

inline std::vector<int> concat(std::vector<int> a, const std::vector<int>& b, const std::vector<int>& c) {
  a.insert(a.end(), b.begin(), b.end());
  a.insert(a.end(), c.begin(), c.end());
  return a;
}

// The label with the smallest stride (the inner one) of an operand, or -1.
inline int inner_label(const stride_map& m) {
  int l = -1;
  index best = 0;
  for (std::size_t i = 0; i < m.labels.size(); ++i)
    if (l < 0 || m.str[i] < best) l = m.labels[i], best = m.str[i];
  return l;
}

inline void check_int(index v, const char* what) {
  if (v > INT_MAX)
    throw shape_error(std::string("tenet (CUDA): the GEMM's ") + what + " (" + std::to_string(v) +
                      ") exceeds cuBLAS's 32-bit range");
}

inline std::string label_text(int l) {
  return (l >= 33 && l < 127) ? std::string(1, static_cast<char>(l)) : std::to_string(l);
}

/// The checks of exec::contract on device tensors: label counts, one extent per label, output
/// labels distinct and found in an operand. Throws shape_error naming the shapes.
inline void check_contraction(std::span<const index> sa, std::span<const int> la, std::span<const index> sb,
                              std::span<const int> lb, std::span<const index> sc, std::span<const int> lc) {
  const std::string shapes = "A of shape " + shape_string(sa) + ", B of shape " + shape_string(sb) +
                             ", C of shape " + shape_string(sc);
  if (la.size() != sa.size() || lb.size() != sb.size() || lc.size() != sc.size())
    throw shape_error("tenet::exec::contract (CUDA): the numbers of labels (" + std::to_string(la.size()) + ", " +
                      std::to_string(lb.size()) + ", " + std::to_string(lc.size()) + ") differ from the ranks of " +
                      shapes);
  std::vector<int> seen;
  std::vector<index> ext;
  auto add = [&](std::span<const int> l, std::span<const index> s) {
    for (std::size_t r = 0; r < l.size(); ++r) {
      const auto it = std::find(seen.begin(), seen.end(), l[r]);
      if (it == seen.end()) {
        seen.push_back(l[r]), ext.push_back(s[r]);
      } else if (ext[static_cast<std::size_t>(it - seen.begin())] != s[r]) {
        throw shape_error("tenet::exec::contract (CUDA): label '" + label_text(l[r]) + "' has extents " +
                          std::to_string(ext[static_cast<std::size_t>(it - seen.begin())]) + " and " +
                          std::to_string(s[r]) + "; " + shapes);
      }
    }
  };
  add(la, sa);
  add(lb, sb);
  for (std::size_t r = 0; r < lc.size(); ++r) {
    if (!has(la, lc[r]) && !has(lb, lc[r]))
      throw shape_error("tenet::exec::contract (CUDA): output label '" + label_text(lc[r]) +
                        "' is in neither operand; " + shapes);
    if (std::count(lc.begin(), lc.end(), lc[r]) != 1)
      throw shape_error("tenet::exec::contract (CUDA): output label '" + label_text(lc[r]) + "' repeats; " + shapes);
  }
  add(lc, sc);
}

// ---- planners --------------------------------------------------------------------------

/// C(lc) = A(la) with diagonals taken and the labels C lacks summed out (a one-operand
/// einsum, a partial trace). Every label of lc must be in la.
inline device_plan plan_copy(std::span<const index> shape_a, std::span<const int> la,
                             std::span<const index> shape_c, std::span<const int> lc) {
  if (shape_c.size() != lc.size())
    throw shape_error("tenet (CUDA): " + std::to_string(lc.size()) + " output labels for an output of shape " +
                      shape_string(shape_c));
  const operand_labels a = analyse_operand(shape_a, la, [&](int l) { return has(lc, l); });
  device_plan p;
  if (product(shape_c) == 0) return p;
  if (a.zero) {
    p.kind = plan_kind::zero;
    return p;
  }
  raw_loop r;
  for (std::size_t q = 0; q < lc.size(); ++q) {
    if (!has(la, lc[q]))
      throw shape_error("tenet (CUDA): output label " + std::to_string(lc[q]) + " is not in the operand");
    if (shape_c[q] != 1 && a.extent(lc[q]) != shape_c[q])
      throw shape_error("tenet (CUDA): output shape " + shape_string(shape_c) + " does not fit the operand's " +
                        shape_string(shape_a));
    r.ext.push_back(shape_c[q]);
    r.sa.push_back(shape_c[q] == 1 ? 0 : *a.stride(lc[q]));
    r.sb.push_back(0);
  }
  for (std::size_t q = 0; q < a.red.size(); ++q)
    r.red_ext.push_back(a.red_ext[q]), r.red_sa.push_back(a.red_str[q]), r.red_sb.push_back(0);
  p.kind = plan_kind::copy;
  p.copy = make_copy_step(finish_loop(r));
  return p;
}

/// C(lc) = sum over the other labels of A(la) B(lb), all three contiguous row-major. Every
/// label of lc must be in la or lb, with matching extents (callers check and say so first).
inline device_plan plan_contraction(std::span<const index> shape_a, std::span<const int> la,
                                    std::span<const index> shape_b, std::span<const int> lb,
                                    std::span<const index> shape_c, std::span<const int> lc) {
  if (shape_c.size() != lc.size())
    throw shape_error("tenet (CUDA): " + std::to_string(lc.size()) + " output labels for an output of shape " +
                      shape_string(shape_c));
  const operand_labels A = analyse_operand(shape_a, la, [&](int l) { return has(lb, l) || has(lc, l); });
  const operand_labels B = analyse_operand(shape_b, lb, [&](int l) { return has(la, l) || has(lc, l); });
  device_plan p;
  if (product(shape_c) == 0) return p;
  if (A.zero || B.zero) {
    p.kind = plan_kind::zero;
    return p;
  }
  stride_map sa{A.kept, A.kept_ext, A.kept_str}, sb{B.kept, B.kept_ext, B.kept_str}, sc;
  {
    const auto str = row_major_strides(shape_c);
    for (std::size_t q = 0; q < lc.size(); ++q) {
      if (!has(la, lc[q]) && !has(lb, lc[q]))
        throw shape_error("tenet (CUDA): an output label is in neither operand");
      if (shape_c[q] == 1) continue;
      sc.labels.push_back(lc[q]), sc.ext.push_back(shape_c[q]), sc.str.push_back(str[q]);
    }
  }
  groups g;
  for (int l : sc.labels) {
    const bool ia = has(sa.labels, l), ib = has(sb.labels, l);
    (ia && ib ? g.batch : ia ? g.m : g.n).push_back(l);
  }
  for (int l : sa.labels)
    if (has(sb.labels, l) && !has(sc.labels, l)) g.k.push_back(l);
  const index M = group_extent(sc, g.m), N = group_extent(sc, g.n), K = group_extent(sa, g.k);
  const index RA = product(A.red_ext), RB = product(B.red_ext);

  // Little to sum per output element: one direct kernel, no copies.
  const index terms = K * RA * RB;
  if (terms <= 16 || (M * N == 1 && terms <= 4096)) {
    raw_loop r;
    for (int l : sc.labels) r.ext.push_back(sc.ext_of(l)), r.sa.push_back(sa.of(l)), r.sb.push_back(sb.of(l));
    for (int l : g.k) r.red_ext.push_back(sa.ext_of(l)), r.red_sa.push_back(sa.of(l)), r.red_sb.push_back(sb.of(l));
    for (std::size_t q = 0; q < A.red.size(); ++q)
      r.red_ext.push_back(A.red_ext[q]), r.red_sa.push_back(A.red_str[q]), r.red_sb.push_back(0);
    for (std::size_t q = 0; q < B.red.size(); ++q)
      r.red_ext.push_back(B.red_ext[q]), r.red_sa.push_back(0), r.red_sb.push_back(B.red_str[q]);
    p.kind = plan_kind::direct;
    p.direct = finish_loop(r);
    return p;
  }

  // The group orders that cost the least: a copy costs its elements plus a launch (as 2^16
  // elements: on a GPU a launch takes as long as copying megabytes). Without batch labels,
  // leading m (or n) labels may become the batch instead, B's (or A's) batch stride 0: a
  // strided batch of smaller GEMMs on the operands in place (each costed as 256 elements).
  const auto ob = orders_of(g.batch, {&sc.labels, &sa.labels, &sb.labels});
  const auto om = orders_of(g.m, {&sc.labels, &sa.labels});
  const auto on = orders_of(g.n, {&sc.labels, &sb.labels});
  const auto ok = orders_of(g.k, {&sa.labels, &sb.labels});
  groups best;
  index best_cost = -1;
  bool ready_a = false, ready_b = false, ready_c = false;
  auto consider = [&](const groups& c, index penalty) {
    const bool ra = !A.reduces() && operand_matrix(sa, c.batch, c.m, c.k).has_value();
    const bool rb = !B.reduces() && operand_matrix(sb, c.batch, c.k, c.n).has_value();
    const bool rc = operand_matrix(sc, c.batch, c.m, c.n).has_value();
    constexpr index launch = index{1} << 16;
    const index cost = penalty + (ra ? 0 : launch + A.size) + (rb ? 0 : launch + B.size) +
                       (rc ? 0 : launch + 2 * product(shape_c));
    if (best_cost < 0 || cost < best_cost) best = c, best_cost = cost, ready_a = ra, ready_b = rb, ready_c = rc;
  };
  auto split = [](const std::vector<int>& v, std::size_t s) {
    return std::pair{std::vector<int>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(s)),
                     std::vector<int>(v.begin() + static_cast<std::ptrdiff_t>(s), v.end())};
  };
  for (const auto& b : ob)
    for (const auto& m : om)
      for (const auto& n : on)
        for (const auto& k : ok) {
          consider({b, m, n, k}, 0);
          if (!b.empty()) continue;
          for (std::size_t s = 1; s <= m.size(); ++s) {
            auto [outer, inner] = split(m, s);
            consider({outer, inner, n, k}, 256 * group_extent(sc, outer));
          }
          for (std::size_t s = 1; s <= n.size(); ++s) {
            auto [outer, inner] = split(n, s);
            consider({outer, m, inner, k}, 256 * group_extent(sc, outer));
          }
        }

  // Pack what is not ready: batch outermost, then the two matrix groups, the operand's inner
  // label staying inner where it can (coalesced copies).
  auto pack = [&](int i, const operand_labels& X, const stride_map& s, const std::vector<int>& rows,
                  const std::vector<int>& cols) {
    const int inner = inner_label(s);
    std::vector<int> order;  // the batch labels it has (a batch made of m or n labels is broadcast)
    for (int l : has(rows, inner) ? concat(best.batch, cols, rows) : concat(best.batch, rows, cols))
      if (has(s.labels, l)) order.push_back(l);
    raw_loop r;
    for (int l : order) r.ext.push_back(s.ext_of(l)), r.sa.push_back(s.of(l)), r.sb.push_back(0);
    for (std::size_t q = 0; q < X.red.size(); ++q)
      r.red_ext.push_back(X.red_ext[q]), r.red_sa.push_back(X.red_str[q]), r.red_sb.push_back(0);
    p.prep[i] = true;
    p.prep_step[i] = make_copy_step(finish_loop(r));
    const stride_map packed = packed_map(order, s, s);
    p.prep_size[i] = product(packed.ext);
    return packed;
  };
  const stride_map fa = ready_a ? sa : pack(0, A, sa, best.m, best.k);
  const stride_map fb = ready_b ? sb : pack(1, B, sb, best.k, best.n);
  stride_map fc = sc;
  if (!ready_c) {
    const int inner = inner_label(sc);
    const auto order = has(best.m, inner) ? concat(best.batch, best.n, best.m) : concat(best.batch, best.m, best.n);
    fc = packed_map(order, sc, sc);
    p.c_temp = true;
    p.c_temp_size = product(fc.ext);
    raw_loop r;
    for (int l : sc.labels) r.ext.push_back(sc.ext_of(l)), r.sa.push_back(fc.of(l)), r.sb.push_back(0);
    p.c_step = make_copy_step(finish_loop(r));
  }
  const auto gm = make_gemm(best, fa, fb, fc);
  if (!gm) throw error("tenet (CUDA): internal error: a packed layout is not GEMM-ready");
  p.kind = plan_kind::gemm;
  p.gemm = *gm;
  check_int(p.gemm.m, "m"), check_int(p.gemm.n, "n"), check_int(p.gemm.k, "k");
  check_int(p.gemm.lda, "lda"), check_int(p.gemm.ldb, "ldb"), check_int(p.gemm.ldc, "ldc");
  check_int(p.gemm.batch, "batch count");
  return p;
}

/// The labels of the intermediates of a left-to-right chain of pairwise contractions over
/// operands with labels ops[0..n) into `out`: entry i (i = 0 .. n-3) is the result of
/// contracting the running result with ops[i + 1]; it keeps, in order of first appearance,
/// what the output or a later operand needs. (The last step writes `out`.)
inline std::vector<std::vector<int>> chain_labels(std::span<const std::vector<int>> ops, std::span<const int> out) {
  std::vector<std::vector<int>> steps;
  if (ops.size() < 3) return steps;
  std::vector<int> cur = ops[0];
  for (std::size_t i = 1; i + 1 < ops.size(); ++i) {
    std::vector<int> next;
    auto wanted = [&](int l) {
      if (has(out, l)) return true;
      for (std::size_t j = i + 1; j < ops.size(); ++j)
        if (has(ops[j], l)) return true;
      return false;
    };
    for (const std::vector<int>* src : {static_cast<const std::vector<int>*>(&cur), &ops[i]})
      for (int l : *src)
        if (wanted(l) && !has(next, l)) next.push_back(l);
    steps.push_back(next);
    cur = next;
  }
  return steps;
}

}  // namespace tenet::detail::cuda
