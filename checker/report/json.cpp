// The report for machines (`--json`): the same facts as the text report, plus the timing.
#include <nlohmann/json.hpp>

#include "checker/api.h"

namespace perfmc {

static nlohmann::json stack_json(const std::vector<sim::FrameInfo> &stack)
{
	nlohmann::json out = nlohmann::json::array();
	for (const sim::FrameInfo &f : stack)
		out.push_back({{"function", f.function}, {"file", f.file}, {"line", f.line}, {"inlined", f.inlined}});
	return out;
}

static nlohmann::json access_json(const sim::AccessInfo &a)
{
	return {{"cpu", a.cpu},
		{"lane", a.lane},
		{"type", sim::access_type_name(a.type)},
		{"marking", sim::marking_name(a.marking)},
		{"size", a.size},
		{"old_value", a.old_value},
		{"new_value", a.new_value},
		{"stack", stack_json(a.stack)}};
}

static nlohmann::json race_json(const sim::Race &race)
{
	return {{"title", race.title()}, {"field", race.field}, {"first", access_json(race.first)},
		{"second", access_json(race.second)}};
}

nlohmann::json report_json(const Scenario &scenario, const RunResult &result)
{
	const sim::Result &r = result.sim;
	nlohmann::json races = nlohmann::json::array(), failing = nlohmann::json::array();
	for (const sim::Race &race : r.races)
		races.push_back(race_json(race));
	for (const sim::Race &race : r.failing_races)
		failing.push_back(race_json(race));
	nlohmann::json j = {{"scenario", scenario.name},
			    {"variant", result.variant},
			    {"verdict", verdict_name(result.verdict)},
			    {"search", result.search_description},
			    {"shard", {result.shard, result.shards}},
			    {"complete", r.complete},
			    {"stopped", result.stopped == Stop::None ? nlohmann::json(nullptr) : nlohmann::json(stop_name(result.stopped))},
			    {"executions", r.executions},
			    {"elapsed_ms", r.elapsed_ms},
			    {"races", races},
			    {"failing_races", failing},
			    {"violation", nullptr},
			    {"preemptions", r.preemptions},
			    {"discovery_executions", r.discovery_executions},
			    {"runs", r.runs},
			    {"accesses", r.accesses},
			    {"visible", r.visible},
			    {"new_visible", r.new_names},
			    {"bound", r.bound},
			    {"deepening", r.deepening},
			    {"replay", nullptr},
			    {"replay_command", nullptr}};
	if (r.violation)
		j["violation"] = {{"invariant", r.violation->invariant},
				  {"detail", r.violation->detail},
				  {"cpu_lane", r.violation->lane},
				  {"stack", stack_json(r.violation->stack)}};
	if (result.verdict == Verdict::Harmful) {
		j["replay"] = result.replay_token;
		j["replay_command"] = result.replay_command;
		/* rounds of growing bound: no execution with fewer preemptions (of the names searched) breaks one */
		j["fewest_preemptions"] = r.deepening;
		nlohmann::json steps = nlohmann::json::array();
		for (const sim::Step &s : r.steps)
			steps.push_back({{"lane", s.lane},
					 {"cpu", s.cpu},
					 {"function", s.stack.empty() ? "" : s.stack.front().function},
					 {"what", s.what},
					 {"value", s.value},
					 {"old_value", s.old_value},
					 {"racy", s.racy}});
		j["steps"] = steps;
		j["steps_elided"] = r.steps_elided;  // left out of "steps" at index "steps_elided_at"
		j["steps_elided_at"] = r.steps_elided_at;
	}
	return j;
}

}  // namespace perfmc
