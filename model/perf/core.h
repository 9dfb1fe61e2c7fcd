/*
 * The functions of kernel/events/core.c (and ring_buffer.c, callchain.c, kernel/unwind/) that the
 * model ports, declared for the area files (time, context, sched, enable, read, userpage, mmap,
 * ring_buffer, output, wait, throttle, aux, callchain, unwind_deferred). In the kernel most are
 * static in one file; here they are split by area, ported once and declared once.
 *
 * Modelled version: AOSC-Tracking/ubuntu-linux-unstable 12f24484da137827e1e327fd0e39be0c60b16a07,
 * kernel/events/core.c. Each definition opens with MODEL_FRAME(<its first line in that file>).
 *
 * Include this header after every standard header: it defines `current`, this_cpu_ptr() and
 * per_cpu_ptr() as macros, as the kernel does.
 */
#pragma once

#include <algorithm>
#include <cerrno>
#include <vector>

#include "model/perf/perf_event.h"
#include "model/perf/variant.h"

/* --- model-only: per-CPU state, `current`, task_cpu() --- */

/* include/linux/perf_event.h: struct perf_output_handle (an output or an AUX transaction) */
struct perf_output_handle {
	struct perf_event *event = nullptr;
	struct perf_buffer *rb = nullptr;
	unsigned long wakeup = 0;
	unsigned long size = 0;
	int flags = 0;
	std::vector<u64> *model_copy = nullptr;	/* model-only: __output_copy()'s u64s of a PERF_RECORD_READ (issue 15 b) */
	u64 model_now = 0;			/* model-only: the clock perf_output_read()'s calc_timer_values() read */
};

/* The model's PMUs (pmu.cpp, aux_pmu.cpp), indexing each CPU's perf_cpu_pmu_context. */
enum model_pmu_index {
	MODEL_PMU_COUNTING, MODEL_PMU_CYCLES, MODEL_PMU_AUX, MODEL_PMU_AUX_NOPAUSE,
	MODEL_PMU_CPU_CLOCK, MODEL_PMU_TASK_CLOCK,	/* issue 15 (a): the software clocks (swevent.cpp) */
	MODEL_NR_PMUS
};

/* model-only: the per-CPU state of the model AUX driver (intel_pt's struct pt, reduced) */
struct model_aux_cpu {
	struct perf_output_handle handle;
	sim::field<int> pause_allowed{"pt.pause_allowed"};
	sim::field<int> resume_allowed{"pt.resume_allowed"};
	int trace_en = 0;	/* the trace enable bit of the hardware (a register, not memory) */
};

/* One CPU of the model. curr is written only by the model's context switch, with IRQs off on
 * this CPU, and read only by code running on this CPU (`current`): plain. */
struct model_cpu {
	struct task_struct idle;
	struct task_struct *curr = nullptr;
	struct perf_cpu_context cpuctx;
	struct perf_cpu_pmu_context cpc[MODEL_NR_PMUS];	/* each PMU's, by model_pmu_index */
	std::vector<struct irq_work *> irq_work_list;	/* kernel/irq_work.c: this CPU's raised list */
	sim::field<int> perf_throttled_count{"perf_throttled_count"};	/* core.c: DEFINE_PER_CPU */
	sim::field<u64> perf_throttled_seq{"perf_throttled_seq"};	/* core.c: DEFINE_PER_CPU */
	struct model_aux_cpu pt;	/* the AUX driver's */
	u32 unwind_ctx_ctr = 0;		/* kernel/unwind/deferred.c: DEFINE_PER_CPU(u32, unwind_ctx_ctr) */
	bool in_nmi = false;		/* in_nmi() of the code running on this CPU */
};

struct model_cpu *model_cpu(int cpu);		/* the world's CPU (model/perf/world.cpp) */
struct task_struct *model_current(void);	/* model_cpu(smp_processor_id())->curr */
int model_nr_cpu_ids(void);

extern model_percpu<struct perf_cpu_context> perf_cpu_context;

