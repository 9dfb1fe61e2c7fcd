/*
 * include/linux/perf_event.h, include/uapi/linux/perf_event.h, kernel/events/internal.h:
 * the structures the perf model touches, in every area (the union of the fields the areas need: one
 * struct perf_event), as of AOSC-Tracking/ubuntu-linux-unstable
 * 12f24484da137827e1e327fd0e39be0c60b16a07 (a 6.17+ tree; see model/README.md).
 *
 * Field rules (model-only):
 *  - a field the ported code reads or writes while another CPU may touch it is a sim::field
 *    named "struct.field", so that the race detector sees it as KCSAN would;
 *  - structure that build_world() sets up and that nothing changes concurrently (group_leader,
 *    sibling lists, ctx, pmu_ctx, pmu, cpu, attr) is plain C++, and so are the lists that only
 *    change under ctx->lock (event_list, the group trees, the active lists): std::vector in
 *    place of list_head / rb_root, in the kernel's order (group trees sorted by group_index);
 *  - per-CPU PMU bookkeeping (struct perf_cpu_pmu_context) is plain: it is only touched on
 *    its own CPU with IRQs off;
 *  - everything named ghost / model_* is ours and invisible to the race detector.
 */
#pragma once

#include <cstddef>
#include <vector>

#include <string>

#include "model/perf/ghost.h"
#include "model/perf/unwind_deferred.h"
#include "model/perf/wait.h"
#include "model/kernel/kernel.h"

/* include/linux/perf_event.h: enum perf_event_state */
enum perf_event_state {
	PERF_EVENT_STATE_DEAD		= -5,
	PERF_EVENT_STATE_REVOKED	= -4, /* pmu gone, must not touch */
	PERF_EVENT_STATE_EXIT		= -3, /* task died, still inherit */
	PERF_EVENT_STATE_ERROR		= -2, /* scheduling error, can enable */
	PERF_EVENT_STATE_OFF		= -1,
	PERF_EVENT_STATE_INACTIVE	=  0,
	PERF_EVENT_STATE_ACTIVE		=  1,
};

/* kernel/events/core.c: enum event_type_t (core.c:159) */
enum event_type_t {
	EVENT_FLEXIBLE	= 0x01,
	EVENT_PINNED	= 0x02,
	EVENT_TIME	= 0x04,
	EVENT_FROZEN	= 0x08,
	/* see ctx_resched() for details */
	EVENT_CPU	= 0x10,
	EVENT_CGROUP	= 0x20,

	/* compound helpers */
	EVENT_ALL         = EVENT_FLEXIBLE | EVENT_PINNED,
	EVENT_TIME_FROZEN = EVENT_TIME | EVENT_FROZEN,
};

/* model-only: C lets an enum take |, & and ~ results; C++ needs these to keep the kernel's lines */
constexpr enum event_type_t operator|(enum event_type_t a, enum event_type_t b) { return (enum event_type_t)((int)a | (int)b); }
constexpr enum event_type_t operator&(enum event_type_t a, int b) { return (enum event_type_t)((int)a & b); }
inline enum event_type_t &operator|=(enum event_type_t &a, int b) { return a = (enum event_type_t)((int)a | b); }
inline enum event_type_t &operator&=(enum event_type_t &a, int b) { return a = (enum event_type_t)((int)a & b); }

/* include/uapi/linux/perf_event.h: read_format bits, ioctls */
#define PERF_FORMAT_TOTAL_TIME_ENABLED	(1U << 0)
#define PERF_FORMAT_TOTAL_TIME_RUNNING	(1U << 1)
#define PERF_FORMAT_ID			(1U << 2)
#define PERF_FORMAT_GROUP		(1U << 3)
#define PERF_FORMAT_LOST		(1U << 4)
#define PERF_SAMPLE_READ		(1U << 4)	/* enum perf_event_sample_format */

#define PERF_EVENT_IOC_ENABLE		0x2400	/* _IO('$', 0) */
#define PERF_EVENT_IOC_DISABLE		0x2401	/* _IO('$', 1) */
#define PERF_EVENT_IOC_RESET		0x2403	/* _IO('$', 3) */
#define PERF_EVENT_IOC_REFRESH		0x2402	/* _IO('$', 2) */
#define PERF_IOC_FLAG_GROUP		1U

