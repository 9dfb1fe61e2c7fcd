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
};

/* The invariants, by name. */
#define GHOST_NO_LOST_TIME		"no-lost-time"
#define GHOST_RUNNING_LE_ENABLED	"running-le-enabled"
#define GHOST_MONOTONIC_READ		"monotonic-read"
#define GHOST_NO_TIME_TRAVEL		"no-time-travel"

const std::vector<std::string> &ghost_invariant_names();
void ghost_select_invariants(const std::vector<std::string> &names);	/* empty: all */
bool ghost_invariant_enabled(const char *name);

void ghost_set_tick(uint64_t tick);	/* the scenario tick, for messages in ticks */
uint64_t ghost_tick();

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

/* observations */
void ghost_read_result(struct perf_event *event, uint64_t count, uint64_t enabled, uint64_t running);
void ghost_userpage_result(struct perf_event *event, uint64_t enabled, uint64_t running);

/* the final comparison of one event's fields (already updated under ctx->lock) with the ledger */
void ghost_check_event_final(struct perf_event *event);

/* "3 ticks" / "1 tick" / "25 ns (2.5 ticks)" */
std::string ghost_ticks(uint64_t amount);
