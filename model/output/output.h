/*
 * The "output-wakeup" model: events sharing one ring buffer through perf_event_set_output(), the
 * overflow path that writes a record and wakes readers, perf_poll(), and a user task sleeping in
 * poll(2) on one event's file. Issue 7 part 2, seed 004 (LKML 2011-10-11, "[BUG] perf_event:
 * losing buffer full notifications and samples").
 *
 * Kernel: kernel/events/core.c @ 12f24484da13 (AOSC-Tracking/ubuntu-linux-unstable); the
 * pinned tree's kernel/events/ring_buffer.c is not in the source index, so ring_buffer.c is read
 * (and its lines counted) at Kingxukai/linux 9b44fff655e2, a mainline mirror with the same
 * struct perf_buffer interface. fs/select.c, kernel/sched/wait.c and kernel/irq_work.c are not
 * read: their parts here (poll_wait, pollwake, do_poll's sleep, wake_up_all, irq_work_queue/run)
 * are reduced to the protocol a lost wakeup depends on, and carry line 0.
 *
 * Everything lives in namespace output: the structs keep their kernel names (perf_event,
 * perf_buffer) without clashing with the timekeeping model's global ones.
 */
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "model/kernel/atomic.h"
#include "model/kernel/barrier.h"
#include "model/kernel/bug.h"
#include "model/kernel/compiler.h"
#include "model/kernel/field.h"
#include "model/kernel/irqflags.h"
#include "model/kernel/local.h"
#include "model/kernel/mutex.h"
#include "model/kernel/rcupdate.h"
#include "model/kernel/refcount.h"
#include "model/kernel/sim.h"
#include "model/kernel/smp.h"
#include "model/kernel/spinlock.h"
#include "model/kernel/types.h"

namespace output {

/* ---- variants (model-only): the behaviour each names, selected process-wide before a run ---- */

enum class Variant {
	Upstream,  // 12f24484da13: perf_event_wakeup() -> ring_buffer_wakeup() wakes every event on rb->event_list
	V2_6_35,   // 2.6.35-3.1 as seed 004 reports it: perf_event_wakeup() wakes only the overflowing event's waitq
	SeedFix,   // seed 004's patch on top of 2.6.35: event->output, and perf_output_begin() hands the wakeup to it
};
bool variant(Variant v);
bool select_variant(const std::string &name);
const std::vector<std::string> &variant_names();

/* ---- include/linux/poll.h, EPOLL* and POLL_IN ---- */
constexpr unsigned EPOLLIN = 0x001, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLRDNORM = 0x040;
constexpr int POLL_IN = 1;
typedef unsigned __poll_t;

constexpr int TASK_RUNNING = 0, TASK_INTERRUPTIBLE = 1;

/* model: a record is 32 bytes (header + ip + tid); the data area is one 4 KiB page */
constexpr unsigned kRecordSize = 32;
constexpr unsigned long kPageSize = 4096;

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

/* the poller: a user task in poll(2), and its fs/select.c poll_wqueues */
struct task_struct {
	sim::field<int> __state{"task_struct.__state", TASK_RUNNING};  /* set_current_state / try_to_wake_up */
	std::string comm;
};

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

struct perf_event;

/* include/uapi/linux/perf_event.h: the mmap()ed control page, the fields this model touches */
struct perf_event_mmap_page {
	sim::field<u64> data_head{"perf_event_mmap_page.data_head", 0};	/* WRITE_ONCE by the kernel */
	sim::field<u64> data_tail{"perf_event_mmap_page.data_tail", 0};	/* written by user space; READ_ONCE */
};

/* kernel/events/internal.h: struct perf_buffer, without AUX, data pages or VM accounting */
struct perf_buffer {
	refcount_t refcount{"perf_buffer.refcount"};
	int nr_pages = 1;
	int overwrite = 0;
	int paused = 0;
	atomic_t poll{"perf_buffer.poll"};					/* POLL_ for wakeups */

	local_t head{"perf_buffer.head"};					/* write position */
	sim::field<unsigned int> nest{"perf_buffer.nest", 0};	/* nested writers */
	local_t events{"perf_buffer.events"};					/* event limit */
	local_t wakeup{"perf_buffer.wakeup"};					/* wakeup stamp */
	local_t lost{"perf_buffer.lost"};					/* nr records lost */

	long watermark = 0;				/* wakeup watermark */

	spinlock_t event_lock{"perf_buffer.event_lock"};
	std::vector<struct perf_event *> event_list;	/* event_lock for writers, RCU for readers */

	refcount_t mmap_count{"perf_buffer.mmap_count"};

