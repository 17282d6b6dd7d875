#pragma once
// Plans a pairwise contraction C(lc) = sum A(la) B(lb). Every label is batch (in A, B, C),
// m (A, C), n (B, C) or k (A, B). Three kinds of plan compete under a simple cost model:
//   - native GETT (gett.hpp; float and double): one GEMM-shaped kernel over all m, n and k
//     labels through offset tables, looped over the batch labels; it packs straight from
//     any strided layout, so no operand is ever transposed first;
//   - a loop of Eigen GEMMs over strided slices: which m/n labels to loop over and which
//     operands to pack (copy into a GEMM-ready layout) first;
//   - a direct loop nest, for tiny problems.
// With a CBLAS (TENET_HAS_CBLAS), every loop-of-GEMMs plan also exists with its GEMMs on
// CBLAS (engine::blas), costed as a blocked GEMM at the rate blas_flops_per_ns whatever its shape.
// The model: packing costs memory traffic, small GEMMs (or GETT tiles left partly empty)
// cost efficiency, each call costs overhead.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "tenet/core/extents.hpp"
#include "tenet/exec/policy.hpp"

namespace tenet::exec::detail {

/// One label of a prepared pairwise contraction: its extent and strides (0 when absent).
struct label_dim {
  int label;
  index ext;
  index s[3];   // stride in A, B, C
  bool in[3];   // present in A, B, C
  friend bool operator==(const label_dim&, const label_dim&) = default;
};

struct contraction_plan {
  bool direct = false;
  bool gett = false;  // native GETT; `swap`: B plays GETT's A (its free labels are m)
  bool swap = false;
  bool blas = false;  // the GEMMs go to CBLAS instead of Eigen
  bool pack[3] = {false, false, false};
  std::vector<int> loop, m, n, k;  // labels, each group in memory order
  double cost = 0;
};

/// Cost-model constants, in nanoseconds, for one core (ratios matter, not absolutes).
/// Calibrated on AVX2 (Zen 3), float, against measured times of each kind of plan.
struct cost_model {
  double flops_per_ns = 100;          // Eigen GEMM peak
  double gett_flops_per_ns = 115;     // GETT micro-kernel peak (about 1.15x Eigen's)
  // CBLAS GEMM peak. Equal to Eigen's, so `automatic` (which takes BLAS only when strictly
  // cheaper) keeps Eigen unless someone calibrates this for their BLAS and machine.
  double blas_flops_per_ns = 100;
  double pack_ns_per_elem = 0.6;      // strided copy into a temporary
  double gather_ns_per_elem = 0.25;   // packing inside a GEMM or GETT, and C updates
  double call_ns = 400;               // one Eigen GEMM call (blocking buffers)
  double small_call_ns = 60;          // one Eigen coefficient-based product or GEMV call
  double lazy_ns_per_fma = 0.3;       // Eigen's coefficient-based product (m + n + k < 20)
  double gemv_ns_per_elem = 0.05;     // Eigen GEMV, per matrix element (memory bound)
  double gemv_ns_per_pass = 1.7;      // Eigen GEMV, per pass along its contiguous dimension
  double gemv_ns_per_strided_out = 12;  // Eigen GEMV into a strided vector, per element
  double gett_call_ns = 800;          // one GETT call (tables, panel checks)
  double direct_ns_per_out = 12;      // direct loop nest, per output element
  double direct_ns_per_fma = 1.0;     // direct loop nest, per multiply-add
  int gett_mr = 6, gett_nr = 16;      // GETT micro-tile
  int gett_kc = 256, gett_nc = 2048;  // GETT blocks
  int gett_lanes = 16;                // GETT vector lanes (the element type's; orders n labels)
};

inline const label_dim& find_dim(const std::vector<label_dim>& d, int l) {
  for (const label_dim& x : d)
    if (x.label == l) return x;
  return d.front();  // unreachable for valid plans
}

// Orders a group of labels by stride in operand `op`, largest first.
inline std::vector<int> order_by(std::vector<int> g, const std::vector<label_dim>& d, int op) {
  std::stable_sort(g.begin(), g.end(), [&](int a, int b) {
    return std::abs(find_dim(d, a).s[op]) > std::abs(find_dim(d, b).s[op]);
  });
  return g;
}

// Collapsed (extent, innermost stride) of a group in operand op; false when not collapsible.
// An empty group has stride -1 ("free": any stride fits).
inline bool collapse(const std::vector<int>& g, const std::vector<label_dim>& d, int op, index& stride) {
  stride = -1;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const label_dim& x = find_dim(d, g[i]);
    if (x.s[op] < 0) return false;
    if (i + 1 < g.size()) {
      const label_dim& y = find_dim(d, g[i + 1]);
      if (x.s[op] != y.s[op] * y.ext) return false;
    }
    stride = x.s[op];
  }
  return true;
}

