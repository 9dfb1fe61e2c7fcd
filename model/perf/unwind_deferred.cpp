/*
 * The deferred unwind infrastructure for a single-task tracer: kernel/unwind/deferred.c and
 * include/linux/unwind_deferred.h as "[PATCH v16 1/4] unwind: Add interface to allow tracing a
 * single task" (2025-10-07) leaves them, and the parts of kernel/task_work.c it relies on.
 *
 * Lines: deferred.c lines are those of the patched file, from the patch's hunk headers
 * (@@ -186,11 +190,95 @@ and following); 0 where the patch does not show the function's line.
 * The header's enum (UNWIND_PENDING_BIT = 0) is as in torvalds/linux 8b87f67b4c87
 * include/linux/unwind_deferred.h; the v16 base (tip/perf/core 6d48436560e9 plus Peter
 * Zijlstra's 2025-09-24 patches) was not available to read, so whether it still had
 * UNWIND_PENDING_BIT == 0 is not verified: the variant v16-cancel is the other answer.
 *
 * Not modelled: the unwind cache and the stack itself (a trace is empty: only the cookie
 * matters here), SRCU as such (unwind_srcu: synchronize_srcu() in cancel_unwind_task() waits
 * for the running task work, see there), the all-tasks works (unwind_deferred_init(), process_unwind_deferred()),
 * task exit (unwind_deferred_task_exit(), process_unwind_tasks()).
 */
#include "model/perf/core.h"

/*
 * --- kernel/task_work.c ---
 * Read at torvalds/linux 114518eb6430 (an older version: task_work_cancel() by func, TWA_NMI_CURRENT
 * not yet there); the newer forms the v16 base uses (task_work_cancel() by callback_head,
 * TWA_NMI_CURRENT's irq_work) were not available and are modelled on the same structure.
 */

/*
 * kernel/task_work.c: task_work_add() @ 114518eb6430. Model: the cmpxchg loop that pushes `work` on
 * task->task_works is one atomic read-modify-write; no work_exited (tasks do not exit here); the
 * notification sets TIF_NOTIFY_RESUME (task_struct::model_notify_resume) for either mode; the
 * op return_to_user models what TWA_NMI_CURRENT's irq_work adds.
 */
int task_work_add(struct task_struct *task, struct callback_head *work, enum task_work_notify_mode notify)
{
	MODEL_FRAME_FILE("task_work.c", 0);
	task->task_works.rmw([work](struct callback_head *head) {
		work->next = head;
		return work;
	}, sim::Order::AcqRel);
	if (notify != TWA_NONE)
		task->model_notify_resume = true;	/* set_notify_resume(task), directly or from the irq_work */
	return 0;
}

/*
 * kernel/task_work.c: task_work_cancel() @ 114518eb6430, matching the callback_head itself (the
 * newer form) rather than its func. Model: under task->pi_lock as upstream; the READ_ONCE/cmpxchg
 * walk is one atomic read-modify-write of the list. A work that
 * task_work_run() already took off the list is not found: the "blind spot" (returns NULL).
 */
struct callback_head *task_work_cancel(struct task_struct *task, struct callback_head *cb)
{
	MODEL_FRAME_FILE("task_work.c", 0);
	struct callback_head *found = nullptr;
	unsigned long flags;

	raw_spin_lock_irqsave(&task->pi_lock, flags);
	task->task_works.rmw([cb, &found](struct callback_head *head) {
		struct callback_head **pprev = &head;
		for (struct callback_head *work = head; work; work = work->next) {
			if (work == cb) {
				*pprev = work->next;
				found = work;
				break;
			}
			pprev = &work->next;
		}
		return head;
	}, sim::Order::AcqRel);
	raw_spin_unlock_irqrestore(&task->pi_lock, flags);
	return found;
}

/*
 * kernel/task_work.c: task_work_run() @ 114518eb6430. Model: the cmpxchg of task->task_works and the pi_lock
 * round trip that waits for a task_work_cancel() in progress are one pi_lock section here, in
 * which the model also takes each work's model_running (callback_head.running) so that a
 * cancel_unwind_task() that finds the work gone can wait for its func to return (the rcuwait).
 * Runs in list order (last added first); cond_resched() and work_exited are not modelled.
 */