	struct perf_event_mmap_page *user_page;
	struct perf_event_mmap_page model_user_page;
	const char *name = "";				/* model: "rb(E0)" */
};

/* include/linux/perf_event.h: struct perf_event, the fields of the output and wakeup paths */
struct perf_event {
	std::string name;
	int model_index = 0;				/* setup order, for mutex_lock_double() */
	int cpu = -1;
	int model_target = -1;				/* hw.target: the task of a task event (index), -1: none */
	int state = 1;					/* PERF_EVENT_STATE_ACTIVE; set up once */
	struct perf_event *parent = nullptr;		/* no inheritance in this model */
	long watermark_attr = 0;			/* attr.watermark ? attr.wakeup_watermark : 0 */

	struct mutex mmap_mutex{"perf_event.mmap_mutex"};
	refcount_t mmap_count{"perf_event.mmap_count"};

	sim::field<struct perf_buffer *> rb{"perf_event.rb"};		/* rcu_assign_pointer / rcu_dereference */
	sim::field<struct perf_event *> output{"perf_event.output"};	/* seed-fix only: rcu_assign_pointer */

	wait_queue_head_t waitq;
	sim::field<int> pending_wakeup{"perf_event.pending_wakeup", 0};	/* plain: written in the PMI and its irq_work, one CPU */
	sim::field<int> pending_kill{"perf_event.pending_kill", 0};
	struct irq_work pending_irq;
	bool fasync = false;				/* *perf_event_fasync(event): no SIGIO owner here */
	atomic64_t lost_samples{"perf_event.lost_samples"};
};

/* include/linux/perf_event.h: struct perf_output_handle */
struct perf_output_handle {
	struct perf_event *event = nullptr;
	struct perf_buffer *rb = nullptr;
	unsigned long wakeup = 0;
	unsigned long size = 0;
	int flags = 0;
};

/* ---- one execution's objects ---- */
struct output_world {
	std::deque<struct perf_event> events;		/* stable addresses */
	std::deque<struct perf_buffer> buffers;
	std::deque<struct task_struct> tasks;
	std::deque<struct poll_wqueues> pollers;	/* one per poll(2) call, in call order */
	std::vector<struct irq_work *> irq_work_list[sim::kMaxCpus];	/* per-CPU raised list */
};

/* the world the running execution's functions use (set by build_world, one world at a time) */
output_world &world();

/* ---- kernel/events/ring_buffer.c ---- */
void perf_output_wakeup(struct perf_output_handle *handle);
void perf_output_get_handle(struct perf_output_handle *handle);
void perf_output_put_handle(struct perf_output_handle *handle);
int __perf_output_begin(struct perf_output_handle *handle, struct perf_event *event, unsigned int size, bool backward);
int perf_output_begin_forward(struct perf_output_handle *handle, struct perf_event *event, unsigned int size);
void perf_output_end(struct perf_output_handle *handle);
struct perf_buffer *rb_alloc(output_world &w, int nr_pages, long watermark, int cpu, int flags);

/* ---- kernel/events/core.c ---- */
void ring_buffer_attach(struct perf_event *event, struct perf_buffer *rb);
void ring_buffer_wakeup(struct perf_event *event);
struct perf_buffer *ring_buffer_get(struct perf_event *event);
void ring_buffer_put(struct perf_buffer *rb);
__poll_t perf_poll(struct perf_event *event, poll_table *wait);
void perf_event_wakeup(struct perf_event *event);
void perf_pending_irq(struct irq_work *entry);
int __perf_event_output(struct perf_event *event);
void perf_event_output_forward(struct perf_event *event);
int perf_event_set_output(struct perf_event *event, struct perf_event *output_event);
int perf_mmap_rb_model(output_world &w, struct perf_event *event);

/* ---- include/linux/wait.h, kernel/sched/wait.c, fs/select.c, kernel/irq_work.c (reduced) ---- */
void init_waitqueue_head(wait_queue_head_t *wq, const char *name);
void poll_wait(struct perf_event *event, wait_queue_head_t *wq, poll_table *p);
void wake_up_all(wait_queue_head_t *wq);
int pollwake(wait_queue_entry *wait);
void do_poll(poll_table *wait);
void poll_freewait(poll_table *wait);
bool irq_work_queue(struct irq_work *work);
void irq_work_run(void);

/* ---- the ops, by index into the world's events ---- */
void op_overflow(output_world &w, int event);
void op_poll(output_world &w, int event);
int op_set_output(output_world &w, int event, int output_event);

/* A poller asleep on a waitqueue (never woken) while the buffer of the event it polls has
 * EPOLLIN pending: one line per lost wakeup, empty when none (the check_final invariant). */
std::vector<std::string> lost_wakeups(const output_world &w);

}  // namespace output
