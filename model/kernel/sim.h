/*
 * The one place model code reaches the simulator (model-only, no kernel twin).
 *
 * Model code never includes Relacy: the shim headers (compiler.h, spinlock.h, ...) call the
 * functions declared here, which checker/sim/hooks.cpp implements on Relacy's simulated threads.
 * With no simulation running (sequential model tests, a scenario's setup), every hook still works:
 * accesses happen at once, locks only record their owner, nothing is race-checked.
 *
 * Vocabulary: a *lane* is one simulated thread (a column in the report: a CPU running a task, an
 * IRQ or an NMI); its *cpu* is the CPU identity smp_processor_id() returns, which a cross-CPU call
 * switches for its duration.
 */
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace sim {

constexpr int kMaxLanes = 8;   // simulated threads per execution
constexpr int kMaxCpus = 8;    // CPU identities

using Clock = uint32_t;        // one component of a vector clock

/* How an access is marked, in KCSAN's terms. */
enum class Marking : uint8_t {
	Plain,     // a plain C access: may race
	Once,      // READ_ONCE / WRITE_ONCE: marked, never reported against another marked access
	Atomic,    // atomic_*(), local64_*(), refcount_*(): marked
	DataRace,  // inside data_race(): never reported
};

enum class AccessType : uint8_t {
	Read,
	Write,
	ReadWrite,  // a plain compound access (x += v): KCSAN's read-write, never "assumed atomic"
};

/* Memory ordering of a marked access, for happens-before (the LKMM's, as far as it matters here). */
enum class Order : uint8_t {
	Relaxed,
	Acquire,  // smp_load_acquire, rcu_dereference (address dependency), a value-returning RMW
	Release,  // smp_store_release, rcu_assign_pointer, a value-returning RMW
	AcqRel,   // a value-returning atomic RMW is fully ordered
};

/* One frame of the model call stack; frames form a tree shared by all the stacks that grew from it. */
struct Frame {
	const Frame *parent;
	const char *function;  // kernel name
	int line;              // line of the function in the modelled version (0: none)
	bool inlined;          // shown as [inline] and skipped in a KCSAN title, as the kernel build did
	const char *file;      // the kernel source file's base name: "core.c", "ring_buffer.c"
};

/* Per-field shadow state for the race detector (FastTrack-style epochs). Lives inside the field. */
struct Shadow {
	struct Epoch {
		Clock clock = 0;        // 0: no access recorded
		Marking marking = Marking::Plain;
		AccessType type = AccessType::Read;
		uint8_t size = 0;
		int32_t trace = -1;     // index of the access in the execution trace (its stack and values)
	};
	Epoch last_write;           // the last write, by lane write_lane
	int8_t write_lane = -1;
	Epoch reads[kMaxLanes];     // the last read of each lane since the last write
	Clock release[kMaxLanes] = {};  // what a marked release store (or a store after smp_wmb) published
	bool has_release = false;
	/*
	 * Ghost accesses by lanes (peek()/poke() while a lane runs), for the reduction only: a lane's
	 * code that decides by a ghost read (the model's hardware: does the counter run?) depends on
	 * the other lanes' writes like a real read does. Never reported, never a scheduling point.
	 */
	Clock ghost_reads[kMaxLanes] = {};  // the last ghost read of each lane (0: none)
	Clock ghost_write = 0;              // the last ghost write, by lane ghost_write_lane
	int8_t ghost_write_lane = -1;
	uint32_t generation = 0;    // the execution this shadow belongs to: a stale shadow is reset lazily

	Shadow() = default;
	Shadow(const Shadow &) {}   // copying a kernel object copies its value, not its access history
	Shadow &operator=(const Shadow &) { return *this; }
};

/* A lock as the simulator sees it: owner, waiters and the clock its last release published. */
struct LockState {
	const char *name;           // "perf_event_context.lock"
	int owner = -1;             // lane holding it, -1 when free (the sequential owner is kSequentialLane)
	unsigned waiters = 0;       // lanes parked on it (bit per lane)
	unsigned acquired_by = 0;   // lanes that took it in this execution (bit per lane), for the reduction
	Clock release[kMaxLanes] = {};
	uint32_t generation = 0;
	explicit LockState(const char *n) : name(n) {}
};

constexpr int kSequentialLane = kMaxLanes;  // the owner id used when no simulation runs

/* What kind of lock, for the trace and for which exclusion it implies. */
enum class LockKind : uint8_t { Spin, Mutex, Exclusion };

/* --- hooks called by the shim --- */

/*
 * An access to a kernel field is two calls: schedule_access() (where another lane may run), then,
 * with the value as it is after that point, check_access() (the race check; never switches).
 * With the search's reduction on, an access to a field that has not been seen in an unordered
 * conflict is not a scheduling point (see checker/sim/README.md for why that is sound).
 */
void schedule_point();  // always a scheduling point

/*
 * What the inline fast paths below read, kept current by the simulator (checker/sim): every
 * field access and every modelled function call passes here, hundreds of times per execution.
 */
struct Hot {
	bool in_lane = false;                   // a lane body runs (not setup, not the final check)
	const Frame **top = nullptr;            // the running call stack's top: the lane's or the sequential one's
	Frame *next = nullptr, *end = nullptr;  // the frame arena's free run
};
extern Hot hot;

/*
 * The model world of the execution that runs (a model::World, model/model.h): part of this
 * per-execution runtime, one execution at a time per process. A world sets it when it is built
 * and clears it when it is destroyed; model code reaches it through model::execution().
 */
extern void *current_world;

void schedule_access_in_lane(const char *name, Marking marking, AccessType type);
void check_access_in_lane(Shadow &shadow, const char *name, AccessType type, Marking marking, Order order,
			  unsigned size, uint64_t old_value, uint64_t new_value);
inline void schedule_access(const char *name, Marking marking, AccessType type = AccessType::Read)
{
	if (hot.in_lane)
		schedule_access_in_lane(name, marking, type);
}
inline void check_access(Shadow &shadow, const char *name, AccessType type, Marking marking, Order order,
			 unsigned size, uint64_t old_value, uint64_t new_value)
{
	if (hot.in_lane)  // outside the lanes nothing races and nothing is traced
		check_access_in_lane(shadow, name, type, marking, order, size, old_value, new_value);
}
/*
 * A ghost access (peek()/poke()) by a lane: not an access of the kernel's, so never a race and
 * never a scheduling point, but the reduction must see it meet another lane's real access of the
 * field (checker/sim/README.md, "The reduction": ghost code that decides what a lane does).
 */
void ghost_access_in_lane(Shadow &shadow, const char *name, bool write);
inline void ghost_access(Shadow &shadow, const char *name, bool write)
{
	if (hot.in_lane)
		ghost_access_in_lane(shadow, name, write);
}

void lock_acquire(LockState &lock, LockKind kind);
bool lock_try_acquire(LockState &lock, LockKind kind);
void lock_release(LockState &lock, LockKind kind);
bool lock_held(const LockState &lock);        // by the current lane

void fence_acquire();  // smp_rmb: marked loads before it synchronise with the stores they read
void fence_release();  // smp_wmb: marked stores after it publish everything before it
void fence_full();     // smp_mb

/* IRQ and preemption state of the current lane on its current CPU. */
void irq_off();
void irq_on();
bool irqs_off();
void preempt_off();
void preempt_on();
int preempt_depth();

/* KCSAN's kcsan_disable_current()/kcsan_enable_current(), which data_race() wraps around its expression. */
void kcsan_disable_current();
void kcsan_enable_current();

int current_cpu();     // smp_processor_id()
int current_lane();    // -1 outside a simulation
bool running();        // inside a lane of a simulation (not setup, not the final check)

/*
 * smp_call_function_single(cpu, fn, info, 1): on the current CPU, fn runs at once with IRQs off;
 * on another, as an IPI: in hard-IRQ context on `cpu` once it has IRQs on, pausing what runs
 * there, while the caller waits (checker/sim/README.md, "Interrupts and cross-CPU calls").
 */
void call_on_cpu(int cpu, void (*fn)(void *), void *info);

/*
 * The PMU's interrupt of the current CPU is masked (the PMU is disabled, perf_pmu_disable()): an
 * nmi lane of that CPU (a PMI) does not start until it is unmasked. Masking is a scheduling
 * point, where a pending NMI may still land.
 */
void pmi_mask();
void pmi_unmask();

/*
 * The current lane is an NMI handler (an nmi lane that has not returned); false sequentially.
 * nmi_return_to_irq(): that NMI returns, and the lane goes on as a hard-IRQ handler of the same
 * CPU: the self-IPI an irq_work_queue() in the NMI raised (x86's arch_irq_work_raise()). Where
 * it starts is a scheduling point, as for any irq lane: once the CPU has IRQs on and no other
 * handler runs there (what the NMI interrupted runs first until then). A no-op elsewhere.
 */
bool in_nmi_lane();
bool in_interrupt_lane();  // an irq or nmi lane's handler runs (not a task lane; false sequentially)
void nmi_return_to_irq();

/* The model clock: deterministic, advances by the tick at every read (a scheduling point). */
uint64_t clock_read();
uint64_t clock_peek();          // the current time, without advancing it (ghost code only)
void set_tick(uint64_t tick);
void set_clock(uint64_t now);

/* The model call stack (per lane); frames live in a per-execution arena so that race reports and
 * the trace can point at them after the function returned. */
Frame *frame_refill();       // the arena's next chunk, for frame_push
void frame_stack_emptied();  // a call stack ran empty (sequential use frees the arena)
inline void frame_push(const char *function, int line, bool inlined, const char *file = "core.c")
{
	Frame *f = hot.next != hot.end ? hot.next++ : frame_refill();
	*f = Frame{*hot.top, function, line, inlined, file};
	*hot.top = f;
}
inline void frame_pop()
{
	const Frame *top = *hot.top;
	if (top)
		*hot.top = top->parent;
	if (!*hot.top)
		frame_stack_emptied();
}
const Frame *current_stack();

/* The ledger and the invariants report through these; a violation ends the execution. */
void violation(const char *invariant, const char *detail);
/* A note in the trace (ghost events, op boundaries); not a scheduling point. */
void note(const char *text);

/* Sequential use (tests, setup): which CPU smp_processor_id() returns. */
void set_sequential_cpu(int cpu);

/* Values as u64 for the trace and the race report. */
template <typename T> inline uint64_t to_u64(const T &v)
{
	if constexpr (std::is_pointer_v<T>)
		return reinterpret_cast<uintptr_t>(v) ? 1 : 0;  // pointers: only null or not (addresses are not deterministic)
	else if constexpr (std::is_enum_v<T>)
		return static_cast<uint64_t>(static_cast<std::underlying_type_t<T>>(v));
	else if constexpr (std::is_integral_v<T>)
		return static_cast<uint64_t>(v);
	else
		return 0;
}

/* RAII frame: the model's MODEL_FRAME() macro puts one at the top of every modelled function. */
struct FrameGuard {
	FrameGuard(const char *function, int line, bool inlined, const char *file = "core.c")
	{
		frame_push(function, line, inlined, file);
	}
	~FrameGuard() { frame_pop(); }
	FrameGuard(const FrameGuard &) = delete;
	FrameGuard &operator=(const FrameGuard &) = delete;
};

}  // namespace sim

/*
 * MODEL_FRAME(line): the first statement of every modelled kernel function; pushes its kernel name
 * (from __func__) and its kernel/events/core.c line onto the lane's model call stack for race reports and lanes.
 * MODEL_FRAME_INLINE(line): the same for a function the kernel build inlines (KCSAN prints
 * "[inline]" and names the caller in the report title).
 */
#define MODEL_FRAME(line) ::sim::FrameGuard __model_frame(__func__, line, false)
#define MODEL_FRAME_INLINE(line) ::sim::FrameGuard __model_frame(__func__, line, true)
/* The same for a function of another kernel file: MODEL_FRAME_FILE("ring_buffer.c", 42). */
#define MODEL_FRAME_FILE(file, line) ::sim::FrameGuard __model_frame(__func__, line, false, file)
#define MODEL_FRAME_INLINE_FILE(file, line) ::sim::FrameGuard __model_frame(__func__, line, true, file)