// A strided operand can be handed to GEMM as is: both groups collapse and one has unit stride.
inline bool gemm_ready(const std::vector<int>& rows, const std::vector<int>& cols,
                       const std::vector<label_dim>& d, int op) {
  index rs, cs;
  if (!collapse(rows, d, op, rs) || !collapse(cols, d, op, cs)) return false;
  return rs == -1 || cs == -1 || rs == 1 || cs == 1;
}

inline index group_extent(const std::vector<int>& g, const std::vector<label_dim>& d) {
  index e = 1;
  for (int l : g) e *= find_dim(d, l).ext;
  return e;
}

// Fraction of peak a GEMM of this shape reaches (packing and edge overhead of small sizes).
inline double gemm_efficiency(double m, double n, double k) {
  return (m / (m + 8)) * (n / (n + 8)) * (k / (k + 16));
}

// The label of operand op with the smallest |stride| among `g` (-1 when g is empty).
inline int fastest(const std::vector<int>& g, const std::vector<label_dim>& d, int op) {
  int best = -1;
  index s = 0;
  for (int l : g) {
    const index x = std::abs(find_dim(d, l).s[op]);
    if (best < 0 || x < s) best = l, s = x;
  }
  return best;
}

// A blocked GEMM at `flops_per_ns`; it packs inside as GETT does: the same traffic term.
inline double blocked_gemm_cost(double m, double n, double k, double flops_per_ns, const cost_model& cm) {
  const double touched = m * k + k * n + 2 * m * n * std::ceil(k / 256);
  return 2 * m * n * k / (flops_per_ns * gemm_efficiency(m, n, k)) + cm.gather_ns_per_elem * touched + cm.call_ns;
}

// The cost of one Eigen product of this shape, by the path Eigen takes for it. A GEMV
// (m or n is 1) walks its matrix in `passes` vector loops along the matrix's contiguous
// dimension (its extent along the other one), each with a fixed cost: a 509 x 2 matrix
// contiguous along the 2 costs five times one contiguous along the 509. Its result, where
// not contiguous (`strided_out`), is evaluated element by element, at a tenfold cost.
inline double gemm_call_cost(double m, double n, double k, const cost_model& cm, double passes = 1,
                             bool strided_out = false) {
  if (m + n + k < 20) return cm.small_call_ns + m * n * k * cm.lazy_ns_per_fma;
  if (m == 1 || n == 1)
    return cm.small_call_ns + passes * cm.gemv_ns_per_pass + (m * k + k * n + m * n) * cm.gemv_ns_per_elem +
           (strided_out ? m * n * cm.gemv_ns_per_strided_out : 0);
  return blocked_gemm_cost(m, n, k, cm.flops_per_ns, cm);
}

// One CBLAS GEMM call. Every shape goes to ?gemm, which has no cheap GEMV or tiny-matrix path
// of Eigen's kind (OpenBLAS, measured: 257 x 1 x 2 with a strided result takes 1.45 us,
// 16 x 16 x 16 0.56 us), so every shape is costed as a blocked GEMM at the BLAS rate.
inline double blas_call_cost(double m, double n, double k, const cost_model& cm) {
  return blocked_gemm_cost(m, n, k, cm.blas_flops_per_ns, cm);
}

// Fraction of the GETT kernel's peak reached: micro-tiles left partly empty at the edges, and
// the fixed cost of each micro-kernel call (k/(k+16)).
inline double gett_efficiency(double m, double n, double k, const cost_model& cm) {
  const double mr = cm.gett_mr, nr = cm.gett_nr;
  return (m / (std::ceil(m / mr) * mr)) * (n / (std::ceil(n / nr) * nr)) * (k / (k + 16));
}

// How well B's column groups (pack.hpp b_group) would fill the kernel's `lanes` with n in
// order g (slowest first): a group's rows are the columns c1 apart (c1 > 1, the j-step of
// B's unit-stride label r) that move B by one element, as long as the labels from r up stay
// dense in B. 1 where B is contiguous along j itself (plain panels), 0 where no group forms
// (pack.hpp make_n_panels' rule, which this predicts from the labels: c1 and the rows at least
// 4, or the lanes if fewer).
inline double gett_row_fill(const std::vector<int>& g, const std::vector<label_dim>& d, int ob, index lanes) {
  std::size_t r = g.size();
  for (std::size_t i = 0; i < g.size(); ++i)
    if (std::abs(find_dim(d, g[i]).s[ob]) == 1) r = i;
  if (r == g.size()) return 0;
  if (r + 1 == g.size()) return 1;
  index c1 = 1, rows = find_dim(d, g[r]).ext;
  for (std::size_t i = r + 1; i < g.size(); ++i) c1 *= find_dim(d, g[i]).ext;
  for (std::size_t i = r; i-- > 0 && std::abs(find_dim(d, g[i]).s[ob]) == rows;) rows *= find_dim(d, g[i]).ext;
  if (c1 < 4 || rows < std::min<index>(4, lanes)) return 0;
  return static_cast<double>(rows) / static_cast<double>((rows + lanes - 1) / lanes * lanes);
}

