// `perfmc kcsan`: from a pasted KCSAN report to the scenarios that model it, their verdicts under
// upstream and under each fix, or, when nothing covers it, a scenario skeleton to complete.
#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

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

std::string skeleton_name(const kcsan::Report &report)
{
	std::string name;
	for (const std::string &f : report.title_functions)
		name += (name.empty() ? "" : "-vs-") + f;
	return name.empty() ? "new-scenario" : name;
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
	std::string title;
	for (const std::string &f : report.title_functions)
		title += (title.empty() ? "" : " / ") + f;
	std::string out;
	out += "# A scenario skeleton from a KCSAN report that no shipped scenario covers.\n";
	out += "# Complete the TODOs (setup objects, each CPU's ops, the expected verdicts), save it as\n";
	out += fmt::format("# scenarios/{}.toml and check it with `perfmc run {}.toml`.\n", skeleton_name(report),
			   skeleton_name(report));
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
		out += fmt::format("\n[[cpu]]   # {}\n", kcsan::format_access(a));
		out += fmt::format("name = \"{} in {}\"\ncpu = {}\nrun = [\n", a.kind, a.stack.empty() ? "?" : a.stack.front().function, i);
		bool emitted = false;
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
				out += fmt::format("  # not in the model: {}\n", kcsan::format_frame(f));
			}
		}
		if (!emitted)
			out += "  # TODO: no frame of this stack is a model function; model one or pick an op (`perfmc list --ops`)\n";
		out += "]\n";
	}
	out += fmt::format("\n[expect]\n{} = \"harmful\"   # TODO: pass | benign | harmful\n", registry.variants.front());
	return out;
}

}  // namespace perfmc
