/* The ghost ledger (model-only): see model/perf/ghost.h. */
#include "model/perf/ghost.h"

#include <algorithm>
#include <cstdio>

#include "model/model.h"
#include "model/perf/core.h"

namespace {

int reader_id() { return sim::current_lane(); }

std::string reader_name()
{
	int lane = reader_id();
	return lane < 0 ? std::string("the sequential reader") : "lane " + std::to_string(lane);
}

void report(enum ghost_invariant invariant, const std::string &detail) { ghost_report(invariant, detail); }

/* __perf_effective_state(), on ghost states */
int ghost_effective_state(struct perf_event *event)
{
	struct perf_event *leader = event->group_leader;

	if (leader->ghost.state <= PERF_EVENT_STATE_OFF)
		return leader->ghost.state;
	return event->ghost.state;
}

}  // namespace

const std::vector<model::Invariant> &ghost_invariants()
{
	static const std::vector<model::Invariant> invariants = {
		{"no-lost-time", "final: each event's enabled/running totals equal the ledger", "time"},
		{"running-le-enabled", "no total or read result has running > enabled", "time"},
		{"monotonic-read", "read() and consistent user-page reads never go backwards; no torn pair", "read"},
		{"no-time-travel", "__perf_update_times() never sees now < tstamp", "time"},
		{"no-lost-wakeup", "final: no poller sleeps while the buffer of the event it polls has EPOLLIN pending", "output"},
		{"no-nested-aux-output", "WARN_ON_ONCE(nest) in perf_aux_output_begin(): an AUX transaction is already open", "aux"},
		{"throttled-pmu-stopped", "final: an ACTIVE event with hw.interrupts == MAX_INTERRUPTS has its hardware stopped",
		 "throttle"},
		{"not-paused-unless-user", "final: an ACTIVE, unthrottled AUX event is paused only by the user's aux-action", "aux"},
		{"user-pause-kept", "final: while the user's pause is in force the AUX hardware does not trace", "aux"},
		{"nr_no_switch_fast-balance", "final: each ctx's nr_no_switch_fast equals the deferred callbacks still owed",
		 "callchain"},
		{"no-callback-after-free", "no unwind callback runs (or stays queued) after _free_event()", "callchain"},
		{"deferred-cookie", "a PERF_RECORD_CALLCHAIN_DEFERRED carries the cookie its requests got", "callchain"},
		{"no-fast-switch-while-pending", "the clone swap never moves a context with a queued deferred callback",
		 "callchain"},
		{"cookie-per-entry", "unwind_deferred_request() never hands a task the cookie of an earlier kernel entry",
		 "callchain"},
		{"group-read-snapshot", "a PERF_FORMAT_GROUP read returns the group's times and counts of one instant", "read"},
		{"monotonic-count", "no reader sees an event's count go backwards (unless a RESET came between)", "read"},
		{"userpage-time",
		 "the documented user-page loop (cap_user_time) never runs ahead of read() at that instant, and agrees with it when it extrapolates",
		 "userpage"},
		{"child-time-once",
		 "sync_child_event() adds each exiting child's ledger to its parent exactly once; final: child_total_time_* "
		 "equal the synced children's ledgers",
		 "fork"},
		{"not-stranded",
		 "final: an event enable_on_exec enabled is not OFF, nor ERROR while its running context has the PMU to itself",
		 "exec"},
		{"inherit-stat-read",
		 "an inherit_stat child that exits while its parent has a buffer writes one PERF_RECORD_READ there, whose "
		 "time_enabled/time_running are the child's ledger",
		 "fork"},
		{"memory-safe",
		 "no perf_event is read after _free_event(), no list walk loops on an entry deleted under it, no write "
		 "passes the end of its buffer (what KASAN reports)",
		 "kernel"},
		{"not-starved",
		 "final: no flexible group of a running context waits INACTIVE on an idle PMU with no rotation pending",
		 "rotate"},
		{"event-limit",
		 "an event PERF_EVENT_IOC_REFRESH limited never overflows beyond its credit; final: one that ran out does not "
		 "count on, and one still owed overflows is not left OFF unless the user disabled it",
		 "overflow"},
		{"lockdep", "the shim's lockdep checks (always reported)", "kernel"},
		{"kernel-warning", "a WARN reached in the model (always reported)", "kernel"},
	};
	return invariants;
}

bool ghost_invariant_enabled(enum ghost_invariant invariant) { return model::execution().checks(invariant); }