void task_work_run(void)
{
	MODEL_FRAME_FILE("task_work.c", 0);
	struct task_struct *task = current;
	struct callback_head *work, *next;

	for (;;) {
		raw_spin_lock_irq(&task->pi_lock);
		work = task->task_works.rmw([](struct callback_head *) { return (struct callback_head *)nullptr; },
					    sim::Order::AcqRel);
		for (struct callback_head *w = work; w; w = w->next)
			sim::lock_acquire(w->model_running, sim::LockKind::Exclusion);
		raw_spin_unlock_irq(&task->pi_lock);
		if (!work)
			break;

		do {
			next = work->next;
			work->func(work);
			sim::lock_release(work->model_running, sim::LockKind::Exclusion);
			work = next;
		} while (work);
	}
}

/* --- kernel/unwind/deferred.c, v16 1/4 --- */

/* kernel/unwind/deferred.c: try_assign_cnt(), CONFIG_ARCH_HAVE_NMI_SAFE_CMPXCHG form */
static inline bool try_assign_cnt(struct unwind_task_info *info, u32 cnt)
{
	MODEL_FRAME_INLINE_FILE("deferred.c", 0);
	u32 old = 0;
	u32 seen = info->id_cnt.rmw([cnt](u32 x) { return x == 0 ? cnt : x; }, sim::Order::AcqRel);

	return seen == old;
}

u64 model_unwind_cookie(const struct unwind_task_info *info)
{
	return ((u64)info->id_cpu.peek() << 32) | info->id_cnt.peek();
}

/* the u64 view of the union: both halves, marked (it is read with plain loads in the kernel;
 * each half is written by the task or an NMI on its own CPU only) */
static u64 unwind_id(struct unwind_task_info *info)
{
	return ((u64)READ_ONCE(info->id_cpu) << 32) | READ_ONCE(info->id_cnt);
}

/*
 * kernel/unwind/deferred.c: get_cookie() (unchanged by v16 1/4; line not shown by the patch).
 * Called with IRQs off (guard(irqsave) in unwind_deferred_request()).
 */
static u64 get_cookie(struct unwind_task_info *info)
{
	MODEL_FRAME_FILE("deferred.c", 0);
	u32 cnt = 1;

	if (READ_ONCE(info->id_cpu))
		return unwind_id(info);

	/* LSB is always set to ensure 0 is an invalid value */
	cnt |= model_cpu(smp_processor_id())->unwind_ctx_ctr + 2;
	if (try_assign_cnt(info, cnt)) {
		/* Update the per cpu counter */
		model_cpu(smp_processor_id())->unwind_ctx_ctr = cnt;
	}
	/* Interrupts are disabled, the CPU will always be same */
	WRITE_ONCE(info->id_cpu, smp_processor_id() + 1); /* Must be non zero */

	return unwind_id(info);
}

/*
 * kernel/unwind/deferred.c: get_deferred_task_stacktrace() @ v16 1/4 (deferred.c:200).
 * Model: unwind_user_faultable() is not modelled: the trace stays empty.
 */
static void get_deferred_task_stacktrace(struct task_struct *task, struct unwind_stacktrace *trace, u64 *cookie,
					 bool clear_pending)
{
	MODEL_FRAME_FILE("deferred.c", 200);
	struct unwind_task_info *info = &task->unwind_info;

	if (clear_pending)
		info->unwind_mask.rmw([](unsigned long m) { return m & ~(unsigned long)UNWIND_PENDING; }, sim::Order::Relaxed);

	trace->nr = 0;
	trace->entries = NULL;

	/* unwind_user_faultable(trace): not modelled, but a fresh unwind sets UNWIND_USED ("Clear
	 * nr_entries on way back to user space"), which is what lets unwind_reset_info() clear the
	 * cookie at the next return to user */
	info->unwind_mask.rmw([](unsigned long m) { return m | (unsigned long)UNWIND_USED; }, sim::Order::Relaxed);

	*cookie = unwind_id(info);
}

/*
 * kernel/unwind/deferred.c: unwind_deferred_task_work() @ v16 1/4 (deferred.c:218).
 * Model: guard(srcu)(&unwind_srcu) not modelled (see cancel_unwind_task()); the ghost checks
 * that the unwind_work (inside a struct perf_event) was not freed before the task work ran.
 */
