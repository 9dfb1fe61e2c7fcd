/*
 * The "deferred-callchain" model: perf's deferred user callchains (PERF_RECORD_CALLCHAIN_DEFERRED)
 * on the single-task deferred unwind infrastructure, as posted in "[PATCH v16 2/4] perf: Support
 * deferred user callchains" (seed 002, 2025-10-07) on top of "[PATCH v16 1/4] unwind: Add
 * interface to allow tracing a single task". Neither is in kernel 12f24484da13 (its
 * perf_callchain() has no defer_user; kernel/unwind/ is not in the stored tree), so the model
 * follows the patches as posted; line numbers are those of the patched files, computed from the
 * patches' hunk headers (core.c: index 28de3baff792..be94b437e7e0; deferred.c: ceeeff562302..).
 *
 * Everything lives in namespace callchain: these are the kernel's names (struct perf_event,
 * struct task_struct, ...) cut down to what the deferred path touches, and must not clash with
 * the global structs of model/perf_event.h.
 */
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/kernel/bug.h"
#include "model/kernel/compiler.h"
#include "model/kernel/field.h"
#include "model/kernel/local.h"
#include "model/kernel/sim.h"
#include "model/kernel/smp.h"
#include "model/kernel/spinlock.h"
#include "model/kernel/types.h"
#include "model/world.h"

namespace callchain {

#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ESRCH
#define ESRCH 3
#endif

#define PF_EXITING	0x00000004
#define PF_KTHREAD	0x00200000
#define PF_USER_WORKER	0x00004000

/* include/linux/unwind_deferred.h (v16 1/4 base): UNWIND_PENDING_BIT = 0, UNWIND_USED_BIT */
enum {
	UNWIND_PENDING_BIT = 0,
	UNWIND_USED_BIT,
};
enum {
	UNWIND_PENDING	= 1UL << UNWIND_PENDING_BIT,
	UNWIND_USED	= 1UL << UNWIND_USED_BIT,
};
/* v16 1/4: "#define UNWIND_TASK UNWIND_PENDING_BIT", i.e. 0 */
#define UNWIND_TASK	UNWIND_PENDING_BIT

enum task_work_notify_mode { TWA_NONE = 0, TWA_RESUME, TWA_SIGNAL, TWA_SIGNAL_NO_IPI, TWA_NMI_CURRENT };

/* PERF_CONTEXT_USER_DEFERRED (v16 2/4, uapi) */
constexpr u64 PERF_CONTEXT_USER_DEFERRED = (u64)-640;

struct task_struct;
struct perf_event;
struct perf_event_context;

/* include/linux/types.h: struct callback_head, the task_work link */
struct callback_head {
	struct callback_head *next = nullptr;	/* set by task_work_add() before the cmpxchg publishes it */
	void (*func)(struct callback_head *) = nullptr;
	/*
	 * model-only: held by task_work_run() from the moment it takes the work off
	 * task->task_works until func returns. rcuwait_wait_event(&work->wait, work->task == NULL)
	 * in cancel_unwind_task() is modelled as taking and dropping it (see deferred.cpp).
	 */
	sim::LockState model_running{"callback_head.running"};
	struct unwind_work *model_unwind_work = nullptr;	/* model-only: container_of() target */
};

/* include/linux/unwind_deferred_types.h: struct unwind_task_info (cache not modelled: no stack) */
struct unwind_task_info {
	sim::field<unsigned long> unwind_mask{"unwind_task_info.unwind_mask"};
	/* union unwind_task_id { struct { u32 cpu, cnt; }; u64 id; } as two halves; id = cpu << 32 | cnt */
	sim::field<u32> id_cpu{"unwind_task_info.id.cpu"};
	sim::field<u32> id_cnt{"unwind_task_info.id.cnt"};
	struct callback_head work;	/* the all-tasks work (unused by perf's single-task works) */
};

struct unwind_stacktrace {
	unsigned int nr = 0;
	unsigned long *entries = nullptr;
};

struct unwind_work;
typedef void (*unwind_callback_t)(struct unwind_work *work, struct unwind_stacktrace *trace, u64 cookie);

/* include/linux/unwind_deferred.h: struct unwind_work, with v16 1/4's work, task and wait */
struct unwind_work {
	bool model_on_list = false;	/* list: on task_callbacks (under callback_mutex) */
	unwind_callback_t func = nullptr;
	struct callback_head work;
	sim::field<struct task_struct *> task{"unwind_work.task"};
	/* struct rcuwait wait: see callback_head::model_running */
	sim::field<int> bit{"unwind_work.bit"};
	struct perf_event *model_owner = nullptr;	/* model-only: container_of() target, for the ghost */
};

struct perf_event_context {
	std::string model_name;
	raw_spinlock_t lock{"perf_event_context.lock"};
	sim::field<struct task_struct *> task{"perf_event_context.task"};
	struct perf_event_context *parent_ctx = nullptr;
	local_t nr_no_switch_fast{"perf_event_context.nr_no_switch_fast"};	/* events preventing fast context switch */
};

struct perf_event_attr {
	u64 exclude_callchain_kernel = 0;
	u64 exclude_callchain_user = 0;
	u64 defer_callchain = 0;
	u32 sample_max_stack = 127;
};

/* A sample's callchain as the model keeps it: only what the deferred path decides. */
struct model_sample {
	bool user_deferred = false;	/* PERF_CONTEXT_USER_DEFERRED stored */
	bool user_inline = false;	/* a user callchain taken in the NMI (perf_callchain_user()) */
	u64 cookie = 0;			/* v16 3/4: the cookie after the marker (0: none) */
	u64 model_request_cookie = 0;	/* ghost: what unwind_deferred_request() returned */
	int model_entry = 0;		/* ghost: the task's kernel entry the sample was taken in */
};

/* PERF_RECORD_CALLCHAIN_DEFERRED as the model keeps it */
struct model_deferred_record {
	u64 cookie;
	int model_entry;	/* ghost: the kernel entry whose return to user emitted it */
};

struct perf_event {
	std::string model_name;
	struct perf_event_context *ctx = nullptr;
	struct perf_event_attr attr;
	struct unwind_work unwind_work;
	/* variant v16-cancel-dec only: perf's own "a callback is owed" flag, as in v15 */
	sim::field<int> pending_unwind_callback{"perf_event.pending_unwind_callback"};

