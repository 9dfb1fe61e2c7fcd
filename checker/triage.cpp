// `perfmc kcsan`: from a parsed KCSAN report to the answer (checker/triage.h).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checker/triage.h"

namespace perfmc {

namespace {

/* "A / B" into {A, B} */
std::vector<std::string> split_pair(const std::string &pair)
{
	std::vector<std::string> out;
	size_t slash = pair.find(" / ");
	auto trim = [](std::string s) {
		s.erase(0, s.find_first_not_of(" \t"));
		s.erase(s.find_last_not_of(" \t") + 1);
		return s;
	};
	if (slash == std::string::npos)
		out.push_back(trim(pair));
	else {
		out.push_back(trim(pair.substr(0, slash)));
		out.push_back(trim(pair.substr(slash + 3)));
	}
	return out;
}

bool contains(const std::vector<std::string> &v, const std::string &s) { return std::find(v.begin(), v.end(), s) != v.end(); }

/*
 * How well a scenario's declared pair covers the report: 3 when the report's title names the
 * same two functions; 2 when each access's stack (inlined frames included) holds one function of
 * the pair; 0 otherwise. A report at unknown origin (one access) matches on that access alone.
 */
int pair_score(const kcsan::Report &report, const std::vector<std::string> &pair)
{
	if (pair.size() != 2)
		return 0;
	std::vector<std::string> title = report.title_functions;
	if (title.size() == 2) {
		std::vector<std::string> a = title, b = pair;
		std::sort(a.begin(), a.end());
		std::sort(b.begin(), b.end());
		if (a == b)
			return 3;
	}
	if (report.accesses.size() == 2) {
		auto f0 = report.functions(0), f1 = report.functions(1);
		if ((contains(f0, pair[0]) && contains(f1, pair[1])) || (contains(f0, pair[1]) && contains(f1, pair[0])))
			return 2;
	} else if (report.accesses.size() == 1) {
		auto f0 = report.functions(0);
		if (contains(f0, pair[0]) || contains(f0, pair[1]))
			return 1;
	}
	return 0;
}

/*
 * Among scenarios declaring the same pair, prefer the one whose CPUs enter the kernel where the
 * report's stacks do: count the report's frames named by the scenario's ops (their registry
 * summaries name the kernel entry points, e.g. "perf_event_task_sched_out()") or `call`s.
 */
int path_score(const kcsan::Report &report, const Scenario &s)
{
	std::set<std::string> frames;
	for (size_t a = 0; a < report.accesses.size(); a++)
		for (const std::string &f : report.functions(a))
			frames.insert(f);
	std::set<std::string> named;
	for (const LaneSpec &lane : s.lanes)
		for (const Op &op : lane.ops)
			for (const std::string &f : frames)
				if (op.name == f || op.summary.find(f + "()") != std::string::npos)
					named.insert(f);
	return static_cast<int>(named.size());
}

// The path kind an op of a scenario's lane runs (kcsan::AccessPath::kind's words).
std::string op_path_kind(const Op &op, const std::string &lane_context)
{
	if (op.is_call)
		return "call " + op.name;
	if (op.name == "userpage_read" || op.name == "userpage_time")
		return "user space";
	// the kind of the entry-to-op table's rows that run the op in the lane itself (not the
	// cross-CPU call it sends), when they all say one kind: rotate is the hrtimer, install and
	// remove perf_event_open(); an op several kinds enter (overflow) is told by its lane below
	std::string kind;
	for (const kcsan::EntryRule &rule : kcsan::entry_rules()) {
		if (rule.remote || rule.op.substr(0, rule.op.find('(')) != op.name)
			continue;
		if (!kind.empty() && kind != rule.kind) {
			kind.clear();
			break;
		}
		kind = rule.kind;
	}
	if (!kind.empty())
		return kind;
	std::string s = op.summary;
	if (lane_context == "nmi" || s.find("NMI") != std::string::npos)
		return "pmu-nmi";
	if (s.find("ioctl") != std::string::npos)
		return "ioctl";
	if (s.find("close") != std::string::npos)
		return "close";
	if (s.find("irq_work") != std::string::npos)
		return "irq_work";
	if (s.find("task_work") != std::string::npos || s.find("return to user") != std::string::npos)
		return "task_work";
	if (s.find("tick") != std::string::npos)
		return "tick";
	return op.name;
}

std::string first_line(const std::string &text)
{
	size_t nl = text.find('\n');
	return nl == std::string::npos ? text : text.substr(0, nl);
}


}  // namespace

std::vector<Match> match_scenarios(const kcsan::Report &report, const std::string &dir)
{
	std::vector<Match> matches;
	for (const std::string &file : scenario_files(dir)) {
		Scenario s = load_scenario_file(file, model_registries());
		Match best{s.name, file, 0, "", 0};
		for (const std::string &pair : s.covers) {
			int score = pair_score(report, split_pair(pair));
			if (score > best.score) {
				best.score = score;
				best.pair = pair;
			}
		}
		if (best.score > 0) {
			best.path_score = path_score(report, s);
			matches.push_back(best);
		}
	}
	std::stable_sort(matches.begin(), matches.end(), [](const Match &a, const Match &b) {
		return a.score != b.score ? a.score > b.score : a.path_score > b.path_score;
	});
	return matches;
}

std::vector<std::string> scenario_path_kinds(const Scenario &scenario)
{
	std::vector<std::string> kinds;
	for (const LaneSpec &lane : scenario.lanes) {
		std::string kind;
		for (const Op &op : lane.ops) {
			std::string k = op_path_kind(op, lane.in);
			kind += (kind.empty() ? "" : ", ") + k;
		}
		kinds.push_back(kind);
	}
	return kinds;
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start)
{
	return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs one variant with what is left of the budget shared among the runs still to come; a search
// cut by the timeout is incomplete.
RunResult run_within(const Scenario &scenario, const std::string &source, const std::string &variant, double share)
{
	RunOptions o;
	o.variant = variant;
	o.timeout_seconds = std::max(share, 0.05);
	return run_scenario(scenario, o, source);
}

// Per access of the report, the lanes of a scenario that run its kind of path.
std::vector<std::vector<int>> lanes_by_kind(const kcsan::Paths &paths, const std::vector<std::string> &lane_kinds)
{
	std::vector<std::vector<int>> lane_of(paths.accesses.size());
	for (size_t a = 0; a < paths.accesses.size(); a++)
		for (size_t l = 0; l < lane_kinds.size(); l++)
			if (lane_kinds[l].find(paths.accesses[a].kind) != std::string::npos)
				lane_of[a].push_back(static_cast<int>(l));
	return lane_of;
}

// Runs upstream, then each variant, within budget_seconds in all.
void run_all(Evidence &e, const std::string &source, const std::vector<std::string> &variants, double budget_seconds)
{
	Clock::time_point start = Clock::now();
	e.ran = true;
	e.upstream = run_within(e.scenario, source, "", budget_seconds * 0.5);
	size_t left = variants.size();
	for (const std::string &variant : variants) {
		double remaining = budget_seconds - seconds_since(start);
		e.variants.emplace_back(variant, run_within(e.scenario, source, variant, remaining / static_cast<double>(left)).verdict);
		left--;
	}
	e.seconds = seconds_since(start);
}

}  // namespace

FieldRace find_field_race(const kcsan::Report &report, const kcsan::RaceField &field, const RunResult &run,
			  const std::vector<std::vector<int>> &lane_of)
{
	std::set<std::string> members;
	if (!field.race.member.empty())
		members.insert(field.race.member);
	else
		for (const kcsan::FieldAnswer &f : field.accesses)
			if (!f.member.empty())
				members.insert(f.member);
	auto on_stack = [](const sim::AccessInfo &access, const std::string &function) {
		return std::any_of(access.stack.begin(), access.stack.end(),
				   [&](const sim::FrameInfo &f) { return f.function == function; });
	};
	auto report_function = [&report](size_t a) {
		return a < report.accesses.size() && !report.accesses[a].stack.empty()
			       ? kcsan::base_function(report.accesses[a].stack.front().function)
			       : std::string();
	};
	auto in = [](const std::vector<int> &lanes, int lane) { return std::find(lanes.begin(), lanes.end(), lane) != lanes.end(); };
	FieldRace best;
	std::vector<const sim::Race *> races;
	for (const sim::Race &r : run.sim.failing_races)
		races.push_back(&r);
	for (const sim::Race &r : run.sim.races)
		races.push_back(&r);
	for (const sim::Race *race : races) {
		if (members.empty() ? false : !members.count(race->field))
			continue;
		if (lane_of.size() < 2 && !lane_of.empty()) {
			if (!in(lane_of[0], race->first.lane) && !in(lane_of[0], race->second.lane))
				continue;
		} else if (lane_of.size() >= 2) {
			bool straight = in(lane_of[0], race->first.lane) && in(lane_of[1], race->second.lane);
			bool crossed = in(lane_of[1], race->first.lane) && in(lane_of[0], race->second.lane);
			if (!straight && !crossed)
				continue;
		}
		FieldRace found;
		found.found = true;
		found.field = race->field;
		auto fn = [](const sim::AccessInfo &a) { return a.stack.empty() ? std::string("?") : a.stack.front().function; };
		found.functions = fmt::format("{}() / {}()", fn(race->first), fn(race->second));
		found.lanes = {race->first.lane, race->second.lane};
		// each report access's function on the stack of the model access on its lane
		bool first_is_0 = !lane_of.empty() && in(lane_of[0], race->first.lane);
		const sim::AccessInfo &a0 = first_is_0 ? race->first : race->second;
		const sim::AccessInfo &a1 = first_is_0 ? race->second : race->first;
		found.same_functions = on_stack(a0, report_function(0)) &&
				       (report.accesses.size() < 2 || on_stack(a1, report_function(1)));
		if (!best.found || (found.same_functions && !best.same_functions))
			best = found;
		if (best.same_functions)
			break;
	}
	return best;
}

std::optional<Evidence> shipped_evidence(const kcsan::Report &report, const kcsan::Paths &paths, const std::string &dir,
					 const kcsan::RaceField &field, double budget_seconds)
{
	std::vector<Match> matches = match_scenarios(report, dir);
	if (matches.empty())
		return std::nullopt;
	// Do a scenario's CPUs run the report's paths? Every access's kind must be one of its lanes'.
	auto missing_paths = [&paths](const std::vector<std::string> &lanes) {
		std::vector<std::string> missing;
		for (const kcsan::AccessPath &p : paths.accesses) {
			bool found = false;
			for (const std::string &lane : lanes)
				if (lane.find(p.kind) != std::string::npos)
					found = true;
			if (!found)
				missing.push_back(fmt::format("access {} runs {}", p.access + 1, p.description));
		}
		return missing;
	};
	// among the best title matches, the first whose CPUs run the report's paths
	size_t chosen = 0;
	for (size_t m = 0; m < matches.size() && matches[m].score == matches.front().score; m++) {
		Scenario s = load_scenario_file(matches[m].file, model_registries());
		if (missing_paths(scenario_path_kinds(s)).empty()) {
			chosen = m;
			break;
		}
	}
	Evidence e;
	e.source = "shipped scenario";
	const Match &match = matches[chosen];
	e.scenario = load_scenario_file(match.file, model_registries());
	e.text = read_input_file(match.file, "scenario file", "");
	e.matched_on = match.score == 3   ? fmt::format("the title's pair {}", match.pair)
		       : match.score == 2 ? fmt::format("both stacks' functions {}", match.pair)
					  : fmt::format("the one access's function ({})", match.pair);
	for (size_t m = 0; m < matches.size(); m++)
		if (m != chosen)
			e.also.push_back(matches[m].scenario);
	e.scenario_paths = scenario_path_kinds(e.scenario);
	std::vector<std::string> missing = missing_paths(e.scenario_paths), report_kinds;
	for (const kcsan::AccessPath &p : paths.accesses)
		report_kinds.push_back(p.kind);
	e.paths_agree = missing.empty();
	e.path_note = e.paths_agree
			      ? fmt::format("its CPUs run the report's paths ({})", fmt::join(report_kinds, ", "))
			      : fmt::format("its CPUs run {}, not the report's paths: {}", fmt::join(e.scenario_paths, " | "),
					    fmt::join(missing, "; "));
	std::vector<std::string> variants;
	for (const auto &[variant, expected] : e.scenario.expect)
		if (variant != effective_variant(e.scenario, {}))
			variants.push_back(variant);
	if (!e.paths_agree)
		return e;  // the title alone decides nothing: not run
	run_all(e, e.scenario.name, variants, budget_seconds);
	e.race = find_field_race(report, field, e.upstream, lanes_by_kind(paths, e.scenario_paths));
	if (!e.race.found)
		e.path_note += fmt::format("; but no race on {} between them", field.race.field.empty() ? "the report's field"
													  : field.race.field);
	return e;
}

std::optional<Evidence> synthesised_evidence(const kcsan::Report &report, const kcsan::Paths &paths,
					     const kcsan::RaceField &field, const kcsan::Synthesis &plan,
					     double budget_seconds, const std::string &origin)
{
	if (!plan.runnable)
		return std::nullopt;
	Evidence e;
	e.source = "synthesised scenario";
	std::string text = kcsan::scenario_toml(report, paths, plan, {}, origin);
	e.scenario = parse_scenario(text, plan.name + ".toml", model_registries());
	e.matched_on = "the report's paths";
	e.scenario_paths = scenario_path_kinds(e.scenario);
	e.paths_agree = true;
	std::vector<std::string> kinds;
	for (const kcsan::AccessPath &p : paths.accesses)
		kinds.push_back(p.kind);
	e.path_note = fmt::format("built from the report's paths ({})", fmt::join(kinds, ", "));
	const Registry *registry = &model_registries().front();
	for (const Registry &r : model_registries())
		if (r.name == e.scenario.model)
			registry = &r;
	std::string base = effective_variant(e.scenario, {});
	std::vector<std::string> variants;
	for (const std::string &v : registry->variants)
		if (v != base)
			variants.push_back(v);
	run_all(e, plan.name + ".toml", variants, budget_seconds);  // replayed from the --emit-scenario file
	std::vector<std::vector<int>> lane_of(paths.accesses.size());
	for (size_t l = 0; l < plan.lanes.size(); l++)
		lane_of[plan.lanes[l].access].push_back(static_cast<int>(l));
	e.race = find_field_race(report, field, e.upstream, lane_of);
	std::vector<std::pair<std::string, std::string>> expect = {{base, verdict_name(e.upstream.verdict)}};
	for (const auto &[variant, verdict] : e.variants)
		expect.emplace_back(variant, verdict_name(verdict));
	e.text = kcsan::scenario_toml(report, paths, plan, expect, origin);
	return e;
}

Answer triage(const kcsan::Report &report, size_t index, const TriageOptions &options)
{
	Clock::time_point start = Clock::now();
	Answer answer;
	answer.report = report;
	answer.index = index;
	std::vector<std::string> perf_functions;
	for (const Registry &r : model_registries())
		for (const OpSpec &f : r.functions)
			perf_functions.push_back(f.name);
	answer.scope = kcsan::classify(report, perf_functions);
	if (!answer.scope.perf) {
		answer.verdict = "not perf";
		return answer;
	}
	answer.field = kcsan::name_race_field(report);
	answer.paths = kcsan::entry_paths(report);
	answer.synthesis = kcsan::plan_scenario(report, answer.paths);
	std::string origin = options.input.empty() ? "" : fmt::format("{}:{}", options.input, report.line);
	answer.scenario_text = kcsan::scenario_toml(report, answer.paths, answer.synthesis, {}, origin);
	// the innermost frame each stack lacks (the plan lists them all)
	std::set<size_t> stacks;
	for (const kcsan::MissingFrame &m : answer.synthesis.missing)
		if (stacks.insert(m.access).second)
			answer.missing.push_back(m.text());

	// a shipped scenario decides when its CPUs run the report's paths and race on its field
	std::optional<Evidence> shipped = shipped_evidence(report, answer.paths, options.dir, answer.field,
							    options.budget_seconds * 0.3);
	if (shipped && shipped->reproduced()) {
		answer.evidence = std::move(shipped);
	} else if (shipped) {
		answer.shipped_note = fmt::format("shipped {} matches {} only: {}", shipped->scenario.name, shipped->matched_on,
						  shipped->path_note);
		answer.shipped = std::move(shipped);
	}
	double left = options.budget_seconds - seconds_since(start);
	answer.synthesised = synthesised_evidence(report, answer.paths, answer.field, answer.synthesis, std::max(left, 0.5),
						  origin);
	if (answer.synthesised)
		answer.scenario_text = answer.synthesised->text;
	if (!answer.evidence && answer.synthesised && answer.synthesised->reproduced())
		answer.evidence = answer.synthesised;
	if (answer.evidence)
		answer.verdict = verdict_name(answer.evidence->upstream.verdict);
	else if (!answer.synthesis.runnable || !answer.missing.empty())
		answer.verdict = "not modelled";
	else
		answer.verdict = "not reproduced";
	return answer;
}

namespace {

std::string field_line(const kcsan::RaceField &field)
{
	const kcsan::FieldAnswer &race = field.race;
	if (race.field.empty()) {
		if (!race.candidates.empty())
			return fmt::format("not named: one of {} ({})", fmt::join(race.candidates, ", "), race.explanation);
		return fmt::format("not named: {}", race.explanation);
	}
	std::string how = race.how == "address"   ? "by the address's offset in the user page"
			  : race.how == "exact"   ? "by its core.c line at 12f24484da13"
			  : race.how == "shifted" ? fmt::format("by its core.c line, {:+} lines at 12f24484da13", race.shift)
			  : race.how == "function" ? "the only field of that size the function touches"
						   : race.how;
	return fmt::format("{} ({})", race.field, how);
}

std::string verdict_words(const Answer &a)
{
	const Evidence &e = *a.evidence;
	Verdict v = e.upstream.verdict;
	std::string what = v == Verdict::Harmful ? "HARMFUL under upstream"
			   : v == Verdict::Benign ? "benign under upstream (the exhaustive search broke no invariant)"
			   : v == Verdict::Pass   ? "pass under upstream (the model shows no race there)"
						  : "incomplete under upstream";
	return what;
}

}  // namespace

std::string format_answer(const Answer &a, const TriageOptions &options, bool verbose)
{
	const kcsan::Report &r = a.report;
	std::string out;
	std::string head = fmt::format("KCSAN report {} (line {}): {}", a.index + 1, r.line, r.title);
	if (a.same_as) {
		return fmt::format("KCSAN report {} (line {}) is the same as report {}: {}\n", a.index + 1, r.line,
				   *a.same_as + 1, a.verdict);
	}
	if (!a.scope.perf) {
		out += fmt::format("{}: {}; perfmc models perf only\n", head, a.scope.summary);
		if (verbose)
			for (const std::string &note : r.notes)
				out += fmt::format("  note: {}\n", note);
		return out;
	}
	out += head + "\n";
	out += fmt::format("scope:    {}\n", a.scope.summary);
	out += fmt::format("field:    {}\n", field_line(a.field));
	std::set<std::string> kernel_notes;
	std::set<int> shifts;
	for (const kcsan::FieldAnswer &f : a.field.accesses) {
		if (f.kernel_note.empty())
			continue;
		kernel_notes.insert(f.function);
		shifts.insert(f.shift);
	}
	if (!kernel_notes.empty() && shifts.size() == 1 && *shifts.begin() != 0)
		out += fmt::format("          the report's kernel has {}() {} lines {} than the modelled 12f24484da13\n",
				   fmt::join(kernel_notes, "() and "), std::abs(*shifts.begin()),
				   *shifts.begin() > 0 ? "earlier" : "later");
	else if (!kernel_notes.empty())
		out += fmt::format("          the report's kernel is not the modelled 12f24484da13 in {}()\n",
				   fmt::join(kernel_notes, "(), "));
	for (const kcsan::AccessPath &p : a.paths.accesses) {
		out += fmt::format("path {}:   {}\n", p.access + 1, kcsan::describe_path(r, p));
		out += fmt::format("          holds: {}\n", kcsan::describe_locks(p));
	}
	out += fmt::format("cpus:     {}\n", a.paths.relation);
	std::string where = options.proof_file.empty() ? fmt::format("perfmc kcsan {} --verbose", options.input)
						       : fmt::format("in {}", options.proof_file);
	std::string emit = fmt::format("perfmc kcsan {} --emit-scenario {}.toml", options.input, a.synthesis.name);
	if (!a.evidence) {
		if (a.verdict == "not modelled") {
			out += fmt::format("verdict:  not modelled: {}\n", fmt::join(a.missing, ", "));
			for (const std::string &u : a.synthesis.unmapped)
				out += fmt::format("          {}\n", u);
			if (a.synthesis.missing.size() > a.missing.size()) {
				std::vector<std::string> more;
				for (const kcsan::MissingFrame &m : a.synthesis.missing)
					if (std::find(a.missing.begin(), a.missing.end(), m.text()) == a.missing.end())
						more.push_back(m.text());
				out += fmt::format("          nor {}\n", fmt::join(more, ", "));
			}
		} else {
			out += fmt::format("verdict:  not reproduced: the model runs both paths ({}) and no interleaving races on "
					   "{}\n",
					   a.synthesised ? fmt::format("{}", fmt::join(a.synthesised->scenario_paths, " | ")) : "",
					   a.field.race.field.empty() ? "the report's field" : a.field.race.field);
		}
		if (a.synthesised) {
			const Evidence &s = *a.synthesised;
			out += fmt::format("          the synthesised scenario runs {} under upstream{}\n",
					   verdict_name(s.upstream.verdict),
					   s.upstream.sim.violation ? fmt::format(" ({})", s.upstream.sim.violation->invariant) : "");
		}
		if (!a.shipped_note.empty())
			out += fmt::format("shipped:  {}\n", a.shipped_note);
		out += fmt::format("scenario: {} writes the scenario built from the report{}\n", emit,
				   a.synthesis.runnable ? "" : " (a TODO lane for each path the model lacks)");
	} else {
		const Evidence &e = *a.evidence;
		out += fmt::format("verdict:  {}, reproduced on the report's paths\n", verdict_words(a));
		out += fmt::format("          on {} {}: {}; the model's race: {} in {}\n", e.source, e.scenario.name,
				   e.path_note, e.race.field, e.race.functions);
		if (e.source == "shipped scenario" && a.synthesised)
			out += fmt::format("          the synthesised scenario {}: {} under upstream{}\n", a.synthesis.name,
					   verdict_name(a.synthesised->upstream.verdict),
					   a.synthesised->reproduced() ? ", the same race" : ", without the race");
		if (!a.shipped_note.empty())
			out += fmt::format("shipped:  {}\n", a.shipped_note);
		if (!a.missing.empty())
			out += fmt::format("          the model reaches the access without {}\n", fmt::join(a.missing, ", "));
		if (e.upstream.sim.violation) {
			const sim::Violation &v = *e.upstream.sim.violation;
			out += fmt::format("broken:   {}: {}\n", v.invariant, first_line(v.detail));
		}
		std::vector<std::string> closes, open, incomplete;
		for (const auto &[variant, verdict] : e.variants)
			(verdict == Verdict::Harmful      ? open
			 : verdict == Verdict::Incomplete ? incomplete
							  : closes)
				.push_back(fmt::format("{} ({})", variant, verdict_name(verdict)));
		if (e.upstream.verdict == Verdict::Harmful) {
			if (!closes.empty())
				out += fmt::format("fixes:    {} close{} it{}\n", fmt::join(closes, ", "), closes.size() == 1 ? "s" : "",
						   open.empty() ? "" : fmt::format("; {} do{} not", open.size(), open.size() == 1 ? "es" : ""));
			else if (!open.empty())
				out += fmt::format("fixes:    none of the {} variants closes it\n", open.size());
		} else if (!e.variants.empty()) {
			std::vector<std::string> all;
			for (const auto &[variant, verdict] : e.variants)
				all.push_back(fmt::format("{} {}", variant, verdict_name(verdict)));
			std::string line = fmt::format("{}", fmt::join(all, ", "));
			out += fmt::format("variants: {}\n", line.size() > 100 ? fmt::format("{} others harmful, {} not ({})",
											       open.size(), closes.size(), "--json")
									      : line);
		}
		if (!incomplete.empty())
			out += fmt::format("          {} incomplete within the time budget\n", fmt::join(incomplete, ", "));
		if (e.variants.empty())
			out += "fixes:    the scenario names no variant (proposed fix) to try\n";
		if (!e.upstream.replay_command.empty())
			out += fmt::format("replay:   {}{}\n", e.source == "synthesised scenario" ? emit + " && " : "",
					   e.upstream.replay_command);
		out += fmt::format("proof:    {} (the race in the model, the invariant, the {}-step interleaving)\n", where,
				   e.upstream.sim.steps.size());
		if (e.source == "synthesised scenario")
			out += fmt::format("scenario: {} writes it\n", emit);
		if (!e.also.empty())
			out += fmt::format("also:     {} declare{} the pair too (perfmc run NAME)\n", fmt::join(e.also, ", "),
					   e.also.size() == 1 ? "s" : "");
	}
	if (!r.notes.empty() && !verbose)
		out += fmt::format("notes:    {} from the parser (--verbose)\n", r.notes.size());
	if (!verbose)
		return out;

	out += "\n-- the report as read\n";
	for (const std::string &note : r.notes)
		out += fmt::format("note: {}\n", note);
	if (r.notes.empty())
		out += "as printed: nothing repaired or stepped over\n";
	out += "\n-- the field, access by access\n";
	for (size_t i = 0; i < a.field.accesses.size(); i++) {
		const kcsan::FieldAnswer &f = a.field.accesses[i];
		out += fmt::format("access {}: {} ({}): {}\n", i + 1, f.field.empty() ? "not named" : f.field, f.how,
				   f.explanation);
		if (!f.kernel_note.empty())
			out += fmt::format("  {}\n", f.kernel_note);
	}
	out += "\n-- the paths\n";
	for (const kcsan::AccessPath &p : a.paths.accesses) {
		out += fmt::format("access {}: {} in {} context, {}\n", p.access + 1, p.kind, kcsan::context_name(p.context),
				   p.model_op.empty() ? "no model op yet" : "the model's op \"" + p.model_op + "\"");
		out += fmt::format("  frames: {}\n", fmt::join(p.frames, " -> "));
		for (const kcsan::Segment &s : p.segments)
			out += fmt::format("  context: {} (frames #{}-#{})\n", s.entry, s.first, s.last);
	}
	if (a.evidence) {
		const Evidence &e = *a.evidence;
		out += fmt::format("\n-- the proof: scenario {} under upstream\n\n", e.scenario.name);
		out += format_report(e.scenario, e.upstream);
		out += format_statistics(e.upstream);
		if (!out.ends_with("\n"))
			out += "\n";
	}
	if (a.synthesised && a.evidence && a.evidence->source == "shipped scenario") {
		out += fmt::format("\n-- the synthesised scenario {} under upstream\n\n", a.synthesis.name);
		out += format_report(a.synthesised->scenario, a.synthesised->upstream);
	}
	if (a.shipped && a.shipped->paths_agree) {
		out += fmt::format("\n-- shipped scenario {} (its paths, not the report's race) under upstream\n\n",
				   a.shipped->scenario.name);
		out += format_report(a.shipped->scenario, a.shipped->upstream);
	}
	if (!a.scenario_text.empty())
		out += fmt::format("\n-- the scenario built from the report ({})\n\n", emit) + a.scenario_text;
	return out;
}

nlohmann::json answer_json(const Answer &a, const TriageOptions &options)
{
	const kcsan::Report &r = a.report;
	nlohmann::json j = {{"report", a.index + 1}, {"line", r.line},         {"title", r.title},
			    {"verdict", a.verdict},  {"untitled", r.untitled}};
	if (a.same_as) {
		j["same_as_report"] = *a.same_as + 1;
		return j;
	}
	j["notes"] = r.notes;
	nlohmann::json scope_accesses = nlohmann::json::array();
	for (const kcsan::AccessScope &s : a.scope.accesses)
		scope_accesses.push_back({{"subsystem", s.subsystem}, {"evidence", s.evidence}, {"from_names", s.from_names}});
	j["scope"] = {{"perf", a.scope.perf}, {"subsystem", a.scope.subsystem}, {"summary", a.scope.summary},
		      {"accesses", scope_accesses}};
	if (!a.scope.perf)
		return j;
	auto field_json = [](const kcsan::FieldAnswer &f) {
		return nlohmann::json{{"field", f.field},   {"member", f.member},         {"how", f.how},
				      {"explanation", f.explanation}, {"candidates", f.candidates}, {"kernel_note", f.kernel_note},
				      {"function", f.function}, {"line", f.line},             {"shift", f.shift}};
	};
	nlohmann::json field_accesses = nlohmann::json::array();
	for (const kcsan::FieldAnswer &f : a.field.accesses)
		field_accesses.push_back(field_json(f));
	j["field"] = field_json(a.field.race);
	j["field"]["accesses"] = field_accesses;
	nlohmann::json paths = nlohmann::json::array();
	for (const kcsan::AccessPath &p : a.paths.accesses) {
		nlohmann::json locks = nlohmann::json::array(), segments = nlohmann::json::array();
		for (const kcsan::HeldLock &l : p.locks)
			locks.push_back({{"lock", l.lock}, {"by", l.by}, {"waiting", l.waiting}});
		for (const kcsan::Segment &s : p.segments)
			segments.push_back({{"context", kcsan::context_name(s.context)}, {"entry", s.entry},
					    {"frames", {s.first, s.last}}});
		paths.push_back({{"access", p.access + 1},
				 {"kind", p.kind},
				 {"context", kcsan::context_name(p.context)},
				 {"cpu", p.cpu},
				 {"task_pid", p.task_pid},
				 {"model_op", p.model_op},
				 {"description", p.description},
				 {"text", kcsan::describe_path(r, p)},
				 {"frames", p.frames},
				 {"outer", p.outer},
				 {"interrupted", p.interrupted},
				 {"locks", locks},
				 {"locks_text", kcsan::describe_locks(p)},
				 {"segments", segments}});
	}
	j["paths"] = {{"accesses", paths}, {"same_cpu", a.paths.same_cpu}, {"relation", a.paths.relation}};
	auto evidence_json = [](const Evidence &e) {
		nlohmann::json variants = nlohmann::json::object();
		for (const auto &[variant, verdict] : e.variants)
			variants[variant] = verdict_name(verdict);
		nlohmann::json run = e.ran ? report_json(e.scenario, e.upstream) : nlohmann::json();
		if (e.ran) {
			run["match"] = e.matched_on;
			run["fix_variants"] = variants;
		}
		return nlohmann::json{{"source", e.source},
				      {"scenario", e.scenario.name},
				      {"matched_on", e.matched_on},
				      {"scenario_paths", e.scenario_paths},
				      {"paths_agree", e.paths_agree},
				      {"path_note", e.path_note},
				      {"reproduced", e.reproduced()},
				      {"race", {{"found", e.race.found},
						{"field", e.race.field},
						{"functions", e.race.functions},
						{"same_functions", e.race.same_functions},
						{"lanes", e.race.lanes}}},
				      {"ran", e.ran},
				      {"upstream", e.ran ? nlohmann::json(verdict_name(e.upstream.verdict)) : nlohmann::json()},
				      {"variants", variants},
				      {"seconds", e.seconds},
				      {"also", e.also},
				      {"run", run}};
	};
	nlohmann::json missing = nlohmann::json::array();
	for (const kcsan::MissingFrame &m : a.synthesis.missing)
		missing.push_back({{"stack", m.access + 1}, {"function", m.function}, {"why", m.why}, {"text", m.text()}});
	nlohmann::json lanes = nlohmann::json::array();
	for (const kcsan::LanePlan &l : a.synthesis.lanes)
		lanes.push_back({{"access", l.access + 1}, {"cpu", l.cpu}, {"in", l.in}, {"op", l.op}, {"note", l.note}});
	j["synthesis"] = {{"name", a.synthesis.name},
			  {"runnable", a.synthesis.runnable},
			  {"lanes", lanes},
			  {"missing", missing},
			  {"unmapped", a.synthesis.unmapped},
			  {"notes", a.synthesis.notes},
			  {"scenario", a.scenario_text},
			  {"evidence", a.synthesised ? evidence_json(*a.synthesised) : nlohmann::json()}};
	j["reproduced"] = a.evidence.has_value();
	j["missing"] = a.missing;
	j["shipped_note"] = a.shipped_note;
	if (a.shipped)
		j["shipped"] = evidence_json(*a.shipped);
	if (!a.evidence)
		return j;
	const Evidence &e = *a.evidence;
	nlohmann::json fixes = nlohmann::json::object();
	for (const auto &[variant, verdict] : e.variants)
		fixes[variant] = verdict_name(verdict);
	j["verdict_on_report_paths"] = e.reproduced();
	j["evidence"] = evidence_json(e);
	if (e.upstream.sim.violation)
		j["broken"] = {{"invariant", e.upstream.sim.violation->invariant}, {"detail", e.upstream.sim.violation->detail}};
	j["fixes"] = fixes;
	j["replay"] = e.upstream.replay_command;
	j["proof"] = options.proof_file.empty() ? fmt::format("perfmc kcsan {} --verbose", options.input)
						: options.proof_file;
	j["scenarios"] = nlohmann::json::array({j["evidence"]["run"]});
	j["also_covered_by"] = e.also;
	return j;
}

int answers_exit_status(const std::vector<Answer> &answers)
{
	bool incomplete = false;
	for (const Answer &a : answers) {
		if (!a.same_as && a.verdict == "harmful")
			return 1;
		incomplete = incomplete || (!a.same_as && a.verdict == "incomplete");
	}
	return incomplete ? 4 : 0;  // checker/cli/cli.h kExitIncomplete
}

}  // namespace perfmc