/* include/linux/perf_event.h: pmu::add/del/start/stop flags, hw_perf_event::state bits */
#define PERF_EF_START	0x01
#define PERF_EF_RELOAD	0x02
#define PERF_EF_UPDATE	0x04
#define PERF_EF_PAUSE	0x08
#define PERF_EF_RESUME	0x10
#define PERF_HES_STOPPED	0x01
#define PERF_HES_UPTODATE	0x02
#define PERF_PMU_TXN_ADD	0x1
#define PERF_PMU_TXN_READ	0x2

/* include/linux/perf_event.h: pmu::capabilities */
#define PERF_PMU_CAP_NO_INTERRUPT	0x0001
#define PERF_PMU_CAP_NO_NMI		0x0002
#define PERF_PMU_CAP_AUX_PAUSE		0x0200

/* kernel/events/core.c: hw.interrupts of a throttled event */
#define MAX_INTERRUPTS (~0ULL)

/* perf_event::attach_state */
#define PERF_ATTACH_CONTEXT	0x0001
#define PERF_ATTACH_GROUP	0x0002
#define PERF_ATTACH_TASK	0x0004
#define PERF_ATTACH_CHILD	0x0040	/* an inherited event on its parent's child_list (issue 15 b) */

/* perf_event::event_caps */
#define PERF_EV_CAP_SOFTWARE	(1U << 0)
#define PERF_EV_CAP_SIBLING	(1U << 3)

/* include/uapi/linux/perf_event.h: the attr bits the model reads (plain: never changes) */
struct perf_event_attr {
	u32 type = 0;
	u64 read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	u64 disabled = 0, inherit = 0, pinned = 0, exclusive = 0, freq = 0, inherit_stat = 0,
	    enable_on_exec = 0, watermark = 0, remove_on_exec = 0;
	u64 sample_period = 1;				/* model: every event samples (is_sampling_event()) */
	u64 sample_freq = 0;
	u32 wakeup_watermark = 0;			/* bytes, with watermark = 1 */
	/* aux_action: on overflow, pause / resume the group's AUX event; start it paused */
	u32 aux_pause = 0, aux_resume = 0, aux_start_paused = 0;
	/* callchains: v16 2/4's defer_callchain */
	u64 exclude_callchain_kernel = 0, exclude_callchain_user = 0, defer_callchain = 0;
	u32 sample_max_stack = 127;
	u64 sample_type = 0;				/* issue 15 (a): PERF_SAMPLE_READ only (attr sample_read) */
};

struct perf_event;
struct perf_event_context;
struct perf_event_pmu_context;
struct perf_cpu_pmu_context;
struct perf_buffer;
struct task_struct;

/*
 * model-only: a per-CPU variable. this_cpu_ptr(&v) / per_cpu_ptr(&v, cpu) as in the kernel
 * (model/perf/core.h); the storage is the world's, one element per CPU.
 */
template <typename T> struct model_percpu {
	T *(*lookup)(int cpu) = nullptr;
	T *on(int cpu) const { return lookup(cpu); }
};

/* include/linux/perf_event.h: struct pmu, the callbacks the model's counting PMU implements */
struct pmu {
	const char *name;
	int type;
	unsigned int capabilities;
	int hrtimer_interval_ms = 0;	/* the mux hrtimer's period (__perf_mux_hrtimer_init(): 0 -> PERF_CPU_HRTIMER) */
	model_percpu<struct perf_cpu_pmu_context> *cpu_pmu_context;	/* kernel: __percpu ** (one less indirection) */
	void (*pmu_enable)(struct pmu *pmu);
	void (*pmu_disable)(struct pmu *pmu);
	int (*add)(struct perf_event *event, int flags);
	void (*del)(struct perf_event *event, int flags);
	void (*start)(struct perf_event *event, int flags);
	void (*stop)(struct perf_event *event, int flags);
	void (*read)(struct perf_event *event);
	void (*start_txn)(struct pmu *pmu, unsigned int txn_flags);
	int (*commit_txn)(struct pmu *pmu);
	void (*cancel_txn)(struct pmu *pmu);
	int (*event_idx)(struct perf_event *event);
	void *(*setup_aux)(struct perf_event *event);	/* kernel: (event, pages, nr_pages, overwrite); non-NULL: an AUX PMU */
};

