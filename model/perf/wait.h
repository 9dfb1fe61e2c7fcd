/*
 * include/linux/wait.h, include/linux/poll.h, fs/select.c's poll_wqueues and
 * include/linux/irq_work.h: the sleeping and deferred-wakeup side of the output area, reduced to
 * the protocol a lost wakeup depends on (model/perf/wait.cpp says how). None of these files was
 * read for the model; the structures keep the kernel's names and only the fields the protocol
 * uses.
 */
#pragma once

#include <memory>
#include <vector>

#include "model/kernel/field.h"
#include "model/kernel/spinlock.h"

/* include/uapi/linux/eventpoll.h, asm-generic/siginfo.h: EPOLL* and POLL_* */
#define EPOLLIN		0x00000001
#define EPOLLERR	0x00000008
#define EPOLLHUP	0x00000010
#define EPOLLRDNORM	0x00000040
#define POLL_IN		1
#define POLL_HUP	6	/* include/uapi/asm-generic/siginfo.h */
typedef unsigned __poll_t;

/* include/linux/sched.h: task states the poller goes through */
#define TASK_RUNNING		0x00000000
#define TASK_INTERRUPTIBLE	0x00000001

struct perf_event;
struct task_struct;
struct poll_wqueues;

/* include/linux/wait.h: a waitqueue entry; here always a poll table entry whose func is pollwake() */
struct wait_queue_entry {
	struct poll_wqueues *pwq;  /* container_of(wait, struct poll_table_entry, wait)->... */
};

/* include/linux/wait.h: wait_queue_head_t; head is a list under lock */
struct wait_queue_head {
	spinlock_t lock{"wait_queue_head.lock"};
	std::vector<wait_queue_entry *> head;	/* lock */
	const char *name = "";			/* model: whose waitq, for reports */
	int model_wakeups = 0;			/* ghost: wake_up_all() calls, for tests and reports */
};
typedef struct wait_queue_head wait_queue_head_t;

/* fs/select.c: the poller's poll_wqueues (poll(2) on one fd) */
struct poll_wqueues {
	struct task_struct *polling_task;
	sim::field<int> triggered{"poll_wqueues.triggered", 0};	/* model: marked; see pollwake() */
	std::vector<std::unique_ptr<wait_queue_entry>> entries;	/* poll_table_entry[] */
	std::vector<wait_queue_head *> queues;			/* entry i waits on queues[i] */
	bool add_entries = true;				/* pt->_qproc != NULL: first pass only */
	struct perf_event *event = nullptr;			/* the file polled (model: one fd) */
	__poll_t mask = 0;					/* what do_poll() returned, when it did */
};
typedef struct poll_wqueues poll_table;

/* include/linux/irq_work.h: a queued flag and the function; run by irq_work_run() on its CPU */
struct irq_work {
	sim::field<int> pending{"irq_work.pending", 0};		/* atomic flags in the kernel: marked */
	void (*func)(struct irq_work *) = nullptr;
	struct perf_event *model_event = nullptr;		/* container_of(entry, struct perf_event, pending_irq) */
};

/* ---- include/linux/wait.h, kernel/sched/wait.c, fs/select.c, kernel/irq_work.c (model/perf/wait.cpp) ---- */
void init_waitqueue_head(wait_queue_head_t *wq, const char *name);
void poll_wait(struct perf_event *event, wait_queue_head_t *wq, poll_table *p);
void wake_up_all(wait_queue_head_t *wq);
int pollwake(wait_queue_entry *wait);
void do_poll(poll_table *wait);
void poll_freewait(poll_table *wait);
bool irq_work_queue(struct irq_work *work);
bool irq_work_queue_on(struct irq_work *work, int cpu);
void irq_work_run(void);