	/* model-only ghost state */
	bool model_removed = false;	/* perf_remove_from_context() done: no more samples */
	bool model_freed = false;	/* _free_event() reached call_rcu(): any later access is a use after free */
	std::vector<model_sample> model_samples;
	std::vector<model_deferred_record> model_records;
	std::vector<u64> model_unanswered;	/* request cookies of samples with the marker, not yet answered */
};

struct task_struct {
	std::string comm;
	unsigned int flags = 0;
	bool model_has_mm = true;
	sim::field<struct callback_head *> task_works{"task_struct.task_works"};
	raw_spinlock_t pi_lock{"task_struct.pi_lock"};
	struct unwind_task_info unwind_info;
	sim::field<struct perf_event_context *> perf_event_ctxp{"task_struct.perf_event_ctxp"};
	int model_cpu = -1;	/* the CPU it runs on, -1: not running */
	/* TIF_NOTIFY_RESUME, as task_work_add() sets it; only the task and NMIs on its CPU touch
	 * it here (ordered by cpu.nmi), so it is a plain bool, not a checked field */
	bool model_notify_resume = false;
	int model_entry = 1;	/* ghost: user-space runs so far (1: the current kernel entry's); an entry
				 * the self-IPI of TWA_NMI_CURRENT forces before any user instruction
				 * counts with the one before it (same user stack) */
	std::vector<std::pair<u64, int>> model_cookies;	/* ghost: cookies handed to requests, with their entry */
};

/* model-only: one CPU */
struct model_cpu {
	struct task_struct *curr = nullptr;
	struct task_struct idle;
	u32 unwind_ctx_ctr = 0;	/* DEFINE_PER_CPU(u32, unwind_ctx_ctr) */
	bool in_nmi = false;
};

struct callchain_world : model::World {
	~callchain_world() override;
	model::WorldSetup setup;
	std::vector<std::unique_ptr<model_cpu>> cpus;
	std::vector<std::unique_ptr<task_struct>> tasks;			/* by context index (null: CPU context) */
	std::vector<std::unique_ptr<perf_event_context>> contexts;	/* by context index */
	perf_event_context model_parent;	/* the context every task context was cloned from */
	std::vector<std::unique_ptr<perf_event>> events;		/* by event index */
	std::vector<std::unique_ptr<task_struct>> other_tasks;		/* a CPU context's task-less CPU runs idle */
};

/* --- the model's current world, CPU and task --- */

struct model_cpu *model_cpu_of(int cpu);
struct task_struct *model_current(void);
#define current (::callchain::model_current())
bool in_nmi(void);

/*
 * model-only: where an NMI of this CPU may land in the task's code. An NMI runs to completion on
 * the CPU it interrupts (the simulator's rule); these restrict where it starts: the task masks
 * the PMI (sim::pmi_mask(), the PMU disabled) except at the points the model lets an NMI land
 * (model_nmi_window()).
 */
void model_nmi_hold(int cpu);
void model_nmi_release(int cpu);
void model_nmi_window(int cpu);

/* --- kernel/task_work.c --- */
int task_work_add(struct task_struct *task, struct callback_head *work, enum task_work_notify_mode notify);
struct callback_head *task_work_cancel(struct task_struct *task, struct callback_head *cb);
void task_work_run(void);

/* --- kernel/unwind/deferred.c (v16 1/4) and include/linux/unwind_deferred.h --- */
int unwind_deferred_request(struct unwind_work *work, u64 *cookie);
void unwind_deferred_cancel(struct unwind_work *work);
int unwind_deferred_task_init(struct unwind_work *work, unwind_callback_t func);
void unwind_reset_info(void);
u64 model_unwind_cookie(const struct unwind_task_info *info);	/* info->id.id, ghost read */

/* --- kernel/events/core.c and callchain.c (v16 2/4) --- */
void perf_callchain(struct perf_event *event, struct model_sample *sample);
void perf_pending_unwind_sync(struct perf_event *event);
void _free_event(struct perf_event *event);
void perf_event_release_kernel(struct perf_event *event);
void perf_event_context_sched_out(struct task_struct *task, struct task_struct *next);
int perf_event_alloc_defer(struct perf_event *event, struct task_struct *task);

/* --- variants --- */
enum callchain_variant {
	V16,		/* "v16": v16 2/4 on v16 1/4 as posted, UNWIND_TASK == UNWIND_PENDING_BIT == 0 */
	V16_CANCEL,	/* "v16-cancel": unwind_deferred_cancel() reaches cancel_unwind_task() */
	V16_CANCEL_DEC,	/* "v16-cancel-dec": v16-cancel, and perf_pending_unwind_sync() drops the
			 * nr_no_switch_fast count of a request whose callback will not run (as v15 did) */
	V16_COOKIE,	/* "v16-cookie": v16-cancel-dec plus v16 3/4 (the request's cookie in the sample) */
	NR_CALLCHAIN_VARIANTS,
};
bool callchain_variant_is(enum callchain_variant v);
void selected_variant_set(enum callchain_variant v);
/* true for the variants that include the change of `v` (they are cumulative: v16 < cancel < dec < cookie) */
bool callchain_variant_has(enum callchain_variant v);

/* --- ghost invariants --- */
bool model_invariant_on(const char *name);
const std::vector<std::string> &invariant_names();
void select_invariant_names(const std::vector<std::string> &names);	/* empty: all */
/* a live event of ctx has its unwind_work queued (work->task set); *who: its name */
bool model_ctx_queued(struct perf_event_context *ctx, std::string *who);

/* --- ops, typed, for the tests --- */
void op_nmi_sample(callchain_world &w, int event);
void op_return_to_user(callchain_world &w, int context);
void op_close(callchain_world &w, int event);
void op_sched_switch(callchain_world &w, int from, int to);
void check_final(callchain_world &w);
std::unique_ptr<callchain_world> build_world(const model::WorldSetup &setup);

}  // namespace callchain