// GETT's n labels, slowest first: C's memory order, unless B's column groups fill more of the
// vector lanes with the labels outside C's contiguous run in B's order instead. C is stored by
// runs of that run's labels (the fastest ones while each stride is the extent times the stride
// after it) and walks the others by jumps whatever their order. `abcde=efbad*cf` (B efbad,
// n = a b d e; C's run is d e): with b a d e, B's a and d are one contiguous run of 169, so
// the groups' rows are 16 lanes wide, not d's 13.
inline std::vector<int> gett_n_order(const std::vector<int>& n, const std::vector<label_dim>& d, int ob,
                                     index lanes) {
  std::vector<int> g = order_by(n, d, 2);
  auto head = g.end();
  for (index run = 1; head != g.begin() && find_dim(d, *(head - 1)).s[2] == run; --head)
    run *= find_dim(d, *(head - 1)).ext;
  std::vector<int> alt = g;
  std::stable_sort(alt.begin(), alt.begin() + (head - g.begin()), [&](int a, int b) {
    return std::abs(find_dim(d, a).s[ob]) > std::abs(find_dim(d, b).s[ob]);
  });
  return gett_row_fill(alt, d, ob, lanes) > gett_row_fill(g, d, ob, lanes) ? alt : g;
}

/// The GETT plan: orientation and label orders.
/// C's fastest label goes to GETT's n side (the micro-tile writes rows of NR contiguous
/// elements); m labels follow C's memory order, n labels too where C is contiguous along
/// them, else B's (gett_n_order); k labels follow the order in which GETT's B is read
/// contiguously along k when B's fastest label is a k label (its packing then walks k),
/// else A's order.
inline contraction_plan plan_gett(const std::vector<label_dim>& d, const std::vector<int>& batch,
                                  const std::vector<int>& m_all, const std::vector<int>& n_all,
                                  const std::vector<int>& k_all, index lanes) {
  contraction_plan p;
  p.gett = true;
  std::vector<int> mn = m_all;
  mn.insert(mn.end(), n_all.begin(), n_all.end());
  const int cf = fastest(mn, d, 2);
  p.swap = cf >= 0 && std::find(m_all.begin(), m_all.end(), cf) != m_all.end();
  const int oa = p.swap ? 1 : 0, ob = p.swap ? 0 : 1;
  p.m = order_by(p.swap ? n_all : m_all, d, 2);
  p.n = gett_n_order(p.swap ? m_all : n_all, d, ob, lanes);
  std::vector<int> b_labels = p.n;
  b_labels.insert(b_labels.end(), k_all.begin(), k_all.end());
  const int bf = fastest(b_labels, d, ob);
  const bool b_walks_k = bf >= 0 && std::find(k_all.begin(), k_all.end(), bf) != k_all.end();
  p.k = order_by(k_all, d, b_walks_k ? ob : oa);
  p.loop = order_by(batch, d, 2);
  return p;
}

/// The engine family a plan belongs to.
inline engine engine_of(const contraction_plan& p) {
  if (p.direct) return engine::direct;
  if (p.gett) return engine::gett;
  if (p.blas) return engine::blas;
  return p.pack[0] || p.pack[1] || p.pack[2] ? engine::ttgt : engine::gemm;
}

