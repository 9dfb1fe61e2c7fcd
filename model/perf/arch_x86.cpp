/*
 * arch/x86/events/core.c: arch_perf_update_userpage() (issue 15 (a)), the x86 writer of the user
 * page's time fields, called by perf_event_update_userpage() inside its seqcount. The modelled
 * tree's arch/x86/events/core.c is not in the source index: the function follows a public copy of
 * the same shape (search tool, file id 68135066: cap_user_time/_zero cleared, cap_user_rdpmc and
 * pmc_width, the sched_clock check, cyc2ns_read_begin(), time_mult/time_shift/time_offset =
 * offset - now, time_zero unless use_clockid, cyc2ns_read_end()); no line numbers (line 0).
 *
 * Model (deliberate differences, model/README.md): the TSC is the model clock in nanoseconds, so
 * cyc2ns is the identity (cyc2ns_mul = 1, cyc2ns_shift = 0, cyc2ns_offset = 0, and
 * __sched_clock_offset = 0); sched_clock is native and stable; rdpmc is not modelled
 * (cap_user_rdpmc and pmc_width are left out: user space reads the count from `offset`).
 */
#include "model/perf/core.h"

/* arch/x86/kernel/tsc.c: struct cyc2ns_data, model values (see the file comment) */
struct cyc2ns_data {
	u32 cyc2ns_mul;
	u32 cyc2ns_shift;
	u64 cyc2ns_offset;
};

static void cyc2ns_read_begin(struct cyc2ns_data *data)
{
	data->cyc2ns_mul = 1;
	data->cyc2ns_shift = 0;
	data->cyc2ns_offset = 0;
}
static void cyc2ns_read_end(void) {}
static bool using_native_sched_clock(void) { return true; }
static bool sched_clock_stable(void) { return true; }
static const u64 __sched_clock_offset = 0;

/* arch/x86/events/core.c: arch_perf_update_userpage() (line not established). */
void arch_perf_update_userpage(struct perf_event *event, struct perf_event_mmap_page *userpg, u64 now)
{
	MODEL_FRAME_FILE("arch/x86/events/core.c", 0);
	struct cyc2ns_data data;
	u64 offset;

	userpg->cap_user_time = 0;
	userpg->cap_user_time_zero = 0;
	/* userpg->cap_user_rdpmc = ...; userpg->pmc_width = x86_pmu.cntval_bits;: rdpmc not modelled */

	if (!using_native_sched_clock() || !sched_clock_stable())
		return;

	cyc2ns_read_begin(&data);

	offset = data.cyc2ns_offset + __sched_clock_offset;

	/*
	 * Internal timekeeping for enabled/running/stopped times
	 * is always in the local_clock domain.
	 */
	userpg->cap_user_time = 1;
	userpg->time_mult = data.cyc2ns_mul;
	userpg->time_shift = data.cyc2ns_shift;
	userpg->time_offset = offset - now;

	/*
	 * cap_user_time_zero doesn't make sense when we're using a different
	 * time base for the records.
	 */
	/* if (!event->attr.use_clockid): no clockid in the model */
	{
		userpg->cap_user_time_zero = 1;
		userpg->time_zero = offset;
	}

	cyc2ns_read_end();
}