#define this_cpu_ptr(p) ((p)->on(smp_processor_id()))
#define per_cpu_ptr(p, cpu) ((p)->on(cpu))
#define current (model_current())
#define nr_cpu_ids (model_nr_cpu_ids())
#define TASK_TOMBSTONE ((struct task_struct *)-1L)

/* include/linux/sched.h: task_cpu() */
static inline unsigned int task_cpu(const struct task_struct *p)
{
	return READ_ONCE(p->cpu);
}

/* kernel/events/core.c: UP store-release, load-acquire (core.c:773-784) */
#define __store_release(ptr, val)					\
do {									\
	barrier();							\
	WRITE_ONCE(*(ptr), (val));					\
} while (0)

#define __load_acquire(ptr)						\
({									\
	auto ___p = READ_ONCE(*(ptr));					\
	barrier();							\
	___p;								\
})

/* kernel/events/core.c: for_each_epc() (core.c:786); model: pmu_ctx_list is a vector */
#define for_each_epc(_epc, _ctx, _pmu, _cgroup)				\
	for (struct perf_event_pmu_context *_epc : (_ctx)->pmu_ctx_list)	\
		if (_cgroup && !_epc->nr_cgroups)			\
			continue;					\
		else if (_pmu && _epc->pmu != _pmu)			\
			continue;					\
		else

/* model-only list helpers: list_del_init()/list_add_tail() on the std::vector lists */
static inline void model_list_del(std::vector<struct perf_event *> &list, struct perf_event *event)
{
	list.erase(std::remove(list.begin(), list.end(), event), list.end());
}

/* --- time.cpp --- */
u64 perf_clock(void);
void __update_context_time(struct perf_event_context *ctx, bool adv);
void update_context_time(struct perf_event_context *ctx);
u64 perf_event_time(struct perf_event *event);
u64 perf_event_time_now(struct perf_event *event, u64 now);
enum perf_event_state __perf_effective_state(struct perf_event *event);
template <typename T> void __perf_update_times(struct perf_event *event, u64 now, T *enabled, T *running);
void perf_event_update_time(struct perf_event *event);
void perf_event_update_sibling_time(struct perf_event *leader);
void perf_event_set_state(struct perf_event *event, enum perf_event_state state);
void __ctx_time_update(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx, bool final);
void ctx_time_update(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx);
void ctx_time_freeze(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx);
void ctx_time_update_event(struct perf_event_context *ctx, struct perf_event *event);
u64 perf_event_count(struct perf_event *event, bool self);
void calc_timer_values(struct perf_event *event, u64 *now, u64 *enabled, u64 *running);