void ghost_report(enum ghost_invariant invariant, const std::string &detail)
{
	if (!ghost_invariant_enabled(invariant))
		return;
	sim::violation(ghost_invariants()[invariant].name, detail.c_str());
}

std::string ghost_ticks(uint64_t amount)
{
	char buf[96];
	if (ghost_tick() && amount % ghost_tick() == 0) {
		uint64_t n = amount / ghost_tick();
		snprintf(buf, sizeof(buf), "%llu tick%s", (unsigned long long)n, n == 1 ? "" : "s");
	} else if (ghost_tick()) {
		snprintf(buf, sizeof(buf), "%llu (%.2f ticks)", (unsigned long long)amount, (double)amount / ghost_tick());
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

void ghost_set_state(struct perf_event *event, int state)
{
	event->ghost.state = state;
	if (state == PERF_EVENT_STATE_ACTIVE)
		event->ghost.ever_active = true;
}

void ghost_user_aux_action(struct perf_event *aux_event, bool pause)
{
	if (aux_event)
		aux_event->ghost.user_paused = pause;
}

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

void ghost_context_init(struct perf_event_context *ctx) { ctx->ghost.clock_stopped = true; }

void ghost_context_switched_out(struct perf_event_context *ctx) { ctx->ghost.clock_stopped = true; }

void ghost_context_timestamp(struct perf_event_context *ctx, bool adv, uint64_t since_timestamp)
{
	bool stopped = ctx->ghost.clock_stopped;

	ctx->ghost.timestamp = ctx->timestamp.peek() + since_timestamp;	/* the `now` the kernel stores */

	/* a restart of a running clock: the context lived through the interval the kernel drops */
	if (!adv && !stopped && since_timestamp)
		ghost_context_time_advanced(ctx, since_timestamp);
	ctx->ghost.clock_stopped = false;
}

void ghost_check_delta(struct perf_event *event, uint64_t now, uint64_t delta, const char *where)
{
	uint64_t tstamp = now - delta;	/* the tstamp the kernel subtracted */

	if (tstamp <= now)
		return;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s: now %llu < tstamp %llu in %s (%s backwards, tick = %llu): the u64 delta wraps to %llu",
		 event->model_name, (unsigned long long)now, (unsigned long long)tstamp, where,
		 ghost_ticks(tstamp - now).c_str(), (unsigned long long)ghost_tick(), (unsigned long long)delta);
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
		 actual < expected ? "lost" : "double-counted", (unsigned long long)ghost_tick());
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

/* --- issue 15 (a): counts, group reads, lockless readers, the user page's time --- */

void ghost_event_reset(struct perf_event *event) { event->ghost.resets++; }

void ghost_count_result(struct perf_event *event, const char *what, uint64_t count)
{
	auto &last = event->ghost.last_count;
	auto it = last.find(reader_id());
	if (it != last.end() && it->second.second == event->ghost.resets && count < it->second.first) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s: %s by %s went backwards: count %llu after %llu (%llu less, no RESET between)",
			 event->model_name, what, reader_name().c_str(), (unsigned long long)count,
			 (unsigned long long)it->second.first, (unsigned long long)(it->second.first - count));
		report(GHOST_MONOTONIC_COUNT, buf);
	}
	last[reader_id()] = {count, event->ghost.resets};
}

/* the values __perf_read_group_add() would gather from the fields right now, in its layout, named */
static std::vector<std::pair<std::string, uint64_t>> group_fields(struct perf_event *leader, uint64_t read_format)
{
	std::vector<std::pair<std::string, uint64_t>> v;
	auto count = [](struct perf_event *e) { return (uint64_t)e->count.counter.peek() + (uint64_t)e->child_count.counter.peek(); };
	auto member = [&](struct perf_event *e) {
		v.emplace_back(std::string("count(") + e->model_name + ")", count(e));
		if (read_format & PERF_FORMAT_ID)
			v.emplace_back(std::string("id(") + e->model_name + ")", e->id);
		if (read_format & PERF_FORMAT_LOST)
			v.emplace_back(std::string("lost(") + e->model_name + ")", (uint64_t)e->lost_samples.counter.peek());
	};
	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		v.emplace_back("time_enabled", leader->total_time_enabled.peek() + leader->child_total_time_enabled.counter.peek());
	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		v.emplace_back("time_running", leader->total_time_running.peek() + leader->child_total_time_running.counter.peek());
	member(leader);
	for (struct perf_event *sub : leader->sibling_list)
		member(sub);
	return v;
}

