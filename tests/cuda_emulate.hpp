#pragma once
// Runs a CUDA backend plan (tenet/exec/cuda/plan.hpp) on the host, without a GPU: the grid
// becomes loops over blocks and threads around the same per-thread functions the kernels
// call (tenet/exec/cuda/element.hpp), and cuBLAS's strided-batched GEMM is written out from
// its column-major definition, with its argument checks. Every read is bounds-checked, so a
// plan that would read outside an operand fails here instead of on a device.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <tenet/exec/cuda/element.hpp>
#include <tenet/exec/cuda/plan.hpp>

namespace tenet_test {

using tenet::index;
namespace tc = tenet::detail::cuda;

// The largest offset a loop_desc reads of input a (or b), to check it against the buffer.
inline index max_offset(const tc::loop_desc& d, bool second) {
  index m = 0;
  for (int r = 0; r < d.rank; ++r) m += (d.ext[r] - 1) * (second ? d.sb[r] : d.sa[r]);
  for (int r = 0; r < d.red_rank; ++r) m += (d.red_ext[r] - 1) * (second ? d.red_sb[r] : d.red_sa[r]);
  return m;
}

template <class T>
void emulate_copy(const tc::copy_step& s, const T* in, index in_size, T* out, index out_size) {
  if (s.d.out_size() != out_size) throw std::logic_error("copy: output size " + std::to_string(s.d.out_size()));
  if (max_offset(s.d, false) >= in_size) throw std::logic_error("copy: reads past its input");
  switch (s.kind) {
    case tc::copy_kind::gather:
    case tc::copy_kind::reduce:
      for (index o = 0; o < out_size; ++o) out[o] = tc::loop_partial<T>(s.d, in, nullptr, o, 0, 1);
      return;
    case tc::copy_kind::reduce_block: {
      const int threads = 256;  // as the kernel: per-thread partial sums, then their sum
      for (index o = 0; o < out_size; ++o) {
        T acc = T(0);
        for (int t = 0; t < threads; ++t) acc += tc::loop_partial<T>(s.d, in, nullptr, o, t, threads);
        out[o] = acc;
      }
      return;
    }
    case tc::copy_kind::tiled: {
      const tc::tile_desc& t = s.t;
      const index nx = (t.ext_x + tc::tile_dim - 1) / tc::tile_dim, ny = (t.ext_y + tc::tile_dim - 1) / tc::tile_dim;
      for (index o = 0; o < out_size; ++o) out[o] = std::numeric_limits<T>::quiet_NaN();
      T tile[tc::tile_dim][tc::tile_dim + 1];
      for (index z = 0; z < t.rest_size(); ++z)
        for (index by = 0; by < ny; ++by)
          for (index bx = 0; bx < nx; ++bx) {
            for (auto& row : tile)
              for (T& v : row) v = std::numeric_limits<T>::quiet_NaN();
            for (int ty = 0; ty < tc::tile_rows; ++ty)
              for (int tx = 0; tx < tc::tile_dim; ++tx) tc::tile_load<T>(t, in, tile, bx, by, z, tx, ty);
            for (int ty = 0; ty < tc::tile_rows; ++ty)
              for (int tx = 0; tx < tc::tile_dim; ++tx) tc::tile_store<T>(t, out, tile, bx, by, z, tx, ty);
          }
      for (index o = 0; o < out_size; ++o)
        if (std::isnan(out[o])) throw std::logic_error("tiled permute left element " + std::to_string(o) + " unwritten");
      return;
    }
  }
}

// cublas?gemmStridedBatched with alpha = 1, beta = 0, as documented (column-major).
template <class T>
void emulate_gemm(const tc::gemm_desc& g, const T* A, index a_size, const T* B, index b_size, T* C, index c_size) {
  auto need = [](bool ok, const char* what) {
    if (!ok) throw std::logic_error(std::string("cuBLAS would reject the GEMM: ") + what);
  };
  need(g.m >= 0 && g.n >= 0 && g.k >= 0 && g.batch >= 1, "extents");
  need(g.lda >= std::max<index>(1, g.trans_a ? g.k : g.m), "lda");
  need(g.ldb >= std::max<index>(1, g.trans_b ? g.n : g.k), "ldb");
  need(g.ldc >= std::max<index>(1, g.m), "ldc");
  for (index b = 0; b < g.batch; ++b)
    for (index i = 0; i < g.m; ++i)
      for (index j = 0; j < g.n; ++j) {
        T acc = T(0);
        for (index p = 0; p < g.k; ++p) {
          const index ia = b * g.stride_a + (g.trans_a ? p + i * g.lda : i + p * g.lda);
          const index ib = b * g.stride_b + (g.trans_b ? j + p * g.ldb : p + j * g.ldb);
          need(ia >= 0 && ia < a_size && ib >= 0 && ib < b_size, "an operand read out of bounds");
          acc += A[ia] * B[ib];
        }
        const index ic = b * g.stride_c + i + j * g.ldc;
        need(ic >= 0 && ic < c_size, "a write out of bounds");
        C[ic] = acc;
      }
}

/// Runs plan p: C (c_size elements) from A (a_size) and B (b_size; unused for a copy plan).
template <class T>
void emulate_plan(const tc::device_plan& p, const T* a, index a_size, const T* b, index b_size, T* c, index c_size) {
  switch (p.kind) {
    case tc::plan_kind::nothing: return;
    case tc::plan_kind::zero:
      for (index o = 0; o < c_size; ++o) c[o] = T(0);
      return;
    case tc::plan_kind::copy: emulate_copy(p.copy, a, a_size, c, c_size); return;
    case tc::plan_kind::direct:
      if (p.direct.out_size() != c_size) throw std::logic_error("direct: output size");
      if (max_offset(p.direct, false) >= a_size || max_offset(p.direct, true) >= b_size)
        throw std::logic_error("direct: reads past an operand");
      for (index o = 0; o < c_size; ++o) c[o] = tc::loop_partial<T>(p.direct, a, b, o, 0, 1);
      return;
    case tc::plan_kind::gemm: break;
  }
  std::vector<T> ta, tb, tcv;
  const T* pa = a;
  const T* pb = b;
  index na = a_size, nb = b_size;
  if (p.prep[0]) {
    ta.resize(static_cast<std::size_t>(p.prep_size[0]));
    emulate_copy(p.prep_step[0], a, a_size, ta.data(), p.prep_size[0]);
    pa = ta.data(), na = p.prep_size[0];
  }
  if (p.prep[1]) {
    tb.resize(static_cast<std::size_t>(p.prep_size[1]));
    emulate_copy(p.prep_step[1], b, b_size, tb.data(), p.prep_size[1]);
    pb = tb.data(), nb = p.prep_size[1];
  }
  T* pc = c;
  index nc = c_size;
  if (p.c_temp) {
    tcv.assign(static_cast<std::size_t>(p.c_temp_size), std::numeric_limits<T>::quiet_NaN());
    pc = tcv.data(), nc = p.c_temp_size;
  }
  if (p.gemm.swap)
    emulate_gemm(p.gemm, pb, nb, pa, na, pc, nc);
  else
    emulate_gemm(p.gemm, pa, na, pb, nb, pc, nc);
  if (p.c_temp) emulate_copy(p.c_step, pc, nc, c, c_size);
}

}  // namespace tenet_test