static void unwind_deferred_task_work(struct callback_head *head)
{
	MODEL_FRAME_FILE("deferred.c", 218);
	struct unwind_work *work = head->model_unwind_work;	/* container_of(head, struct unwind_work, work) */
	struct unwind_task_info *info = &current->unwind_info;
	struct unwind_stacktrace trace;
	u64 cookie;

	if (work->model_owner && work->model_owner->model_freed)
		ghost_report(GHOST_NO_CALLBACK_AFTER_FREE,
			     std::string("unwind_deferred_task_work() runs on ") + work->model_owner->model_name +
				     "'s unwind_work after _free_event(): use after free");

	/* Always clear the pending bit when this is called */
	info->unwind_mask.rmw([](unsigned long m) { return m & ~(unsigned long)UNWIND_PENDING; }, sim::Order::Relaxed);

	/* Is this work being canceled? */
	if (unlikely(work->bit < 0))
		work->task = NULL;

	if (!work->task)
		goto out;

	/*
	 * From here on out, the callback must always be called, even if it's
	 * just an empty trace.
	 */
	get_deferred_task_stacktrace(current, &trace, &cookie, false);
	work->func(work, &trace, cookie);
	work->task = NULL;
out:
	/* Synchronize with cancel_unwind_task(): rcuwait_wake_up(&work->wait) is the release of
	 * callback_head.running by task_work_run() right after this returns */
	;
}

/*
 * kernel/unwind/deferred.c: queue_unwind_task() @ v16 1/4 (deferred.c:295).
 */
static int queue_unwind_task(struct unwind_work *work, int twa_mode, struct unwind_task_info *info)
{
	MODEL_FRAME_FILE("deferred.c", 295);
	struct task_struct *task = READ_ONCE(work->task);
	int ret;

	if (task) {
		/* Did the tracer break its contract? */
		WARN_ON_ONCE(task != current);
		return 1;
	}

	struct task_struct *cur = current;
	if (work->task.rmw([cur](struct task_struct *t) { return t ? t : cur; }, sim::Order::AcqRel) != nullptr)
		return 1;	/* !try_cmpxchg(&work->task, &task, current) */

	/* The work has been claimed, now schedule it. */
	ret = task_work_add(current, &work->work, (enum task_work_notify_mode)twa_mode);

	if (WARN_ON_ONCE(ret))
		work->task = NULL;
	else
		info->unwind_mask.rmw([](unsigned long m) { return m | (unsigned long)UNWIND_PENDING; }, sim::Order::Relaxed);

	return ret;
}

/*
 * kernel/unwind/deferred.c: queue_unwind_work() @ v16 1/4 (deferred.c:321). Model: only the
 * single-task branch (perf's works are all UNWIND_TASK).
 */
static int queue_unwind_work(struct unwind_work *work, int twa_mode, struct unwind_task_info *info)
{
	MODEL_FRAME_FILE("deferred.c", 321);

	/* Check if the unwind_work only traces this task */
	if (work->bit == UNWIND_TASK)
		return queue_unwind_task(work, twa_mode, info);

	WARN_ON_ONCE(1);	/* model: all-tasks works are not modelled */
	return -EINVAL;
}

/*
 * kernel/unwind/deferred.c: unwind_deferred_request() @ v16 1/4 (deferred.c:389). Model: the
 * lines the patch does not show between the PF_KTHREAD check and the cancelled-work check
 * (deferred.c:394-410: the in_nmi() handling that picks twa_mode) are not modelled beyond
 * "an NMI request is allowed" (x86 has CONFIG_ARCH_HAVE_NMI_SAFE_CMPXCHG).
 */
int unwind_deferred_request(struct unwind_work *work, u64 *cookie)
{
	MODEL_FRAME_FILE("deferred.c", 389);
	struct unwind_task_info *info = &current->unwind_info;
	int twa_mode = TWA_RESUME;
	unsigned long flags;
	int ret;

	*cookie = 0;

	if ((current->flags & (PF_KTHREAD | PF_EXITING)) || !current->model_has_mm)
		return -EINVAL;	/* || !user_mode(task_pt_regs(current)) */

	if (in_nmi())
		twa_mode = TWA_NMI_CURRENT;

	/* Do not allow cancelled works to request again */
	if (WARN_ON_ONCE(READ_ONCE(work->bit) < 0))
		return -EINVAL;

	local_irq_save(flags);	/* guard(irqsave)() */

	*cookie = get_cookie(info);

	ret = queue_unwind_work(work, twa_mode, info);
	local_irq_restore(flags);
	return ret;
}

/*
 * kernel/unwind/deferred.c: cancel_unwind_task() @ v16 1/4 (deferred.c:422).
 * Model: rcuwait_wait_event(&work->wait, work->task == NULL, ...) is "take and drop the work's
 * callback_head.running": task_work_run() holds it from taking the work off the list until
 * unwind_deferred_task_work() returned, and work->task is NULL by then on every path.
 * synchronize_srcu(&unwind_srcu) is modelled the same way (see below).
 */
