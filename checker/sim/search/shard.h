/*
 * Sharding: how `--shard K/N` (and each worker of `--jobs`) takes its part of a search.
 * checker/sim/README.md, "Sharding". Part of the search core; no Relacy here.
 */
#pragma once

#include <cstdint>

#include "checker/sim/search/path.h"

namespace sim::search {

/*
 * Shards split the tree at its first decisions: with k of n shards at a node of c choices,
 * n <= c gives shard k the choices k, k+n, k+2n... (each whole subtree); n > c gives it the
 * single choice k mod c and passes the shards that chose it on to the child as (k / c, their
 * number). The parts are disjoint and cover the tree; an execution that ends while several
 * shards still share its path belongs to the first of them (owns_leaf()).
 */
struct ShardSplit {
	unsigned k = 0, n = 1;

	/* this shard's node at a new decision of `count` choices */
	Node node(unsigned count) const
	{
		Node node{static_cast<uint8_t>(count), 0, 1, static_cast<uint8_t>(count - 1), 0, 1};
		if (n <= 1)
			return node;
		if (n <= count) {
			node.index = static_cast<uint8_t>(k);
			node.step = static_cast<uint8_t>(n);
			node.last = static_cast<uint8_t>(k + (count - 1 - k) / n * n);
			return node;
		}
		unsigned i = k % count;
		node.index = node.last = static_cast<uint8_t>(i);
		node.child_k = k / count;
		node.child_n = (n - i + count - 1) / count;
		return node;
	}
	/* the split below a node this shard took */
	static ShardSplit below(const Node &node) { return ShardSplit{node.child_k, node.child_n}; }
	/* an execution that ends here belongs to this shard */
	bool owns_leaf() const { return k == 0; }
};

/* Random search: shard k of n runs the executions [first, first + count) of the iterations. */
struct RandomShare {
	uint64_t first = 0, count = 0;
	static RandomShare of(uint64_t iterations, int shard, int shards)
	{
		const uint64_t first = iterations * static_cast<uint64_t>(shard) / static_cast<uint64_t>(shards);
		return RandomShare{first, iterations * static_cast<uint64_t>(shard + 1) / static_cast<uint64_t>(shards) - first};
	}
};

}  // namespace sim::search
