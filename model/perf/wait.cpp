/*
 * The sleeping side: include/linux/poll.h poll_wait(), fs/select.c __pollwait/pollwake/do_poll/
 * poll_freewait, kernel/sched/wait.c add_wait_queue/__wake_up, and kernel/irq_work.c
 * irq_work_queue/irq_work_run. None of these files was read for this model (line 0): each
 * function keeps only the protocol a lost wakeup depends on, as the kernel documents it:
 *
 *   poller:  add entry to waitq (under waitq lock); check the condition (perf_poll);
 *            set_current_state(TASK_INTERRUPTIBLE); if (!pwq->triggered) schedule();
 *   waker:   under the waitq lock, for each entry: pwq->triggered = 1; try_to_wake_up(task).
 *
 * A wakeup on a waitqueue the poller is not on does not touch it: the poller stays
 * TASK_INTERRUPTIBLE, and the model ends its lane there (schedule() does not return).
 */
#include "model/perf/core.h"

/* include/linux/wait.h: init_waitqueue_head() */
void init_waitqueue_head(wait_queue_head_t *wq, const char *name)
{
	wq->head.clear();
	wq->name = name;
}

/* kernel/sched/wait.c: add_wait_queue() (line 0) */
static void add_wait_queue(wait_queue_head_t *wq, wait_queue_entry *wait)
{
	MODEL_FRAME_FILE("wait.c", 0);
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	wq->head.push_back(wait);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* kernel/sched/wait.c: remove_wait_queue() (line 0) */
static void remove_wait_queue(wait_queue_head_t *wq, wait_queue_entry *wait)
{
	MODEL_FRAME_FILE("wait.c", 0);
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	wq->head.erase(std::find(wq->head.begin(), wq->head.end(), wait));
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* kernel/sched/core.c: try_to_wake_up(p, TASK_NORMAL) reduced to its state change (line 0) */
static int try_to_wake_up(struct task_struct *p)
{
	MODEL_FRAME_FILE("sched/core.c", 0);
	if (!(READ_ONCE(p->__state) & TASK_INTERRUPTIBLE))
		return 0;
	WRITE_ONCE(p->__state, TASK_RUNNING);
	return 1;
}

/*
 * fs/select.c: pollwake() -> __pollwake() (line 0).
 * Model: triggered is marked (WRITE_ONCE); fs/select.c writes it plainly after smp_wmb() and
 * orders it with the sleeper's set_current_state(); its races are not perf's to judge here.
 */
int pollwake(wait_queue_entry *wait)
{
	MODEL_FRAME_FILE("select.c", 0);
	struct poll_wqueues *pwq = wait->pwq;

	smp_wmb();
	WRITE_ONCE(pwq->triggered, 1);
	return try_to_wake_up(pwq->polling_task);	/* default_wake_function(&dummy_wait, ...) */
}

/* kernel/sched/wait.c: wake_up_all() -> __wake_up() -> __wake_up_common_lock() (line 0) */
void wake_up_all(wait_queue_head_t *wq)
{
	MODEL_FRAME_FILE("wait.c", 0);
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	wq->model_wakeups++;	/* ghost */
	for (wait_queue_entry *curr : wq->head)
		pollwake(curr);	/* curr->func(curr, mode, wake_flags, key) */
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* include/linux/poll.h: poll_wait() -> fs/select.c: __pollwait() (line 0) */
void poll_wait(struct perf_event *event, wait_queue_head_t *wq, poll_table *p)
{
	MODEL_FRAME_FILE("poll.h", 0);
	if (p && p->add_entries && wq) {	/* p->_qproc: only on do_poll()'s first pass */
		auto &entry = p->entries.emplace_back(std::make_unique<wait_queue_entry>());
		entry->pwq = p;			/* entry->wait.func = pollwake; entry->filp = get_file(filp) */
		p->queues.push_back(wq);
		add_wait_queue(wq, entry.get());
	}
}

/* fs/select.c: poll_freewait() (line 0): remove every entry from its waitqueue */
void poll_freewait(poll_table *wait)
{
	MODEL_FRAME_FILE("select.c", 0);
	for (size_t i = 0; i < wait->entries.size(); i++)
		remove_wait_queue(wait->queues[i], wait->entries[i].get());
	wait->entries.clear();
	wait->queues.clear();
}

/*
 * fs/select.c: do_poll() for one fd with no timeout, and poll_schedule_timeout() (line 0).
 * Model: at most three passes; a poller still triggered after the third counts as woken (it
 * would loop again). When it sleeps, the lane ends with the task TASK_INTERRUPTIBLE and its
 * entries on the waitqueues: only a pollwake() through one of them makes it runnable.
 */
void do_poll(poll_table *wait)
{
	MODEL_FRAME_FILE("select.c", 0);
	struct task_struct *task = wait->polling_task;

	for (int pass = 0; pass < 3; pass++) {
		__poll_t mask = perf_poll(wait->event, wait);	/* vfs_poll(f.file, pt) */
		wait->add_entries = false;			/* pt->_qproc = NULL */
		if (mask) {
			wait->mask = mask;
			poll_freewait(wait);
			return;
		}

		/* poll_schedule_timeout(wait, TASK_INTERRUPTIBLE, NULL, 0) */
		WRITE_ONCE(task->__state, TASK_INTERRUPTIBLE);	/* set_current_state(): smp_store_mb */
		smp_mb();
		if (!READ_ONCE(wait->triggered)) {
			sim::note("poll: schedule() with TASK_INTERRUPTIBLE: asleep until a pollwake()");
			return;	/* schedule(): the lane ends asleep */
		}
		WRITE_ONCE(task->__state, TASK_RUNNING);	/* __set_current_state(TASK_RUNNING) */
		WRITE_ONCE(wait->triggered, 0);			/* smp_store_mb(pwq->triggered, 0) */
		smp_mb();
	}
	poll_freewait(wait);
}

/*
 * kernel/irq_work.c: irq_work_queue() (line 0): claim the work (a no-op when already pending),
 * put it on this CPU's raised list and raise the self-IPI.
 */
bool irq_work_queue(struct irq_work *work)
{
	MODEL_FRAME_FILE("irq_work.c", 0);
	if (work->pending.rmw([](int x) { return 1; }, sim::Order::AcqRel))	/* irq_work_claim() */
		return false;
	model_cpu(smp_processor_id())->irq_work_list.push_back(work);	/* preempt_disable()d in the kernel */
	return true;
}

/*
 * kernel/irq_work.c: irq_work_queue_on() (line 0): claim the work and put it on `cpu`'s raised list
 * (the kernel sends that CPU an IPI; on this CPU it is irq_work_queue()). Model: the IPI is not a
 * lane of its own: the work runs at that CPU's next pending_irq(cpu), or after every lane has
 * returned (the final check), model/README.md "Overflow: event_limit, pending_disable, the
 * irq_work self-IPI".
 */
bool irq_work_queue_on(struct irq_work *work, int cpu)
{
	MODEL_FRAME_FILE("irq_work.c", 0);
	if (cpu == smp_processor_id())
		return irq_work_queue(work);
	if (work->pending.rmw([](int x) { return 1; }, sim::Order::AcqRel))	/* irq_work_claim() */
		return false;
	model_cpu(cpu)->irq_work_list.push_back(work);	/* __smp_call_single_queue(cpu, &work->node.llist) */
	return true;
}

/*
 * kernel/irq_work.c: irq_work_run() (line 0): the self-IPI handler, here run by the PMI lane
 * when it returns (the interrupt that follows the NMI on the same CPU).
 */
void irq_work_run(void)
{
	MODEL_FRAME_FILE("irq_work.c", 0);
	auto &list = model_cpu(smp_processor_id())->irq_work_list;
	while (!list.empty()) {
		struct irq_work *work = list.front();
		list.erase(list.begin());
		work->pending.rmw([](int x) { return 0; }, sim::Order::AcqRel);	/* clear IRQ_WORK_PENDING */
		work->func(work);
	}
}