static void cancel_unwind_task(struct unwind_work *work)
{
	MODEL_FRAME_FILE("deferred.c", 422);
	struct task_struct *task;

	task = READ_ONCE(work->task);

	if (!task || !task_work_cancel(task, &work->work)) {
		/*
		 * If the task_work_cancel() fails to cancel it could mean that
		 * the task_work is just about to execute. This needs to wait
		 * until the work->func() is finished before returning.
		 */
		if (task) {
			sim::lock_acquire(work->work.model_running, sim::LockKind::Exclusion);
			sim::lock_release(work->work.model_running, sim::LockKind::Exclusion);
			WARN_ON_ONCE(READ_ONCE(work->task) != NULL);	/* model: the rcuwait condition */
		}
	}

	/*
	 * Needed to protect loop in process_unwind_tasks().
	 * This also guarantees that unwind_deferred_task_work() is
	 * completely done and the work structure is no longer referenced.
	 *
	 * synchronize_srcu(&unwind_srcu), model: wait for a running unwind_deferred_task_work() of
	 * this work (its SRCU reader). When work->task was already NULL above, a task work still
	 * holding callback_head.running is past its "work->task = NULL", i.e. inside its SRCU
	 * section, so this waits for exactly the readers synchronize_srcu() waits for.
	 */
	sim::lock_acquire(work->work.model_running, sim::LockKind::Exclusion);
	sim::lock_release(work->work.model_running, sim::LockKind::Exclusion);

	/* Still set task to NULL if task_work_cancel() succeeded */
	work->task = NULL;
}

/*
 * kernel/unwind/deferred.c: unwind_deferred_cancel() @ v16 1/4 (deferred.c:453).
 * `if (!bit) return;` ("Was it initialized ?") is the posted line. With UNWIND_TASK ==
 * UNWIND_PENDING_BIT == 0 it returns for every single-task work before cancel_unwind_task():
 * under the base (upstream: v16 as posted) that is what runs; the v16-* variants reach
 * cancel_unwind_task(), as the patch's description says cancel does for a single-task work.
 */
void unwind_deferred_cancel(struct unwind_work *work)
{
	MODEL_FRAME_FILE("deferred.c", 453);
	int bit;

	if (!work)
		return;

	bit = work->bit;

	/* Was it initialized ? */
	if (!bit && !callchain_variant_has(V16_CANCEL))
		return;

	/* scoped_guard(mutex, &callback_mutex) */
	work->model_on_list = false;	/* list_del_rcu(&work->list) */

	/* Do not allow any more requests and prevent callbacks */
	work->bit = -1;

	if (bit == UNWIND_TASK)
		return cancel_unwind_task(work);

	WARN_ON_ONCE(1);	/* model: all-tasks works are not modelled */
}

/*
 * kernel/unwind/deferred.c: unwind_deferred_task_init() @ v16 1/4 (deferred.c:535).
 * Model: runs at setup (perf_event_alloc()), sequentially.
 */
int unwind_deferred_task_init(struct unwind_work *work, unwind_callback_t func)
{
	MODEL_FRAME_FILE("deferred.c", 535);
	work->bit.poke(UNWIND_TASK);
	work->task.poke(nullptr);
	work->work.func = unwind_deferred_task_work;	/* init_task_work() */
	work->work.model_unwind_work = work;
	work->func = func;
	work->model_on_list = true;	/* list_add_rcu(&work->list, &task_callbacks) */
	return 0;
}

/*
 * include/linux/unwind_deferred.h: unwind_reset_info() @ torvalds/linux 8b87f67b4c87 (the v16
 * series does not change it). Model: called on the way back to user space after the task work
 * (op return_to_user); the cache reset is not modelled (no cache).
 */
void unwind_reset_info(void)
{
	MODEL_FRAME_INLINE_FILE("unwind_deferred.h", 0);
	struct unwind_task_info *info = &current->unwind_info;
	unsigned long bits;

	/* Was there any unwinding? */
	if (unlikely(READ_ONCE(info->unwind_mask))) {
		bits = READ_ONCE(info->unwind_mask);
		for (;;) {
			/* Is a task_work going to run again before going back */
			if (bits & UNWIND_PENDING)
				return;
			unsigned long seen = info->unwind_mask.rmw(
				[bits](unsigned long m) { return m == bits ? 0UL : m; }, sim::Order::AcqRel);
			if (seen == bits)
				break;
			bits = seen;	/* try_cmpxchg() updates bits */
		}
		WRITE_ONCE(current->unwind_info.id_cpu, 0);	/* current->unwind_info.id.id = 0 */
		WRITE_ONCE(current->unwind_info.id_cnt, 0);
	}
}