std::vector<uint64_t> ghost_group_fields(struct perf_event *leader, uint64_t read_format)
{
	std::vector<uint64_t> out;
	for (const auto &f : group_fields(leader, read_format))
		out.push_back(f.second);
	return out;
}

/*
 * The group read gathered `gathered` while the fields were `before` when it started and `after`
 * when it ended: one snapshot means it equals one of them (with ctx->lock held throughout, the
 * two are the same). A mix means some values are of one instant and some of another.
 */
void ghost_group_read_gathered(struct perf_event *leader, uint64_t read_format, const std::vector<uint64_t> &gathered,
			       const std::vector<uint64_t> &before, const std::vector<uint64_t> &after)
{
	if (gathered == before || gathered == after)
		return;
	auto names = group_fields(leader, read_format);
	std::string detail;
	for (size_t i = 0; i < gathered.size() && i < before.size() && i < after.size() && i < names.size(); i++) {
		if (before[i] == after[i])
			continue;
		char buf[256];
		snprintf(buf, sizeof(buf), "%s%s %llu (%s of the %llu -> %llu change)", detail.empty() ? "" : ", ",
			 names[i].first.c_str(), (unsigned long long)gathered[i],
			 gathered[i] == before[i] ? "before" : gathered[i] == after[i] ? "after" : "neither side",
			 (unsigned long long)before[i], (unsigned long long)after[i]);
		detail += buf;
	}
	report(GHOST_GROUP_READ_SNAPSHOT,
	       std::string(leader->model_name) + ": the group read by " + reader_name() +
		       " mixed values of two instants; the fields that changed while it gathered them: " + detail);
}

void ghost_group_read_result(struct perf_event *leader, uint64_t read_format, const uint64_t *values)
{
	size_t n = 1;	/* skip nr */
	uint64_t enabled = 0, running = 0;
	bool times = (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED) && (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING);
	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		enabled = values[n++];
	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		running = values[n++];
	if (times)
		check_pair(leader, "the group read", enabled, running, leader->ghost.last_group_read);
	auto member = [&](struct perf_event *e) {
		ghost_count_result(e, "the group read", values[n++]);
		if (read_format & PERF_FORMAT_ID)
			n++;
		if (read_format & PERF_FORMAT_LOST)
			n++;
	};
	member(leader);
	for (struct perf_event *sub : leader->sibling_list)
		member(sub);
}

void ghost_read_local_result(struct perf_event *event, uint64_t count, uint64_t enabled, uint64_t running)
{
	check_pair(event, "perf_event_read_local()", enabled, running, event->ghost.last_local_read);
	ghost_count_result(event, "perf_event_read_local()", count);
}

void ghost_sample_read_result(struct perf_event *event, uint64_t count, uint64_t enabled, uint64_t running,
			      uint64_t read_format)
{
	if ((read_format & PERF_FORMAT_TOTAL_TIME_ENABLED) && (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING))
		check_pair(event, "a PERF_SAMPLE_READ sample", enabled, running, event->ghost.last_sample_read);
	ghost_count_result(event, "a PERF_SAMPLE_READ sample", count);
}

/* a PMU whose add() writes the user page (the software clocks; x86's start does too) */
static bool pmu_add_updates_userpage(struct perf_event *event)
{
	return event->pmu == &perf_cpu_clock || event->pmu == &perf_task_clock;
}

/*
 * The ledger's enabled/running at clock t: what __update_context_time() charged up to the
 * context's last timestamp, plus (t - timestamp) while the context clock runs (EVENT_TIME), as
 * enabled if the event's effective state is >= INACTIVE and as running if it is ACTIVE. The
 * documented loop is self-monitoring: the rule applies when the reader runs in the event's task
 * (or on the CPU of a CPU event), the context clock runs, and the page is written whenever the
 * event's times change course: always for an event that never went ACTIVE (merge_sched_in()
 * writes it for an event that cannot go on), and for an ACTIVE one only on a PMU whose add()
 * writes it (the software clocks here; the model's counting PMU does not, x86's start does).
 */
