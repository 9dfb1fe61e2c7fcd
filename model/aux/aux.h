/*
 * The "aux-throttle" model: throttling and unthrottling of an event group that holds an AUX
 * (hardware trace) event, with AUX pause/resume (seed 003: "perf/core: Use AUX pause/resume for
 * throttling", 2026-05, and its review).
 *
 * Structures as in include/linux/perf_event.h and kernel/events/internal.h @ 12f24484da13
 * (AOSC-Tracking/ubuntu-linux-unstable), reduced to the fields the throttle, unthrottle, task
 * switch and AUX pause/resume paths touch. Everything lives in namespace aux so that the kernel
 * names do not clash with the "perf" model's global structs (model/perf_event.h).
 *
 * Fields that two CPUs, or a CPU and its own IRQ/NMI, touch without a common lock are
 * sim::field (KCSAN semantics); structure set up once (group links, attr, pmu) is plain.
 */
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "model/kernel/compiler.h"
#include "model/kernel/field.h"
#include "model/kernel/spinlock.h"
#include "model/kernel/types.h"

namespace aux {

/* include/linux/perf_event.h: pmu::capabilities, the bit this model cares about */
constexpr unsigned int PERF_PMU_CAP_AUX_PAUSE = 0x0200;

/* include/linux/perf_event.h: pmu::start/stop/add flags */
constexpr int PERF_EF_START = 0x01;
constexpr int PERF_EF_RELOAD = 0x02;
constexpr int PERF_EF_UPDATE = 0x04;
constexpr int PERF_EF_PAUSE = 0x08;
constexpr int PERF_EF_RESUME = 0x10;

/* include/linux/perf_event.h: hw_perf_event::state */
constexpr int PERF_HES_STOPPED = 0x01;
constexpr int PERF_HES_UPTODATE = 0x02;

/* kernel/events/core.c: hw.interrupts of a throttled event */
constexpr u64 MAX_INTERRUPTS = ~0ULL;

enum perf_event_state {
	PERF_EVENT_STATE_OFF = -1,
	PERF_EVENT_STATE_INACTIVE = 0,
	PERF_EVENT_STATE_ACTIVE = 1,
};

struct perf_event;
struct perf_buffer;

/* include/linux/perf_event.h: struct pmu, the callbacks the throttle paths call */
struct pmu {
	const char *name;
	unsigned int capabilities;
	int (*add)(struct perf_event *event, int flags);
	void (*del)(struct perf_event *event, int flags);
	void (*start)(struct perf_event *event, int flags);
	void (*stop)(struct perf_event *event, int flags);
	bool model_is_aux;	/* model-only: an AUX (hardware trace) PMU driver */
};

/* include/uapi/linux/perf_event.h: the attr bits the model reads */
struct perf_event_attr {
	unsigned int aux_pause = 0;		/* aux_action: pause the group's AUX event on overflow */
	unsigned int aux_resume = 0;		/* aux_action: resume it on overflow */
	unsigned int aux_start_paused = 0;	/* aux_action: the AUX event starts paused */
	unsigned int freq = 0;			/* always 0: frequency mode is not modelled */
};

/* include/linux/perf_event.h: struct hw_perf_event, the throttle and AUX pause state */
struct hw_perf_event {
	sim::field<int> state{"hw_perf_event.state"};		/* PERF_HES_*: the PMU's own, on the event's CPU */
	sim::field<u64> interrupts_seq{"hw_perf_event.interrupts_seq"};
	sim::field<u64> interrupts{"hw_perf_event.interrupts"};	/* MAX_INTERRUPTS: throttled */
	sim::field<unsigned int> aux_paused{"hw_perf_event.aux_paused"};	/* perf_event_aux_pause() */
};

/* include/linux/perf_event.h: struct perf_output_handle, the AUX part */
struct perf_output_handle {
	sim::field<struct perf_event *> event{"perf_output_handle.event"};	/* NULL: no AUX transaction open */
	struct perf_buffer *rb = nullptr;
};

/* kernel/events/internal.h: struct perf_buffer, the AUX part */
struct perf_buffer {
	int aux_nr_pages = 1;					/* rb_has_aux(): an AUX area is mapped */
	sim::field<int> aux_mmap_count{"perf_buffer.aux_mmap_count"};	/* kernel: refcount_t */
	sim::field<unsigned int> aux_nest{"perf_buffer.aux_nest"};	/* READ_ONCE/WRITE_ONCE */
	sim::field<int> aux_in_pause_resume{"perf_buffer.aux_in_pause_resume"};	/* READ_ONCE/WRITE_ONCE */
};

struct perf_event_context;

/* model-only: what the user asked of the AUX event, in the order the requests were made */
struct aux_ghost {
	bool user_paused = false;	/* aux_start_paused, or the last aux_pause/aux_resume overflow was a pause */
};

/* include/linux/perf_event.h: struct perf_event, the part the model uses */
struct perf_event {
	const char *model_name = "";
	struct perf_event *group_leader = nullptr;
	std::vector<struct perf_event *> sibling_list;	/* for_each_sibling_event() */
	struct pmu *pmu = nullptr;
	struct perf_event_context *ctx = nullptr;
	struct perf_event_attr attr;
	struct hw_perf_event hw;
	sim::field<int> state{"perf_event.state"};	/* enum perf_event_state; written under ctx->lock */
	sim::field<int> oncpu{"perf_event.oncpu"};
	sim::field<struct perf_buffer *> rb{"perf_event.rb"};	/* rcu_dereference() in ring_buffer_get() */
	struct perf_event *aux_event = nullptr;		/* the group's AUX event, for aux_pause/aux_resume */
	struct aux_ghost ghost;				/* model-only */
};

/* include/linux/perf_event.h: struct perf_event_context, one task's (or one CPU's) events */
struct perf_event_context {
	raw_spinlock_t lock{"perf_event_context.lock"};
	bool is_task = true;
	int cpu = -1;						/* CPU context: its CPU */
	sim::field<int> is_active{"perf_event_context.is_active"};
	std::vector<struct perf_event *> groups;		/* group leaders, in order (pinned/flexible not split) */
	std::vector<struct perf_event *> active_list;		/* pmu_ctx->{pinned,flexible}_active, one list */
	int nr_freq = 0;
};

/* model-only: the per-CPU state of the model AUX driver (intel_pt's struct pt, reduced) */
struct model_aux_cpu {
	struct perf_output_handle handle;
	sim::field<int> pause_allowed{"pt.pause_allowed"};
	sim::field<int> resume_allowed{"pt.resume_allowed"};
	int trace_en = 0;	/* the trace enable bit of the hardware (a register, not memory) */
};

/* model-only: one CPU */
struct model_cpu {
	sim::field<int> perf_throttled_count{"perf_throttled_count"};	/* DEFINE_PER_CPU */
	sim::field<u64> perf_throttled_seq{"perf_throttled_seq"};	/* DEFINE_PER_CPU */
	struct model_aux_cpu pt;
	bool task_running = false;	/* the context's task is current on this CPU */
};

/* --- kernel/events/core.c, as modelled (model/aux/core.cpp) --- */
void perf_event_unthrottle(struct perf_event *event, bool start);
void perf_event_throttle(struct perf_event *event);
void perf_event_unthrottle_group(struct perf_event *event, bool skip_start_event);
void perf_event_throttle_group(struct perf_event *event);
void event_sched_out(struct perf_event *event, struct perf_event_context *ctx);
void group_sched_out(struct perf_event *group_event, struct perf_event_context *ctx);
int event_sched_in(struct perf_event *event, struct perf_event_context *ctx);
int group_sched_in(struct perf_event *group_event, struct perf_event_context *ctx);
void perf_event_task_tick(void);
void perf_event_aux_pause(struct perf_event *event, bool pause);
int perf_event_overflow(struct perf_event *event);
struct perf_buffer *ring_buffer_get(struct perf_event *event);
void perf_mmap_close_aux(struct perf_event *event);	/* munmap() of the last mapping, AUX part */
void ring_buffer_put(struct perf_buffer *rb);

/* --- kernel/events/ring_buffer.c (model/aux/ring_buffer.cpp) --- */
void *perf_aux_output_begin(struct perf_output_handle *handle, struct perf_event *event);
void perf_aux_output_end(struct perf_output_handle *handle, unsigned long size);

/* --- the model PMUs (model/aux/pmu.cpp) --- */
extern struct pmu model_aux_pmu;		/* AUX driver with PERF_PMU_CAP_AUX_PAUSE */
extern struct pmu model_aux_pmu_nopause;	/* the same driver without the capability */
extern struct pmu model_cycles_pmu;		/* a counting PMU that raises the overflow (PMI) */
bool model_pmu_running(struct perf_event *event);	/* model-only: would the hardware raise an overflow/trace? */

/* --- the world --- */
struct aux_world;
struct model_cpu *model_cpu(int cpu);	/* this_cpu_ptr() of the model's per-CPU variables */
struct perf_event_context *model_current_ctx(int cpu);	/* cpuctx->ctx or current->perf_event_ctxp */
extern int max_samples_per_tick;	/* kernel/events/core.c: from perf_event_max_sample_rate */

/* --- variants and invariants (model/aux/world.cpp) --- */
enum aux_variant {
	UPSTREAM,		/* "upstream": pmu->stop(event, 0) / pmu->start(event, 0), as in 12f24484da13 */
	AUX_PAUSE_THROTTLE,	/* "aux-pause-throttle": seed 003's patch (v1, 2026-05-14) */
	NR_AUX_VARIANTS,
};
bool variant(enum aux_variant v);
bool invariant_enabled(const char *name);

/* model-only: the ghost side of the user's AUX actions (called where core.c makes them) */
void ghost_user_aux_action(struct perf_event *aux_event, bool pause);

}  // namespace aux