/*
 * model-only: a struct hrtimer as the software PMUs use it (model/perf/swevent.cpp): armed or not,
 * on which CPU (HRTIMER_MODE_REL_PINNED_HARD: the CPU that started it), and whether its callback
 * runs (hrtimer_cancel() waits for that). Its expiry is the op
 * overflow(E) in an irq lane of that CPU; its period is not modelled (hrtimer_get_remaining() is 0).
 */
struct model_hrtimer {
	sim::field<int> armed{"hrtimer.state", 0};	/* HRTIMER_STATE_ENQUEUED; only its CPU, IRQs off */
	int cpu = -1;
	raw_spinlock_t running{"hrtimer.running"};	/* held while its callback runs (base->running) */
};

/* include/linux/perf_event.h: struct hw_perf_event, the part a counting PMU uses */
struct hw_perf_event {
	struct task_struct *target = nullptr;				/* the task of a task event (set up once) */
	local64_t prev_count{"hw_perf_event.prev_count"};						/* the PMU's own CPU, IRQs off */
	sim::field<int> state{"hw_perf_event.state"};			/* PERF_HES_*: pmu callbacks */
	sim::field<u64> interrupts_seq{"hw_perf_event.interrupts_seq"};
	sim::field<u64> interrupts{"hw_perf_event.interrupts"};	/* MAX_INTERRUPTS: throttled */
	sim::field<unsigned int> aux_paused{"hw_perf_event.aux_paused"};	/* perf_event_aux_pause() */
	/* issue 15 (a): the software PMUs' sampling hrtimer (model/perf/swevent.cpp) */
	struct model_hrtimer hrtimer;
	local64_t period_left{"hw_perf_event.period_left"};
	u64 sample_period = 0;	/* set up once (perf_event_alloc()) */
	u64 last_period = 0;
};

/* include/uapi/linux/perf_event.h: struct perf_event_mmap_page, the fields the model uses */
struct perf_event_mmap_page {
	sim::field<u32> version{"perf_event_mmap_page.version"};
	sim::field<u32> compat_version{"perf_event_mmap_page.compat_version"};
	sim::field<u32> lock{"perf_event_mmap_page.lock"};		/* seqcount for the user-space reader */
	sim::field<u32> index{"perf_event_mmap_page.index"};		/* hardware event identifier */
	sim::field<s64> offset{"perf_event_mmap_page.offset"};		/* add to hardware event value */
	sim::field<u64> time_enabled{"perf_event_mmap_page.time_enabled"};
	sim::field<u64> time_running{"perf_event_mmap_page.time_running"};
	sim::field<u64> cap_bit0_is_deprecated{"perf_event_mmap_page.capabilities"};
	sim::field<u16> size{"perf_event_mmap_page.size"};
	sim::field<u64> data_offset{"perf_event_mmap_page.data_offset"};
	sim::field<u64> data_size{"perf_event_mmap_page.data_size"};
	sim::field<u64> data_head{"perf_event_mmap_page.data_head", 0};	/* WRITE_ONCE by the kernel */
	sim::field<u64> data_tail{"perf_event_mmap_page.data_tail", 0};	/* written by user space; READ_ONCE */
	sim::field<u64> aux_offset{"perf_event_mmap_page.aux_offset", 0};	/* written by user space before the AUX mmap() */
	sim::field<u64> aux_size{"perf_event_mmap_page.aux_size", 0};
	/* issue 15 (a): the time fields arch_perf_update_userpage() fills (x86), for the reader loop */
	sim::field<u64> cap_user_time{"perf_event_mmap_page.cap_user_time", 0};	/* a bit of the capabilities word */
	sim::field<u64> cap_user_time_zero{"perf_event_mmap_page.cap_user_time_zero", 0};
	sim::field<u16> time_shift{"perf_event_mmap_page.time_shift", 0};
	sim::field<u32> time_mult{"perf_event_mmap_page.time_mult", 0};
	sim::field<u64> time_offset{"perf_event_mmap_page.time_offset", 0};
	sim::field<u64> time_zero{"perf_event_mmap_page.time_zero", 0};
};
/* offsetof(struct perf_event_mmap_page, __reserved) in the uapi layout */
#define PERF_EVENT_MMAP_PAGE_RESERVED_OFFSET 1080
#define PAGE_SIZE 4096UL