/* --- context.cpp --- */
typedef int (*remote_function_f)(void *);
struct remote_function_call {
	struct task_struct	*p;
	remote_function_f	func;
	void			*info;
	int			ret;
};
void remote_function(void *data);
int task_function_call(struct task_struct *p, remote_function_f func, void *info);
int cpu_function_call(int cpu, remote_function_f func, void *info);
void __perf_ctx_lock(struct perf_event_context *ctx);
void perf_ctx_lock(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx);
void __perf_ctx_unlock(struct perf_event_context *ctx);
void perf_ctx_unlock(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx);
typedef void (*event_f)(struct perf_event *, struct perf_cpu_context *, struct perf_event_context *, void *);
struct event_function_struct {
	struct perf_event *event;
	event_f func;
	void *data;
};
int event_function(void *info);
void event_function_call(struct perf_event *event, event_f func, void *data);
void event_function_local(struct perf_event *event, event_f func, void *data);
void perf_ctx_disable(struct perf_event_context *ctx, bool cgroup);
void perf_ctx_enable(struct perf_event_context *ctx, bool cgroup);
struct perf_cpu_pmu_context *this_cpc(struct pmu *pmu);
void perf_pmu_disable(struct pmu *pmu);
void perf_pmu_enable(struct pmu *pmu);
void perf_assert_pmu_disabled(struct pmu *pmu);
void perf_pmu_read(struct perf_event *event);
void get_ctx(struct perf_event_context *ctx);
void put_ctx(struct perf_event_context *ctx);
struct perf_event_context *perf_event_ctx_lock_nested(struct perf_event *event, int nesting);
struct perf_event_context *perf_event_ctx_lock(struct perf_event *event);
void perf_event_ctx_unlock(struct perf_event *event, struct perf_event_context *ctx);
enum event_type_t get_event_type(struct perf_event *event);
struct perf_event_groups *get_event_groups(struct perf_event *event, struct perf_event_context *ctx);
void perf_event_groups_insert(struct perf_event_groups *groups, struct perf_event *event);
void add_event_to_groups(struct perf_event *event, struct perf_event_context *ctx);
void list_add_event(struct perf_event *event, struct perf_event_context *ctx);
void perf_event__state_init(struct perf_event *event);
int __perf_event_read_size(u64 read_format, int nr_siblings);
void perf_event__header_size(struct perf_event *event);
void perf_group_attach(struct perf_event *event);
void add_event_to_ctx(struct perf_event *event, struct perf_event_context *ctx);
std::vector<struct perf_event *> *get_event_list(struct perf_event *event);
int event_filter_match(struct perf_event *event);
bool is_event_in_freq_mode(struct perf_event *event);

/* --- sched.cpp --- */
void event_sched_out(struct perf_event *event, struct perf_event_context *ctx);
void group_sched_out(struct perf_event *group_event, struct perf_event_context *ctx);
int event_sched_in(struct perf_event *event, struct perf_event_context *ctx);
int group_sched_in(struct perf_event *group_event, struct perf_event_context *ctx);
int group_can_go_on(struct perf_event *event, int can_add_hw);
void task_ctx_sched_out(struct perf_event_context *ctx, struct pmu *pmu, enum event_type_t event_type);
void perf_event_sched_in(struct perf_cpu_context *cpuctx, struct perf_event_context *ctx, struct pmu *pmu);
void ctx_resched(struct perf_cpu_context *cpuctx, struct perf_event_context *task_ctx, struct pmu *pmu,
		 enum event_type_t event_type);
void __pmu_ctx_sched_out(struct perf_event_pmu_context *pmu_ctx, enum event_type_t event_type);
void ctx_sched_out(struct perf_event_context *ctx, struct pmu *pmu, enum event_type_t event_type);
void perf_event_context_sched_out(struct task_struct *task, struct task_struct *next);
void __perf_event_task_sched_out(struct task_struct *task, struct task_struct *next);
int visit_groups_merge(struct perf_event_context *ctx, struct perf_event_groups *groups, int cpu,
		       struct pmu *pmu, int (*func)(struct perf_event *, void *), void *data);
bool event_update_userpage(struct perf_event *event);
void group_update_userpage(struct perf_event *group_event);
int merge_sched_in(struct perf_event *event, void *data);
void pmu_groups_sched_in(struct perf_event_context *ctx, struct perf_event_groups *groups, struct pmu *pmu);
void __pmu_ctx_sched_in(struct perf_event_pmu_context *pmu_ctx, enum event_type_t event_type);
void ctx_sched_in(struct perf_event_context *ctx, struct pmu *pmu, enum event_type_t event_type);
void perf_event_context_sched_in(struct task_struct *task);
void __perf_event_task_sched_in(struct task_struct *prev, struct task_struct *task);
void perf_event_task_sched_out(struct task_struct *prev, struct task_struct *next);	/* perf_event.h */
void perf_event_task_sched_in(struct task_struct *prev, struct task_struct *task);	/* perf_event.h */

/* --- enable.cpp --- */
void __event_disable(struct perf_event *event, struct perf_event_context *ctx, enum perf_event_state state);
void __perf_event_disable(struct perf_event *event, struct perf_cpu_context *cpuctx,
			  struct perf_event_context *ctx, void *info);
