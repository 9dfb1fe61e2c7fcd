/*
 * The simulator's state for one execution, shared by the hooks (hooks.cpp, what model code calls)
 * and the runner (runner.cpp, the Relacy side). Internal to checker/sim/.
 *
 * Happens-before is tracked with vector clocks per lane, not with Relacy's own: Relacy knows no
 * marked accesses, and its rl::var aborts at the first unordered pair. Relacy gives the simulated
 * threads, the scheduling points, blocking, and deadlock detection.
 */
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "checker/sim/runner.h"
#include "model/kernel/sim.h"

namespace sim {

struct VectorClock {
	Clock c[kMaxLanes] = {};
	void join(const Clock *other)
	{
		for (int i = 0; i < kMaxLanes; i++)
			if (other[i] > c[i])
				c[i] = other[i];
	}
};

struct LaneState {
	int home_cpu = 0;
	int cpu = 0;                   // current identity (a cross-CPU call's function runs as its target)
	LaneContext in = LaneContext::Task;  // current context (a cross-CPU call's function runs in Irq)
	VectorClock vc;
	Clock fence_release[kMaxLanes] = {};  // vc at the last smp_wmb, published by later marked stores
	bool has_fence_release = false;
	VectorClock pending_acquire;   // what marked loads read since the last smp_rmb
	int irq_depth = 0;
	int preempt_depth = 0;
	int kcsan_disabled = 0;
	const Frame *stack = nullptr;
	const LockState *pending_lock = nullptr;  // the lock this lane is about to take, at its scheduling point
	const char *pending_op = nullptr;  // the field or lock name of its next visible operation; nullptr: unknown
	const LockState *pending_instance = nullptr;  // when that operation takes a lock: which one
	bool pending_write = false;    // that operation writes a field
	/*
	 * Interrupts (README, "Interrupts and cross-CPU calls"). At its scheduling point a handler
	 * about to start (an irq or nmi lane, a cross-CPU call's function) has entry_cpu set: the
	 * CPU it interrupts. Once started it owns that CPU (Runtime::cpu_owner) until it returns.
	 */
	int8_t entry_cpu = -1;
	LaneContext entry_in = LaneContext::Irq;
	int8_t interrupted = -1;       // the handler this one interrupted (an NMI in an irq), owner again at exit
};

/* lockdep's usage of one lock class in this execution (README, "IRQ safety") */
struct LockUsage {
	const char *name;
	const Frame *stack[2] = {};   // [0] {IN-HARDIRQ-W}, [1] {HARDIRQ-ON-W}: the first acquisition of each
	int8_t lane[2] = {-1, -1};
	int8_t cpu[2] = {-1, -1};
};

/* A race as detected, before its stacks are copied out of the frame arena. */
struct RaceRecord {
	const char *field;
	int8_t first_lane, second_lane;
	int8_t first_cpu, second_cpu;
	Shadow::Epoch first, second;
};

struct RawStep {
	int8_t lane, cpu;
	StepKind kind;
	Marking marking;
	const Frame *stack;
	const char *what;
	int32_t text;  // index into Runtime::texts for notes and violations, -1 otherwise
	uint64_t old_value, value;
};

/*
 * Frames of the model call stacks, kept for the whole execution (reset, not freed, between).
 * The inline frame_push() (model/kernel/sim.h) takes them from hot.next..hot.end, a chunk's free
 * run; refill() moves on to the next chunk.
 */
class FrameArena {
public:
	Frame *refill()
	{
		if (next_chunk_ == chunks_.size())
			chunks_.push_back(std::make_unique<Frame[]>(kChunk));
		hot.next = chunks_[next_chunk_++].get();
		hot.end = hot.next + kChunk;
		return hot.next++;
	}
	void reset()
	{
		next_chunk_ = 0;
		hot.next = hot.end = nullptr;  // the next push refills from the first chunk
	}

private:
	static constexpr size_t kChunk = 1024;
	std::vector<std::unique_ptr<Frame[]>> chunks_;
	size_t next_chunk_ = 0;  // the chunk refill() hands out next
};

/* The hooks the runner installs to reach Relacy (so hooks.cpp does not include it). */
struct SchedulerHooks {
	void (*schedule)() = nullptr;        // a scheduling point
	void (*park)() = nullptr;            // block the current lane until unparked
	void (*unpark)(int lane) = nullptr;
	void (*fail)() = nullptr;            // end the execution as failed (does not return)
};

struct Runtime {
	bool simulating = false;  // inside explore()
	bool &in_lane = hot.in_lane;  // a lane body runs (not setup, not finish); set with set_in_lane()
	LaneState sequential;         // the state used when no lane runs: sequential tests, setup, final check
	SchedulerHooks sched;
	int nr_lanes = 0;
	LaneState lanes[kMaxLanes];
	uint32_t generation = 1;  // per execution
	RaceMode race_mode = RaceMode::Record;
	RacePolicy policy = RacePolicy::Default;

