/*
 * What model code calls (model/kernel/sim.h), implemented on the runtime state. No Relacy here:
 * scheduling, blocking and failing go through the Scheduler hooks the runner installs.
 *
 * The race check is KCSAN's definition on vector clocks: two accesses to the same field from
 * different lanes, at least one a write, at least one plain, unordered by happens-before (lock
 * release to acquire, marked release to marked acquire, smp_wmb/smp_rmb message passing, lane
 * start). The default policy drops conflicts whose only plain accesses are writes of at most a
 * word (CONFIG_KCSAN_ASSUME_PLAIN_WRITES_ATOMIC=y); data_race() is never reported.
 */
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "checker/sim/runtime.h"

namespace sim {

Hot hot;
Runtime the_runtime;
[[maybe_unused]] static const bool hot_ready = (hot.top = &the_runtime.sequential.stack, true);

static LaneState &sequential_lane() { return runtime().sequential; }

static LaneState &cur()
{
	Runtime &rt = runtime();
	return rt.in_lane ? rt.current() : sequential_lane();
}

void Runtime::begin_execution(int n, const std::vector<LaneSpec> &specs)
{
	generation++;
	nr_lanes = n;
	for (int i = 0; i < kMaxLanes; i++) {
		lanes[i] = LaneState{};
		if (i < n) {
			lanes[i].home_cpu = lanes[i].cpu = specs[i].cpu;
			lanes[i].in = specs[i].in;
		}
		lanes[i].vc.c[i] = 1;
	}
	for (int c = 0; c < kMaxCpus; c++) {
		if (!cpu_irq[c]) {
			cpu_irq[c] = std::make_unique<LockState>("cpu.irqs_disabled");
			cpu_preempt[c] = std::make_unique<LockState>("cpu.preempt_disabled");
			cpu_pmi[c] = std::make_unique<LockState>("cpu.pmi_masked");
		}
		if (cpu_lock_names[0][c].empty()) {
			cpu_lock_names[0][c] = "cpu" + std::to_string(c) + ".irqs_disabled";
			cpu_lock_names[1][c] = "cpu" + std::to_string(c) + ".preempt_disabled";
			cpu_lock_names[2][c] = "cpu" + std::to_string(c) + ".pmi_masked";
		}
		*cpu_irq[c] = LockState(cpu_lock_names[0][c].c_str());
		*cpu_preempt[c] = LockState(cpu_lock_names[1][c].c_str());
		*cpu_pmi[c] = LockState(cpu_lock_names[2][c].c_str());
		cpu_owner[c] = -1;
		pmi_masked[c] = 0;
	}
	cpu_waiters = 0;
	this->specs = &specs;
	std::memset(lanes_on, 0, sizeof(lanes_on));
	for (int i = 0; i < n; i++)
		lanes_on[static_cast<int>(specs[i].in)][specs[i].cpu]++;
	lock_usage.clear();
	sequential_lane() = LaneState{};
	frames.reset();
	steps.clear();
	texts.clear();
	races.clear();
	touched.clear();
	failed = false;
	race_failed = false;
	violation = Violation{};
	now = 0;
	clock_lane = -1;
	clock_epoch = 0;
}

std::vector<FrameInfo> copy_stack(const Frame *frame)
{
	std::vector<FrameInfo> out;
	for (; frame; frame = frame->parent)
		out.push_back(FrameInfo{frame->function, frame->line, frame->inlined, frame->file});
	return out;
}

static int record_step(StepKind kind, Marking marking, const char *what, uint64_t old_value, uint64_t value,
		       int32_t text = -1)
{
	Runtime &rt = runtime();
	LaneState &l = rt.current();
	rt.steps.push_back(RawStep{static_cast<int8_t>(rt.lane()), static_cast<int8_t>(l.cpu), kind, marking, l.stack,
				   what, text, old_value, value});
	return static_cast<int>(rt.steps.size()) - 1;
}

static int record_text_step(StepKind kind, std::string text)
{
	Runtime &rt = runtime();
	rt.texts.push_back(std::move(text));
	return record_step(kind, Marking::Plain, nullptr, 0, 0, static_cast<int32_t>(rt.texts.size()) - 1);
}

static const char *const cpu_names[kMaxCpus] = {"cpu0", "cpu1", "cpu2", "cpu3", "cpu4", "cpu5", "cpu6", "cpu7"};

static std::string lane_name(int lane)
{
	Runtime &rt = runtime();
	if (lane < 0 || !rt.specs || lane >= static_cast<int>(rt.specs->size()))
		return "lane " + std::to_string(lane);
	return (*rt.specs)[lane].name;
}

/*
 * A lane whose CPU is not its own (a handler above it there, or another task lane with
 * preemption off) waits. The search never resumes such a lane (Runtime::enabled()) unless no
 * lane is enabled at all, a deadlock, where it runs each into its block: the lane parks, and
 * Relacy reports the deadlock once every lane is parked. Woken by wake_cpu_waiters().
 */
static void wait_for_cpu()
{
	Runtime &rt = runtime();
	const int t = rt.lane();
	while (!rt.cpu_allows(t)) {
		const LaneState &l = rt.lanes[t];
		rt.cpu_waiters |= 1u << t;
		record_step(StepKind::Block, Marking::Plain, cpu_names[l.entry_cpu >= 0 ? l.entry_cpu : l.cpu], 0, 0);
		rt.sched.park();
	}
}

static void wake_cpu_waiters()
{
	Runtime &rt = runtime();
	const unsigned waiters = rt.cpu_waiters;
	rt.cpu_waiters = 0;
	for (int w = 0; w < kMaxLanes; w++)
		if (waiters & (1u << w))
			rt.sched.unpark(w);
}

/* A scheduling point: the search picks the lane that runs next (an enabled one). */
static void schedule_here()
{
	runtime().sched.schedule();
	wait_for_cpu();
}

void schedule_access_in_lane(const char *name, Marking marking, AccessType type)
{
	Runtime &rt = runtime();
	if (rt.in_lane && rt.is_visible(name)) {
		LaneState &l = rt.current();
		l.pending_op = name;
		l.pending_write = type != AccessType::Read;
		schedule_here();
		l.pending_op = nullptr;
		l.pending_write = false;
	}
}

void schedule_point()
{
	Runtime &rt = runtime();
	if (rt.in_lane)
		schedule_here();
}

/*
 * A shadow's first access in an execution: only what is read before it is written is cleared
 * (a zero clock means no access; the release clock is read only while has_release holds).
 */
static void reset_shadow(Shadow &sh, uint32_t generation, int nr_lanes)
{
	sh.last_write.clock = 0;
	sh.write_lane = -1;
	for (int u = 0; u < nr_lanes; u++)
		sh.reads[u].clock = 0;
	sh.has_release = false;
	for (int u = 0; u < nr_lanes; u++)
		sh.ghost_reads[u] = 0;
	sh.ghost_write = 0;
	sh.ghost_write_lane = -1;
	sh.generation = generation;
}

/* Would KCSAN report a conflict between these two accesses? (Both conflict and are unordered.) */
static bool reportable(const Shadow::Epoch &a, const Shadow::Epoch &b, RacePolicy policy)
{
	if (a.marking == Marking::DataRace || b.marking == Marking::DataRace)
		return false;
	bool a_plain = a.marking == Marking::Plain, b_plain = b.marking == Marking::Plain;
	if (!a_plain && !b_plain)
		return false;
	if (policy == RacePolicy::Strict)
		return true;
	/* kernel/kcsan/core.c is_atomic(): aligned plain writes up to word size, not compound */
	auto assumed_atomic = [](const Shadow::Epoch &e) { return e.type == AccessType::Write && e.size <= 8; };
	return (a_plain && !assumed_atomic(a)) || (b_plain && !assumed_atomic(b));
}

static void found_race(const char *name, int first_lane, const Shadow::Epoch &first, int second_lane,
		       const Shadow::Epoch &second)
{
	Runtime &rt = runtime();
	rt.races.push_back(RaceRecord{name, static_cast<int8_t>(first_lane), static_cast<int8_t>(second_lane),
				      static_cast<int8_t>(first.trace >= 0 ? rt.steps[first.trace].cpu : -1),
				      static_cast<int8_t>(rt.current().cpu), first, second});
	if (rt.race_mode == RaceMode::Fatal && !rt.failed) {
		rt.failed = true;
		rt.race_failed = true;
		rt.sched.fail();
	}
}

/*
 * The reduction's view of ghost accesses: a real access of lane t against another lane's
 * unordered ghost access of the field (a ghost read, if t writes; a ghost write), or the
 * reverse: both orders can give different values to what the ghost code decides, so the field
 * needs scheduling points, as for a real conflict. Two ghost accesses are no conflict: neither
 * is ever a scheduling point, so making the field visible would change nothing.
 */
static void ghost_conflicts(const Shadow &sh, const char *name, int t, bool is_write)
{
	Runtime &rt = runtime();
	const LaneState &l = rt.lanes[t];
	if (sh.ghost_write_lane >= 0 && sh.ghost_write_lane != t && l.vc.c[sh.ghost_write_lane] < sh.ghost_write)
		rt.make_visible(name);
	if (is_write)
		for (int u = 0; u < rt.nr_lanes; u++)
			if (u != t && sh.ghost_reads[u] && l.vc.c[u] < sh.ghost_reads[u])
				rt.make_visible(name);
}

void ghost_access_in_lane(Shadow &sh, const char *name, bool write)
{
	Runtime &rt = runtime();
	if (!rt.reduction)
		return;
	if (sh.generation != rt.generation)
		reset_shadow(sh, rt.generation, rt.nr_lanes);
	const int t = rt.lane();
	const LaneState &l = rt.lanes[t];
	/* against the other lanes' real accesses: their last write; their reads, if this writes */
	if (sh.write_lane >= 0 && sh.write_lane != t && l.vc.c[sh.write_lane] < sh.last_write.clock)
		rt.make_visible(name);
	if (write)
		for (int u = 0; u < rt.nr_lanes; u++)
			if (u != t && sh.reads[u].clock && l.vc.c[u] < sh.reads[u].clock)
				rt.make_visible(name);
	if (write) {
		sh.ghost_write = l.vc.c[t];
		sh.ghost_write_lane = static_cast<int8_t>(t);
	} else {
		sh.ghost_reads[t] = l.vc.c[t];
	}
	if (rt.is_visible(name))
		rt.ghost_touched(name);
}

void check_access_in_lane(Shadow &sh, const char *name, AccessType type, Marking marking, Order order, unsigned size,
		  uint64_t old_value, uint64_t new_value)
{
	Runtime &rt = runtime();
	if (!rt.in_lane)
		return;
	rt.accesses++;
	if (sh.generation != rt.generation)
		reset_shadow(sh, rt.generation, rt.nr_lanes);
	const int t = rt.lane();
	LaneState &l = rt.lanes[t];
	if (l.kcsan_disabled)
		marking = Marking::DataRace;
	const bool is_write = type != AccessType::Read;
	const bool marked = marking == Marking::Once || marking == Marking::Atomic;

	/*
	 * Reading another lane's unordered write is a conflict for the reduction even when the read
	 * then synchronises with it (an acquire load of a release store): which of the two runs first
	 * decides what is read, so the field needs scheduling points. Checked before the join below,
	 * which would order the two and hide it.
	 */
	if (sh.write_lane >= 0 && sh.write_lane != t && l.vc.c[sh.write_lane] < sh.last_write.clock)
		rt.make_visible(name);
	ghost_conflicts(sh, name, t, is_write);

	/* a marked load synchronises with the release it reads from: now (acquire) or at the next smp_rmb */
	if (marked && !is_write && sh.has_release) {
		if (order == Order::Acquire || order == Order::AcqRel)
			l.vc.join(sh.release);
		else
			l.pending_acquire.join(sh.release);
	}
	if (marked && type == AccessType::ReadWrite && sh.has_release &&
	    (order == Order::Acquire || order == Order::AcqRel))
		l.vc.join(sh.release);

	StepKind kind = type == AccessType::Read    ? StepKind::Read
			: type == AccessType::Write ? StepKind::Write
						    : StepKind::ReadWrite;
	const int step = record_step(kind, marking, name, old_value, new_value);
	const Shadow::Epoch now{l.vc.c[t], marking, type, static_cast<uint8_t>(size), step};

	/*
	 * An unordered conflict, marked or not: the field needs scheduling points (the order of the
	 * two accesses can change what is read); reported only if KCSAN would report it.
	 */
	auto conflict = [&](int u, const Shadow::Epoch &earlier) {
		rt.make_visible(name);
		if (reportable(earlier, now, rt.policy))
			found_race(name, u, earlier, t, now);
	};
	if (sh.write_lane >= 0 && sh.write_lane != t && l.vc.c[sh.write_lane] < sh.last_write.clock)
		conflict(sh.write_lane, sh.last_write);
	if (is_write)
		for (int u = 0; u < rt.nr_lanes; u++)
			if (u != t && sh.reads[u].clock && l.vc.c[u] < sh.reads[u].clock)
				conflict(u, sh.reads[u]);

	if (is_write) {
		sh.last_write = now;
		sh.write_lane = static_cast<int8_t>(t);
	} else {
		sh.reads[t] = now;
	}

	/* what a store publishes for the marked loads that will read it */
	if (marked && is_write) {
		if (order == Order::Release || order == Order::AcqRel) {
			std::memcpy(sh.release, l.vc.c, sizeof(sh.release));
			sh.has_release = true;
			l.vc.c[t]++;
		} else if (l.has_fence_release) {
			std::memcpy(sh.release, l.fence_release, sizeof(sh.release));
			sh.has_release = true;
		} else if (type != AccessType::ReadWrite) {
			sh.has_release = false;  // a relaxed store ends the release sequence; an RMW continues it
		}
	} else if (is_write) {
		sh.has_release = false;
	}
}

void fence_acquire()
{
	Runtime &rt = runtime();
	if (!rt.in_lane)
		return;
	LaneState &l = rt.current();
	l.vc.join(l.pending_acquire.c);
}

void fence_release()
{
	Runtime &rt = runtime();
	if (!rt.in_lane)
		return;
	LaneState &l = rt.current();
	std::memcpy(l.fence_release, l.vc.c, sizeof(l.fence_release));
	l.has_fence_release = true;
	l.vc.c[rt.lane()]++;
}

void fence_full()
{
	fence_acquire();
	fence_release();
}

static void reset_if_stale(LockState &lock)
{
	Runtime &rt = runtime();
	if (lock.generation != rt.generation) {
		lock.owner = -1;
		lock.waiters = 0;
		lock.acquired_by = 0;
		std::memset(lock.release, 0, sizeof(lock.release));
		lock.generation = rt.generation;
	}
}

static bool is_exclusion(LockKind kind) { return kind == LockKind::Exclusion; }

static const char *context_name(const LaneState &l)
{
	return l.in == LaneContext::Nmi ? "NMI" : l.in == LaneContext::Irq ? "hard IRQ" : "task";
}

static std::string stack_text(const Frame *frame)
{
	std::string out;
	for (const FrameInfo &f : copy_stack(frame))
		out += fmt::format("\n   {} {}:{}{}", f.function, f.file, f.line, f.inlined ? " [inline]" : "");
	return out;
}

/*
 * lockdep's IRQ-usage check (kernel/locking/lockdep.c, mark_lock() -> print_usage_bug()): per
 * lock class, the first acquisition in hard-IRQ (or NMI) context, {IN-HARDIRQ-W}, and the first
 * in task context with IRQs enabled, {HARDIRQ-ON-W}. Both in one execution: an interrupt can
 * arrive while a task holds the lock, on the task's CPU, and spin on it for ever.
 */
static void check_irq_usage(const LockState &lock)
{
	Runtime &rt = runtime();
	const int t = rt.lane();
	const LaneState &l = rt.lanes[t];
	const int usage = l.in != LaneContext::Task ? 0 : l.irq_depth == 0 ? 1 : -1;
	if (usage < 0)
		return;
	LockUsage *u = nullptr;
	for (LockUsage &x : rt.lock_usage)
		if (x.name == lock.name || std::strcmp(x.name, lock.name) == 0)
			u = &x;
	if (!u)
		u = &rt.lock_usage.emplace_back(LockUsage{lock.name});
	const int other = 1 - usage;
	if (u->lane[other] >= 0) {
		static const char *const state[2] = {"{IN-HARDIRQ-W}", "{HARDIRQ-ON-W}"};
		static const char *const how[2] = {"in hard-IRQ context", "with IRQs enabled"};
		const std::string now = usage == 0 ? fmt::format("in {} context", context_name(l)) : how[1];
		const std::string detail = fmt::format(
			"inconsistent {} -> {} usage.\n  {} (cpu{}) takes {} {}:{}\n  {} state was registered by {} "
			"(cpu{}), {}:{}\n  Possible unsafe locking scenario: CPU0: lock({}); <Interrupt> lock({}); *** DEADLOCK ***",
			state[other], state[usage], lane_name(t), l.cpu, lock.name, now, stack_text(l.stack),
			state[other], lane_name(u->lane[other]), u->cpu[other], how[other], stack_text(u->stack[other]),
			lock.name, lock.name);
		violation("irq-unsafe-lock", detail.c_str());
		return;
	}
	if (u->lane[usage] < 0) {
		u->lane[usage] = static_cast<int8_t>(t);
		u->cpu[usage] = static_cast<int8_t>(l.cpu);
		u->stack[usage] = l.stack;
	}
}

/*
 * A handler that spins on a lock held by code it interrupted never gets it: that code cannot run
 * on the CPU until the handler returns (CONFIG_DEBUG_SPINLOCK: "spinlock cpu recursion").
 */
static void check_spin_on_interrupted(const LockState &lock)
{
	Runtime &rt = runtime();
	const int t = rt.lane(), owner = lock.owner;
	const LaneState &l = rt.lanes[t];
	if (owner < 0 || owner == t || owner >= kMaxLanes || rt.cpu_owner[l.cpu] != t)
		return;
	const LaneState &o = rt.lanes[owner];
	if (o.cpu != l.cpu && o.home_cpu != l.cpu)
		return;  // the owner runs on another CPU (a cross-CPU call's function away from its home is still its home's)
	violation("deadlock",
		  fmt::format("BUG: spinlock cpu recursion on CPU#{}: {} ({}) spins on {}, held by {}, which it "
			      "interrupted and which cannot run again on cpu{} until it returns",
			      l.cpu, lane_name(t), context_name(l), lock.name, lane_name(owner), l.cpu)
			  .c_str());
}

/* might_sleep(): a mutex sleeps, which no interrupt handler and no atomic section may (kernel/sched/core.c __might_resched()) */
static void check_might_sleep(const LockState &lock)
{
	const LaneState &l = runtime().current();
	if (l.in == LaneContext::Task && l.irq_depth == 0 && l.preempt_depth == 0)
		return;
	const std::string where = l.in != LaneContext::Task ? fmt::format("in {} context", context_name(l))
				  : l.irq_depth			? std::string("with IRQs disabled")
								: std::string("with preemption disabled");
	violation("kernel-warning",
		  fmt::format("BUG: sleeping function called from invalid context: mutex_lock({}) {} (in_atomic(): 1, "
			      "irqs_disabled(): {})",
			      lock.name, where, l.irq_depth > 0 || l.in != LaneContext::Task ? 1 : 0)
			  .c_str());
}

void lock_acquire(LockState &lock, LockKind kind)
{
	Runtime &rt = runtime();
	if (!rt.in_lane) {
		if (lock.owner == kSequentialLane)
			violation("lockdep", "recursive locking in sequential code");
		lock.owner = kSequentialLane;
		return;
	}
	reset_if_stale(lock);
	const int t = rt.lane();
	if (kind == LockKind::Mutex)
		check_might_sleep(lock);
	if (kind == LockKind::Spin) {
		if (rt.prove_locking)
			check_irq_usage(lock);
		check_spin_on_interrupted(lock);
	}
	if (rt.is_visible(lock.name)) {
		rt.lanes[t].pending_lock = &lock;
		rt.lanes[t].pending_instance = &lock;
		rt.lanes[t].pending_op = lock.name;
		schedule_here();
		rt.lanes[t].pending_lock = nullptr;
		rt.lanes[t].pending_instance = nullptr;
		rt.lanes[t].pending_op = nullptr;
	}
	lock.acquired_by |= 1u << t;
	if (lock.acquired_by & ~(1u << t))
		rt.make_visible(lock.name);
	if (lock.owner == t) {
		violation("lockdep", (std::string("recursive locking of ") + lock.name).c_str());
		return;
	}
	while (lock.owner != -1) {
		lock.waiters |= 1u << t;
		record_step(StepKind::Block, Marking::Plain, lock.name, 0, 0);
		rt.sched.park();
		wait_for_cpu();
	}
	lock.owner = t;
	rt.lanes[t].vc.join(lock.release);
	if (!is_exclusion(kind))
		record_step(StepKind::Acquire, Marking::Plain, lock.name, 0, 0);
	/*
	 * A handler of this CPU may start while the lock is held, and spin on it: a scheduling point
	 * just inside the critical section, where the lock is visible and an irq (IRQs on) or an
	 * NMI lane of the CPU could start (README, "Where a handler can start").
	 */
	LaneState &l = rt.lanes[t];
	if (kind == LockKind::Spin && l.in != LaneContext::Nmi && rt.is_visible(lock.name) &&
	    (rt.lanes_on[2][l.cpu] || (l.irq_depth == 0 && rt.lanes_on[1][l.cpu]))) {
		l.pending_op = lock.name;
		l.pending_instance = &lock;
		schedule_here();
		l.pending_op = nullptr;
		l.pending_instance = nullptr;
	}
}

bool lock_try_acquire(LockState &lock, LockKind kind)
{
	Runtime &rt = runtime();
	if (!rt.in_lane) {
		if (lock.owner != -1 && lock.owner != kSequentialLane)
			return false;
		lock.owner = kSequentialLane;
		return true;
	}
	reset_if_stale(lock);
	const int t = rt.lane();
	if (rt.is_visible(lock.name)) {
		rt.lanes[t].pending_instance = &lock;
		rt.lanes[t].pending_op = lock.name;
		schedule_here();
		rt.lanes[t].pending_instance = nullptr;
		rt.lanes[t].pending_op = nullptr;
	}
	lock.acquired_by |= 1u << t;
	if (lock.acquired_by & ~(1u << t))
		rt.make_visible(lock.name);
	if (lock.owner != -1)
		return false;
	lock.owner = t;
	rt.lanes[t].vc.join(lock.release);
	if (!is_exclusion(kind))
		record_step(StepKind::Acquire, Marking::Plain, lock.name, 0, 0);
	return true;
}

void lock_release(LockState &lock, LockKind kind)
{
	Runtime &rt = runtime();
	if (!rt.in_lane) {
		lock.owner = -1;
		return;
	}
	reset_if_stale(lock);
	const int t = rt.lane();
	if (lock.owner != t) {
		violation("lockdep", (std::string("release of ") + lock.name + " which this CPU does not hold").c_str());
		return;
	}
	LaneState &l = rt.lanes[t];
	std::memcpy(lock.release, l.vc.c, sizeof(lock.release));
	l.vc.c[t]++;
	lock.owner = -1;
	if (!is_exclusion(kind))
		record_step(StepKind::Release, Marking::Plain, lock.name, 0, 0);
	unsigned waiters = lock.waiters;
	lock.waiters = 0;
	for (int w = 0; w < kMaxLanes; w++)
		if (waiters & (1u << w))
			rt.sched.unpark(w);
	if (is_exclusion(kind))
		wake_cpu_waiters();
}

bool lock_held(const LockState &lock)
{
	Runtime &rt = runtime();
	if (!rt.in_lane)
		return lock.owner == kSequentialLane;
	return lock.generation == rt.generation && lock.owner == rt.lane();
}

/*
 * Preemption off: the CPU's other task lanes do not run (Runtime::cpu_allows()), and wait here
 * if they take it themselves. IRQs off: also the CPU's irq lanes and the cross-CPU calls aimed
 * at it do not start. An NMI is excluded by neither. Handlers run with both off from entry.
 */
void preempt_off()
{
	Runtime &rt = runtime();
	LaneState &l = cur();
	if (l.preempt_depth++ == 0 && rt.in_lane && l.in == LaneContext::Task) {
		/* it disables the CPU's other task lanes, which need not take it themselves: a scheduling point */
		if (rt.lanes_on[0][l.cpu] > 1)
			rt.make_visible(rt.cpu_preempt[l.cpu]->name);
		lock_acquire(*rt.cpu_preempt[l.cpu], LockKind::Exclusion);
	}
}

void preempt_on()
{
	Runtime &rt = runtime();
	LaneState &l = cur();
	if (l.preempt_depth <= 0) {
		violation("kernel-warning", "preempt_enable() without preempt_disable()");
		return;
	}
	if (--l.preempt_depth == 0 && rt.in_lane && l.in == LaneContext::Task)
		lock_release(*rt.cpu_preempt[l.cpu], LockKind::Exclusion);
}

int preempt_depth() { return cur().preempt_depth; }

void irq_off()
{
	Runtime &rt = runtime();
	preempt_off();
	LaneState &l = cur();
	if (l.irq_depth++ == 0 && rt.in_lane && l.in != LaneContext::Nmi)
		lock_acquire(*rt.cpu_irq[l.cpu], LockKind::Exclusion);
}

void irq_on()
{
	Runtime &rt = runtime();
	LaneState &l = cur();
	if (l.irq_depth <= 0) {
		violation("kernel-warning", "local_irq_enable() with IRQs enabled");
		return;
	}
	if (--l.irq_depth == 0 && rt.in_lane && l.in != LaneContext::Nmi)
		lock_release(*rt.cpu_irq[l.cpu], LockKind::Exclusion);
	preempt_on();
}

bool irqs_off() { return cur().irq_depth > 0; }

/*
 * A handler starts on `cpu`: an irq or nmi lane at its beginning, a cross-CPU call's function.
 * Where is a choice: this is a scheduling point whose pending operation is the entry, enabled
 * where the CPU can take it (Runtime::cpu_allows()) and dependent on everything the CPU's lanes
 * do. From here to handler_exit() the lane owns the CPU: the code it interrupted waits.
 */
void handler_enter(int cpu, LaneContext in)
{
	Runtime &rt = runtime();
	const int t = rt.lane();
	LaneState &l = rt.lanes[t];
	const bool nmi = in == LaneContext::Nmi;
	LockState &excl = nmi ? *rt.cpu_pmi[cpu] : *rt.cpu_irq[cpu];  // what keeps it out: the PMI masked, IRQs off
	reset_if_stale(excl);
	l.entry_cpu = static_cast<int8_t>(cpu);
	l.entry_in = in;
	l.pending_op = nmi ? "nmi entry" : "irq entry";
	l.pending_instance = &excl;
	l.pending_lock = &excl;
	rt.sched.schedule();
	for (;;) {  // only a deadlock resumes a handler that cannot start (wait_for_cpu())
		wait_for_cpu();
		if (excl.owner == -1)
			break;
		excl.waiters |= 1u << t;
		record_step(StepKind::Block, Marking::Plain, excl.name, 0, 0);
		rt.sched.park();
	}
	l.pending_op = nullptr;
	l.pending_instance = nullptr;
	l.pending_lock = nullptr;
	l.entry_cpu = -1;
	l.interrupted = rt.cpu_owner[cpu];
	rt.cpu_owner[cpu] = static_cast<int8_t>(t);
	l.cpu = cpu;
	l.in = in;
	l.irq_depth = 1;
	l.preempt_depth = 1;
	/* held to the exit, as a local_irq_disable() would hold it: release to acquire orders */
	excl.acquired_by |= 1u << t;
	if (excl.acquired_by & ~(1u << t))
		rt.make_visible(excl.name);
	excl.owner = t;
	l.vc.join(excl.release);
	if (rt.specs && (*rt.specs)[t].in == in)  // an irq or nmi lane (a cross-CPU call says so itself)
		record_text_step(StepKind::Note, fmt::format("{}: starts on cpu{}; what it interrupts waits until it returns",
							     nmi ? "NMI" : "hard IRQ", cpu));
}

/* The handler returns: the CPU goes back to the code it interrupted. */
void handler_exit()
{
	Runtime &rt = runtime();
	const int t = rt.lane();
	LaneState &l = rt.lanes[t];
	const int cpu = l.cpu;
	lock_release(l.in == LaneContext::Nmi ? *rt.cpu_pmi[cpu] : *rt.cpu_irq[cpu], LockKind::Exclusion);
	if (l.in == LaneContext::Nmi) {
		/*
		 * What takes the CPU's IRQ exclusion next (an irq, an IPI, the task's local_irq_disable())
		 * runs after the NMI on this CPU and can never be interrupted by it any more: ordered
		 * after it. (Not the other way: an NMI can land in an irq handler.)
		 */
		LockState &irq = *rt.cpu_irq[cpu], &pmi = *rt.cpu_pmi[cpu];
		reset_if_stale(irq);
		for (int i = 0; i < kMaxLanes; i++)
			irq.release[i] = std::max(irq.release[i], pmi.release[i]);
	}
	rt.cpu_owner[cpu] = l.interrupted;
	l.interrupted = -1;
	l.irq_depth = 0;
	l.preempt_depth = 0;
	wake_cpu_waiters();
}

bool in_nmi_lane()
{
	Runtime &rt = runtime();
	return rt.in_lane && rt.current().in == LaneContext::Nmi && rt.current().irq_depth > 0;
}

bool in_interrupt_lane()
{
	Runtime &rt = runtime();
	return rt.in_lane && rt.current().in != LaneContext::Task && rt.current().irq_depth > 0;
}

/* sim.h: the NMI returns and its self-IPI is taken on the same CPU, on the same lane */
void nmi_return_to_irq()
{
	Runtime &rt = runtime();
	if (!in_nmi_lane())
		return;
	const int cpu = rt.current().cpu;
	record_text_step(StepKind::Note, fmt::format("NMI: returns on cpu{}; its irq_work self-IPI is taken as a hard IRQ "
						     "where cpu{} has IRQs on", cpu, cpu));
	handler_exit();
	handler_enter(cpu, LaneContext::Irq);
	record_text_step(StepKind::Note, fmt::format("hard IRQ (irq_work self-IPI): starts on cpu{}", cpu));
}

void kcsan_disable_current() { cur().kcsan_disabled++; }
void kcsan_enable_current() { cur().kcsan_disabled--; }

int current_cpu() { return cur().cpu; }
int current_lane() { return runtime().in_lane ? runtime().lane() : -1; }
bool running() { return runtime().in_lane; }
void set_sequential_cpu(int cpu) { sequential_lane().cpu = sequential_lane().home_cpu = cpu; }

/*
 * The PMI masked (the PMU disabled): the CPU's exclusion for its nmi lanes, as IRQs off is for
 * its irq lanes. An NMI holds it from entry to exit; masking takes it (a scheduling point once
 * an NMI has taken it too), and orders the masked code with the NMIs before and after it.
 */
void pmi_mask()
{
	Runtime &rt = runtime();
	if (!rt.in_lane)
		return;
	LaneState &l = rt.current();
	if (rt.pmi_masked[l.cpu]++ == 0)
		lock_acquire(*rt.cpu_pmi[l.cpu], LockKind::Exclusion);
}

void pmi_unmask()
{
	Runtime &rt = runtime();
	if (!rt.in_lane)
		return;
	LaneState &l = rt.current();
	if (rt.pmi_masked[l.cpu] <= 0) {
		violation("kernel-warning", "the PMI was unmasked while not masked");
		return;
	}
	if (--rt.pmi_masked[l.cpu] == 0)
		lock_release(*rt.cpu_pmi[l.cpu], LockKind::Exclusion);
}

/*
 * kernel/smp.c: smp_call_function_single(), wait=1. On the caller's own CPU, func runs at once
 * with IRQs off (generic_exec_single()). On another CPU it is an IPI: func runs in hard-IRQ
 * context on the target (on this lane, as that CPU: handler_enter()), once the target has IRQs
 * on and no handler running, while the caller spins in csd_lock_wait() with preemption off
 * (get_cpu()). The caller sees it done only when its own CPU runs it again: a scheduling point
 * that waits while a handler owns the caller's CPU. An idle CPU (no lane) takes it at once.
 */
void call_on_cpu(int cpu, void (*fn)(void *), void *info)
{
	Runtime &rt = runtime();
	LaneState &l = cur();
	if (rt.in_lane && (l.irq_depth > 0 || l.in != LaneContext::Task))
		violation("kernel-warning", "WARN_ON_ONCE(cpu_online(this_cpu) && irqs_disabled()) in "
					    "smp_call_function_single(): a cross-CPU call with IRQs disabled can deadlock");
	if (cpu == l.cpu) {
		irq_off();
		fn(info);
		irq_on();
		return;
	}
	if (!rt.in_lane) {  // sequential (setup): the function runs at once, as that CPU
		LaneState saved = l;
		l.cpu = cpu;
		l.irq_depth = 1;
		l.preempt_depth = 1;
		fn(info);
		l.cpu = saved.cpu;
		l.irq_depth = saved.irq_depth;
		l.preempt_depth = saved.preempt_depth;
		return;
	}
	preempt_off();  // get_cpu()
	const LaneState saved = l;
	handler_enter(cpu, LaneContext::Irq);
	record_text_step(StepKind::Note, "IPI: runs on cpu" + std::to_string(cpu) + " in hard-IRQ context");
	fn(info);
	handler_exit();
	l.cpu = saved.cpu;
	l.in = saved.in;
	l.irq_depth = saved.irq_depth;
	l.preempt_depth = saved.preempt_depth;
	l.pending_op = "csd_lock_wait";  // the caller's CPU runs the caller again
	schedule_here();
	l.pending_op = nullptr;
	record_text_step(StepKind::Note, "IPI: done, back on cpu" + std::to_string(l.cpu));
	preempt_on();  // put_cpu()
}

uint64_t clock_read()
{
	Runtime &rt = runtime();
	if (rt.in_lane) {
		/* the clock is a shared counter: reads conflict with each other, never reported as races */
		if (rt.is_visible("perf_clock")) {
			rt.current().pending_op = "perf_clock";
			schedule_here();
			rt.current().pending_op = nullptr;
		}
		const int t = rt.lane();
		LaneState &l = rt.lanes[t];
		if (rt.clock_lane >= 0 && rt.clock_lane != t && l.vc.c[rt.clock_lane] < rt.clock_epoch)
			rt.make_visible("perf_clock");
		rt.clock_lane = t;
		rt.clock_epoch = l.vc.c[t];
	}
	rt.now += rt.tick;
	if (rt.in_lane)
		record_step(StepKind::Clock, Marking::Atomic, "perf_clock", rt.now - rt.tick, rt.now);
	return rt.now;
}

uint64_t clock_peek() { return runtime().now; }
void set_tick(uint64_t tick) { runtime().tick = tick; }
void set_clock(uint64_t now) { runtime().now = now; }

Frame *frame_refill() { return runtime().frames.refill(); }

void frame_stack_emptied()
{
	Runtime &rt = runtime();
	if (!rt.simulating && !rt.in_lane)
		rt.frames.reset();  // sequential use: nothing can point at the frames any more
}

const Frame *current_stack() { return cur().stack; }

void violation(const char *invariant, const char *detail)
{
	Runtime &rt = runtime();
	if (!rt.simulating) {
		rt.sequential_violations.push_back(Violation{invariant, detail, -1, copy_stack(cur().stack)});
		return;
	}
	if (rt.failed)
		return;
	rt.failed = true;
	rt.violation = Violation{invariant, detail, rt.in_lane ? rt.lane() : -1, copy_stack(cur().stack)};
	if (rt.in_lane)  // the trace shows the first line; the report the whole detail
		record_text_step(StepKind::Violation,
				 std::string(invariant) + ": " + std::string(detail, std::strcspn(detail, "\n")));
	rt.sched.fail();
}

void note(const char *text)
{
	Runtime &rt = runtime();
	if (rt.in_lane)
		record_text_step(StepKind::Note, text);
}

std::vector<Violation> take_sequential_violations()
{
	std::vector<Violation> out;
	out.swap(runtime().sequential_violations);
	return out;
}

}  // namespace sim
