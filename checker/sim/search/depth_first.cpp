/*
 * Depth-first search over the scheduling choices, optionally under a preemption bound, with
 * iterative deepening of that bound (checker/sim/README.md, runner.cpp). Part of the search core;
 * no Relacy here.
 */
#include <algorithm>
#include <string>

#include "checker/sim/runtime.h"
#include "checker/sim/search/path.h"
#include "checker/sim/search/shard.h"
#include "checker/sim/search/strategy.h"

namespace sim::search {
namespace {

class DepthFirst : public Strategy {
public:
	DepthFirst(Run &run, int first_bound, bool deepening)
		: run_(run), first_bound_(first_bound), deepening_(deepening)
	{
	}

	/* the first round: one work item, the whole tree */
	void first_round() override
	{
		bound_ = first_bound_;
		items_.assign(1, Item{});
		next_items_.clear();
		item_ = item_bytes_ = 0;
		rerun_ = overflow_ = false;
	}
	void begin_round() override
	{
		pruned_ = false;
		path_.reset(item_ < items_.size() ? items_[item_].path : std::vector<Node>{});
	}
	int bound() const override { return bound_; }
	bool cut_off() const override { return pruned_; }
	bool more() const override
	{
		return deepening_ && bound_ < 64 && (!next_items_.empty() || ((rerun_ || overflow_) && pruned_));
	}
	void deepen() override
	{
		bound_++;
		item_ = 0;
		if (rerun_ || overflow_) {  // the whole tree again, under the next bound
			rerun_ = true;
			overflow_ = false;
			items_.assign(1, Item{});
			return;
		}
		/*
		 * Preemptions just before a write first (where a lane that read a value is overtaken
		 * before it writes back: lost and double-counted updates), then the rest; each group in
		 * the order a depth-first search of the whole tree would reach them.
		 */
		std::sort(next_items_.begin(), next_items_.end(), [](const Item &x, const Item &y) {
			if (x.before_write != y.before_write)
				return x.before_write;
			return std::lexicographical_compare(x.path.begin(), x.path.end(), y.path.begin(), y.path.end(),
							    [](const Node &m, const Node &n) { return m.index < n.index; });
		});
		items_ = std::move(next_items_);
		next_items_.clear();
		item_bytes_ = 0;
	}

	void begin_execution(uint64_t) override
	{
		split_ = ShardSplit{static_cast<unsigned>(run_.options.shard), static_cast<unsigned>(run_.options.shards)};
	}

	unsigned decide(const Decision &d) override
	{
		unsigned index = 0;
		if (path_.replaying(d.depth)) {
			if (path_[d.depth].count != d.count && run_.error.empty())
				run_.error = "the model is not deterministic: a scheduling point offered "
					     "a different number of lanes when the same schedule was replayed";
			index = std::min<unsigned>(path_[d.depth].index, d.count - 1);
		} else {
			Node n = split_.node(d.count);
			if (d.bound_holds) {
				/* choice 0 (the current lane) now, if it is this shard's; the rest next round */
				Node later = n;
				const bool now = d.current_awake && n.index == 0;
				if (now)
					later.index = static_cast<uint8_t>(n.index + n.step);
				if (later.index <= later.last)
					cut_by_bound(d, &later);
				if (!now)
					return kNothingLeft;  // nothing left to explore here in this round
				n.last = 0;
			}
			path_.push(n);
			index = n.index;
		}
		split_ = ShardSplit::below(path_[d.depth]);
		return index;
	}

	void cut_single(const Decision &d) override { cut_by_bound(d, nullptr); }

	bool owns(bool repeat, int preemptions) const override
	{
		if (repeat)
			return false;  // a sleep set showed it equivalent to one explored before
		if (!split_.owns_leaf())
			return false;  // a leaf above which the shard split ran out of decisions
		if (rerun_ && preemptions < bound_)
			return false;  // counted in the earlier round of its preemptions
		return true;
	}

	bool advance(size_t depth, uint64_t) override
	{
		if (path_.advance(depth))
			return false;
		if (++item_ >= items_.size())
			return true;
		path_.reset(items_[item_].path);  // the next subtree the last round's bound cut off
		return false;
	}

	bool last_execution(size_t depth) const override
	{
		return !path_.untried_above(depth) && item_ + 1 >= items_.size() && next_items_.empty() &&
		       !((rerun_ || overflow_) && pruned_);
	}

private:
	/*
	 * The preemption-bound deepening's work lists: a round explores the subtrees of its items in
	 * order (a path of decisions fixed to one choice each, then the node whose choices are left);
	 * round 0 has one item, the whole tree. A choice the bound cuts off becomes an item of the
	 * next round, so no execution is run twice (CHESS's iterative context bounding). When the
	 * next round's items would take more than Options::deepening_budget bytes (searches of millions of
	 * executions, the unreduced ones above all), the deepening falls back to re-running: each
	 * later round runs the whole tree under its bound and counts only the executions with
	 * exactly its number of preemptions.
	 */
	struct Item {
		std::vector<Node> path;
		bool before_write = false;  // the preempted lane was about to write a field
	};

	/*
	 * The bound cuts off the choices of `later` (or, with none, the single choice at a point that
	 * is not a decision): the next round explores them, after the path that led here. Registered
	 * once, when the search first reaches the point.
	 */
	void cut_by_bound(const Decision &d, const Node *later)
	{
		pruned_ = true;
		if (deepening_ && !rerun_ && !overflow_ && d.depth >= path_.size()) {
			Item item{path_.fixed_prefix(d.depth, d.depth + (later ? 1 : 0)), runtime().lanes[d.current].pending_write};
			if (later)
				item.path.push_back(*later);
			/* the item in a vector that may have doubled, its path with malloc's header and rounding */
			item_bytes_ += 2 * sizeof(Item) + 32 + (item.path.size() * sizeof(Node) + 15) / 16 * 16;
			next_items_.push_back(std::move(item));
			if (item_bytes_ > run_.options.deepening_budget) {
				overflow_ = true;
				next_items_ = {};
				item_bytes_ = 0;
			}
		}
	}

	Run &run_;
	const int first_bound_;
	const bool deepening_;       // rounds of growing preemption bound
	int bound_ = -1;             // the preemption bound of this round; -1: none
	bool pruned_ = false;        // the bound cut off a choice in this round
	std::vector<Item> items_, next_items_;
	size_t item_ = 0;            // the current item of this round
	size_t item_bytes_ = 0;      // what next_items_ takes, roughly
	bool rerun_ = false;         // this round re-runs the whole tree (the items overflowed)
	bool overflow_ = false;      // this round stopped collecting items
	Path path_;                  // the current execution's path in the current item's subtree
	ShardSplit split_;           // the shard split at the current depth
};

}  // namespace

std::unique_ptr<Strategy> make_depth_first(Run &run, int first_bound, bool deepening)
{
	return std::make_unique<DepthFirst>(run, first_bound, deepening);
}

}  // namespace sim::search
