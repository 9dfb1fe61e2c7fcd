/*
 * include/linux/unwind_deferred_types.h, include/linux/unwind_deferred.h and the task_work link
 * (include/linux/types.h: struct callback_head), as "[PATCH v16 1/4] unwind: Add interface to
 * allow tracing a single task" (2025-10-07) leaves them, reduced to what the deferred user
 * callchains of perf (v16 2/4, the callchain area) touch; no stacks (model/perf/unwind_deferred.cpp).
 * The enum (UNWIND_PENDING_BIT = 0) is as in torvalds/linux 8b87f67b4c87.
 */
#pragma once

#include <utility>
#include <vector>

#include "model/kernel/field.h"
#include "model/kernel/sim.h"
#include "model/kernel/types.h"

#define PF_EXITING	0x00000004
#define PF_USER_WORKER	0x00004000
#define PF_KTHREAD	0x00200000

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

struct task_struct;
struct unwind_work;
struct perf_event;

/* include/linux/types.h: struct callback_head, the task_work link */
struct callback_head {
	struct callback_head *next = nullptr;	/* set by task_work_add() before the cmpxchg publishes it */
	void (*func)(struct callback_head *) = nullptr;
	/*
	 * model-only: held by task_work_run() from the moment it takes the work off
	 * task->task_works until func returns. rcuwait_wait_event(&work->wait, work->task == NULL)
	 * in cancel_unwind_task() is modelled as taking and dropping it (unwind_deferred.cpp).
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

/* PERF_CONTEXT_USER_DEFERRED (v16 2/4, uapi) */
constexpr u64 PERF_CONTEXT_USER_DEFERRED = (u64)-640;

/* model-only: a sample's callchain as the model keeps it: only what the deferred path decides */
struct model_sample {
	bool user_deferred = false;	/* PERF_CONTEXT_USER_DEFERRED stored */
	bool user_inline = false;	/* a user callchain taken in the NMI (perf_callchain_user()) */
	u64 cookie = 0;			/* v16 3/4: the cookie after the marker (0: none) */
	u64 model_request_cookie = 0;	/* ghost: what unwind_deferred_request() returned */
	int model_entry = 0;		/* ghost: the task's kernel entry the sample was taken in */
};

/* model-only: PERF_RECORD_CALLCHAIN_DEFERRED as the model keeps it */
struct model_deferred_record {
	u64 cookie;
	int model_entry;	/* ghost: the kernel entry whose return to user emitted it */
};

/* ---- kernel/task_work.c, kernel/unwind/deferred.c (model/perf/unwind_deferred.cpp) ---- */
int task_work_add(struct task_struct *task, struct callback_head *work, enum task_work_notify_mode notify);
struct callback_head *task_work_cancel(struct task_struct *task, struct callback_head *cb);
void task_work_run(void);
int unwind_deferred_request(struct unwind_work *work, u64 *cookie);
void unwind_deferred_cancel(struct unwind_work *work);
int unwind_deferred_task_init(struct unwind_work *work, unwind_callback_t func);
void unwind_reset_info(void);
u64 model_unwind_cookie(const struct unwind_task_info *info);	/* info->id.id, ghost read */
