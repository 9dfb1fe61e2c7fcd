/*
 * The 2.6.32 timekeeping generation ("perf-2.6.32"): include/linux/perf_event.h and the
 * kernel/perf_event.c declarations of that era, in namespace legacy so that they never meet the
 * current model's global structs (model/perf/perf_event.h) in one program.
 *
 * Source: seed 001 (kernel/perf_event.c of the 2.6.32 era, with lines already seen earlier in
 * the file removed), and, for the lines the seed drops, the full kernel/perf_event.c of the same
 * generation read with the search tool (file id 124750829: sysctl_perf_event_mlock = 512,
 * atomic64_t count, update_event_times() with tstamp_enabled/_running/_stopped). The seed carries
 * no line numbers, so every frame here has line 0 (MODEL_FRAME_FILE("perf_event.c", 0)).
 *
 * Field rules, as in model/perf/perf_event.h: a field another CPU may touch is a sim::field named
 * "struct.field" with the marking 2.6.32 used (plain everywhere, atomic64_t for the counts);
 * structure set up once (group_leader, sibling_list, ctx, parent, child_list, attr) is plain
 * C++; lists are std::vector in the kernel's order. Names starting with model_ / ghost are ours.
 */
#pragma once

#include <string>
#include <vector>

#include "model/kernel/kernel.h"

namespace legacy {

/* include/linux/perf_event.h (2.6.32): enum perf_event_active_state */
enum perf_event_active_state {
	PERF_EVENT_STATE_ERROR		= -2,
	PERF_EVENT_STATE_OFF		= -1,
	PERF_EVENT_STATE_INACTIVE	=  0,
	PERF_EVENT_STATE_ACTIVE		=  1,
};

/* include/linux/perf_event.h (2.6.32): the perf_event_attr bits the model reads */
struct perf_event_attr {
	unsigned disabled = 0;
	unsigned inherit = 0;
	unsigned pinned = 0;
	unsigned exclusive = 0;
	unsigned inherit_stat = 0;
};

struct perf_event;
struct perf_event_context;
struct perf_cpu_context;
struct task_struct;

/* include/linux/perf_event.h (2.6.32): struct pmu, the enable/disable/read triple of that era */
struct pmu {
	int (*enable)(struct perf_event *event);
	void (*disable)(struct perf_event *event);
	void (*read)(struct perf_event *event);
};

/* include/linux/perf_event.h (2.6.32): struct hw_perf_event, the one field the model's PMU uses */
struct hw_perf_event {
	atomic64_t prev_count{"hw_perf_event.prev_count"};	/* the counter value at the last read; the event's CPU only */
};

/* The ledger (model-only): what really happened to one event's time; no sim::field, no races. */
struct ghost_event {
	int state = PERF_EVENT_STATE_OFF;	/* the state as the ledger knows it */
	u64 enabled = 0;			/* context time spent with effective state >= INACTIVE */
	u64 running = 0;			/* context time spent ACTIVE */
};

/* The ledger of one read() family (model-only): the last (count, enabled, running) per reader lane. */
struct ghost_reads {
	std::vector<std::pair<int, std::vector<u64>>> last;
};

/* include/linux/perf_event.h (2.6.32): struct perf_event, the fields the timekeeping touches */
struct perf_event {
	std::vector<struct perf_event *> sibling_list;	/* group_entry list; set up once */
	struct perf_event *group_leader = nullptr;
	const struct pmu *pmu = nullptr;

	/* written under ctx->lock or with the context's CPU's IRQs off; read unlocked by perf_event_read() */
	::sim::field<int> state{"perf_event.state", PERF_EVENT_STATE_OFF};
	atomic64_t count{"perf_event.count"};	/* atomic64_t in 2.6.32 */

	/*
	 * These are the total time in nanoseconds that the event
	 * has been enabled (i.e. eligible to run, and the task has
	 * been scheduled in, if this is a per-task event)
	 * and running (scheduled onto the CPU), respectively.
	 *
	 * They are computed from tstamp_enabled, tstamp_running and
	 * tstamp_stopped when the event is in INACTIVE or ACTIVE state.
	 */
	::sim::field<u64> total_time_enabled{"perf_event.total_time_enabled"};
	::sim::field<u64> total_time_running{"perf_event.total_time_running"};