bool ghost_times_at(struct perf_event *event, uint64_t t, uint64_t *enabled, uint64_t *running, std::string *why)
{
	struct perf_event_context *ctx = event->ctx;
	struct task_struct *task = ctx->task.peek();
	int cpu = smp_processor_id();

	if (task ? model_cpu(cpu)->curr != task : event->cpu != cpu) {
		*why = "the reader does not run in the event's task (or on its CPU): the ABI's extrapolation is for self-monitoring";
		return false;
	}
	if (!(ctx->is_active.peek() & EVENT_TIME)) {
		*why = "the context clock is stopped";
		return false;
	}
	if (event->ghost.ever_active && !pmu_add_updates_userpage(event)) {
		*why = std::string("the event has been ACTIVE on ") + event->pmu->name +
		       ", whose add() does not write the user page (x86's and the software clocks' do)";
		return false;
	}
	int state = ghost_effective_state(event);
	uint64_t since = t - ctx->ghost.timestamp;
	*enabled = event->ghost.enabled + (state >= PERF_EVENT_STATE_INACTIVE ? since : 0);
	*running = event->ghost.running + (state >= PERF_EVENT_STATE_ACTIVE ? since : 0);
	return true;
}

void ghost_userpage_time_result(struct perf_event *event, bool extrapolated, bool checkable, const std::string &why,
				uint64_t enabled, uint64_t running, uint64_t true_enabled, uint64_t true_running,
				uint32_t index, uint64_t t)
{
	check_pair(event, "the user-page time read", enabled, running, event->ghost.last_userpage);
	if (!checkable) {
		sim::note((std::string("userpage-time not checked for ") + event->model_name + ": " + why).c_str());
		return;
	}
	char buf[400];
	auto ahead = [&](const char *field, uint64_t user, uint64_t truth) {
		snprintf(buf, sizeof(buf),
			 "%s: the documented user-page loop by %s computed %s %llu at clock %llu, but read() would return %llu: %s ahead",
			 event->model_name, reader_name().c_str(), field, (unsigned long long)user, (unsigned long long)t,
			 (unsigned long long)truth, ghost_ticks(user - truth).c_str());
		report(GHOST_USERPAGE_TIME, buf);
	};
	auto behind = [&](const char *field, uint64_t user, uint64_t truth) {
		snprintf(buf, sizeof(buf),
			 "%s: the documented user-page loop by %s extrapolated %s to %llu at clock %llu, but read() would return %llu: %s behind",
			 event->model_name, reader_name().c_str(), field, (unsigned long long)user, (unsigned long long)t,
			 (unsigned long long)truth, ghost_ticks(truth - user).c_str());
		report(GHOST_USERPAGE_TIME, buf);
	};
	if (enabled > true_enabled)
		return ahead("time_enabled", enabled, true_enabled);
	if (running > true_running)
		return ahead("time_running", running, true_running);
	/* extrapolation (cap_user_time, enabled != running) is exact for enabled, and for running with an index */
	if (extrapolated && enabled < true_enabled)
		return behind("time_enabled", enabled, true_enabled);
	if (extrapolated && index && running < true_running)
		return behind("time_running", running, true_running);
}

void ghost_child_synced(struct perf_event *child, struct perf_event *parent, uint64_t enabled, uint64_t running)
{
	char buf[320];

	child->ghost.synced++;
	if (child->ghost.synced > 1) {
		snprintf(buf, sizeof(buf), "%s: sync_child_event() ran %d times for it: its times are added to %s more than once",
			 child->model_name, child->ghost.synced, parent->model_name);
		report(GHOST_CHILD_TIME_ONCE, buf);
	}
	parent->ghost.child_enabled += child->ghost.enabled;
	parent->ghost.child_running += child->ghost.running;
	const char *field = nullptr;
	uint64_t got = 0, want = 0;
	if (enabled != child->ghost.enabled)
		field = "total_time_enabled", got = enabled, want = child->ghost.enabled;
	else if (running != child->ghost.running)
		field = "total_time_running", got = running, want = child->ghost.running;
	if (!field)
		return;
	uint64_t diff = got < want ? want - got : got - want;
	snprintf(buf, sizeof(buf),
		 "%s exits: sync_child_event() adds its %s = %llu to %s's child_%s, its ledger says %llu: %s %s for the parent "
		 "(the child's state is %d at the sync; tick = %llu)",
		 child->model_name, field, (unsigned long long)got, parent->model_name, field, (unsigned long long)want,
		 ghost_ticks(diff).c_str(), got < want ? "lost" : "double-counted", child->ghost.state,
		 (unsigned long long)ghost_tick());
	report(GHOST_CHILD_TIME_ONCE, buf);
}

