/*
 * The Relacy side of the simulator: a test suite per lane count, and perfmc's own scheduler
 * plugged into Relacy's context (rl::run_test<Suite, Scheduler>), which makes every scheduling
 * decision a value: depth-first over the choices (exhaustive, or with a preemption bound),
 * random from a seed, or replayed from a token. This is the only translation unit that includes
 * Relacy; it includes Relacy's headers one by one so that relacy.hpp's macros (new, delete,
 * malloc, assert) never leak into C++ code.
 */
#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <new>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <set>
#include <streambuf>

#include "checker/sim/relacy_platform.h"  // stands in for relacy/platform.hpp: fibers that free their stacks
#include <relacy/base.hpp>
#include <relacy/context.hpp>
#include <relacy/context_base_impl.hpp>
#include <relacy/atomic_fence.hpp>
#include <relacy/atomic.hpp>
#include <relacy/var.hpp>
#include <relacy/test_suite.hpp>
#include <relacy/stdlib/mutex.hpp>
#include <relacy/stdlib/condition_variable.hpp>
#include <relacy/stdlib/semaphore.hpp>
#include <relacy/stdlib/event.hpp>

#include "checker/sim/runtime.h"

/*
 * relacy/context.hpp replaces the global operator new and delete (and new[]/delete[]) for the
 * whole program: in a Relacy context they go to its allocator, which perfmc keeps on malloc/free
 * (use_plain_heap() below), elsewhere straight to malloc/free. C++14's sized deletes and the
 * nothrow forms it leaves out would then be the C++ library's, or a sanitizer's, freeing memory
 * that Relacy's new took from malloc (AddressSanitizer: alloc-dealloc-mismatch, before main).
 * These complete the set, so every form of new and delete pairs with its match. (The aligned
 * forms are neither replaced by Relacy nor used with its new: they stay the library's.)
 */
/* (not inlined: g++ would see the free() inside Relacy's delete and take it for a mismatch) */
__attribute__((noinline)) void operator delete(void *p, std::size_t) noexcept { ::operator delete(p); }
__attribute__((noinline)) void operator delete[](void *p, std::size_t) noexcept { ::operator delete[](p); }
void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
	try {
		return ::operator new(size);
	} catch (...) {
		return nullptr;
	}
}
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept
{
	try {
		return ::operator new[](size);
	} catch (...) {
		return nullptr;
	}
}
__attribute__((noinline)) void operator delete(void *p, const std::nothrow_t &) noexcept { ::operator delete(p); }
__attribute__((noinline)) void operator delete[](void *p, const std::nothrow_t &) noexcept { ::operator delete[](p); }

/*
 * Relacy's replacements are declared `inline`, so g++ emits one only where some call to it is not
 * inlined; a form left out of the program is then the C++ library's (or ASan's), not Relacy's, and
 * frees what the other allocated. Taking their addresses emits all four.
 */
__attribute__((used)) void *(*const relacy_new_forms[])(std::size_t) = {
	static_cast<void *(*)(std::size_t)>(&::operator new), static_cast<void *(*)(std::size_t)>(&::operator new[])};
__attribute__((used)) void (*const relacy_delete_forms[])(void *) = {static_cast<void (*)(void *)>(&::operator delete),
								       static_cast<void (*)(void *)>(&::operator delete[])};

namespace sim {
namespace {

/* A decision of the depth-first search: the choices this shard takes there, and its split below. */
struct Node {
	uint8_t count, index;
	uint8_t step, last;        // this shard's choices: index, index + step, ... up to last
	unsigned child_k, child_n; // the shard split passed on below this node
};

/* The search state that outlives one Relacy context (one rl::run_test call). */
struct Engine {
	const Program *program = nullptr;
	Options options;
	int bound = -1;                  // the preemption bound of this round; -1: none
	bool pruned = false;             // the bound cut off a choice
	bool limited = false;
	bool restart = false;            // the reduction found a new visible name: run the round again
	bool yielded = false;            // stopped: another shard's board event comes first (Options::board)
	bool deepening = false;          // rounds of growing preemption bound
	std::string error;
	std::vector<uint8_t> replay;     // Search::Replay: the choices to follow
	std::vector<uint8_t> choices;    // the current execution's choices (its replay token)
	int preemptions = 0;
	uint64_t executions_before = 0;  // executions of earlier rounds (Bounded deepening)
	uint64_t not_owned = 0;          // executions another shard or an earlier round owns
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
	std::vector<Item> items, next_items;
	size_t item = 0;                 // the current item of this round
	size_t item_bytes = 0;           // what next_items takes, roughly
	bool rerun = false;              // this round re-runs the whole tree (the items overflowed)
	bool overflow = false;           // this round stopped collecting items