	uint64_t now = 0, tick = 1;
	uint64_t accesses = 0;  // field accesses by lanes, over the whole search (Result::accesses)
	int sequential_cpu = 0;
	const Frame *sequential_stack = nullptr;

	std::unique_ptr<LockState> cpu_irq[kMaxCpus];      // held while a CPU's IRQs are off
	std::unique_ptr<LockState> cpu_preempt[kMaxCpus];  // held while a CPU's preemption is off
	std::unique_ptr<LockState> cpu_pmi[kMaxCpus];      // held while a CPU's PMI is masked, and by its NMI
	int8_t cpu_owner[kMaxCpus];  // the running handler that owns each CPU (the innermost), -1: none
	int pmi_masked[kMaxCpus] = {};  // sim::pmi_mask() depth: the CPU's nmi lanes do not start
	uint8_t lanes_on[3][kMaxCpus] = {};  // the program's lanes per LaneContext (task, irq, nmi) and CPU
	unsigned cpu_waiters = 0;  // lanes parked because their CPU is not theirs (only in a deadlock)
	const std::vector<LaneSpec> *specs = nullptr;  // the lanes of the program (names, for reports)
	bool prove_locking = true;  // Options::prove_locking
	std::vector<LockUsage> lock_usage;  // this execution's, by lock class

	FrameArena frames;
	std::vector<RawStep> steps;
	std::vector<std::string> texts;
	std::vector<RaceRecord> races;  // this execution's races
	bool failed = false;
	Violation violation;            // valid when failed by violation()
	bool race_failed = false;       // RaceMode::Fatal ended the execution
	std::vector<Violation> sequential_violations;

	/*
	 * The reduction: which field and lock names need scheduling points. A plain access to a field
	 * is invisible until some execution shows it in an unordered conflict; a lock is invisible
	 * until two lanes take it. When a name turns visible the search restarts with it
	 * (new_visible), so the final round explores with every name that any execution needs.
	 */
	bool reduction = true;
	std::unordered_set<std::string> visible;
	bool new_visible = false;
	bool frozen = false;      // replay: the token fixed the visible names
	int clock_lane = -1;      // the last perf_clock() read, as an epoch, for the clock's own conflicts
	Clock clock_epoch = 0;
	std::string cpu_lock_names[3][kMaxCpus];

	/* per name pointer: a direct-mapped cache in front of the set (checked at every access) */
	struct VisibleSlot {
		const char *name = nullptr;
		bool visible = false;
	};
	static constexpr size_t kVisibleSlots = 1024;
	VisibleSlot visible_cache[kVisibleSlots];

	bool is_visible(const char *name)
	{
		if (!reduction)
			return true;
		VisibleSlot &slot = visible_cache[(reinterpret_cast<uintptr_t>(name) >> 3) % kVisibleSlots];
		if (slot.name != name) {
			slot.name = name;
			slot.visible = visible.count(name) > 0;
		}
		return slot.visible;
	}
	void clear_visible_cache()
	{
		for (VisibleSlot &slot : visible_cache)
			slot = VisibleSlot{};
	}
	void make_visible(const char *name)
	{
		if (!reduction || frozen || is_visible(name) || !visible.insert(name).second)
			return;
		clear_visible_cache();
		new_visible = true;
	}

	/*
	 * The visible fields the running lane has ghost-accessed (peek()/poke()) since the search last
	 * chose a lane: its step touches them although they are not its pending operation, so the
	 * search wakes the lanes asleep on them (README, "The reduction", item 5).
	 */
	std::vector<const char *> touched;
	void ghost_touched(const char *name)
	{
		if (touched.empty() || touched.back() != name)
			touched.push_back(name);
	}

