/*
 * Random search: Options::iterations executions from Options::seed, each choice uniform, or with
 * PCT priorities (Options::pct_depth). Part of the search core; no Relacy here.
 */
#include <algorithm>
#include <utility>

#include "checker/sim/search/shard.h"
#include "checker/sim/search/strategy.h"

namespace sim::search {
namespace {

uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

class Random : public Strategy {
public:
	explicit Random(Run &run)
		: run_(run), share_(RandomShare::of(run.options.iterations, run.options.shard, run.options.shards)),
		  lanes_(static_cast<int>(run.program->lanes.size()))
	{
	}

	void begin_round() override { pct_steps_ = 0; }

	void begin_execution(uint64_t iteration) override
	{
		rng_ = splitmix64(run_.options.seed * 0x100000001b3ull + share_.first + iteration);
		if (run_.options.pct_depth > 0)
			pct_begin();
	}

	unsigned decide(const Decision &d) override
	{
		if (run_.options.pct_depth > 0)
			return pct_choose(d);
		rng_ = splitmix64(rng_);
		return static_cast<unsigned>(rng_ % d.count);
	}

	void execution_ended(size_t depth) override { pct_steps_ = std::max(pct_steps_, depth); }
	bool advance(size_t, uint64_t iteration) override { return iteration >= share_.count; }
	bool last_execution(size_t) const override { return false; }

private:
	/*
	 * PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010): each execution gives the
	 * lanes distinct random priorities d..d+n-1 and picks d-1 change points among the k decisions
	 * of an execution; the highest-priority enabled lane always runs, and at the j-th change point
	 * the running lane drops to priority j. A bug that needs d ordering constraints is found with
	 * probability at least 1/(n k^(d-1)) per execution. k is the most decisions any execution of
	 * this round has made so far (the first has no change points), so a sharded PCT run samples
	 * differently from an unsharded one; each is deterministic.
	 */
	void pct_begin()
	{
		const int d = run_.options.pct_depth;
		for (int i = 0; i < lanes_; i++)
			pct_priority_[i] = d + i;
		for (unsigned i = static_cast<unsigned>(lanes_); i > 1; i--) {  // Fisher-Yates
			rng_ = splitmix64(rng_);
			std::swap(pct_priority_[i - 1], pct_priority_[rng_ % i]);
		}
		pct_changes_.clear();
		for (int j = 1; j < d && pct_steps_ > 0; j++) {
			rng_ = splitmix64(rng_);
			pct_changes_.emplace_back(static_cast<size_t>(rng_ % pct_steps_), j);
		}
	}

	unsigned pct_choose(const Decision &d)
	{
		for (const auto &[at, priority] : pct_changes_)
			if (at == d.depth)
				pct_priority_[d.current] = priority;
		unsigned best = 0;
		for (unsigned i = 1; i < d.candidates.size(); i++)
			if (pct_priority_[d.candidates[i]] > pct_priority_[d.candidates[best]])
				best = i;
		return best;
	}

	Run &run_;
	const RandomShare share_;                          // this shard's executions
	const int lanes_;
	uint64_t rng_ = 0;
	int pct_priority_[kMaxLanes] = {};                 // by lane: higher runs first
	std::vector<std::pair<size_t, int>> pct_changes_;  // (decision, new priority of the running lane)
	size_t pct_steps_ = 0;                             // the most decisions of one execution this round
};

}  // namespace

std::unique_ptr<Strategy> make_random(Run &run) { return std::make_unique<Random>(run); }

}  // namespace sim::search
