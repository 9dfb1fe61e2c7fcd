/* The ghost ledger (model-only): see model/ghost.h. */
#include "model/ghost.h"

#include <algorithm>
#include <cstdio>

#include "model/perf_event.h"

namespace {

std::vector<std::string> selected;	/* empty: every invariant */
/* per context: is its clock legitimately stopped (never started, or task switched out)? Reset for
 * every context by build_world() (ghost_context_init), so stale entries of an older world that
 * reused the address are overwritten before use. */
std::map<const struct perf_event_context *, bool> context_clock_stopped;
uint64_t tick_value = 1;

int reader_id() { return sim::current_lane(); }

std::string reader_name()
{
	int lane = reader_id();
	return lane < 0 ? std::string("the sequential reader") : "lane " + std::to_string(lane);
}

void report(const char *invariant, const std::string &detail)
{
	if (!ghost_invariant_enabled(invariant))
		return;
	sim::violation(invariant, detail.c_str());
}

/* __perf_effective_state(), on ghost states */
int ghost_effective_state(struct perf_event *event)
{
	struct perf_event *leader = event->group_leader;

	if (leader->ghost.state <= PERF_EVENT_STATE_OFF)
		return leader->ghost.state;
	return event->ghost.state;
}

}  // namespace

const std::vector<std::string> &ghost_invariant_names()
{
	static const std::vector<std::string> names = {GHOST_NO_LOST_TIME, GHOST_RUNNING_LE_ENABLED,
							 GHOST_MONOTONIC_READ, GHOST_NO_TIME_TRAVEL};
	return names;
}

void ghost_select_invariants(const std::vector<std::string> &names) { selected = names; }

bool ghost_invariant_enabled(const char *name)
{
	return selected.empty() || std::find(selected.begin(), selected.end(), name) != selected.end();
}

void ghost_set_tick(uint64_t tick) { tick_value = tick; }
uint64_t ghost_tick() { return tick_value; }

std::string ghost_ticks(uint64_t amount)
{
	char buf[96];
	if (tick_value && amount % tick_value == 0) {
		uint64_t n = amount / tick_value;
		snprintf(buf, sizeof(buf), "%llu tick%s", (unsigned long long)n, n == 1 ? "" : "s");
	} else if (tick_value) {
		snprintf(buf, sizeof(buf), "%llu (%.2f ticks)", (unsigned long long)amount, (double)amount / tick_value);
	} else {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)amount);
	}
	return buf;
}

void ghost_event_init(struct perf_event *event, int state)
{
	event->ghost = ghost_event{};
	event->ghost.state = state;
}

void ghost_set_state(struct perf_event *event, int state) { event->ghost.state = state; }

void ghost_context_time_advanced(struct perf_event_context *ctx, uint64_t delta)
{
	for (struct perf_event *event : ctx->event_list) {
		int state = ghost_effective_state(event);

		if (state >= PERF_EVENT_STATE_INACTIVE)
			event->ghost.enabled += delta;
		if (state >= PERF_EVENT_STATE_ACTIVE)
			event->ghost.running += delta;
	}
}

void ghost_context_init(struct perf_event_context *ctx) { context_clock_stopped[ctx] = true; }

void ghost_context_switched_out(struct perf_event_context *ctx) { context_clock_stopped[ctx] = true; }

void ghost_context_timestamp(struct perf_event_context *ctx, bool adv, uint64_t since_timestamp)
{
	auto it = context_clock_stopped.find(ctx);
	bool stopped = it == context_clock_stopped.end() || it->second;

	/* a restart of a running clock: the context lived through the interval the kernel drops */
	if (!adv && !stopped && since_timestamp)
		ghost_context_time_advanced(ctx, since_timestamp);
	context_clock_stopped[ctx] = false;
}

void ghost_check_delta(struct perf_event *event, uint64_t now, uint64_t delta, const char *where)
{
	uint64_t tstamp = now - delta;	/* the tstamp the kernel subtracted */

	if (tstamp <= now)
		return;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s: now %llu < tstamp %llu in %s (%s backwards, tick = %llu): the u64 delta wraps to %llu",
		 event->model_name, (unsigned long long)now, (unsigned long long)tstamp, where,
		 ghost_ticks(tstamp - now).c_str(), (unsigned long long)tick_value, (unsigned long long)delta);
	report(GHOST_NO_TIME_TRAVEL, buf);
}