	/*
	 * These are timestamps used for computing total_time_enabled
	 * and total_time_running when the event is in INACTIVE or
	 * ACTIVE state, measured in nanoseconds from an arbitrary point
	 * in time.
	 * tstamp_enabled: the notional time when the event was enabled
	 * tstamp_running: the notional time when the event was scheduled on
	 * tstamp_stopped: in INACTIVE state, the notional time when the
	 *	event was scheduled off.
	 */
	::sim::field<u64> tstamp_enabled{"perf_event.tstamp_enabled"};
	::sim::field<u64> tstamp_running{"perf_event.tstamp_running"};
	::sim::field<u64> tstamp_stopped{"perf_event.tstamp_stopped"};

	struct perf_event_attr attr;
	struct hw_perf_event hw;

	struct perf_event_context *ctx = nullptr;
	::sim::field<int> oncpu{"perf_event.oncpu", -1};
	int cpu = -1;

	/* These accumulate total time (in nanoseconds) that children events have been enabled and running, respectively. */
	atomic64_t child_total_time_enabled{"perf_event.child_total_time_enabled"};
	atomic64_t child_total_time_running{"perf_event.child_total_time_running"};

	/* Protect attach/detach and child_list: */
	struct mutex child_mutex{"perf_event.child_mutex"};
	std::vector<struct perf_event *> child_list;	/* set up once (inherit) */
	struct perf_event *parent = nullptr;

	u64 id = 0;

	const char *model_name = "?";	/* model-only: the scenario's name */
	struct ghost_event ghost;	/* model-only */
	struct ghost_reads ghost_reads;	/* model-only */
};

/* include/linux/perf_event.h (2.6.32): struct perf_event_context */
struct perf_event_context {
	/*
	 * Protect the states of the events in the list,
	 * nr_active, and the list:
	 */
	spinlock_t lock{"perf_event_context.lock"};
	/*
	 * Protect the list of events.  Locking either mutex or lock
	 * is sufficient to ensure the list doesn't change; to change
	 * the list you need to lock both the mutex and the spinlock.
	 */
	struct mutex mutex{"perf_event_context.mutex"};

	std::vector<struct perf_event *> group_list;	/* group leaders, kernel order */
	std::vector<struct perf_event *> event_list;	/* every event, kernel order */
	int nr_events = 0;
	::sim::field<int> nr_active{"perf_event_context.nr_active"};
	::sim::field<int> is_active{"perf_event_context.is_active"};
	int nr_stat = 0;
	atomic_t refcount{"perf_event_context.refcount"};
	::sim::field<struct task_struct *> task{"perf_event_context.task"};

	/*
	 * Context clock, runs when context enabled.
	 */
	::sim::field<u64> time{"perf_event_context.time"};
	::sim::field<u64> timestamp{"perf_event_context.timestamp"};

	/*
	 * These fields let us detect when two contexts have both
	 * been cloned (inherited) from a common ancestor.
	 */
	::sim::field<struct perf_event_context *> parent_ctx{"perf_event_context.parent_ctx"};
	::sim::field<u64> parent_gen{"perf_event_context.parent_gen"};
	::sim::field<u64> generation{"perf_event_context.generation"};
	::sim::field<int> pin_count{"perf_event_context.pin_count"};

