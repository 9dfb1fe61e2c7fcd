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
#include <cstring>

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
		}
		if (cpu_lock_names[0][c].empty()) {
			cpu_lock_names[0][c] = "cpu" + std::to_string(c) + ".irqs_disabled";
			cpu_lock_names[1][c] = "cpu" + std::to_string(c) + ".preempt_disabled";
		}
		*cpu_irq[c] = LockState(cpu_lock_names[0][c].c_str());
		*cpu_preempt[c] = LockState(cpu_lock_names[1][c].c_str());
	}
	sequential_lane() = LaneState{};
	frames.reset();
	steps.clear();
	texts.clear();
	races.clear();
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

void schedule_access_in_lane(const char *name, Marking marking, AccessType type)
{
	Runtime &rt = runtime();
	if (rt.in_lane && rt.is_visible(name)) {
		LaneState &l = rt.current();
		l.pending_op = name;
		l.pending_write = type != AccessType::Read;
		rt.sched.schedule();
		l.pending_op = nullptr;
		l.pending_write = false;
	}
}

void schedule_point()
{
	Runtime &rt = runtime();
	if (rt.in_lane)
		rt.sched.schedule();
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
	if (rt.is_visible(lock.name)) {
		rt.lanes[t].pending_lock = &lock;
		rt.lanes[t].pending_instance = &lock;
		rt.lanes[t].pending_op = lock.name;
		rt.sched.schedule();
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
	}
	lock.owner = t;
	rt.lanes[t].vc.join(lock.release);
	if (!is_exclusion(kind))
		record_step(StepKind::Acquire, Marking::Plain, lock.name, 0, 0);
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
		rt.sched.schedule();
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
}

bool lock_held(const LockState &lock)
{
	Runtime &rt = runtime();
	if (!rt.in_lane)
		return lock.owner == kSequentialLane;
	return lock.generation == rt.generation && lock.owner == rt.lane();
}

/*
 * Preemption: excludes the other task lanes of the same CPU. IRQs off: also excludes the CPU's
 * interrupt lanes and the cross-CPU calls aimed at it. An NMI lane is excluded by neither.
 */
void preempt_off()
{
	Runtime &rt = runtime();
	LaneState &l = cur();
	if (l.preempt_depth++ == 0 && rt.in_lane && l.in == LaneContext::Task)
		lock_acquire(*rt.cpu_preempt[l.cpu], LockKind::Exclusion);
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

void kcsan_disable_current() { cur().kcsan_disabled++; }
void kcsan_enable_current() { cur().kcsan_disabled--; }

int current_cpu() { return cur().cpu; }
int current_lane() { return runtime().in_lane ? runtime().lane() : -1; }
bool running() { return runtime().in_lane; }
void set_sequential_cpu(int cpu) { sequential_lane().cpu = sequential_lane().home_cpu = cpu; }

void call_on_cpu(int cpu, void (*fn)(void *), void *info)
{
	Runtime &rt = runtime();
	LaneState &l = cur();
	if (cpu == l.cpu) {
		irq_off();
		fn(info);
		irq_on();
		return;
	}
	if (rt.in_lane) {
		lock_acquire(*rt.cpu_irq[cpu], LockKind::Exclusion);
		record_text_step(StepKind::Note, "IPI: runs on cpu" + std::to_string(cpu));
	}
	LaneState saved = l;
	l.cpu = cpu;
	l.irq_depth = 1;
	l.preempt_depth = 1;
	fn(info);
	l.cpu = saved.cpu;
	l.irq_depth = saved.irq_depth;
	l.preempt_depth = saved.preempt_depth;
	if (rt.in_lane) {
		record_text_step(StepKind::Note, "IPI: back on cpu" + std::to_string(l.cpu));
		lock_release(*rt.cpu_irq[cpu], LockKind::Exclusion);
	}
}

uint64_t clock_read()
{
	Runtime &rt = runtime();
	if (rt.in_lane) {
		/* the clock is a shared counter: reads conflict with each other, never reported as races */
		if (rt.is_visible("perf_clock")) {
			rt.current().pending_op = "perf_clock";
			rt.sched.schedule();
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
	if (rt.in_lane)
		record_text_step(StepKind::Violation, std::string(invariant) + ": " + detail);
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