void _perf_event_disable(struct perf_event *event);
void perf_event_disable_local(struct perf_event *event);
void perf_event_disable_inatomic(struct perf_event *event);
int _perf_event_refresh(struct perf_event *event, int refresh);
void __perf_event_enable(struct perf_event *event, struct perf_cpu_context *cpuctx,
			 struct perf_event_context *ctx, void *info);
void _perf_event_enable(struct perf_event *event);
void _perf_event_reset(struct perf_event *event);
void perf_event_for_each_child(struct perf_event *event, void (*func)(struct perf_event *));
long _perf_ioctl(struct perf_event *event, unsigned int cmd, unsigned long arg);
long perf_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* --- read.cpp --- */
struct perf_read_data {
	struct perf_event *event;
	bool group;
	int ret;
};
void __perf_event_read(void *info);
int perf_event_read(struct perf_event *event, bool group);
u64 __perf_event_read_value(struct perf_event *event, u64 *enabled, u64 *running);
u64 perf_event_read_value(struct perf_event *event, u64 *enabled, u64 *running);
int perf_read_one(struct perf_event *event, u64 read_format, char *buf);
long __perf_read(struct perf_event *event, char *buf, size_t count);
long perf_read(struct file *file, char *buf, size_t count, long long *ppos);

/* --- userpage.cpp --- */
int perf_event_index(struct perf_event *event);
void perf_event_init_userpage(struct perf_event *event);
void perf_event_update_userpage(struct perf_event *event);
/* model-only: the user-space reader of include/uapi/linux/perf_event.h; false if it gave up */
bool model_userpage_read(struct perf_event *event, u64 *enabled, u64 *running, u32 *index, s64 *offset);

/* --- mmap.cpp --- */
void ring_buffer_attach(struct perf_event *event, struct perf_buffer *rb);
struct perf_buffer *ring_buffer_get(struct perf_event *event);
void ring_buffer_put(struct perf_buffer *rb);
struct perf_buffer *model_alloc_rb(void);	/* model-only: world-owned storage (model/perf/world.cpp) */
int perf_mmap_rb(struct vm_area_struct *vma, struct perf_event *event, unsigned long nr_pages);
int perf_mmap_aux(struct vm_area_struct *vma, struct perf_event *event, unsigned long nr_pages);
int perf_mmap(struct file *file, struct vm_area_struct *vma);
void perf_mmap_close(struct vm_area_struct *vma);

/* --- ring_buffer.cpp (kernel/events/ring_buffer.c) --- */
#define RING_BUFFER_WRITABLE	0x01
#define MODEL_RECORD_SIZE	32	/* model-only: a sample record is 32 bytes (header + ip + tid) */
struct perf_buffer *rb_alloc(int nr_pages, long watermark, int cpu, int flags);
void perf_output_wakeup(struct perf_output_handle *handle);
void perf_output_get_handle(struct perf_output_handle *handle);
void perf_output_put_handle(struct perf_output_handle *handle);
int __perf_output_begin(struct perf_output_handle *handle, struct perf_event *event, unsigned int size, bool backward);
int perf_output_begin_forward(struct perf_output_handle *handle, struct perf_event *event, unsigned int size);
void perf_output_end(struct perf_output_handle *handle);

/* --- output.cpp: wakeups, poll, the overflow's output, set_output --- */
void ring_buffer_wakeup(struct perf_event *event);
__poll_t perf_poll(struct perf_event *event, poll_table *wait);
void perf_event_wakeup(struct perf_event *event);
void perf_pending_irq(struct irq_work *entry);
void perf_pending_disable(struct irq_work *entry);
void model_init_irq_works(struct perf_event *event);	/* perf_event_alloc()'s init_irq_work()s (world.cpp) */
int __perf_event_output(struct perf_event *event);
void perf_event_output_forward(struct perf_event *event);
int perf_event_set_output(struct perf_event *event, struct perf_event *output_event);

