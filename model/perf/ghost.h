/*
 * The ghost ledger (model-only, no kernel twin): what really happened to each event's time,
 * kept outside the kernel's fields and invisible to the race detector (plain C++ members, no
 * sim::field, no scheduling points).
 *
 * The model calls the ledger at the points where the kernel orders time:
 *   - __update_context_time() (under ctx->lock) advances the context clock by `delta`: every
 *     event of the context is charged `delta` as enabled if its ghost state (the effective one,
 *     see __perf_effective_state()) is >= INACTIVE, and as running if it is ACTIVE;
 *   - perf_event_set_state() (under ctx->lock) and the two places that store event->state
 *     directly (perf_event__state_init, the ERROR -> OFF step of _perf_event_enable) change the
 *     ghost state at the same point as event->state.
 *   - the context clock: the kernel restarts a context's clock (__update_context_time(ctx,
 *     false): timestamp = now, time unchanged) at ctx_sched_in() when it was stopped, i.e. the
 *     context was never started or its task was switched out since the last timestamp. A
 *     restart of a clock that has run since its last timestamp drops (now - timestamp) of
 *     context time the context's events lived through; the ledger charges that interval as
 *     __update_context_time(ctx, true) would have. Upstream never does it; the kernel-history
 *     variants pre-baf1b12a67f5 and pre-5d95a2af973d do.
 * The ledger is therefore what the enabled/running totals must be after a quiescent
 * perf_event_update_time() under ctx->lock; check_final() compares the two.
 *
 * Observations are checked where they happen: __perf_update_times() reports now < tstamp
 * ("no-time-travel"), read() and the user-space reader of the user page report results that go
 * backwards for the same reader, torn enabled/running pairs and running > enabled.
 */
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/model.h"

struct perf_event;
struct perf_event_context;

/* Per-event ledger; a plain member of struct perf_event. */
struct ghost_event {
	int state = -1;				/* PERF_EVENT_STATE_* as the ledger knows it */
	uint64_t enabled = 0;			/* context time spent with effective state >= INACTIVE */
	uint64_t running = 0;			/* context time spent ACTIVE */
	/* (time_enabled, time_running) pairs perf_event_update_userpage() published in full */
	std::vector<std::pair<uint64_t, uint64_t>> published{{0, 0}};
	/* last result per reader (lane id; -1 sequential): read() and the user-page reader */
	std::map<int, std::pair<uint64_t, uint64_t>> last_read, last_userpage;
	/* aux: what the user asked of the AUX event, in the order the requests were made */
	bool user_paused = false;	/* aux_start_paused, or the last aux_pause/aux_resume overflow was a pause */
	/* issue 15 (a): counts per reader (with the RESETs seen), group reads, the user page's time */
	uint64_t resets = 0;				/* PERF_EVENT_IOC_RESET: a count may restart at 0 */
	std::map<int, std::pair<uint64_t, uint64_t>> last_count;	/* reader -> (count, resets) */
	std::map<int, std::pair<uint64_t, uint64_t>> last_group_read, last_local_read, last_sample_read;
	bool ever_active = false;			/* ACTIVE at some point (user-page rule, ghost.cpp) */
	/* fork/exit (issue 15 b): a child's syncs to its parent; a parent's sum of its synced children's ledgers */
	int synced = 0;
	uint64_t child_enabled = 0, child_running = 0;
	/* exit (issue 15 b): the PERF_RECORD_READ records perf_event_read_event() wrote for this child */
	int read_records = 0;
	/* exec (issue 15 b): enable_on_exec fired for this event and nothing disabled it since */
	bool exec_enabled = false;
	/* overflow (issue 15): PERF_EVENT_IOC_REFRESH's credit, the overflows that used it, a user DISABLE since */
	uint64_t refresh_granted = 0, refresh_used = 0;
	bool user_disabled = false;
	bool unlimited = false;	/* enabled after the credit ran out (event_limit 0 means no limit again) */
};

/* Per-context ledger state; a plain member of struct perf_event_context. */
struct ghost_context {
	/* is its clock legitimately stopped (never started, or its task switched out since)? */
	bool clock_stopped = true;
	uint64_t timestamp = 0;	/* issue 15 (a): the clock at the last __update_context_time() */
};