/* kernel/events/internal.h: struct perf_buffer, without data pages (records are counted, not copied) */
struct perf_buffer {
	refcount_t refcount{"perf_buffer.refcount"};
	int nr_pages = 0;				/* data pages (plain: set by rb_alloc) */
	int overwrite = 0;				/* can overwrite itself */
	int paused = 0;					/* can write into ring buffer */
	atomic_t poll{"perf_buffer.poll"};		/* POLL_ for wakeups */

	local_t head{"perf_buffer.head"};		/* write position */
	sim::field<unsigned int> nest{"perf_buffer.nest", 0};	/* nested writers */
	local_t events{"perf_buffer.events"};		/* event limit */
	local_t wakeup{"perf_buffer.wakeup"};		/* wakeup stamp */
	local_t lost{"perf_buffer.lost"};		/* nr records lost */

	long watermark = 0;				/* wakeup watermark */

	spinlock_t event_lock{"perf_buffer.event_lock"};
	std::vector<struct perf_event *> event_list;	/* list_head event_list: event_lock for writers, RCU for readers */

	refcount_t mmap_count{"perf_buffer.mmap_count"};
	long mmap_locked = 0;

	/* AUX area (rb_alloc_aux(): no AUX pages, only its bookkeeping) */
	struct mutex aux_mutex{"perf_buffer.aux_mutex"};
	long aux_pgoff = 0;
	int aux_nr_pages = 0;				/* rb_has_aux(): an AUX area is mapped */
	refcount_t aux_mmap_count{"perf_buffer.aux_mmap_count"};
	sim::field<unsigned int> aux_nest{"perf_buffer.aux_nest", 0};	/* READ_ONCE/WRITE_ONCE */
	sim::field<int> aux_in_pause_resume{"perf_buffer.aux_in_pause_resume", 0};	/* READ_ONCE/WRITE_ONCE */

	struct perf_event_mmap_page *user_page = nullptr;
	struct perf_event_mmap_page model_user_page;	/* model-only: the page user_page points to */
	std::string model_name;				/* model-only: "rb(E0)", for reports */
};

/* include/linux/sched.h: the part of struct task_struct the model uses */
struct task_struct {
	const char *comm;
	unsigned int flags = 0;						/* PF_*: set up once */
	bool model_has_mm = true;					/* model-only: current->mm != NULL */
	sim::field<struct perf_event_context *> perf_event_ctxp{"task_struct.perf_event_ctxp"};
	sim::field<int> cpu{"thread_info.cpu"};			/* task_cpu(): READ_ONCE */
	sim::field<int> __state{"task_struct.__state", TASK_RUNNING};	/* set_current_state / try_to_wake_up */
	int model_on_cpu = -1;		/* model-only: the scheduler's view, for the model's context switch */

	/* task work and the deferred unwind (the callchain area) */
	sim::field<struct callback_head *> task_works{"task_struct.task_works"};
	raw_spinlock_t pi_lock{"task_struct.pi_lock"};
	struct unwind_task_info unwind_info;
	/* TIF_NOTIFY_RESUME, as task_work_add() sets it; only the task and NMIs on its CPU touch
	 * it here (ordered by the model's NMI exclusion), so it is a plain bool, not a checked field */
	bool model_notify_resume = false;
	int model_entry = 1;	/* ghost: user-space runs so far (1: the current kernel entry's); an entry
				 * the self-IPI of TWA_NMI_CURRENT forces before any user instruction
				 * counts with the one before it (same user stack) */
	std::vector<std::pair<u64, int>> model_cookies;	/* ghost: cookies handed to requests, with their entry */
};

/* kernel/events/core.c: struct perf_event_groups (an rb-tree sorted by {cpu, pmu, cgroup, group_index}) */
struct perf_event_groups {
	std::vector<struct perf_event *> tree;		/* model: group leaders in group_index order */
	u64 index = 0;
};

/* include/linux/perf_event.h: struct perf_event_pmu_context */
struct perf_event_pmu_context {
	struct pmu *pmu = nullptr;
	struct perf_event_context *ctx = nullptr;
	std::vector<struct perf_event *> pinned_active;	/* list_head, under ctx->lock */
	std::vector<struct perf_event *> flexible_active;	/* list_head, under ctx->lock */
	unsigned int embedded = 0;
	unsigned int nr_events = 0;			/* ctx->lock */
	unsigned int nr_cgroups = 0;
	unsigned int nr_freq = 0;
	int rotate_necessary = 0;			/* ctx->lock */
};

