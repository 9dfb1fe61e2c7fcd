/*
 * The search tree, as the depth-first strategy walks it: the path of the current execution, one
 * Node per decision (a scheduling point that offered more than one lane). Part of the search core
 * (checker/sim/README.md, "The search core"); no Relacy here.
 */
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sim::search {

/* A decision of the depth-first search: the choices this shard takes there, and its split below. */
struct Node {
	uint8_t count, index;
	uint8_t step, last;        // this shard's choices: index, index + step, ... up to last
	unsigned child_k, child_n; // the shard split passed on below this node
	bool untried() const { return index + step <= last; }  // a choice after `index` is left
};

/*
 * The path from the root of a subtree to the current decision. Its first nodes are replayed (the
 * subtree's own prefix, then the choices of the previous execution up to where it differs); the
 * execution extends it past them with new nodes.
 */
class Path {
public:
	void reset(const std::vector<Node> &prefix) { nodes_ = prefix; }
	size_t size() const { return nodes_.size(); }
	bool replaying(size_t depth) const { return depth < nodes_.size(); }
	Node &operator[](size_t depth) { return nodes_[depth]; }
	const Node &operator[](size_t depth) const { return nodes_[depth]; }
	void push(const Node &n) { nodes_.push_back(n); }

	/* the first `depth` nodes, each fixed to the choice it took (a work item of the next round) */
	std::vector<Node> fixed_prefix(size_t depth, size_t reserve) const
	{
		std::vector<Node> prefix;
		prefix.reserve(reserve);
		prefix.assign(nodes_.begin(), nodes_.begin() + static_cast<std::ptrdiff_t>(depth));
		for (Node &n : prefix)
			n.last = n.index;
		return prefix;
	}

	/* whether a node among the first `depth` has a choice left */
	bool untried_above(size_t depth) const
	{
		for (size_t i = 0; i < depth && i < nodes_.size(); i++)
			if (nodes_[i].untried())
				return true;
		return false;
	}

	/*
	 * Depth-first: the next execution differs at the deepest decision (of the `depth` this one
	 * made) that has an untried choice. False when there is none: the subtree is done.
	 */
	bool advance(size_t depth)
	{
		nodes_.resize(std::min(depth, nodes_.size()));
		while (!nodes_.empty() && !nodes_.back().untried())
			nodes_.pop_back();
		if (nodes_.empty())
			return false;
		nodes_.back().index += nodes_.back().step;
		return true;
	}

private:
	std::vector<Node> nodes_;
};

}  // namespace sim::search
