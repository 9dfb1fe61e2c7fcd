/*
 * Replay: exactly the execution of a token's choices (token.cpp reads the token). Part of the
 * search core; no Relacy here.
 */
#include <string>

#include "checker/sim/search/strategy.h"

namespace sim::search {
namespace {

class Replay : public Strategy {
public:
	Replay(Run &run, std::vector<uint8_t> choices) : run_(run), choices_(std::move(choices)) {}

	unsigned decide(const Decision &d) override
	{
		if (d.depth >= choices_.size())
			return 0;
		unsigned index = choices_[d.depth];
		if (index >= d.count) {
			if (run_.error.empty())
				run_.error = "the replay token does not fit this scenario: choice " + std::to_string(index) +
					     " at decision " + std::to_string(d.depth + 1) + " of " + std::to_string(d.count) +
					     " lanes";
			index = 0;
		}
		return index;
	}

	bool advance(size_t depth, uint64_t) override
	{
		if (depth < choices_.size() && run_.error.empty())
			run_.error = "the replay token does not fit this scenario: it gives " + std::to_string(choices_.size()) +
				     " choices, the execution offered " + std::to_string(depth);
		return true;
	}
	bool last_execution(size_t) const override { return true; }

private:
	Run &run_;
	const std::vector<uint8_t> choices_;
};

}  // namespace

std::unique_ptr<Strategy> make_replay(Run &run, std::vector<uint8_t> choices)
{
	return std::make_unique<Replay>(run, std::move(choices));
}

}  // namespace sim::search
