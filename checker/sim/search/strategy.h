/*
 * The strategies of the search behind one interface: which choice to take at each decision, and
 * when a round (and the search) is over. Depth-first over the tree, with an optional preemption
 * bound and iterative deepening (depth_first.cpp); random, uniform or PCT (random.cpp); the replay
 * of a token (replay.cpp). The scheduler core (core.h) asks them; the driver (driver.cpp) runs
 * their rounds. Part of the search core; no Relacy here.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "checker/sim/search/run.h"

namespace sim::search {

/* a scheduling point as the strategy sees it */
struct Decision {
	unsigned count;                     // the awake choices (candidates): 2 or more, 1 in cut_single()
	size_t depth;                       // the decisions this execution made before this one
	int current;                        // the lane at the scheduling point (choice 0 when it may go on)
	bool bound_holds;                   // the preemption bound allows only the current lane to go on
	bool current_awake;                 // choice 0 is the current lane
	const std::vector<int> &candidates; // the lanes of the choices
};

/* decide(): nothing of this execution is left to explore in this round; it is a repeat from here */
constexpr unsigned kNothingLeft = ~0u;

class Strategy {
public:
	virtual ~Strategy() = default;

	/* rounds (the driver) */
	virtual void first_round() {}                 // the search (again) from its first round
	virtual void begin_round() {}                 // a round starts
	virtual int bound() const { return -1; }      // this round's preemption bound; -1: none
	virtual bool cut_off() const { return false; } // this round's bound cut off a choice
	virtual bool more() const { return false; }   // a next round is left (and the strategy deepens)
	virtual void deepen() {}                      // on to the next round

	/* executions (the scheduler core) */
	virtual void begin_execution(uint64_t iteration) {}
	/* the index of the choice to take among d.count (> 1), or kNothingLeft */
	virtual unsigned decide(const Decision &d) = 0;
	/* the bound holds where the one awake choice is another lane: it is the next round's */
	virtual void cut_single(const Decision &d) {}
	virtual void execution_ended(size_t depth) {}
	/* the execution just ended counts for this search (not a repeat, another shard's, an earlier round's) */
	virtual bool owns(bool repeat, int preemptions) const { return true; }
	/* after an execution of `depth` decisions: true when the round is over */
	virtual bool advance(size_t depth, uint64_t iteration) = 0;
	/* the execution just ended was the search's last one (a limit hit now cuts nothing off) */
	virtual bool last_execution(size_t depth) const = 0;
};

/* Search::Exhaustive and Search::Bounded: depth-first under `first_bound` (-1: none), deepening it */
std::unique_ptr<Strategy> make_depth_first(Run &run, int first_bound, bool deepening);
/* Search::Random: Options::iterations executions from Options::seed, uniform or PCT */
std::unique_ptr<Strategy> make_random(Run &run);
/* Search::Replay: exactly the given choices */
std::unique_ptr<Strategy> make_replay(Run &run, std::vector<uint8_t> choices);

}  // namespace sim::search