/* include/linux/perf_event.h: struct perf_cpu_pmu_context (per-CPU, IRQs off: plain) */
struct perf_cpu_pmu_context {
	struct perf_event_pmu_context epc;
	struct perf_event_pmu_context *task_epc = nullptr;
	int active_oncpu = 0;
	int exclusive = 0;
	int pmu_disable_count = 0;
	int sched_cb_usage = 0;
	/* the mux hrtimer (issue 15 b, rotate.cpp): hrtimer_lock orders hrtimer_active */
	raw_spinlock_t hrtimer_lock{"perf_cpu_pmu_context.hrtimer_lock"};
	u64 hrtimer_interval = 0;		/* ktime_t, set up once (__perf_mux_hrtimer_init()) */
	struct model_hrtimer hrtimer;		/* armed by perf_mux_hrtimer_restart(); fires as the op rotate */
	int hrtimer_active = 0;
};

/* include/linux/perf_event.h: struct perf_event_context */
struct perf_event_context {
	/*
	 * Protect the states of the events in the list,
	 * nr_active, and the list:
	 */
	raw_spinlock_t lock{"perf_event_context.lock"};
	/*
	 * Protect the list of events.  Locking either mutex or lock
	 * is sufficient to ensure the list doesn't change; to change
	 * the list you need to lock both the mutex and the spinlock.
	 */
	struct mutex mutex{"perf_event_context.mutex"};

	std::vector<struct perf_event_pmu_context *> pmu_ctx_list;
	struct perf_event_groups pinned_groups;
	struct perf_event_groups flexible_groups;
	std::vector<struct perf_event *> event_list;

	int nr_events = 0;				/* ctx->lock (mutex for the list) */
	int nr_user = 0;
	sim::field<int> is_active{"perf_event_context.is_active"};	/* EVENT_*; lockless: __load_acquire */
	int nr_stat = 0;
	int nr_freq = 0;
	int rotate_disable = 0;

	refcount_t refcount{"perf_event_context.refcount"};
	sim::field<struct task_struct *> task{"perf_event_context.task"};

	/*
	 * Context clock, runs when context enabled.
	 */
	sim::field<u64> time{"perf_event_context.time"};
	sim::field<u64> timestamp{"perf_event_context.timestamp"};
	sim::field<u64> timeoffset{"perf_event_context.timeoffset"};	/* WRITE_ONCE / READ_ONCE */

	/*
	 * These fields let us detect when two contexts have both
	 * been cloned (inherited) from a common ancestor.
	 */
	struct perf_event_context *parent_ctx = nullptr;	/* a clone: set up once (the setup op inherited()) */
	u64 parent_gen = 0;
	u64 generation = 0;
	int pin_count = 0;
	local_t nr_no_switch_fast{"perf_event_context.nr_no_switch_fast"};	/* events preventing fast context switch */

	const char *model_name = "";				/* model-only: the scenario's name */
	struct ghost_context ghost;				/* model-only: the ledger's clock state (model/perf/ghost.h) */
};

/* include/linux/perf_event.h: struct perf_cpu_context */
struct perf_cpu_context {
	struct perf_event_context ctx;
	sim::field<struct perf_event_context *> task_ctx{"perf_cpu_context.task_ctx"};
	int online = 1;
};

/* include/linux/perf_event.h: struct perf_event, the fields the areas use */
struct perf_event {
	/* structure: set up by build_world(), never changed concurrently */
	struct perf_event *group_leader = nullptr;
	std::vector<struct perf_event *> sibling_list;	/* for_each_sibling_event() */
	int nr_siblings = 0;
	int group_caps = 0;
	unsigned int group_generation = 0;
	struct pmu *pmu = nullptr;
	unsigned int attach_state = 0;
	int cpu = -1;
	u64 id = 0;
	unsigned int event_caps = 0;
	u16 read_size = 0;
	struct perf_event_attr attr;
	struct perf_event_context *ctx = nullptr;		/* kernel: smp_store_release at install */
	struct perf_event_pmu_context *pmu_ctx = nullptr;
	struct perf_event *parent = nullptr;			/* inherit_event() (fork.cpp); set once */
	std::vector<struct perf_event *> child_list;		/* the parent's child_mutex */
	struct mutex child_mutex{"perf_event.child_mutex"};
	atomic_long_t refcount{"perf_event.refcount"};	/* the fd's reference and one per child (inherit_event()) */
	u64 group_index = 0;

