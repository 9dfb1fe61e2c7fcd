/*
 * The reduction's search side: sleep sets (checker/sim/README.md, "The reduction", item 5). The
 * other side, which names are visible (scheduling points at all), lives in the Runtime the hooks
 * share (runtime.h: is_visible(), make_visible()), since model code meets it at every access.
 * Part of the search core; no Relacy here.
 */
#pragma once

#include <algorithm>
#include <vector>

#include "checker/sim/runtime.h"

namespace sim::search {

/*
 * Sleep sets (Godefroid 1996): after the choices before `index` at a node have been explored (by
 * this search or by another shard), a lane among them, or already asleep, stays asleep below
 * while the lanes that run do operations independent of its pending one; running it there would
 * only reorder independent operations of an execution explored before. Two pending operations
 * are independent unless Runtime::dependent() says so. What runs between two scheduling points
 * is invisible, that is race-free (checker/sim/README.md), so the operation at the scheduling
 * point stands for the whole step. Every mode computes the same sleep sets from the path, so a
 * token replays the same way whichever search found it.
 */
class SleepSet {
public:
	void clear() { asleep_ = 0; }

	/* the candidates without the lanes asleep here */
	void remove_asleep(std::vector<int> &candidates) const
	{
		const unsigned asleep = asleep_;
		std::erase_if(candidates, [asleep](int c) { return asleep >> c & 1; });
	}

	/* `chosen`, choice `index` of `candidates`, runs: the lanes asleep at the next point */
	void after(const Runtime &rt, const std::vector<int> &candidates, unsigned index, int chosen, int lanes)
	{
		unsigned asleep = asleep_;
		for (unsigned i = 0; i < index; i++)
			asleep |= 1u << candidates[i];
		unsigned next = 0;
		for (int l = 0; l < lanes; l++)
			if ((asleep >> l & 1) && l != chosen && !rt.dependent(l, chosen))
				next |= 1u << l;
		asleep_ = next;
	}

private:
	unsigned asleep_ = 0;  // lanes asleep at the current point of this execution
};

}  // namespace sim::search
