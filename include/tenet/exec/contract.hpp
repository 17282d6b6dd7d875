#pragma once
// Pairwise contraction of labelled views: C(lc) = sum A(la) B(lb) (or +=). Repeated labels
// within an operand take its diagonal (a strided view, no copy); labels found in one operand
// only are summed out first; the rest runs as planned by contract_plan.hpp.
#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/contract_plan.hpp"
#include "tenet/exec/contract_report.hpp"
#include "tenet/exec/contract_gett.hpp"
#include "tenet/exec/copy.hpp"
#include "tenet/exec/gemm.hpp"
#include "tenet/exec/plan_cache.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/exec/threads.hpp"
#ifdef TENET_HAS_CBLAS
#include "tenet/exec/blas.hpp"
#endif

namespace tenet::exec {

namespace detail {

#ifndef TENET_HAS_CBLAS
template <class T>
inline constexpr bool blas_supports = false;  // no CBLAS: engine::blas falls back
#endif

inline std::string labels_string(std::span<const int> l) {
  std::string s;
  for (int x : l) s += (x >= 33 && x < 127) ? static_cast<char>(x) : '?';
  return s;
}

/// A labelled operand, possibly owning a temporary it was reduced into.
template <class T>
struct labelled_operand {
  dtensor_view<const T> v;
  std::vector<int> labels;
  std::optional<dtensor<T>> owned;
};

/// Takes diagonals of repeated labels (as a strided view) and sums out labels not in `keep`.
template <class T>
labelled_operand<T> prepare(dtensor_view<const T> v, std::span<const int> labels,
                            std::span<const int> keep1, std::span<const int> keep2) {
  if (labels.size() != v.rank())
    throw shape_error("tenet: " + std::to_string(labels.size()) + " labels '" + labels_string(labels) +
                      "' for an operand of shape " + tenet::detail::shape_string(v.extents()));
  auto kept = [&](int l) {
    return std::find(keep1.begin(), keep1.end(), l) != keep1.end() ||
           std::find(keep2.begin(), keep2.end(), l) != keep2.end();
  };
  // The common case, every label once and kept: the operand as it is (nothing allocated but
  // the labels; this runs on every call).
  bool plain = true;
  for (std::size_t r = 0; plain && r < labels.size(); ++r)
    plain = kept(labels[r]) && std::find(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(r),
                                         labels[r]) == labels.begin() + static_cast<std::ptrdiff_t>(r);
  if (plain) return {std::move(v), std::vector<int>(labels.begin(), labels.end()), std::nullopt};
  std::vector<int> ul;
  std::vector<index> ext, str;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    auto it = std::find(ul.begin(), ul.end(), labels[r]);
    if (it == ul.end()) {
      ul.push_back(labels[r]);
      ext.push_back(v.extent(r));
      str.push_back(v.stride(r));
    } else {
      const std::size_t q = static_cast<std::size_t>(it - ul.begin());
      if (ext[q] != v.extent(r))
        throw shape_error("tenet: label '" + labels_string(labels.subspan(r, 1)) +
                          "' repeats with different extents in operand '" + labels_string(labels) +
                          "' of shape " + tenet::detail::shape_string(v.extents()));
      str[q] += v.stride(r);
    }
  }
  dtensor_view<const T> diag(v.data(), dyn_extents(ext), str);
  std::vector<int> keep_map(ul.size(), -1), out_labels;
  std::vector<index> out_ext;
  for (std::size_t r = 0; r < ul.size(); ++r)
    if (kept(ul[r])) {
      keep_map[r] = static_cast<int>(out_labels.size());
      out_labels.push_back(ul[r]);
      out_ext.push_back(ext[r]);
    }
  if (out_labels.size() == ul.size()) return {diag, ul, std::nullopt};
  labelled_operand<T> res{{}, out_labels, dtensor<T>(dyn_extents(out_ext))};
  sum_into(seq, diag, keep_map, res.owned->view());
  res.v = res.owned->view();
  return res;
}

// A contiguous temporary holding `v` with its modes reordered to `order` (labels).
template <class T>
dtensor<T> pack(const dtensor_view<const T>& v, const std::vector<int>& labels, const std::vector<int>& order,
                int threads) {
  std::vector<index> ext, str;
  for (int l : order) {
    const std::size_t r = static_cast<std::size_t>(std::find(labels.begin(), labels.end(), l) - labels.begin());
    ext.push_back(v.extent(r));
    str.push_back(v.stride(r));
  }
  dtensor<T> t{dyn_extents(ext)};
  dtensor_view<const T> src(v.data(), dyn_extents(ext), str);
  copy(parallel_policy{threads}, src, t.view());
  return t;
}

template <class T>
void run_direct(const std::vector<label_dim>& d, const T* a, const T* b, T* c, bool accumulate, int threads) {
  std::vector<label_dim> out, red;
  for (const label_dim& x : d) (x.in[2] ? out : red).push_back(x);
  std::stable_sort(out.begin(), out.end(), [](auto& x, auto& y) { return x.s[2] > y.s[2]; });
  index n_out = 1, n_red = 1;
  for (auto& x : out) n_out *= x.ext;
  for (auto& x : red) n_red *= x.ext;
  auto body = [&](index lo, index hi) {
    std::vector<index> ri(red.size());
    for (index o = lo; o < hi; ++o) {
      index oa = 0, ob = 0, oc = 0;
      for (index rem = o, r = static_cast<index>(out.size()); r-- > 0;) {
        const index i = rem % out[r].ext;
        rem /= out[r].ext;
        oa += i * out[r].s[0], ob += i * out[r].s[1], oc += i * out[r].s[2];
      }
      T acc = accumulate ? c[oc] : T(0);
      std::fill(ri.begin(), ri.end(), 0);
      for (index n = 0; n < n_red; ++n) {
        acc += a[oa] * b[ob];
        for (std::size_t r = red.size(); r-- > 0;) {
          oa += red[r].s[0], ob += red[r].s[1];
          if (++ri[r] < red[r].ext) break;
          oa -= red[r].s[0] * red[r].ext, ob -= red[r].s[1] * red[r].ext;
          ri[r] = 0;
        }
      }
      c[oc] = acc;
    }
  };
  split_range(n_out, threads, n_out * n_red >= (1 << 14), body);
}

/// The record of one planned contraction, for tenet::explain.
template <class T>
contraction_step describe_step(const std::vector<label_dim>& dims, const contraction_plan& plan, engine asked,
                               const dtensor_view<const T>& a, std::span<const int> la,
                               const dtensor_view<const T>& b, std::span<const int> lb, const dtensor_view<T>& c,
                               std::span<const int> lc) {
  auto shape = [](const auto& v) {
    const auto e = v.extents().as_span();
    return std::vector<index>(e.begin(), e.end());
  };
  contraction_step s;
  s.a = labels_string(la), s.b = labels_string(lb), s.c = labels_string(lc);
  s.shape_a = shape(a), s.shape_b = shape(b), s.shape_c = shape(c);
  s.used = engine_of(plan), s.asked = asked;
  s.m = group_extent(plan.m, dims), s.n = group_extent(plan.n, dims), s.k = group_extent(plan.k, dims);
  s.calls = group_extent(plan.loop, dims);
  if (plan.direct) {  // one loop nest over everything
    s.m = s.n = 1, s.calls = 1;
    for (const label_dim& x : dims) s.k *= x.ext;
  }
  s.loop = labels_string(plan.loop), s.m_labels = labels_string(plan.m), s.n_labels = labels_string(plan.n),
  s.k_labels = labels_string(plan.k);
  s.packed_a = plan.pack[0], s.packed_b = plan.pack[1], s.packed_c = plan.pack[2];
  s.swapped = plan.swap;
  s.predicted_us = plan.cost / 1000;
  return s;
}

}  // namespace detail

