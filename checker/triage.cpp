// `perfmc kcsan`: from a parsed KCSAN report to the answer (checker/triage.h).
#include <algorithm>
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

// A scenario name from the title's functions: letters, digits, '-' and '_', not starting with '_'.
std::string skeleton_name(const kcsan::Report &report)
{
	std::string name;
	for (const std::string &f : report.title_functions) {
		std::string part = f.substr(std::min(f.find_first_not_of('_'), f.size()));
		name += (name.empty() ? "" : "-vs-") + part;
	}
	return name.empty() ? "new-scenario" : name;
}

// The path kind an op of a scenario's lane runs (kcsan::AccessPath::kind's words).
std::string op_path_kind(const Op &op, const std::string &lane_context)
{
	if (op.is_call)
		return "call " + op.name;
	static const std::vector<std::pair<std::string, std::string>> names = {
		{"sched_out", "sched-out"}, {"sched_in", "sched-in"}, {"mmap", "mmap"},   {"munmap", "munmap"},
		{"read", "read"},           {"enable", "ioctl"},     {"disable", "ioctl"}, {"reset", "ioctl"},
		{"userpage_read", "user space"}};
	for (const auto &[name, kind] : names)
		if (op.name == name)
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

const char *model_op_hint(const kcsan::AccessPath &path)
{
	return path.model_op.empty() ? "" : path.model_op.c_str();
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

std::optional<Evidence> shipped_evidence(const kcsan::Report &report, const kcsan::Paths &paths, const std::string &dir)
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
	RunOptions upstream;
	e.upstream = run_scenario(e.scenario, upstream, e.scenario.name);
	for (const auto &[variant, expected] : e.scenario.expect) {
		if (variant == "upstream")
			continue;
		RunOptions o;
		o.variant = variant;
		e.variants.emplace_back(variant, run_scenario(e.scenario, o, e.scenario.name).verdict);
	}
	return e;
}

std::string scenario_skeleton(const kcsan::Report &report)
{
	/* the model that names the most of the report's frames; the default model on a tie */
	const std::vector<Registry> &registries = model_registries();
	auto names_frames = [&report](const Registry &r) {
		int n = 0;
		for (const kcsan::Access &a : report.accesses)
			for (const kcsan::Frame &f : a.stack)
				n += std::any_of(r.functions.begin(), r.functions.end(),
						 [&f](const OpSpec &s) { return s.name == f.function; });
		return n;
	};
	const Registry *best = &registries.front();
	for (const Registry &r : registries)
		if (names_frames(r) > names_frames(*best))
			best = &r;
	const Registry &registry = *best;
	auto known = [&registry](const std::string &fn) -> const OpSpec * {
		for (const OpSpec &f : registry.functions)
			if (f.name == fn)
				return &f;
		return nullptr;
	};
	kcsan::Paths paths = kcsan::entry_paths(report);
	std::string title;
	for (const std::string &f : report.title_functions)
		title += (title.empty() ? "" : " / ") + f;
	std::string out;
	out += "# A scenario skeleton from a KCSAN report that no shipped scenario covers.\n";
	out += "# Complete the TODOs (setup objects, each CPU's ops, the expected verdicts), save it as\n";
	out += fmt::format("# scenarios/{}.toml and check it with `perfmc run {}.toml`.\n", skeleton_name(report),
			   skeleton_name(report));
	out += fmt::format("# The report's paths: {}.\n", paths.relation);
	out += fmt::format("name = \"{}\"\n", skeleton_name(report));
	if (&registry != &registries.front())
		out += fmt::format("model = \"{}\"   # {}\n", registry.name, registry.summary);
	out += fmt::format("summary = \"\"\"TODO: the hazard in kernel terms: {}.\"\"\"\n", report.title);
	out += fmt::format("covers = [\"{}\"]\n", title);
	out += "references = [\"TODO: where the report came from\"]\n\n";
	out += "[setup]\ntick = 10\n\n";
	out += "[[setup.context]]\nname = \"T\"          # TODO: the context the racing object lives in\ntask = \"T\"\nrunning_on = 0\n\n";
	out += "[[setup.event]]\nname = \"E\"          # TODO: the event whose field races\ncontext = \"T\"\nstate = \"ACTIVE\"\n";
	for (size_t i = 0; i < report.accesses.size(); i++) {
		const kcsan::Access &a = report.accesses[i];
		const kcsan::AccessPath &path = paths.accesses[i];
		out += fmt::format("\n[[cpu]]   # {}\n", kcsan::format_access(a));
		out += fmt::format("# path: {}{}\n", path.description,
				   path.model_op.empty() ? "" : fmt::format(" (the op \"{}\")", model_op_hint(path)));
		int cpu = paths.same_cpu ? 0 : static_cast<int>(i);
		out += fmt::format("name = \"{} in {}\"\ncpu = {}\n", a.kind, a.stack.empty() ? "?" : a.stack.front().function, cpu);
		if (path.context == kcsan::Context::Nmi)
			out += "in = \"nmi\"\n";
		else if (path.context != kcsan::Context::Task)
			out += "in = \"irq\"\n";
		out += "run = [\n";
		bool emitted = false;
		bool perf_frames = false;
		for (const kcsan::Frame &f : a.stack) {
			if (const OpSpec *spec = known(f.function); spec && !emitted) {
				std::string args;
				for (const ParamSpec &p : spec->params)
					args += std::string(args.empty() ? "" : ", ") + "\"" +
						(p.kind == ArgKind::Context ? "T" : p.kind == ArgKind::Event ? "E" : "0") + "\"";
				out += fmt::format("  {{ call = \"{}\", args = [{}], locks = [] }},   # TODO: the locks "
						   "its callers hold\n",
						   f.function, args);
				emitted = true;
			} else if (!known(f.function)) {
				bool perf = f.file.find("kernel/events/") != std::string::npos;
				perf_frames = perf_frames || perf;
				out += fmt::format("  # {}: {}\n", perf ? "perf, not in the model" : "not in the model",
						   kcsan::format_frame(f));
			}
		}
		if (!emitted)
			out += perf_frames ? "  # TODO: no frame of this stack is a model function yet (its perf frames are "
					     "listed above); model one or pick an op (`perfmc list --ops`)\n"
					   : "  # TODO: no frame of this stack is a model function; model one or pick an op "
					     "(`perfmc list --ops`)\n";
		out += "]\n";
		if (paths.same_cpu)
			break;  // one CPU: the other access is the interrupted context, listed in the first
	}
	out += fmt::format("\n[expect]\n{} = \"harmful\"   # TODO: pass | benign | harmful\n", registry.variants.front());
	return out;
}

Answer triage(const kcsan::Report &report, size_t index, const TriageOptions &options)
{
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
	answer.evidence = shipped_evidence(report, answer.paths, options.dir);
	if (!answer.evidence) {
		answer.verdict = "not covered";
		answer.skeleton = scenario_skeleton(report);
		return answer;
	}
	answer.verdict = verdict_name(answer.evidence->upstream.verdict);
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
	if (!a.evidence) {
		out += "verdict:  not covered: no shipped scenario declares this pair of functions\n";
		out += "          (a scenario built from the report's own stacks waits for the one model of core.c, "
		       "issue 13)\n";
		out += fmt::format("skeleton: perfmc kcsan {} --verbose prints a scenario to complete\n", options.input);
	} else {
		const Evidence &e = *a.evidence;
		if (e.paths_agree) {
			out += fmt::format("verdict:  {}\n", verdict_words(a));
			out += fmt::format("          on {} {} (matched on {}): {}\n", e.source, e.scenario.name, e.matched_on,
					   e.path_note);
		} else {
			out += fmt::format("verdict:  {} on {} {}, which runs other paths than the report's\n", verdict_words(a),
					   e.source, e.scenario.name);
			out += fmt::format("          (matched on {} only): {}\n", e.matched_on, e.path_note);
		}
		if (e.upstream.sim.violation) {
			const sim::Violation &v = *e.upstream.sim.violation;
			out += fmt::format("broken:   {}: {}\n", v.invariant, first_line(v.detail));
		}
		std::vector<std::string> closes, open;
		for (const auto &[variant, verdict] : e.variants)
			(verdict == Verdict::Harmful ? open : closes).push_back(fmt::format("{} ({})", variant, verdict_name(verdict)));
		if (!closes.empty())
			out += fmt::format("fixes:    {} close{} it{}\n", fmt::join(closes, ", "), closes.size() == 1 ? "s" : "",
					   open.empty() ? "" : fmt::format("; {} do{} not", fmt::join(open, ", "), open.size() == 1 ? "es" : ""));
		else if (!open.empty())
			out += fmt::format("fixes:    none of the scenario's variants closes it: {}\n", fmt::join(open, ", "));
		if (e.variants.empty())
			out += "fixes:    the scenario names no variant (proposed fix) to try\n";
		if (!e.upstream.replay_command.empty())
			out += fmt::format("replay:   {}\n", e.upstream.replay_command);
		std::string where = options.proof_file.empty() ? fmt::format("perfmc kcsan {} --verbose", options.input)
							       : fmt::format("in {}", options.proof_file);
		out += fmt::format("proof:    {} (the race in the model, the invariant, the {}-step interleaving)\n", where,
				   e.upstream.sim.steps.size());
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
	if (!a.skeleton.empty())
		out += "\n-- a scenario skeleton to complete\n\n" + a.skeleton;
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
	if (!a.evidence) {
		j["skeleton"] = a.skeleton;
		return j;
	}
	const Evidence &e = *a.evidence;
	nlohmann::json run = report_json(e.scenario, e.upstream);
	nlohmann::json fixes = nlohmann::json::object();
	for (const auto &[variant, verdict] : e.variants)
		fixes[variant] = verdict_name(verdict);
	run["match"] = e.matched_on;
	run["fix_variants"] = fixes;
	j["verdict_on_report_paths"] = e.paths_agree;
	j["evidence"] = {{"source", e.source},         {"scenario", e.scenario.name},  {"matched_on", e.matched_on},
			 {"scenario_paths", e.scenario_paths}, {"paths_agree", e.paths_agree}, {"path_note", e.path_note},
			 {"also", e.also}};
	if (e.upstream.sim.violation)
		j["broken"] = {{"invariant", e.upstream.sim.violation->invariant}, {"detail", e.upstream.sim.violation->detail}};
	j["fixes"] = fixes;
	j["replay"] = e.upstream.replay_command;
	j["proof"] = options.proof_file.empty() ? fmt::format("perfmc kcsan {} --verbose", options.input)
						: options.proof_file;
	j["scenarios"] = nlohmann::json::array({run});
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
