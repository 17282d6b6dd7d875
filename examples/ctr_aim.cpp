// AIM as a feature-interaction block in a tiny CTR-style model (MATH.md 1.1, vector form):
// the embeddings of a few categorical fields, concatenated into x (batch, D), two DTTN blocks,
// a logistic head. Then the check that makes the model a tensor network: its logit equals
// the unfolded tree's contraction (a tenet::ttn with 4 leaves x~ = [1; x]) with the head's
// [bias; weight] on the root's output.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <tenet/core/compare.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/models/dttn.hpp>

int main() {
  using tenet::dtensor;
  using tenet::index;
  const std::vector<index> vocab = {5, 7, 3, 6};  // four categorical fields
  const index E = 4, F = static_cast<index>(vocab.size()), D = F * E, batch = 8;

  std::vector<dtensor<double>> tables;  // one embedding table (vocab, E) per field
  for (index f = 0; f < F; ++f) tables.emplace_back(vocab[static_cast<std::size_t>(f)], E).fill_normal(100 + f, 0.0, 0.5);
  dtensor<index> ids(batch, F);  // a synthetic batch of field values
  tenet::splitmix64 g(7);
  for (index s = 0; s < batch; ++s)
    for (index f = 0; f < F; ++f) ids(s, f) = static_cast<index>(g.next() % static_cast<std::uint64_t>(vocab[static_cast<std::size_t>(f)]));

  dtensor<double> x(batch, D);  // embedding lookups, concatenated
  for (index s = 0; s < batch; ++s)
    for (index f = 0; f < F; ++f)
      for (index e = 0; e < E; ++e) x(s, f * E + e) = tables[static_cast<std::size_t>(f)](ids(s, f), e);

  const auto blocks = tenet::make_dense_aim_stack<double>(D, 2 * D, 2, tenet::aim_variant::dttn,
                                                          {.seed = 1, .bias_std = 0.1, .norm_spread = 0.2, .alpha = 0.5});
  tenet::dense_map<double> head(1, D);  // a small head keeps the logits in a readable range
  head.weight.fill_normal(2, 0.0, 0.1);
  head.bias(0) = -0.3;

  const dtensor<double> logit = head.apply(blocks.forward(x));  // (batch, 1)
  std::printf("sample  fields          logit     p(click)\n");
  for (index s = 0; s < batch; ++s)
    std::printf("%6lld  %2lld %2lld %2lld %2lld   %9.5f  %8.5f\n", static_cast<long long>(s), static_cast<long long>(ids(s, 0)),
                static_cast<long long>(ids(s, 1)), static_cast<long long>(ids(s, 2)), static_cast<long long>(ids(s, 3)),
                logit(s, 0), 1.0 / (1.0 + std::exp(-logit(s, 0))));

  // The same logits from the tree: [1; y] = tree(x~, ..., x~), logit = [bias; weight] . [1; y].
  const tenet::ttn<double> tree = tenet::unfold_to_ttn(blocks);
  const dtensor<double> root = tree.contract_same(tenet::augment_input(x).view());  // (batch, D+1)
  dtensor<double> w(D + 1);
  w(0) = head.bias(0);
  for (index j = 0; j < D; ++j) w(1 + j) = head.weight(0, j);
  const dtensor<double> tree_logit = tenet::einsum("bi,i->b", root, w);
  const double err = tenet::rel_error(tenet::reshape(tree_logit, {batch, 1}), logit);
  std::printf("logit == tree contraction (%d leaves, cores %lld^3): max relative error %.2e  %s\n", tree.n_leaves(),
              static_cast<long long>(D + 1), err, err < 1e-12 ? "PASS" : "FAIL");
  return err < 1e-12 ? 0 : 1;
}