	const char *model_name = "?";	/* model-only */
};

/* include/linux/perf_event.h (2.6.32): struct perf_cpu_context */
struct perf_cpu_context {
	struct perf_event_context ctx;
	::sim::field<struct perf_event_context *> task_ctx{"perf_cpu_context.task_ctx"};
	int active_oncpu = 0;	/* this CPU only, IRQs off */
	int max_pertask = 0;
	int exclusive = 0;	/* this CPU only, IRQs off */
};

/* include/linux/sched.h (2.6.32): the part of task_struct perf touches, plus the model's run state */
struct task_struct {
	::sim::field<struct perf_event_context *> perf_event_ctxp{"task_struct.perf_event_ctxp"};
	const char *comm = "?";
	int model_on_cpu = -1;	/* model-only: the CPU it runs on, -1 when not running */
};

/* --- kernel/perf_event.c (2.6.32), in kernel order; defined in model/legacy/core.cpp --- */

u64 perf_clock(void);
void event_sched_out(struct perf_event *event, struct perf_cpu_context *cpuctx, struct perf_event_context *ctx);
void group_sched_out(struct perf_event *group_event, struct perf_cpu_context *cpuctx, struct perf_event_context *ctx);
void update_context_time(struct perf_event_context *ctx);
void update_event_times(struct perf_event *event);
void update_group_times(struct perf_event *leader);
int event_sched_in(struct perf_event *event, struct perf_cpu_context *cpuctx, struct perf_event_context *ctx, int cpu);
int group_sched_in(struct perf_event *group_event, struct perf_cpu_context *cpuctx, struct perf_event_context *ctx, int cpu);
int group_can_go_on(struct perf_event *event, struct perf_cpu_context *cpuctx, int can_add_hw);
void add_event_to_ctx(struct perf_event *event, struct perf_event_context *ctx);
void __perf_event_mark_enabled(struct perf_event *event, struct perf_event_context *ctx);
void __perf_event_enable(void *info);
void perf_event_enable(struct perf_event *event);
void __perf_event_sched_out(struct perf_event_context *ctx, struct perf_cpu_context *cpuctx);
int context_equiv(struct perf_event_context *ctx1, struct perf_event_context *ctx2);
void __perf_event_sync_stat(struct perf_event *event, struct perf_event *next_event);
void perf_event_sync_stat(struct perf_event_context *ctx, struct perf_event_context *next_ctx);
void perf_event_task_sched_out(struct task_struct *task, struct task_struct *next, int cpu);
void __perf_event_sched_in(struct perf_event_context *ctx, struct perf_cpu_context *cpuctx, int cpu);
void perf_event_task_sched_in(struct task_struct *task, int cpu);
void __perf_event_read(void *info);
u64 perf_event_read(struct perf_event *event);
u64 perf_event_read_value(struct perf_event *event);
int perf_event_read_one(struct perf_event *event, u64 read_format, u64 *buf);
long perf_read_hw(struct perf_event *event, u64 *buf, size_t count);
long perf_ioctl(struct perf_event *event, unsigned int cmd, unsigned long arg);

/* include/linux/perf_event.h (2.6.32): read_format bits */
#define LEGACY_PERF_FORMAT_TOTAL_TIME_ENABLED	(1U << 0)
#define LEGACY_PERF_FORMAT_TOTAL_TIME_RUNNING	(1U << 1)
#define LEGACY_PERF_EVENT_IOC_ENABLE		0x2400	/* _IO('$', 0) */

/* --- what the code asks of the world (model/legacy/world.cpp) --- */

struct perf_cpu_context *model_cpu_context(int cpu);	/* per_cpu(perf_cpu_context, cpu) */
struct task_struct *model_current(void);		/* current on this CPU */
int model_task_curr(const struct task_struct *p);	/* task_curr(p) */
int model_task_cpu(const struct task_struct *p);	/* task_cpu(p) */
extern const struct pmu model_counting_pmu;		/* the model's PMU (core.cpp) */

/* --- variants (model-only) --- */

enum legacy_variant {
	UPSTREAM,	/* "upstream": 2.6.32 as the seed quotes it */
	READ_CTX_LOCK,	/* "read-ctx-lock": the later kernel/perf_event.c's reads under ctx->lock */
	NR_LEGACY_VARIANTS,
};
bool variant(enum legacy_variant v);

/* --- the ledger (model-only; model/legacy/world.cpp) --- */

#define LEGACY_NO_LOST_TIME		"no-lost-time"
#define LEGACY_RUNNING_LE_ENABLED	"running-le-enabled"
#define LEGACY_MONOTONIC_READ		"monotonic-read"	/* read()'s enabled and running, per reader */
#define LEGACY_MONOTONIC_COUNT		"monotonic-count"	/* read()'s count (the family's sum), per reader */

void ghost_set_state(struct perf_event *event, int state);
void ghost_context_time_advanced(struct perf_event_context *ctx, u64 delta);
void ghost_read_result(struct perf_event *event, u64 count, u64 enabled, u64 running);

}  // namespace legacy