void *perf_aux_output_begin(struct perf_output_handle *handle, struct perf_event *event);
void perf_aux_output_end(struct perf_output_handle *handle, unsigned long size);

/* kernel/events/internal.h: rb_has_aux(); include/linux/perf_event.h: has_aux() */
static inline bool rb_has_aux(struct perf_buffer *rb) { return !!rb->aux_nr_pages; }
static inline bool has_aux(struct perf_event *event) { return event->pmu->setup_aux; }

/* --- throttle.cpp --- */
extern const int max_samples_per_tick;	/* kernel/events/core.c: from perf_event_max_sample_rate (world.cpp) */
void perf_event_unthrottle(struct perf_event *event, bool start);
void perf_event_throttle(struct perf_event *event);
void perf_event_unthrottle_group(struct perf_event *event, bool skip_start_event);
void perf_event_throttle_group(struct perf_event *event);
void perf_event_task_tick(void);
int perf_event_overflow(struct perf_event *event);
int __perf_event_overflow(struct perf_event *event, int throttle);

/* --- aux.cpp --- */
void perf_event_aux_pause(struct perf_event *event, bool pause);
struct stop_event_data {
	struct perf_event *event;
	unsigned int restart;
};
int __perf_event_stop(void *info);
int perf_event_stop(struct perf_event *event, int restart);

/* --- callchain.cpp (kernel/events/core.c, callchain.c as v16 2/4 leaves them) --- */
void perf_callchain(struct perf_event *event, struct model_sample *sample);
void perf_pending_unwind_sync(struct perf_event *event);
void _free_event(struct perf_event *event);
int perf_event_release_kernel(struct perf_event *event);	/* release.cpp (issue 15 b) */
void put_event(struct perf_event *event);
int perf_event_alloc_defer(struct perf_event *event, struct task_struct *task);
static inline bool in_nmi(void) { return model_cpu(smp_processor_id())->in_nmi; }
/*
 * model-only: where an NMI of this CPU may land in the task's code of the callchain area's ops.
 * An NMI runs to completion on the CPU it interrupts (the simulator's rule); these restrict where
 * it starts: the task masks the PMI (sim::pmi_mask(), the PMU disabled) except at the points the
 * model lets an NMI land (model_nmi_window()).
 */
void model_nmi_hold(int cpu);
void model_nmi_release(int cpu);
void model_nmi_window(int cpu);
/* model-only (ghost): a live event of ctx has its unwind_work queued (work->task set); *who: its name */
bool model_ctx_queued(struct perf_event_context *ctx, std::string *who);

/* --- install.cpp, fork.cpp, exec.cpp, rotate.cpp (issue 15 b: install/remove, fork/exit, exec, rotation) --- */
/* kernel/events/core.c: the detach flags of perf_remove_from_context() (core.c:2470) */
#define DETACH_GROUP	0x01UL
#define DETACH_CHILD	0x02UL
#define DETACH_EXIT	0x04UL
#define DETACH_REVOKE	0x08UL
#define DETACH_DEAD	0x10UL
struct perf_event_context *unclone_ctx(struct perf_event_context *ctx);
struct perf_event_context *perf_pin_task_context(struct task_struct *task);
void perf_unpin_context(struct perf_event_context *ctx);
void perf_event_groups_delete(struct perf_event_groups *groups, struct perf_event *event);
void list_del_event(struct perf_event *event, struct perf_event_context *ctx);
int perf_get_aux_event(struct perf_event *event, struct perf_event *group_leader);
void perf_group_detach(struct perf_event *event);
bool is_orphaned_event(struct perf_event *event);
void __perf_remove_from_context(struct perf_event *event, struct perf_cpu_context *cpuctx,
				struct perf_event_context *ctx, void *info);