void ghost_check_children_final(struct perf_event *parent)
{
	uint64_t enabled = (uint64_t)parent->child_total_time_enabled.counter.peek();
	uint64_t running = (uint64_t)parent->child_total_time_running.counter.peek();
	char buf[256];

	if (enabled == parent->ghost.child_enabled && running == parent->ghost.child_running)
		return;
	bool en = enabled != parent->ghost.child_enabled;
	uint64_t got = en ? enabled : running, want = en ? parent->ghost.child_enabled : parent->ghost.child_running;
	snprintf(buf, sizeof(buf), "%s: child_total_time_%s = %llu, the ledgers of its exited children say %llu: %s %s",
		 parent->model_name, en ? "enabled" : "running", (unsigned long long)got, (unsigned long long)want,
		 ghost_ticks(got < want ? want - got : got - want).c_str(), got < want ? "lost" : "double-counted");
	report(GHOST_CHILD_TIME_ONCE, buf);
}

void ghost_read_record(struct perf_event *child, uint64_t read_format, const std::vector<uint64_t> &values, uint64_t now)
{
	char buf[384];
	size_t n = 1;	/* values[0]: the count */
	uint64_t enabled = 0, running = 0;
	struct perf_event_context *ctx = child->ctx;
	/* the ledger at `now`, the clock calc_timer_values() read: charged up to the context's last
	 * timestamp, plus the time since while the context clock runs (perf_event_time_now()) */
	int state = ghost_effective_state(child);
	uint64_t since = (ctx->is_active.peek() & EVENT_TIME) ? now - ctx->ghost.timestamp : 0;
	uint64_t true_enabled = child->ghost.enabled + (state >= PERF_EVENT_STATE_INACTIVE ? since : 0);
	uint64_t true_running = child->ghost.running + (state >= PERF_EVENT_STATE_ACTIVE ? since : 0);

	child->ghost.read_records++;
	if ((read_format & PERF_FORMAT_GROUP) || values.size() < 2)
		return;	/* a group's record: its times come first (not checked) */
	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		enabled = values.at(n++);
	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		running = values.at(n++);
	const char *field = nullptr;
	uint64_t got = 0, want = 0;
	if ((read_format & PERF_FORMAT_TOTAL_TIME_ENABLED) && enabled != true_enabled)
		field = "time_enabled", got = enabled, want = true_enabled;
	else if ((read_format & PERF_FORMAT_TOTAL_TIME_RUNNING) && running != true_running)
		field = "time_running", got = running, want = true_running;
	if (!field)
		return;
	snprintf(buf, sizeof(buf),
		 "%s: its PERF_RECORD_READ carries %s = %llu, its ledger says %llu at that clock (%llu): the per-task table "
		 "of perf report -T is %s %s (tick = %llu)",
		 child->model_name, field, (unsigned long long)got, (unsigned long long)want, (unsigned long long)now,
		 ghost_ticks(got < want ? want - got : got - want).c_str(), got < want ? "short" : "long",
		 (unsigned long long)ghost_tick());
	report(GHOST_INHERIT_STAT_READ, buf);
}

void ghost_check_exit_read_record(struct perf_event *child, bool parent_has_rb)
{
	char buf[320];

	if (!parent_has_rb || child->ghost.read_records == 1)
		return;
	snprintf(buf, sizeof(buf),
		 "%s (inherit_stat) is synced to %s: %d PERF_RECORD_READ written into its buffer, expected 1 "
		 "(sync_child_event() writes it only while child_event->ctx->task is a live task)",
		 child->model_name, child->parent ? child->parent->model_name : "its parent", child->ghost.read_records);
	report(GHOST_INHERIT_STAT_READ, buf);
}

void ghost_exec_enabled(struct perf_event *event, bool enabled) { event->ghost.exec_enabled = enabled; }

void ghost_check_not_stranded(struct perf_event *event, bool ctx_active, bool pmu_free)
{
	if (!event->ghost.exec_enabled)
		return;
	int state = event->ghost.state;
	char buf[256];
	if (state == PERF_EVENT_STATE_OFF) {
		snprintf(buf, sizeof(buf), "%s: enable_on_exec enabled it at exec(), nothing disabled it, yet it is OFF",
			 event->model_name);
		report(GHOST_NOT_STRANDED, buf);
	} else if (state == PERF_EVENT_STATE_ERROR && ctx_active && pmu_free) {
		snprintf(buf, sizeof(buf),
			 "%s: enabled at exec(), pinned, and its context runs with the PMU free, yet it stays in ERROR",
			 event->model_name);
		report(GHOST_NOT_STRANDED, buf);
	}
}