/* The model's invariants, by area, in the order of the model's table (ghost_invariants()). */
enum ghost_invariant {
	/* time, read, userpage */
	GHOST_NO_LOST_TIME,		/* "no-lost-time" */
	GHOST_RUNNING_LE_ENABLED,	/* "running-le-enabled" */
	GHOST_MONOTONIC_READ,		/* "monotonic-read" */
	GHOST_NO_TIME_TRAVEL,		/* "no-time-travel" */
	/* output */
	GHOST_NO_LOST_WAKEUP,		/* "no-lost-wakeup" */
	/* aux, throttle */
	GHOST_NO_NESTED_AUX_OUTPUT,	/* "no-nested-aux-output" */
	GHOST_THROTTLED_PMU_STOPPED,	/* "throttled-pmu-stopped" */
	GHOST_NOT_PAUSED_UNLESS_USER,	/* "not-paused-unless-user" */
	GHOST_USER_PAUSE_KEPT,		/* "user-pause-kept" */
	/* callchain */
	GHOST_NR_NO_SWITCH_FAST_BALANCE,	/* "nr_no_switch_fast-balance" */
	GHOST_NO_CALLBACK_AFTER_FREE,		/* "no-callback-after-free" */
	GHOST_DEFERRED_COOKIE,			/* "deferred-cookie" */
	GHOST_NO_FAST_SWITCH_WHILE_PENDING,	/* "no-fast-switch-while-pending" */
	GHOST_COOKIE_PER_ENTRY,			/* "cookie-per-entry" */
	/* issue 15 (a): group reads, lockless readers, the user page's time */
	GHOST_GROUP_READ_SNAPSHOT,	/* "group-read-snapshot" */
	GHOST_MONOTONIC_COUNT,		/* "monotonic-count" */
	GHOST_USERPAGE_TIME,		/* "userpage-time" */
	/* fork / exit, exec (issue 15 b) */
	GHOST_CHILD_TIME_ONCE,		/* "child-time-once" */
	GHOST_NOT_STRANDED,		/* "not-stranded" */
	GHOST_INHERIT_STAT_READ,	/* "inherit-stat-read" (issue 15 b: the PERF_RECORD_READ of an exiting child) */
	/* kernel history of issue 15 (i15-hist): group reads of inherited children, rotation */
	GHOST_MEMORY_SAFE,		/* "memory-safe" */
	GHOST_NOT_STARVED,		/* "not-starved" */
	/* overflow (issue 15) */
	GHOST_EVENT_LIMIT,		/* "event-limit" */
	/* the shim's own (always reported; named so that a scenario can list them) */
	GHOST_LOCKDEP,			/* "lockdep" */
	GHOST_KERNEL_WARNING,		/* "kernel-warning" */
	NR_GHOST_INVARIANTS,
};

/* The invariant table (model::Invariant: name, summary, area), in enum order. */
const std::vector<model::Invariant> &ghost_invariants();

/* is the invariant selected for this run (the world's selection)? */
bool ghost_invariant_enabled(enum ghost_invariant invariant);
/* reports a violation of the invariant if the run checks it */
void ghost_report(enum ghost_invariant invariant, const std::string &detail);

uint64_t ghost_tick();	/* the scenario tick, for messages in ticks (the world's setup) */

/* hooks at the kernel's ordering points */
void ghost_event_init(struct perf_event *event, int state);
void ghost_set_state(struct perf_event *event, int state);
void ghost_context_time_advanced(struct perf_event_context *ctx, uint64_t delta);
void ghost_check_delta(struct perf_event *event, uint64_t now, uint64_t delta, const char *where);
/* the context clock: built stopped; stopped by a task switch out; restarted or advanced */
void ghost_context_init(struct perf_event_context *ctx);
void ghost_context_switched_out(struct perf_event_context *ctx);
void ghost_context_timestamp(struct perf_event_context *ctx, bool adv, uint64_t since_timestamp);
void ghost_userpage_published(struct perf_event *event, uint64_t enabled, uint64_t running);

/* aux: the user's aux-action, where __perf_event_overflow() makes it */
void ghost_user_aux_action(struct perf_event *aux_event, bool pause);

/* observations */
void ghost_read_result(struct perf_event *event, uint64_t count, uint64_t enabled, uint64_t running);
void ghost_userpage_result(struct perf_event *event, uint64_t enabled, uint64_t running);