void perf_remove_from_context(struct perf_event *event, unsigned long flags);
int __perf_install_in_context(void *info);
void perf_install_in_context(struct perf_event_context *ctx, struct perf_event *event, int cpu);
void sync_child_event(struct perf_event *child_event, struct task_struct *task = NULL);	/* task: fix-c418d8b4d7a4 */
void perf_event_exit_event(struct perf_event *event, struct perf_event_context *ctx, bool revoke,
			   struct task_struct *task = NULL);	/* task: variant fix-c418d8b4d7a4's parameter */
void perf_event_read_event(struct perf_event *event, struct task_struct *task);	/* read_local.cpp (issue 15 b) */
void perf_event_exit_task(struct task_struct *task);
int perf_event_init_task(struct task_struct *child, u64 clone_flags);
void perf_event_exec(void);
/* include/linux/hrtimer.h: enum hrtimer_restart */
enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
bool perf_rotate_context(struct perf_cpu_pmu_context *cpc);
enum hrtimer_restart perf_mux_hrtimer_handler(struct perf_cpu_pmu_context *cpc);
void __perf_mux_hrtimer_init(struct perf_cpu_pmu_context *cpc, int cpu);	/* rotate.cpp (issue 15 b) */
int perf_mux_hrtimer_restart(struct perf_cpu_pmu_context *cpc);
bool model_mux_hrtimer_run(struct perf_cpu_pmu_context *cpc);	/* the timer's expiry on its CPU: false if not armed */
void hrtimer_start(struct model_hrtimer *timer);	/* swevent.cpp: arm on this CPU (model-only) */
/* model-only (world.cpp): the world's storage for a child event of parent_event in task's context;
 * the world's context of a task (alloc_perf_context()); find_get_pmu_context() */
struct perf_event *model_alloc_event(struct perf_event *parent_event, struct task_struct *task);
struct perf_event_context *model_task_context(struct task_struct *task);
struct perf_event_pmu_context *model_find_get_pmu_context(struct pmu *pmu, struct perf_event_context *ctx,
							  struct perf_event *event);

/* --- pmu.cpp, aux_pmu.cpp (model-only: a counting PMU, an AUX driver) --- */
extern struct pmu model_counting_pmu;
extern struct pmu model_cycles_pmu;		/* a sampling PMU: start/stop only (attr cycles) */
extern struct pmu model_aux_pmu;		/* AUX driver with PERF_PMU_CAP_AUX_PAUSE */
extern struct pmu model_aux_pmu_nopause;	/* the same driver without the capability */
/* model-only (ghost): would the event's hardware raise an overflow (a counter) or write trace (AUX)? */
bool model_pmu_running(struct perf_event *event);

/* --- issue 15 (a): read_group.cpp, read_local.cpp, swevent.cpp, arch_x86.cpp, userpage.cpp --- */
int __perf_read_group_add(struct perf_event *leader, u64 read_format, u64 *values);
int perf_read_group(struct perf_event *event, u64 read_format, char *buf);
int perf_event_read_local(struct perf_event *event, u64 *value, u64 *enabled, u64 *running);
void perf_output_read(struct perf_output_handle *handle, struct perf_event *event);
extern struct pmu perf_cpu_clock;	/* kernel/events/core.c: the software PMUs (attr cpu_clock, task_clock) */
extern struct pmu perf_task_clock;
int perf_swevent_hrtimer(struct perf_event *event);	/* kernel: (struct hrtimer *); returns enum hrtimer_restart */
bool model_is_swclock(struct perf_event *event);
bool model_hrtimer_armed(struct perf_event *event, int cpu);
void model_hrtimer_run(struct perf_event *event);	/* __run_hrtimer(): the callback, with timer->running held */
void arch_perf_update_userpage(struct perf_event *event, struct perf_event_mmap_page *userpg, u64 now);
/* model-only: the documented user-space loop with cap_user_time (uapi perf_event.h); false if it gave up */
struct model_userpage_time {
	u64 enabled, running, count, cyc;
	u32 index;
	bool extrapolated;
};
bool model_userpage_read_time(struct perf_event *event, struct model_userpage_time *r);