/// The cheapest plan under the cost model. `native`: the element type has a GETT kernel;
/// `blas`: it has a CBLAS GEMM (and tenet was built with one).
/// `want` other than automatic: the cheapest plan of that engine, or, where that engine
/// cannot run this contraction, the cheapest of all.
inline contraction_plan plan_contraction(const std::vector<label_dim>& d, const cost_model& cm = {},
                                         bool native = false, engine want = engine::automatic,
                                         bool blas = false) {
  auto allowed = [want](engine e) { return want == engine::automatic || want == e; };
  std::vector<int> batch, mn, m_all, n_all, k_all;
  double size[3] = {1, 1, 1};
  double total = 1;
  for (const label_dim& x : d) {
    for (int o = 0; o < 3; ++o)
      if (x.in[o]) size[o] *= static_cast<double>(x.ext);
    total *= static_cast<double>(x.ext);
    if (x.in[0] && x.in[1] && x.in[2])
      batch.push_back(x.label);
    else if (x.in[0] && x.in[2])
      m_all.push_back(x.label), mn.push_back(x.label);
    else if (x.in[1] && x.in[2])
      n_all.push_back(x.label), mn.push_back(x.label);
    else
      k_all.push_back(x.label);
  }

  contraction_plan best;
  best.direct = true;
  best.cost = allowed(engine::direct) ? size[2] * cm.direct_ns_per_out + total * cm.direct_ns_per_fma
                                      : std::numeric_limits<double>::infinity();

  if (native && !(m_all.empty() && n_all.empty()) && allowed(engine::gett)) {
    contraction_plan p = plan_gett(d, batch, m_all, n_all, k_all, cm.gett_lanes);
    const double gm = static_cast<double>(group_extent(p.m, d));
    const double gn = static_cast<double>(group_extent(p.n, d));
    const double gk = static_cast<double>(group_extent(p.k, d));
    const double loops = total / (gm * gn * gk);
    // Packing: A once per column block, B once; C is updated once per k block.
    const double touched = gm * gk * std::ceil(gn / cm.gett_nc) + gk * gn + 2 * gm * gn * std::ceil(gk / cm.gett_kc);
    p.cost = loops * (2 * gm * gn * gk / (cm.gett_flops_per_ns * gett_efficiency(gm, gn, gk, cm)) +
                      cm.gather_ns_per_elem * touched + cm.gett_call_ns);
    if (p.cost < best.cost) best = std::move(p);
  }

  const std::size_t subsets = mn.size() <= 12 ? (std::size_t{1} << mn.size()) : 1;
  for (std::size_t sub = 0; sub < subsets; ++sub) {
    std::vector<int> loop = batch, m, n;
    for (std::size_t i = 0; i < mn.size(); ++i) {
      const int l = mn[i];
      const bool is_m = std::find(m_all.begin(), m_all.end(), l) != m_all.end();
      if (sub >> i & 1)
        loop.push_back(l);
      else
        (is_m ? m : n).push_back(l);
    }
    for (int packs = 0; packs < 8; ++packs) {
      const bool pa = packs & 1, pb = packs & 2, pc = packs & 4;
      const bool eigen_ok = allowed(packs ? engine::ttgt : engine::gemm), blas_ok = blas && allowed(engine::blas);
      if (!eigen_ok && !blas_ok) continue;
      contraction_plan p;
      p.pack[0] = pa, p.pack[1] = pb, p.pack[2] = pc;
      p.m = !pc ? order_by(m, d, 2) : !pa ? order_by(m, d, 0) : m;
      p.n = !pc ? order_by(n, d, 2) : !pb ? order_by(n, d, 1) : n;
      p.k = !pa ? order_by(k_all, d, 0) : !pb ? order_by(k_all, d, 1) : k_all;
      if (!pa && !gemm_ready(p.m, p.k, d, 0)) continue;
      if (!pb && !gemm_ready(p.k, p.n, d, 1)) continue;
      if (!pc && !gemm_ready(p.m, p.n, d, 2)) continue;
      const double gm = static_cast<double>(group_extent(p.m, d));
      const double gn = static_cast<double>(group_extent(p.n, d));
      const double gk = static_cast<double>(group_extent(p.k, d));
      const double loops = total / (gm * gn * gk);
      const double packing =
          cm.pack_ns_per_elem * ((pa ? size[0] : 0) + (pb ? size[1] : 0) + (pc ? 2 * size[2] : 0));
      // A GEMV (gemm_call_cost): its matrix is A when n is 1, else B, and a packed one is
      // contiguous along k (A) or n (B); its result is C's m or n group, strided unless
      // packed or of unit stride.
      double passes = 1;
      bool strided_out = false;
      if (gn == 1 || gm == 1) {
        const bool by_m = gn == 1;
        index vs = -1, cs = -1;
        const bool along = by_m ? pa || (collapse(p.k, d, 0, vs) && vs == 1) : pb || (collapse(p.n, d, 1, vs) && vs == 1);
        passes = by_m ? (along ? gm : gk) : (along ? gk : gn);
        strided_out = !pc && gm * gn > 1 && !(collapse(by_m ? p.m : p.n, d, 2, cs) && cs == 1);
      }
      const double eigen_cost = eigen_ok ? loops * gemm_call_cost(gm, gn, gk, cm, passes, strided_out) + packing
                                         : std::numeric_limits<double>::infinity();
      p.cost = eigen_cost;
      if (blas_ok) {  // the same plan on CBLAS
        const double blas_cost = loops * blas_call_cost(gm, gn, gk, cm) + packing;
        if (blas_cost < eigen_cost) p.cost = blas_cost, p.blas = true;
      }
      if (p.cost < best.cost) {
        p.loop = order_by(loop, d, pc ? (pa ? 1 : 0) : 2);
        best = std::move(p);
      }
    }
  }
  if (std::isinf(best.cost))  // `want` cannot run it
    return plan_contraction(d, cm, native, engine::automatic, blas);
  return best;
}

}  // namespace tenet::exec::detail