void ghost_check_not_freed(struct perf_event *event, const char *where)
{
	if (!event->model_freed)
		return;
	report(GHOST_MEMORY_SAFE, std::string(where) + " reads " + event->model_name +
				       " after _free_event(): use after free");
}

void ghost_memory_unsafe(const std::string &what) { report(GHOST_MEMORY_SAFE, what); }

void ghost_check_not_starved(struct perf_event *event, bool ctx_flexible_active, bool pmu_idle, bool rotation_pending)
{
	if (event->attr.pinned || event->group_leader != event || event->model_freed)
		return;
	if (event->ghost.state != PERF_EVENT_STATE_INACTIVE || !ctx_flexible_active || !pmu_idle || rotation_pending)
		return;
	char buf[256];
	snprintf(buf, sizeof(buf),
		 "%s: a flexible group, INACTIVE while its context runs and nothing is on its PMU, and no rotation is "
		 "pending (rotate_necessary = 0): it stays off until something reschedules the context",
		 event->model_name);
	report(GHOST_NOT_STARVED, buf);
}

void ghost_sync_stat_swapped(struct perf_event *event, struct perf_event *next_event)
{
	std::swap(event->ghost.enabled, next_event->ghost.enabled);
	std::swap(event->ghost.running, next_event->ghost.running);
}

/* --- overflow (issue 15): event_limit and PERF_EVENT_IOC_REFRESH --- */

void ghost_refresh(struct perf_event *event, int refresh)
{
	event->ghost.refresh_granted += refresh;
	event->ghost.user_disabled = false;
	event->ghost.unlimited = false;
}

/* _perf_event_enable(): an ENABLE once the credit is used up counts without a limit again */
void ghost_user_enable(struct perf_event *event)
{
	ghost_event &g = event->ghost;
	if (g.refresh_granted && g.refresh_used >= g.refresh_granted)
		g.unlimited = true;
}

void ghost_user_disable(struct perf_event *event) { event->ghost.user_disabled = true; }

/* called right after __perf_event_overflow()'s atomic_read(&event->event_limit), in the same step */
void ghost_overflow_limit(struct perf_event *event, int events)
{
	ghost_event &g = event->ghost;
	if (events) {
		g.refresh_used++;
		return;
	}
	if (!g.refresh_granted || g.refresh_used < g.refresh_granted || g.unlimited)
		return;	/* never limited, the credit is still being added, or enabled again without a limit */
	char buf[320];
	snprintf(buf, sizeof(buf),
		 "%s overflows with event_limit = 0 after PERF_EVENT_IOC_REFRESH granted %llu and all %llu were used: "
		 "1 overflow beyond the limit (its counter should have been stopped by the last one)",
		 event->model_name, (unsigned long long)g.refresh_granted, (unsigned long long)g.refresh_used);
	report(GHOST_EVENT_LIMIT, buf);
}

void ghost_check_event_limit_final(struct perf_event *event, bool counter_running)
{
	const ghost_event &g = event->ghost;
	if (!g.refresh_granted)
		return;
	char buf[320];
	const int state = g.state;
	if (g.refresh_used >= g.refresh_granted && !g.unlimited && state == PERF_EVENT_STATE_ACTIVE && counter_running) {
		snprintf(buf, sizeof(buf),
			 "%s used all %llu overflows PERF_EVENT_IOC_REFRESH granted, yet it is ACTIVE with its counter running",
			 event->model_name, (unsigned long long)g.refresh_granted);
		report(GHOST_EVENT_LIMIT, buf);
	} else if (g.refresh_used < g.refresh_granted && state == PERF_EVENT_STATE_OFF && !g.user_disabled) {
		snprintf(buf, sizeof(buf),
			 "%s is OFF with %llu of the %llu overflows PERF_EVENT_IOC_REFRESH granted still owed, and no "
			 "PERF_EVENT_IOC_DISABLE since: the refresh was lost",
			 event->model_name, (unsigned long long)(g.refresh_granted - g.refresh_used),
			 (unsigned long long)g.refresh_granted);
		report(GHOST_EVENT_LIMIT, buf);
	}
}