void ghost_userpage_published(struct perf_event *event, uint64_t enabled, uint64_t running)
{
	event->ghost.published.emplace_back(enabled, running);
}

static void check_pair(struct perf_event *event, const char *what, uint64_t enabled, uint64_t running,
		       std::map<int, std::pair<uint64_t, uint64_t>> &last)
{
	char buf[256];

	if (running > enabled) {
		snprintf(buf, sizeof(buf), "%s: %s returned running %llu > enabled %llu (%s)", event->model_name, what,
			 (unsigned long long)running, (unsigned long long)enabled, ghost_ticks(running - enabled).c_str());
		report(GHOST_RUNNING_LE_ENABLED, buf);
	}
	auto it = last.find(reader_id());
	if (it != last.end()) {
		auto [prev_enabled, prev_running] = it->second;
		if (enabled < prev_enabled) {
			snprintf(buf, sizeof(buf), "%s: %s by %s went backwards: enabled %llu after %llu (%s)",
				 event->model_name, what, reader_name().c_str(), (unsigned long long)enabled,
				 (unsigned long long)prev_enabled, ghost_ticks(prev_enabled - enabled).c_str());
			report(GHOST_MONOTONIC_READ, buf);
		} else if (running < prev_running) {
			snprintf(buf, sizeof(buf), "%s: %s by %s went backwards: running %llu after %llu (%s)",
				 event->model_name, what, reader_name().c_str(), (unsigned long long)running,
				 (unsigned long long)prev_running, ghost_ticks(prev_running - running).c_str());
			report(GHOST_MONOTONIC_READ, buf);
		}
	}
	last[reader_id()] = {enabled, running};
}

void ghost_read_result(struct perf_event *event, uint64_t count, uint64_t enabled, uint64_t running)
{
	(void)count;
	check_pair(event, "read()", enabled, running, event->ghost.last_read);
}

void ghost_userpage_result(struct perf_event *event, uint64_t enabled, uint64_t running)
{
	const auto &pub = event->ghost.published;
	if (std::find(pub.begin(), pub.end(), std::make_pair(enabled, running)) == pub.end()) {
		char buf[256];
		snprintf(buf, sizeof(buf),
			 "%s: the user-page read by %s passed the seqcount check with time_enabled %llu, time_running %llu, a pair no completed perf_event_update_userpage() published: it saw a write in progress",
			 event->model_name, reader_name().c_str(), (unsigned long long)enabled, (unsigned long long)running);
		report(GHOST_MONOTONIC_READ, buf);
	}
	check_pair(event, "the user-page read", enabled, running, event->ghost.last_userpage);
}

static void compare(struct perf_event *event, const char *field, uint64_t actual, uint64_t expected)
{
	if (actual == expected)
		return;
	char buf[256];
	uint64_t diff = actual < expected ? expected - actual : actual - expected;
	snprintf(buf, sizeof(buf), "%s: %s = %llu, ledger says %llu: %s %s (tick = %llu)", event->model_name, field,
		 (unsigned long long)actual, (unsigned long long)expected, ghost_ticks(diff).c_str(),
		 actual < expected ? "lost" : "double-counted", (unsigned long long)tick_value);
	report(GHOST_NO_LOST_TIME, buf);
}

void ghost_check_event_final(struct perf_event *event)
{
	uint64_t enabled = event->total_time_enabled.peek();
	uint64_t running = event->total_time_running.peek();

	compare(event, "total_time_enabled", enabled, event->ghost.enabled);
	compare(event, "total_time_running", running, event->ghost.running);
	if (running > enabled) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s: total_time_running %llu > total_time_enabled %llu (%s)", event->model_name,
			 (unsigned long long)running, (unsigned long long)enabled, ghost_ticks(running - enabled).c_str());
		report(GHOST_RUNNING_LE_ENABLED, buf);
	}
}