/// C(lc) = sum over the other labels of A(la) * B(lb); with `accumulate`, C += instead.
/// Labels are any ints (einsum passes characters). Throws shape_error on extents that differ
/// for one label, and when C has a label that neither A nor B has.
template <class P, class T>
  requires execution_policy<P>
void contract(P policy, const dtensor_view<const T>& a, std::span<const int> la, const dtensor_view<const T>& b,
              std::span<const int> lb, dtensor_view<T> c, std::span<const int> lc, bool accumulate = false) {
  using detail::labels_string;
  const int threads = thread_count(policy);
  if (lc.size() != c.rank())
    throw shape_error("tenet: output labels '" + labels_string(lc) + "' for an output of shape " +
                      tenet::detail::shape_string(c.extents()));
  for (std::size_t r = 0; r < lc.size(); ++r)
    if (std::count(lc.begin(), lc.end(), lc[r]) != 1)
      throw shape_error("tenet: output label '" + labels_string(lc.subspan(r, 1)) + "' repeats in '" +
                        labels_string(lc) + "'");
  auto pa = detail::prepare(a, la, lb, lc);
  auto pb = detail::prepare(b, lb, pa.labels, lc);

  std::vector<detail::label_dim> dims;
  dims.reserve(la.size() + lb.size() + lc.size());
  auto add = [&](int op, std::span<const int> labels, const auto& v) {
    for (std::size_t r = 0; r < labels.size(); ++r) {
      auto it = std::find_if(dims.begin(), dims.end(), [&](auto& x) { return x.label == labels[r]; });
      if (it == dims.end()) {
        dims.push_back({labels[r], v.extent(r), {0, 0, 0}, {false, false, false}});
        it = dims.end() - 1;
      } else if (it->ext != v.extent(r)) {
        throw shape_error("tenet: label '" + labels_string(std::span<const int>(&labels[r], 1)) +
                          "' has extent " + std::to_string(it->ext) + " in one operand and " +
                          std::to_string(v.extent(r)) + " in another; shapes " +
                          tenet::detail::shape_string(a.extents()) + " '" + labels_string(la) + "', " +
                          tenet::detail::shape_string(b.extents()) + " '" + labels_string(lb) + "', output " +
                          tenet::detail::shape_string(c.extents()) + " '" + labels_string(lc) + "'");
      }
      it->s[op] = v.stride(r);
      it->in[op] = true;
    }
  };
  add(0, pa.labels, pa.v);
  add(1, pb.labels, pb.v);
  const std::size_t n_in = dims.size();
  add(2, lc, c);
  if (dims.size() != n_in)
    throw shape_error("tenet: output labels '" + labels_string(lc) + "' name a label that no operand has ('" +
                      labels_string(la) + "', '" + labels_string(lb) + "')");
  if (c.size() == 0) return;
  // Extent-0 sums give zeros; extent-1 labels play no part.
  for (const auto& x : dims)
    if (x.ext == 0) {  // an empty sum
      if (!accumulate) {
        std::vector<detail::loop_dim> ld(c.rank());
        for (std::size_t r = 0; r < c.rank(); ++r) ld[r] = {c.extent(r), c.stride(r), 0};
        const T zero{};
        detail::strided_apply(std::move(ld), c.data(), &zero, [](const T&, const T& z) { return z; }, 1);
      }
      return;
    }
  std::erase_if(dims, [](const auto& x) { return x.ext == 1; });

  const auto prepared = detail::prepared_for<T>(dims, preferred_engine(policy), detail::gett_supports<T>,
                                                detail::blas_supports<T>);
  const detail::contraction_plan& plan = prepared->plan;
  if (detail::report_sink& sink = detail::current_report(); sink.report) {
    sink.report->steps.push_back(
        detail::describe_step(dims, plan, preferred_engine(policy), a, la, b, lb, dtensor_view<T>(c), lc));
    if (sink.dry) return;
  }
  if (plan.direct) {
    detail::run_direct(dims, pa.v.data(), pb.v.data(), c.data(), accumulate, threads);
    return;
  }
  if (plan.gett) {
    detail::run_gett(*prepared->gett, plan, pa.v.data(), pb.v.data(), c.data(), accumulate, threads);
    return;
  }

  // Pack what the plan says into contiguous [loop..., rows..., cols...] temporaries.
  auto in_op = [&](const std::vector<int>& g, int op) {
    std::vector<int> r;
    for (int l : g)
      if (detail::find_dim(dims, l).in[op]) r.push_back(l);
    return r;
  };
  auto concat = [](std::vector<int> x, const std::vector<int>& y, const std::vector<int>& z) {
    x.insert(x.end(), y.begin(), y.end());
    x.insert(x.end(), z.begin(), z.end());
    return x;
  };
  auto restride = [&](int op, const std::vector<int>& order) {  // strides of a packed temporary
    index s = 1;
    for (std::size_t r = order.size(); r-- > 0;) {
      auto& x = *std::find_if(dims.begin(), dims.end(), [&](auto& y) { return y.label == order[r]; });
      x.s[op] = s;
      s *= x.ext;
    }
  };
  const T* pa_data = pa.v.data();
  const T* pb_data = pb.v.data();
  T* pc_data = c.data();
  std::optional<dtensor<T>> ta, tb, tc;
  if (plan.pack[0]) {
    const auto order = concat(in_op(plan.loop, 0), plan.m, plan.k);
    ta = detail::pack(pa.v, pa.labels, order, threads);
    pa_data = ta->data();
    restride(0, order);
  }
  if (plan.pack[1]) {
    const auto order = concat(in_op(plan.loop, 1), plan.k, plan.n);
    tb = detail::pack(pb.v, pb.labels, order, threads);
    pb_data = tb->data();
    restride(1, order);
  }
  std::vector<int> c_order;
  if (plan.pack[2]) {
    c_order = concat(in_op(plan.loop, 2), plan.m, plan.n);
    std::vector<index> ext;
    for (int l : c_order) ext.push_back(detail::find_dim(dims, l).ext);
    tc.emplace(dyn_extents(ext));
    pc_data = tc->data();
    restride(2, c_order);
  }

  auto inner_stride = [&](const std::vector<int>& g, int op) -> index {
    return g.empty() ? 0 : detail::find_dim(dims, g.back()).s[op];
  };
  const index m = detail::group_extent(plan.m, dims), n = detail::group_extent(plan.n, dims),
              k = detail::group_extent(plan.k, dims);
  const index a_rs = inner_stride(plan.m, 0), a_cs = inner_stride(plan.k, 0);
  const index b_rs = inner_stride(plan.k, 1), b_cs = inner_stride(plan.n, 1);
  const index c_rs = inner_stride(plan.m, 2), c_cs = inner_stride(plan.n, 2);
  std::vector<detail::label_dim> loops;
  for (int l : plan.loop) loops.push_back(detail::find_dim(dims, l));
  index n_loops = 1;
  for (auto& x : loops) n_loops *= x.ext;
  const bool acc_direct = accumulate && !plan.pack[2];
  const bool par_loops = threads > 1 && n_loops >= threads;
  auto body = [&](index lo, index hi, int gemm_threads) {
    for (index o = lo; o < hi; ++o) {
      index oa = 0, ob = 0, oc = 0;
      for (index rem = o, r = static_cast<index>(loops.size()); r-- > 0;) {
        const index i = rem % loops[r].ext;
        rem /= loops[r].ext;
        oa += i * loops[r].s[0], ob += i * loops[r].s[1], oc += i * loops[r].s[2];
      }
      const detail::matrix_ref<const T> ma{pa_data + oa, a_rs, a_cs}, mb{pb_data + ob, b_rs, b_cs};
      const detail::matrix_ref<T> mc{pc_data + oc, c_rs, c_cs};
#ifdef TENET_HAS_CBLAS
      if constexpr (detail::blas_supports<T>)
        if (plan.blas) {  // the BLAS library's own thread setting applies (blas.hpp)
          detail::blas_gemm<T>(m, n, k, ma, mb, mc, acc_direct, gemm_threads);
          continue;
        }
#endif
      detail::gemm<T>(m, n, k, ma, mb, mc, acc_direct, gemm_threads);
    }
  };
  if (par_loops) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int t = 0; t < threads; ++t) body(n_loops * t / threads, n_loops * (t + 1) / threads, 1);
#else
    body(0, n_loops, 1);
#endif
  } else {
    body(0, n_loops, threads);
  }

  if (plan.pack[2]) {  // scatter the packed result into C
    std::vector<index> ext, str;
    for (int l : c_order) {
      const std::size_t r = static_cast<std::size_t>(std::find(lc.begin(), lc.end(), l) - lc.begin());
      ext.push_back(c.extent(r));
      str.push_back(c.stride(r));
    }
    dtensor_view<T> dst(c.data(), dyn_extents(ext), str);
    if (accumulate) {
      std::vector<detail::loop_dim> ld(ext.size());
      for (std::size_t r = 0; r < ext.size(); ++r) ld[r] = {ext[r], str[r], tc->stride(r)};
      detail::strided_apply(std::move(ld), c.data(), tc->data(), [](const T& x, const T& y) { return x + y; },
                            threads);
    } else {
      copy(parallel_policy{threads}, tc->view(), dst);
    }
  }
}

}  // namespace tenet::exec