	sim::field<enum perf_event_state> state{"perf_event.state"};

	/*
	 * These are the total time in nanoseconds that the event
	 * has been enabled (i.e. eligible to run, and the task has
	 * been scheduled in, if this is a per-task event)
	 * and running (scheduled onto the CPU), respectively.
	 */
	sim::field<u64> total_time_enabled{"perf_event.total_time_enabled"};
	sim::field<u64> total_time_running{"perf_event.total_time_running"};
	sim::field<u64> tstamp{"perf_event.tstamp"};

	local64_t count{"perf_event.count"};
	atomic64_t child_count{"perf_event.child_count"};
	atomic64_t child_total_time_enabled{"perf_event.child_total_time_enabled"};
	atomic64_t child_total_time_running{"perf_event.child_total_time_running"};

	struct hw_perf_event hw;
	sim::field<int> oncpu{"perf_event.oncpu"};		/* WRITE_ONCE / READ_ONCE, smp_wmb/smp_rmb */

	/* mmap bits */
	struct mutex mmap_mutex{"perf_event.mmap_mutex"};
	refcount_t mmap_count{"perf_event.mmap_count"};
	sim::field<struct perf_buffer *> rb{"perf_event.rb"};	/* rcu_assign_pointer / rcu_dereference */

	sim::field<unsigned int> pending_disable{"perf_event.pending_disable"};
	struct irq_work pending_disable_irq;			/* init_irq_work(.., perf_pending_disable) */
	atomic_t event_limit{"perf_event.event_limit"};	/* PERF_EVENT_IOC_REFRESH's credit (_perf_event_refresh()) */

	/* output and wakeups */
	sim::field<struct perf_event *> output{"perf_event.output"};	/* variant seed-fix only: rcu_assign_pointer */
	wait_queue_head_t waitq;
	void *fasync = nullptr;					/* *perf_event_fasync(): no SIGIO owner in the model */
	sim::field<unsigned int> pending_wakeup{"perf_event.pending_wakeup", 0};	/* the PMI and its irq_work, one CPU */
	sim::field<unsigned int> pending_kill{"perf_event.pending_kill", 0};
	struct irq_work pending_irq;
	atomic64_t lost_samples{"perf_event.lost_samples"};
	void (*overflow_handler)(struct perf_event *event) = nullptr;	/* set at perf_event_alloc(), then constant */

	/* AUX */
	struct perf_event *aux_event = nullptr;		/* the group's AUX event, for aux_pause/aux_resume */

	/* deferred user callchains (v16 2/4) */
	struct unwind_work unwind_work;
	/* variant v16-cancel-dec only: perf's own "a callback is owed" flag, as in v15 */
	sim::field<int> pending_unwind_callback{"perf_event.pending_unwind_callback"};
	/* model-only ghost state of the callchain area */
	bool model_removed = false;	/* __perf_remove_from_context() done: no more samples */
	bool model_freed = false;	/* _free_event() reached call_rcu(): any later access is a use after free */
	std::vector<model_sample> model_samples;
	std::vector<model_deferred_record> model_records;
	std::vector<u64> model_unanswered;	/* request cookies of samples with the marker, not yet answered */

	const char *model_name = "";				/* model-only: the scenario's name */
	struct ghost_event ghost;				/* model-only: the ledger (model/perf/ghost.h) */
};

/* include/linux/perf_event.h: for_each_sibling_event() (model: lockdep check omitted) */
#define for_each_sibling_event(sibling, event) for (struct perf_event *sibling : (event)->sibling_list)

/* model-only: a vma and a file, as much as perf_mmap() reads */
#define VM_WRITE	0x00000002UL
#define VM_SHARED	0x00000008UL
struct file {
	void *private_data;
};
struct vm_area_struct {
	unsigned long vm_start, vm_end, vm_pgoff, vm_flags;
	struct file *vm_file;
};

static inline int is_software_event(struct perf_event *event)
{
	return event->event_caps & PERF_EV_CAP_SOFTWARE;
}