	/* the first round: one item, the whole tree */
	void first_round()
	{
		items.assign(1, Item{});
		next_items.clear();
		item = item_bytes = 0;
		rerun = overflow = false;
	}
	std::chrono::steady_clock::time_point start;
	bool world_alive = false;
	std::set<std::string> race_keys;
	std::set<std::string> outcomes;
	std::vector<Race> races;
	std::exception_ptr thrown;       // what model code threw (the search stops there)
	int thrown_lane = -1;
};

Engine engine;
volatile std::sig_atomic_t stop_requested = 0;

Runtime &rt() { return runtime(); }

void show_progress(uint64_t done)
{
	std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - engine.start;
	if (elapsed.count() < 1.0)
		return;
	std::fprintf(stderr, "\rperfmc: %llu executions, %.0f/s, %.1f s ", static_cast<unsigned long long>(done),
		     done / elapsed.count(), elapsed.count());
	std::fflush(stderr);
}

uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * perfmc's scheduler. At each scheduling point the candidates are the runnable lanes, the
 * current one first (choice 0 means "go on", so a token's trailing zeros can be dropped), then
 * the others by index. Choosing another lane while the current one could go on is a preemption.
 * Points with a single candidate are not decisions and are not recorded.
 */
template <rl::thread_id_t N>
class Scheduler : public rl::scheduler<Scheduler<N>, rl::scheduler_thread_info, N> {
public:
	typedef rl::scheduler<Scheduler<N>, rl::scheduler_thread_info, N> base_t;
	typedef typename base_t::thread_info_t thread_info_t;
	typedef typename base_t::shared_context_t shared_context_t;
	struct task_t {};

	Scheduler(rl::test_params &params, shared_context_t &ctx, rl::thread_id_t dynamic)
		: base_t(params, ctx, dynamic)
	{
		if (engine.item < engine.items.size())
			tree_ = engine.items[engine.item].path;
	}

	/*
	 * Every lane first runs, in lane order and without decisions, to its first scheduling point:
	 * what comes before it is invisible (local or race-free), so its order cannot matter.
	 */
	rl::thread_id_t iteration_begin_impl()
	{
		const rl::thread_id_t first = begin();
		rt().set_lane(static_cast<int>(first));
		return first;
	}

	rl::thread_id_t schedule_impl(rl::unpark_reason &reason, unsigned yield)
	{
		const rl::thread_id_t chosen = choose(reason, yield);
		rt().set_lane(static_cast<int>(chosen));  // Relacy switches to it next
		return chosen;
	}

	rl::thread_id_t begin()
	{
		depth_ = 0;
		started_ = 0;
		sleep_ = 0;
		redundant_ = false;
		engine.choices.clear();
		engine.preemptions = 0;
		shard_k_ = static_cast<unsigned>(engine.options.shard);
		shard_n_ = static_cast<unsigned>(engine.options.shards);
		if (engine.options.search == Search::Random) {
			rng_ = splitmix64(engine.options.seed * 0x100000001b3ull + random_first() + this->iter_);
			if (engine.options.pct_depth > 0)
				pct_begin();
		}
		rl::thread_id_t first = this->running_threads[0];
		for (rl::thread_id_t i = 0; i < this->running_threads_count; i++)
			first = std::min(first, this->running_threads[i]);
		return first;
	}

	bool iteration_end_impl()
	{
		pct_steps_ = std::max(pct_steps_, depth_);
		if (rt().new_visible) {
			if (stop_requested || out_of_time())
				engine.limited = true;  // the search would restart: it did not finish
			else
				engine.restart = true;
			return true;
		}
		const bool tree = engine.options.search == Search::Exhaustive || engine.options.search == Search::Bounded;
		if (tree) {
			if (redundant_)
				engine.not_owned++;  // a sleep set showed it equivalent to one explored before
			else if (shard_k_ != 0)
				engine.not_owned++;  // a leaf above which the shard split ran out of decisions
			else if (engine.rerun && engine.preemptions < engine.bound)
				engine.not_owned++;  // counted in the earlier round of its preemptions
		}
		/* the executions the result will report (Result::executions): what the limits count */
		const uint64_t done = engine.executions_before + this->iter_ - engine.not_owned;
		if (engine.options.board && engine.options.board->passed(ShardBoard::key(engine.bound, engine.options.shard))) {
			/* another shard found a violation or a new name first, in (round, shard) order: what
			 * this shard could still find would come after it (README "Sharding") */
			engine.limited = !last_execution();
			engine.yielded = engine.limited;
			return true;
		}
		if (stop_requested) {
			engine.limited = !last_execution();
			return true;
		}
		if (engine.options.progress && (this->iter_ & 4095) == 0)
			show_progress(done);
		if (engine.options.max_executions && done >= engine.options.max_executions) {
			engine.limited = !last_execution();
			return true;
		}
		if (out_of_time()) {
			engine.limited = !last_execution();
			return true;
		}
		switch (engine.options.search) {
		case Search::Exhaustive:
		case Search::Bounded:
			return advance();
		case Search::Random:
			return this->iter_ >= random_count();
		case Search::Replay:
			if (depth_ < engine.replay.size() && engine.error.empty())
				engine.error = "the replay token does not fit this scenario: it gives " +
					       std::to_string(engine.replay.size()) + " choices, the execution offered " +
					       std::to_string(depth_);
			return true;
		}
		return true;
	}

	/* --timeout: the clock is read after every execution (a vDSO call, tens of nanoseconds) */
	static bool out_of_time()
	{
		if (engine.options.timeout_seconds <= 0)
			return false;
		const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - engine.start;
		return elapsed.count() > engine.options.timeout_seconds;
	}

	rl::thread_id_t choose(rl::unpark_reason &reason, unsigned /*yield*/)
	{
		reason = rl::unpark_reason_normal;
		thread_info_t &t = *this->thread_;
		started_ |= 1u << t.index_;
		if (pick_unstarted())
			return next_start_;
		/* a lane about to take a lock another lane holds would only block: not a choice */
		auto enabled = [](rl::thread_id_t i) { return rt().enabled(static_cast<int>(i)); };
		const bool current_runnable = t.state_ == rl::thread_state_running && enabled(t.index_);
		candidates_.clear();
		if (current_runnable)
			candidates_.push_back(t.index_);
		size_t first_other = candidates_.size();
		for (rl::thread_id_t i = 0; i < this->running_threads_count; i++)
			if (this->running_threads[i] != t.index_ && enabled(this->running_threads[i]))
				candidates_.push_back(this->running_threads[i]);
		std::sort(candidates_.begin() + first_other, candidates_.end());
		if (candidates_.empty()) {
			/* every runnable lane waits for a held lock: let Relacy run one into the block */
			sleep_ = 0;
			if (t.state_ == rl::thread_state_running)
				return t.index_;
			for (rl::thread_id_t i = 0; i < this->running_threads_count; i++)
				candidates_.push_back(this->running_threads[i]);
			std::sort(candidates_.begin(), candidates_.end());
			return candidates_[0];
		}
		if (redundant_)  // the rest of a redundant execution: no decisions, nothing recorded
			return candidates_[0];
		const rl::thread_id_t first = candidates_[0];
		if (rt().reduction) {
			/* sleep sets: a lane asleep here would only repeat an execution explored before */
			const unsigned sleep = sleep_;
			std::erase_if(candidates_, [sleep](rl::thread_id_t c) { return sleep >> c & 1; });
			if (candidates_.empty()) {
				redundant_ = true;
				return first;
			}
		}
		/* the preemption bound holds: only the current lane may go on (choice 0, if awake) */
		const bool bound_holds = current_runnable && engine.bound >= 0 && engine.preemptions >= engine.bound;
		const bool current_awake = current_runnable && candidates_[0] == t.index_;
		unsigned index = 0;
		if (candidates_.size() > 1)
			index = decide(static_cast<unsigned>(candidates_.size()), bound_holds, current_awake);
		else if (bound_holds && !current_awake) {
			cut_by_bound(nullptr);
			redundant_ = true;  // the one lane left would be a preemption: next round's
		}
		if (redundant_)
			return first;
		const rl::thread_id_t chosen = candidates_[index];
		if (current_runnable && chosen != t.index_)
			engine.preemptions++;
		if (rt().reduction)
			sleep_after(chosen, index);
		return chosen;
	}

	unsigned rand_impl(unsigned /*limit*/, rl::sched_type /*type*/) { return 0; }  // no other randomness in perfmc's use
	rl::iteration_t iteration_count_impl() { return this->iter_ + 1; }
	void get_state_impl(std::ostream &) {}
	void set_state_impl(std::istream &) {}
	void on_thread_block(rl::thread_id_t, bool) {}
	void purge_blocked_threads() {}

private:
	/*
	 * The bound cuts off the choices of `later` (or, with none, the single choice at a point that
	 * is not a decision): the next round explores them, after the path that led here. Registered
	 * once, when the search first reaches the point.
	 */
	void cut_by_bound(const Node *later)
	{
		engine.pruned = true;
		if (engine.deepening && !engine.rerun && !engine.overflow && depth_ >= tree_.size()) {
			Engine::Item item{{}, rt().lanes[this->thread_->index_].pending_write};
			item.path.reserve(depth_ + (later ? 1 : 0));
			item.path.assign(tree_.begin(), tree_.begin() + depth_);
			for (Node &n : item.path)
				n.last = n.index;
			if (later)
				item.path.push_back(*later);
			/* the item in a vector that may have doubled, its path with malloc's header and rounding */
			engine.item_bytes += 2 * sizeof(Engine::Item) + 32 + (item.path.size() * sizeof(Node) + 15) / 16 * 16;
			engine.next_items.push_back(std::move(item));
			if (engine.item_bytes > engine.options.deepening_budget) {
				engine.overflow = true;
				engine.next_items = {};
				engine.item_bytes = 0;
			}
		}
	}

	unsigned decide(unsigned count, bool bound_holds, bool current_awake)
	{
		unsigned index = 0;
		switch (engine.options.search) {
		case Search::Exhaustive:
		case Search::Bounded:
			if (depth_ < tree_.size()) {
				if (tree_[depth_].count != count && engine.error.empty())
					engine.error = "the model is not deterministic: a scheduling point offered "
						       "a different number of lanes when the same schedule was replayed";
				index = std::min<unsigned>(tree_[depth_].index, count - 1);
			} else {
				Node n = shard_node(count);
				if (bound_holds) {
					/* choice 0 (the current lane) now, if it is this shard's; the rest next round */
					Node later = n;
					const bool now = current_awake && n.index == 0;
					if (now)
						later.index = static_cast<uint8_t>(n.index + n.step);
					if (later.index <= later.last)
						cut_by_bound(&later);
					if (!now) {
						redundant_ = true;  // nothing left to explore here in this round
						return 0;
					}
					n.last = 0;
				}
				tree_.push_back(n);
				index = tree_.back().index;
			}
			shard_k_ = tree_[depth_].child_k;
			shard_n_ = tree_[depth_].child_n;
			break;
		case Search::Random:
			if (engine.options.pct_depth > 0) {
				index = pct_choose();
				break;
			}
			rng_ = splitmix64(rng_);
			index = static_cast<unsigned>(rng_ % count);
			break;
		case Search::Replay:
			if (depth_ < engine.replay.size()) {
				index = engine.replay[depth_];
				if (index >= count) {
					if (engine.error.empty())
						engine.error = "the replay token does not fit this scenario: choice " +
							       std::to_string(index) + " at decision " +
							       std::to_string(depth_ + 1) + " of " + std::to_string(count) +
							       " lanes";
					index = 0;
				}
			}
			break;
		}
		depth_++;
		engine.choices.push_back(static_cast<uint8_t>(index));
		return index;
	}

	/*
	 * Shards split the tree at its first decisions: with k of n shards at a node of c choices,
	 * n <= c gives shard k the choices k, k+n, k+2n... (each whole subtree); n > c gives it the
	 * single choice k mod c and passes the shards that chose it on to the child as (k / c, their
	 * number). The parts are disjoint and cover the tree; an execution that ends while several
	 * shards still share its path belongs to the first of them.
	 */
	Node shard_node(unsigned count)
	{
		Node n{static_cast<uint8_t>(count), 0, 1, static_cast<uint8_t>(count - 1), 0, 1};
		if (shard_n_ <= 1)
			return n;
		if (shard_n_ <= count) {
			n.index = static_cast<uint8_t>(shard_k_);
			n.step = static_cast<uint8_t>(shard_n_);
			n.last = static_cast<uint8_t>(shard_k_ + (count - 1 - shard_k_) / shard_n_ * shard_n_);
			return n;
		}
		unsigned i = shard_k_ % count;
		n.index = n.last = static_cast<uint8_t>(i);
		n.child_k = shard_k_ / count;
		n.child_n = (shard_n_ - i + count - 1) / count;
		return n;
	}

	uint64_t random_first() const
	{
		return engine.options.iterations * engine.options.shard / engine.options.shards;
	}
	uint64_t random_count() const
	{
		return engine.options.iterations * (engine.options.shard + 1) / engine.options.shards - random_first();
	}

	/*
	 * PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010): each execution gives the
	 * lanes distinct random priorities d..d+n-1 and picks d-1 change points among the k decisions
	 * of an execution; the highest-priority enabled lane always runs, and at the j-th change point
	 * the running lane drops to priority j. A bug that needs d ordering constraints is found with
	 * probability at least 1/(n k^(d-1)) per execution. k is the most decisions any execution of
	 * this process has made so far (the first has no change points), so a sharded PCT run
	 * samples differently from an unsharded one; each is deterministic.
	 */
	void pct_begin()
	{
		const int d = engine.options.pct_depth;
		for (unsigned i = 0; i < N; i++)
			pct_priority_[i] = d + static_cast<int>(i);
		for (unsigned i = N; i > 1; i--) {  // Fisher-Yates
			rng_ = splitmix64(rng_);
			std::swap(pct_priority_[i - 1], pct_priority_[rng_ % i]);
		}
		pct_changes_.clear();
		for (int j = 1; j < d && pct_steps_ > 0; j++) {
			rng_ = splitmix64(rng_);
			pct_changes_.emplace_back(static_cast<size_t>(rng_ % pct_steps_), j);
		}
	}

	unsigned pct_choose()
	{
		for (const auto &[at, priority] : pct_changes_)
			if (at == depth_)
				pct_priority_[this->thread_->index_] = priority;
		unsigned best = 0;
		for (unsigned i = 1; i < candidates_.size(); i++)
			if (pct_priority_[candidates_[i]] > pct_priority_[candidates_[best]])
				best = i;
		return best;
	}

	/*
	 * Sleep sets (Godefroid 1996): after the choices before `index` at this node have been
	 * explored (by this search or by another shard), a lane among them, or already asleep, stays
	 * asleep below while the lanes that run do operations independent of its pending one; running
	 * it there would only reorder independent operations of an execution explored before. Two
	 * pending operations are independent unless Runtime::dependent() says so. What runs between
	 * two scheduling points is invisible, that is race-free (checker/sim/README.md), so the
	 * operation at the scheduling point stands for the whole step. Every mode computes the same
	 * sleep sets from the path, so a token replays the same way whichever search found it.
	 */
	static bool independent(rl::thread_id_t a, rl::thread_id_t b)
	{
		return !rt().dependent(static_cast<int>(a), static_cast<int>(b));
	}

	void sleep_after(rl::thread_id_t chosen, unsigned index)
	{
		unsigned asleep = sleep_;
		for (unsigned i = 0; i < index; i++)
			asleep |= 1u << candidates_[i];
		unsigned next = 0;
		for (unsigned l = 0; l < N; l++)
			if ((asleep >> l & 1) && l != static_cast<unsigned>(chosen) && independent(l, chosen))
				next |= 1u << l;
		sleep_ = next;
	}

	/* depth-first: the next schedule differs at the deepest decision that has an untried choice */
	bool advance()
	{
		tree_.resize(std::min(depth_, tree_.size()));
		while (!tree_.empty() && tree_.back().index + tree_.back().step > tree_.back().last)
			tree_.pop_back();
		if (tree_.empty()) {
			if (++engine.item >= engine.items.size())
				return true;
			tree_ = engine.items[engine.item].path;  // the next subtree the last round's bound cut off
			return false;
		}
		tree_.back().index += tree_.back().step;
		return false;
	}

	bool last_execution()
	{
		if (engine.options.search != Search::Exhaustive && engine.options.search != Search::Bounded)
			return engine.options.search == Search::Replay;
		for (size_t i = 0; i < depth_ && i < tree_.size(); i++)
			if (tree_[i].index + tree_[i].step <= tree_[i].last)
				return false;
		return engine.item + 1 >= engine.items.size() && engine.next_items.empty() &&
		       !((engine.rerun || engine.overflow) && engine.pruned);
	}

	/* the lowest runnable lane that has not reached its first scheduling point, if any */
	bool pick_unstarted()
	{
		bool found = false;
		for (rl::thread_id_t i = 0; i < this->running_threads_count; i++) {
			rl::thread_id_t lane = this->running_threads[i];
			if (!(started_ & (1u << lane)) && (!found || lane < next_start_)) {
				next_start_ = lane;
				found = true;
			}
		}
		return found;
	}

	std::vector<Node> tree_;
	size_t depth_ = 0;
	unsigned started_ = 0;
	unsigned shard_k_ = 0, shard_n_ = 1;  // the shard split at the current depth
	rl::thread_id_t next_start_ = 0;
	uint64_t rng_ = 0;
	std::vector<rl::thread_id_t> candidates_;
	std::array<int, N> pct_priority_{};                  // by lane: higher runs first
	std::vector<std::pair<size_t, int>> pct_changes_;  // (decision, new priority of the running lane)
	size_t pct_steps_ = 0;                               // the most decisions of one execution so far
	unsigned sleep_ = 0;       // lanes asleep at the current point of this execution
	bool redundant_ = false;   // every awake choice was asleep: the rest of the execution repeats one explored
};

void materialize_races(std::vector<Race> *failing)
{
	for (const RaceRecord &r : rt().races) {
		Race race;
		race.field = r.field;
		auto fill = [](AccessInfo &a, int lane, int cpu, const Shadow::Epoch &e) {
			a.lane = lane;
			a.cpu = cpu;
			a.type = e.type;
			a.marking = e.marking;
			a.size = e.size;
			const RawStep &s = rt().steps.at(static_cast<size_t>(e.trace));
			a.stack = copy_stack(s.stack);
			a.old_value = s.old_value;
			a.new_value = s.value;
			a.step = e.trace;
		};
		fill(race.first, r.first_lane, r.first_cpu, r.first);
		fill(race.second, r.second_lane, r.second_cpu, r.second);
		if (engine.race_keys.insert(race.key()).second)
			engine.races.push_back(race);
		if (failing) {
			bool seen = false;
			for (const Race &f : *failing)
				seen = seen || f.key() == race.key();
			if (!seen)
				failing->push_back(race);
		}
	}
}

void teardown_world()
{
	if (engine.world_alive && engine.program->teardown)
		engine.program->teardown();
	engine.world_alive = false;
}

/*
 * Relacy replaces the global operator new/delete and, while its context's allocation tracking is
 * on, serves allocations from its own heap (to find leaks in the code under test). perfmc's model
 * allocates with the ordinary heap and frees across executions, so the tracking is kept off:
 * every allocation goes to malloc. disable_alloc_ is protected; a member pointer reaches it.
 */
struct ContextAccess : rl::context {
	static int rl::context::*disable_alloc() { return &ContextAccess::disable_alloc_; }
};

void use_plain_heap()
{
	rl::context &c = rl::ctx();
	if (c.*ContextAccess::disable_alloc() == 0)
		c.*ContextAccess::disable_alloc() = 1;
}

/*
 * Model code runs on Relacy's fibers, where an exception that escapes ends the process
 * (std::terminate). Each entry into model code (setup, a lane, the final check) catches what it
 * throws, keeps it for Result::thrown and ends the execution as failed, which stops the search
 * with this execution as the failing one. The fail is called outside the catch block: it switches
 * fibers and never returns, and must not leave an exception half-handled.
 */
template <class Body> void guarded(int lane, Body &&body)
{
	std::exception_ptr thrown;
	try {
		body();
	} catch (...) {
		thrown = std::current_exception();
	}
	if (!thrown)
		return;
	if (!engine.thrown) {
		engine.thrown = thrown;
		engine.thrown_lane = lane;
		std::string what = "an exception";
		try {
			std::rethrow_exception(thrown);
		} catch (const std::exception &e) {
			what = e.what();
		} catch (...) {
		}
		note(("threw: " + what).c_str());  // the last row of the interleaving
	}
	rt().failed = true;
	rt().sched.fail();
}

void begin_execution()
{
	use_plain_heap();
	teardown_world();
	const Program &p = *engine.program;
	rt().begin_execution(static_cast<int>(p.lanes.size()), p.lanes);
	rt().set_in_lane(false);
	rt().tick = p.tick;
	engine.world_alive = true;
	if (p.setup)
		guarded(-1, p.setup);
	rt().set_in_lane(true);
}

void run_lane(unsigned index)
{
	const LaneSpec &spec = engine.program->lanes[index];
	LaneState &l = rt().lanes[index];
	if (spec.in != LaneContext::Task)
		handler_enter(spec.cpu, spec.in);  // where it interrupts its CPU is the search's choice
	guarded(static_cast<int>(index), spec.body);
	if (spec.in != LaneContext::Task) {
		if (l.irq_depth != 1 || l.preempt_depth != 1)
			violation("lockdep", "the handler returned with IRQs or preemption not as they were at its entry");
		handler_exit();
	} else if (l.irq_depth || l.preempt_depth) {
		violation("lockdep", "the lane's code returned with IRQs or preemption still disabled");
	}
}

void end_execution()
{
	rt().set_in_lane(false);
	guarded(-1, [] {
		if (engine.program->finish)
			engine.program->finish();
		if (engine.program->outcome)
			engine.outcomes.insert(engine.program->outcome());
	});
	materialize_races(nullptr);
	teardown_world();
}

/*
 * Relacy mallocs the suite object's storage once per rl::run_test() and never frees it (its
 * context's destructor has the free commented out); the suite records it and run_round() frees it.
 */
void *suite_storage = nullptr;

template <rl::thread_id_t N> struct Suite : rl::test_suite<Suite<N>, N> {
	Suite() { suite_storage = this; }
	void before() { begin_execution(); }
	void thread(unsigned index) { run_lane(index); }
	void after() { end_execution(); }
};

struct NullBuffer : std::streambuf {
	int overflow(int c) override { return c; }
};

template <rl::thread_id_t N> rl::test_result_e run_round(rl::test_params &params)
{
	std::ostringstream state;
	suite_storage = nullptr;
	const rl::test_result_e res = rl::run_test<Suite<N>, Scheduler<N>>(params, state, false);
	std::free(suite_storage);  // Suite is trivially destructible: nothing else to undo
	suite_storage = nullptr;
	return res;
}

rl::test_result_e run_round_dispatch(int lanes, rl::test_params &params)
{
	switch (lanes) {
	case 1: return run_round<1>(params);
	case 2: return run_round<2>(params);
	case 3: return run_round<3>(params);
	case 4: return run_round<4>(params);
	case 5: return run_round<5>(params);
	case 6: return run_round<6>(params);
	case 7: return run_round<7>(params);
	case 8: return run_round<8>(params);
	}
	return rl::test_result_success;
}

/*
 * The failing execution's steps for the report. A long one (a lane of thousands of ops) keeps
 * its first quarter of `max_steps` and its last three quarters, where it failed: the rest is
 * counted in Result::steps_elided, so that neither the report nor the memory it takes grows
 * with the execution. The races' step indices follow (-1 for a step left out).
 */
void copy_steps(size_t max_steps, Result &result)
{
	const std::vector<RawStep> &raw = rt().steps;
	const size_t n = raw.size();
	const size_t keep = max_steps && n > max_steps ? max_steps : n;
	const size_t head = keep == n ? n : keep / 4, tail = keep - head;
	const size_t elided = n - keep;
	auto kept = [&](int i) -> int {
		if (i < 0)
			return -1;
		const size_t u = static_cast<size_t>(i);
		if (u < head)
			return i;
		if (u >= n - tail && u < n)
			return static_cast<int>(u - elided);
		return -1;
	};
	std::set<int> racy_steps;
	for (Race &r : result.failing_races) {
		racy_steps.insert(r.first.step);
		racy_steps.insert(r.second.step);
		r.first.step = kept(r.first.step);
		r.second.step = kept(r.second.step);
	}
	result.steps.reserve(keep);
	for (size_t i = 0; i < n; i++) {
		if (i == head && elided) {
			i += elided - 1;
			continue;
		}
		const RawStep &s = raw[i];
		Step step;
		step.lane = s.lane;
		step.cpu = s.cpu;
		step.kind = s.kind;
		step.marking = s.marking;
		step.stack = copy_stack(s.stack);
		step.what = s.text >= 0 ? rt().texts[s.text] : s.what ? s.what : "";
		step.old_value = s.old_value;
		step.value = s.value;
		step.racy = racy_steps.count(static_cast<int>(i)) > 0;
		result.steps.push_back(std::move(step));
	}
	result.steps_elided = elided;
	result.steps_elided_at = elided ? head : 0;
}

/*
 * A replay token: the choices at the scheduling points (digits; trailing zeros, "go on", dropped),
 * then the names the reduction scheduled at, each after a '+', since they decide where the
 * scheduling points were; or 'f' and the choices when the search ran without the reduction.
 */
std::string encode_token(const std::vector<uint8_t> &choices, bool reduction)
{
	std::string token;
	for (uint8_t c : choices)
		token += static_cast<char>('0' + c);
	while (token.size() > 1 && token.back() == '0')
		token.pop_back();
	if (token.empty())
		token = "0";
	if (!reduction)
		return "f" + token;
	std::vector<std::string> names(rt().visible.begin(), rt().visible.end());
	std::sort(names.begin(), names.end());
	for (const std::string &n : names)
		token += "+" + n;
	return token;
}

bool decode_token(const std::string &token, Engine &e, std::string &error)
{
	std::string choices = token;
	rt().reduction = true;
	if (!choices.empty() && choices[0] == 'f') {
		rt().reduction = false;
		choices = choices.substr(1);
	}
	size_t plus = choices.find('+');
	std::string names = plus == std::string::npos ? "" : choices.substr(plus + 1);
	choices = choices.substr(0, plus);
	if (choices.empty()) {
		error = "bad replay token '" + token + "': expected digits 0-" + std::to_string(kMaxLanes - 1);
		return false;
	}
	for (char c : choices) {
		if (c < '0' || c >= '0' + kMaxLanes) {
			error = "bad replay token '" + token + "': expected digits 0-" + std::to_string(kMaxLanes - 1);
			return false;
		}
		e.replay.push_back(static_cast<uint8_t>(c - '0'));
	}
	while (!names.empty()) {
		size_t next = names.find('+');
		rt().visible.insert(names.substr(0, next));
		names = next == std::string::npos ? "" : names.substr(next + 1);
	}
	rt().frozen = true;
	return true;
}

void install_scheduler_hooks()
{
	SchedulerHooks &s = rt().sched;
	s.schedule = [] { rl::ctx().sched(); };
	s.park = [] { rl::ctx().park_current_thread(false, false, false, $); };
	s.unpark = [](int lane) { rl::ctx().unpark_thread(lane, false, $); };
	s.fail = [] { rl::ctx().fail_test("perfmc", rl::test_result_user_assert_failed, $); };
}

}  // namespace

void request_stop() { stop_requested = 1; }

Result explore(const Program &program, const Options &options)
{
	stop_requested = 0;
	Result result;
	for (const LaneSpec &l : program.lanes) {
		result.lane_names.push_back(l.name);
		result.lane_cpus.push_back(l.cpu);
	}
	if (program.lanes.empty() || program.lanes.size() > static_cast<size_t>(kMaxLanes)) {
		result.outcome = Outcome::Error;
		result.error = "a program needs 1 to " + std::to_string(kMaxLanes) + " lanes";
		return result;
	}
	for (const LaneSpec &l : program.lanes)
		if (l.cpu < 0 || l.cpu >= kMaxCpus) {
			result.outcome = Outcome::Error;
			result.error = "cpu " + std::to_string(l.cpu) + " out of range (0-" + std::to_string(kMaxCpus - 1) + ")";
			return result;
		}

	engine = Engine{};
	engine.program = &program;
	engine.options = options;
	engine.start = std::chrono::steady_clock::now();
	install_scheduler_hooks();
	rt().race_mode = options.race_mode;
	rt().reduction = options.reduction;
	rt().prove_locking = options.prove_locking;
	rt().visible.clear();
	if (options.reduction)
		rt().visible.insert(options.visible.begin(), options.visible.end());
	rt().new_visible = false;
	rt().frozen = false;
	if (options.search == Search::Replay && !decode_token(options.replay, engine, result.error)) {
		result.outcome = Outcome::Error;
		return result;
	}
	rt().clear_visible_cache();  // after the token's names, if any
	rt().policy = options.policy;
	rt().simulating = true;
	rt().accesses = 0;

	NullBuffer null_buffer;
	std::ostream null_stream(&null_buffer);
	rl::test_result_e res = rl::test_result_success;
	/*
	 * Exhaustive and unbounded searches deepen the preemption bound round by round (0, 1, 2...)
	 * until a round cuts nothing off: the whole tree, simplest counterexamples first. Round b
	 * explores only what round b - 1's bound cut off (Engine::items), so every execution of the
	 * tree runs once, in the round of its number of preemptions.
	 */
	const bool deepening = options.search == Search::Exhaustive || (options.search == Search::Bounded && options.bound < 0);
	const int first_bound = options.search == Search::Bounded && options.bound >= 0 ? options.bound : deepening ? 0 : -1;
	int round_bound = first_bound;
	std::vector<std::string> round_visible;  // the names the last round ran under
	engine.deepening = deepening;
	engine.first_round();
	for (;;) {
		rl::test_params params;
		params.output_stream = &null_stream;
		params.progress_stream = &null_stream;
		params.execution_depth_limit = 1u << 30;
		params.iteration_count = options.search == Search::Random ? options.iterations : 1;
		params.search_type = rl::sched_full;  // only for Relacy's bookkeeping; perfmc's scheduler decides
		engine.bound = round_bound;
		engine.pruned = false;
		engine.restart = false;
		rt().new_visible = false;
		round_visible.assign(rt().visible.begin(), rt().visible.end());
		res = run_round_dispatch(static_cast<int>(program.lanes.size()), params);
		engine.executions_before += params.stop_iteration;
		result.runs += params.stop_iteration;
		result.bound = round_bound;
		/*
		 * An execution that fails (a violation, a deadlock, an exception) while it turned a name
		 * visible ran with that name invisible up to there: its token, which lists the name,
		 * would not replay it. The search restarts with the name, as after a round, and finds
		 * the failure again where its token replays it.
		 */
		const bool failed_discovering = res != rl::test_result_success && rt().new_visible &&
						!engine.limited && options.search != Search::Replay;
		if (failed_discovering) {
			engine.thrown = nullptr;
			engine.thrown_lane = -1;
			engine.restart = true;
			res = rl::test_result_success;
		}
		const bool board = options.board && (options.search == Search::Exhaustive || options.search == Search::Bounded);
		if (res == rl::test_result_success && engine.restart && !engine.limited && options.stop_at_new_name) {
			/* a --jobs epoch: the coordinator restarts every shard with the new names */
			if (board)
				options.board->post(ShardBoard::key(round_bound, options.shard));
			engine.limited = true;  // not complete: the part must be searched again with the new names
			break;
		}
		if (res != rl::test_result_success && board)
			options.board->post(ShardBoard::key(round_bound, options.shard));
		if (res == rl::test_result_success && engine.restart && !engine.limited) {
			/* the search again from its first round, with the names this one found visible */
			result.restarts++;
			result.discovery_executions += engine.executions_before;
			engine.executions_before = 0;
			engine.not_owned = 0;
			round_bound = first_bound;
			engine.first_round();
			continue;
		}
		const bool more = !engine.next_items.empty() || ((engine.rerun || engine.overflow) && engine.pruned);
		bool deepen = deepening && res == rl::test_result_success && more && !engine.limited &&
			      engine.error.empty() && round_bound < 64;
		if (!deepen)
			break;
		round_bound++;
		engine.item = 0;
		if (engine.rerun || engine.overflow) {  // the whole tree again, under the next bound
			engine.rerun = true;
			engine.overflow = false;
			engine.items.assign(1, Engine::Item{});
			continue;
		}
		/*
		 * Preemptions just before a write first (where a lane that read a value is overtaken
		 * before it writes back: lost and double-counted updates), then the rest; each group in
		 * the order a depth-first search of the whole tree would reach them.
		 */
		std::sort(engine.next_items.begin(), engine.next_items.end(),
			  [](const Engine::Item &x, const Engine::Item &y) {
				  if (x.before_write != y.before_write)
					  return x.before_write;
				  return std::lexicographical_compare(
					  x.path.begin(), x.path.end(), y.path.begin(), y.path.end(),
					  [](const Node &m, const Node &n) { return m.index < n.index; });
			  });
		engine.items = std::move(engine.next_items);
		engine.next_items.clear();
		engine.item_bytes = 0;
	}
	rt().simulating = false;
	rt().set_in_lane(false);
	rt().frozen = false;

	result.executions = engine.executions_before - engine.not_owned;
	result.accesses = rt().accesses;
	result.limited = engine.limited;
	result.yielded = engine.yielded;
	result.deepening = deepening;
	if (res != rl::test_result_success) {
		if (engine.thrown)
			result.outcome = Outcome::Thrown;
		else if (rt().race_failed)
			result.outcome = Outcome::Race;
		else if (res == rl::test_result_deadlock)
			result.outcome = Outcome::Deadlock;
		else
			result.outcome = Outcome::Violation;
		if (result.outcome == Outcome::Violation)
			result.violation = rt().violation;
		materialize_races(&result.failing_races);
		copy_steps(options.max_steps, result);
		result.schedule = encode_token(engine.choices, rt().reduction);
		result.preemptions = engine.preemptions;
	}
	teardown_world();
	if (!engine.error.empty()) {
		result.outcome = Outcome::Error;
		result.error = engine.error;
	}
	result.thrown = engine.thrown;
	result.thrown_lane = engine.thrown_lane;
	result.races = engine.races;
	result.outcomes.assign(engine.outcomes.begin(), engine.outcomes.end());
	/* the names the explored executions were scheduled at; the last execution may have found more
	 * (then it ended the search: a new name with Options::stop_at_new_name, or a violation) */
	result.visible = round_visible;
	std::sort(result.visible.begin(), result.visible.end());
	for (const std::string &n : rt().visible)
		if (!std::binary_search(result.visible.begin(), result.visible.end(), n))
			result.new_names.push_back(n);
	std::sort(result.new_names.begin(), result.new_names.end());
	result.complete = result.outcome == Outcome::Ok && !engine.limited &&
			  (options.search == Search::Exhaustive || options.search == Search::Bounded) && !engine.pruned;
	result.elapsed_ms =
		std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - engine.start).count();
	if (options.progress && result.elapsed_ms >= 1000)
		std::fprintf(stderr, "\n");
	return result;
}

}  // namespace sim