/* issue 15 (a) (ghost.cpp): counts and RESET; a group read's snapshot and result; the lockless
 * readers; the documented user-page loop against the ledger at the instant of its clock read */
void ghost_event_reset(struct perf_event *event);
void ghost_count_result(struct perf_event *event, const char *what, uint64_t count);
std::vector<uint64_t> ghost_group_fields(struct perf_event *leader, uint64_t read_format);
void ghost_group_read_gathered(struct perf_event *leader, uint64_t read_format, const std::vector<uint64_t> &gathered,
			       const std::vector<uint64_t> &before, const std::vector<uint64_t> &after);
void ghost_group_read_result(struct perf_event *leader, uint64_t read_format, const uint64_t *values);
void ghost_read_local_result(struct perf_event *event, uint64_t count, uint64_t enabled, uint64_t running);
/* PERF_SAMPLE_READ values a sample carries (the ring buffer's stream, read in order by user space) */
void ghost_sample_read_result(struct perf_event *event, uint64_t count, uint64_t enabled, uint64_t running,
			      uint64_t read_format);
/* the ledger's enabled/running of `event` at clock `t`; false if the rule does not apply (ghost.cpp) */
bool ghost_times_at(struct perf_event *event, uint64_t t, uint64_t *enabled, uint64_t *running, std::string *why);
void ghost_userpage_time_result(struct perf_event *event, bool extrapolated, bool checkable, const std::string &why,
				uint64_t enabled, uint64_t running, uint64_t true_enabled, uint64_t true_running,
				uint32_t index, uint64_t t);
/* fork/exit: sync_child_event() added (enabled, running) of child to parent's child_total_time_*,
 * under the child's ctx->lock and the parent's child_mutex */
void ghost_child_synced(struct perf_event *child, struct perf_event *parent, uint64_t enabled, uint64_t running);
/* final: parent's child_total_time_* equal the ledgers of the children synced to it */
void ghost_check_children_final(struct perf_event *parent);
/* perf_event_read_event() wrote a PERF_RECORD_READ for `child` with these read_format values
 * (count, then time_enabled/time_running as read_format has them): checked against its ledger */
void ghost_read_record(struct perf_event *child, uint64_t read_format, const std::vector<uint64_t> &values, uint64_t now);
/* perf_event_exit_event() is done with an inherit_stat child whose parent had a buffer: one record? */
void ghost_check_exit_read_record(struct perf_event *child, bool parent_has_rb);
/* the clone swap: __perf_event_sync_stat() flipped the totals of two events (both ctx locks held) */
void ghost_sync_stat_swapped(struct perf_event *event, struct perf_event *next_event);
/* exec: event_enable_on_exec() enabled the event (ctx->lock); a disable clears it */
void ghost_exec_enabled(struct perf_event *event, bool enabled);
/* final: an event enable_on_exec enabled is not left OFF or ERROR in a running context with room */
void ghost_check_not_stranded(struct perf_event *event, bool ctx_active, bool pmu_free);

/* memory-safe: `event` is read at `where` after _free_event() (use after free), or `what` went wrong
 * with memory the kernel owns (a list walk that loops on a deleted entry, a write past a buffer) */
void ghost_check_not_freed(struct perf_event *event, const char *where);
void ghost_memory_unsafe(const std::string &what);
/* final: a flexible group left INACTIVE on an idle PMU of a running context, with no rotation pending */
void ghost_check_not_starved(struct perf_event *event, bool ctx_flexible_active, bool pmu_idle, bool rotation_pending);

/* the final comparison of one event's fields (already updated under ctx->lock) with the ledger */
void ghost_check_event_final(struct perf_event *event);
/* overflow (issue 15): REFRESH granted n overflows; an overflow read event_limit = events; a user DISABLE */
void ghost_refresh(struct perf_event *event, int refresh);
void ghost_overflow_limit(struct perf_event *event, int events);
void ghost_user_disable(struct perf_event *event);
void ghost_user_enable(struct perf_event *event);
void ghost_check_event_limit_final(struct perf_event *event, bool counter_running);

/* "3 ticks" / "1 tick" / "25 ns (2.5 ticks)" */
std::string ghost_ticks(uint64_t amount);