	void begin_execution(int nr_lanes_, const std::vector<LaneSpec> &specs);
	int cur_lane = 0;  // the running lane, as the runner's scheduler last chose it (set_lane())
	int lane() const { return cur_lane; }
	void set_lane(int l)
	{
		cur_lane = l;
		hot.top = in_lane ? &lanes[l].stack : &sequential.stack;
	}
	void set_in_lane(bool on)
	{
		in_lane = on;
		hot.top = on ? &lanes[cur_lane].stack : &sequential.stack;
	}
	LaneState &current() { return lanes[lane()]; }

	/*
	 * The seam between the semantics (hooks.cpp: what a lane is about to do) and the search
	 * (runner.cpp: which lane runs next). At a scheduling point the search asks only these two:
	 * whether a lane can take its next step now, and whether the next steps of two lanes may fail
	 * to commute. Whatever restricts when a lane may run belongs in enabled(): a held lock, and
	 * the interrupt rules (README, "Interrupts and cross-CPU calls"): a lane runs only while its
	 * CPU is its own (no handler above it there, no other task lane of the CPU with preemption
	 * off), and a handler starts only where its CPU can take it. Whatever orders two steps
	 * belongs in dependent(): a shared name or lock, and a shared CPU.
	 *
	 * The search must resume only enabled lanes, with one exception: when no lane is enabled
	 * (a deadlock) it may resume any, and the lane blocks (hooks.cpp parks a lane waiting for a
	 * lock or for its CPU), so that Relacy reports the deadlock once every lane is parked. The
	 * hooks make every scheduling point a call of SchedulerHooks::schedule(); a lane's first one
	 * comes before any of its code when it is a handler (its start).
	 */
	bool enabled(int lane) const
	{
		const LockState *l = lanes[lane].pending_lock;
		return (!l || l->owner == -1 || l->owner == lane) && cpu_allows(lane);
	}
	/*
	 * The CPU side of enabled(). A handler about to start on CPU c: an irq (or a cross-CPU
	 * call's function) when no handler runs on c; an nmi when no NMI runs on c (their pending
	 * lock, c's IRQ exclusion or PMI mask, says whether c has IRQs off or its PMI masked). Any
	 * other lane: when no handler above it owns its CPU, and, for a task lane, when no other
	 * task lane of its CPU has preemption off (full preemption, CONFIG_PREEMPT).
	 */
	bool cpu_allows(int lane) const
	{
		const LaneState &l = lanes[lane];
		if (l.entry_cpu >= 0) {
			const int top = cpu_owner[l.entry_cpu];
			if (l.entry_in == LaneContext::Nmi)
				return top < 0 || lanes[top].in != LaneContext::Nmi;
			return top < 0;
		}
		const int top = cpu_owner[l.cpu];
		if (top >= 0)
			return top == lane;
		if (l.in == LaneContext::Task) {
			const int p = cpu_preempt[l.cpu]->owner;
			return p < 0 || p == lane;
		}
		return true;
	}
	/*
	 * Two pending operations commute when they are on different CPUs and both are known and
	 * take different lock instances, or name different fields or clocks (names, not instances:
	 * conservative); README, "The reduction". Steps on one CPU never commute: each can start
	 * or end a handler, or disable preemption or IRQs, and so disable the other; a handler's
	 * entry is on the CPU it interrupts (and its caller's).
	 */
	bool dependent(int a, int b) const
	{
		const LaneState &la = lanes[a], &lb = lanes[b];
		if (cpus_of(la) & cpus_of(lb))
			return true;
		const char *x = la.pending_op, *y = lb.pending_op;
		if (!x || !y)
			return true;
		if (la.pending_instance && lb.pending_instance)
			return la.pending_instance == lb.pending_instance;
		return x == y || std::strcmp(x, y) == 0;
	}
	static unsigned cpus_of(const LaneState &l)
	{
		return 1u << l.cpu | (l.entry_cpu >= 0 ? 1u << l.entry_cpu : 0u);
	}
};

extern Runtime the_runtime;  // hooks.cpp
inline Runtime &runtime() { return the_runtime; }

std::vector<FrameInfo> copy_stack(const Frame *frame);

/*
 * The current lane starts a handler on `cpu` (a scheduling point: the search chooses where it
 * interrupts the CPU), and returns from it. The runner brackets irq and nmi lanes with these;
 * call_on_cpu() brackets a cross-CPU call's function.
 */
void handler_enter(int cpu, LaneContext in);
void handler_exit();

}  // namespace sim
