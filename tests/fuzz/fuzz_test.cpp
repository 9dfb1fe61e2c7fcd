// Fuzz tests for every parser a user feeds perfmc (issue 18): scenario TOML, KCSAN reports,
// replay tokens, merge JSON and command-line values. Each mutates the shipped inputs with a fixed
// seed (tests/fuzz/fuzz.h) and asserts that every case ends in exit 0, 1, 2 or 4: never 3 (a bug),
// an exception, a signal or a hang. Parsing runs in-process (thousands of cases a second); what
// runs a search runs in a child process under a time limit. PERFMC_FUZZ_CASES=N runs N cases per
// test instead of the defaults (the sanitizer CI job's long run).
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/diagnostic.h"
#include "tests/cli/support.h"
#include "tests/fuzz/fuzz.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> files_in(const std::string &dir, const std::string &extension)
{
	std::vector<std::string> out;
	for (const auto &e : fs::directory_iterator(dir))
		if (e.path().extension() == extension)
			out.push_back(e.path().string());
	std::sort(out.begin(), out.end());
	return out;
}

std::vector<std::string> contents(const std::vector<std::string> &files)
{
	std::vector<std::string> out;
	for (const std::string &f : files)
		out.push_back(slurp(f));
	return out;
}

bool ok_code(int code) { return code == 0 || code == 1 || code == 2 || code == 4; }

/* Tallies one test's cases; a finding fails the test with its saved input and how it ended. */
struct Findings {
	std::string test;
	size_t cases = 0, failures = 0;

	void in_process(const std::string &input, const std::vector<std::string> &args, const CliRun &r)
	{
		cases++;
		if (ok_code(r.code))
			return;
		failures++;
		std::string path = fuzz::save_finding(test + "-" + std::to_string(cases), input);
		std::string argv;
		for (const std::string &a : args)
			argv += " '" + a.substr(0, 200) + "'";
		FAIL_CHECK("perfmc" << argv << " exits " << r.code << " on the input saved in " << path << "\n" << r.err.substr(0, 2000));
	}

	void in_child(const std::string &input, const std::vector<std::string> &args, const fuzz::Outcome &o)
	{
		cases++;
		if (fuzz::acceptable(o))
			return;
		std::string path = fuzz::save_finding(test + "-" + std::to_string(cases), input);
		failures++;
		std::string argv;
		for (const std::string &a : args)
			argv += " '" + a.substr(0, 200) + "'";
		FAIL_CHECK("perfmc" << argv << " on the input saved in " << path << ": " << fuzz::describe(o));
	}
};

CliRun run_args(const std::vector<std::string> &args) { return run_cli(args); }

int child_cli(const std::vector<std::string> &args) { return run_cli(args).code; }

}  // namespace

namespace {

/* An op a lane (or the setup) of scenario `s` could run: any op or `call` of its model, with
 * arguments drawn from its objects, CPUs and edge integers, and locks for a call. */
std::string random_op(const perfmc::Scenario &s, fuzz::Rng &rng)
{
	using namespace perfmc;
	const Registry *r = &model_registries().front();
	for (const Registry &each : model_registries())
		if (each.name == s.model)
			r = &each;
	const bool call = !r->functions.empty() && rng.one_in(3);
	const OpSpec &spec = call ? rng.pick(r->functions) : rng.pick(r->ops);
	std::vector<std::string> events, contexts;
	for (const EventSpec &e : s.events)
		events.push_back(e.name);
	for (const ContextSpec &c : s.contexts)
		contexts.push_back(c.name);
	std::vector<std::string> args;
	for (const ParamSpec &p : spec.params) {
		switch (p.kind) {
		case ArgKind::Event: args.push_back(events.empty() ? "E" : rng.pick(events)); break;
		case ArgKind::Context: args.push_back(contexts.empty() ? "T" : rng.pick(contexts)); break;
		case ArgKind::Cpu: args.push_back(std::to_string(rng.below(5))); break;
		case ArgKind::Integer: args.push_back(rng.pick(std::vector<std::string>{"0", "1", "2", "-1", "100", "2147483647"})); break;
		}
	}
	std::string list;
	for (const std::string &a : args)
		list += (list.empty() ? "" : ", ") + a;
	if (!call)
		return "\"" + spec.name + "(" + list + ")\"";
	std::string quoted, locks;
	for (const std::string &a : args)
		quoted += (quoted.empty() ? "\"" : ", \"") + a + "\"";
	for (size_t n = rng.below(3); n > 0; n--) {
		std::string lock = rng.one_in(2) && !events.empty() ? rng.pick(events) + ".mmap_mutex"
				   : contexts.empty()		   ? "T.lock"
								   : rng.pick(contexts) + (rng.one_in(2) ? ".lock" : ".mutex");
		locks += (locks.empty() ? "\"" : ", \"") + lock + "\"";
	}
	return "{ call = \"" + spec.name + "\", args = [" + quoted + "], locks = [" + locks + "] }";
}

/* The scenario with one lane's (or the setup's) ops replaced by 1 to 4 random ops of its model. */
std::string with_random_ops(const std::string &text, const perfmc::Scenario &s, fuzz::Rng &rng)
{
	std::vector<size_t> lines;  // offsets of `run = [...]` and `ops = [...]` lines
	for (size_t at = 0; at < text.size(); at = text.find('\n', at) + 1) {
		size_t end = text.find('\n', at);
		std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
		if (std::regex_search(line, std::regex("^(run|ops) *= *\\[.*\\] *(#.*)?$")))
			lines.push_back(at);
		if (end == std::string::npos)
			break;
	}
	if (lines.empty())
		return text;
	size_t at = rng.pick(lines), end = text.find('\n', at);
	std::string key = text.substr(at, 3);
	std::string ops;
	for (size_t n = 1 + rng.below(4); n > 0; n--)
		ops += (ops.empty() ? "" : ", ") + random_op(s, rng);
	return text.substr(0, at) + key + " = [" + ops + "]" + (end == std::string::npos ? "" : text.substr(end));
}

}  // namespace

TEST_CASE("mutated scenario files parse to a scenario or to exit 2, and run bounded", "[fuzz][scenario]")
{
	std::vector<std::string> files = files_in(scenarios_dir(), ".toml");
	for (const std::string &f : files_in(PERFMC_SOURCE_DIR "/tests/scenario/data", ".toml"))
		files.push_back(f);
	const std::vector<std::string> corpus = contents(files);
	std::vector<perfmc::Scenario> parsed;
	for (const std::string &f : files) {
		try {
			parsed.push_back(perfmc::load_scenario_file(f, perfmc::model_registries()));
		} catch (const perfmc::InputError &) {
			parsed.emplace_back();  // tests/scenario/data holds a bad one on purpose
		}
	}
	const std::string dir = temp_dir("fuzz-scenario");
	fuzz::Rng rng(fuzz::seed());
	Findings parse{"scenario-show"}, run{"scenario-run"};
	const size_t n = fuzz::cases(2000);
	for (size_t i = 0; i < n; i++) {
		size_t which = rng.below(files.size());
		/* byte and line mutations, or (one case in three) a lane given random ops of its model */
		const bool structured = rng.one_in(3);
		std::string text = structured ? with_random_ops(corpus[which], parsed[which], rng)
					      : fuzz::mutate(corpus[which], corpus, rng);
		// the name must match the file's stem, so the file keeps its original name
		std::string path = write_file(dir + "/" + fs::path(files[which]).filename().string(), text);
		std::vector<std::string> show = {"show", path};
		CliRun shown = run_args(show);
		parse.in_process(text, show, shown);
		/* the searches of one case in 4 (those that parse), in a child, bounded twice over */
		if (shown.code == 0 && (structured ? rng.one_in(2) : rng.one_in(8))) {
			std::vector<std::string> args = {"run", path, "--max-executions", "20"};
			if (rng.one_in(3))
				args.push_back("--strict");
			run.in_child(text, args, fuzz::in_child([&] { return child_cli(args); }, 0.5, 60));
		}
		std::filesystem::remove(path);
	}
	CHECK(parse.cases == n);
	CHECK(run.cases > 0);
}

TEST_CASE("mutated KCSAN reports parse to reports or to exit 2, and triage bounded", "[fuzz][kcsan]")
{
	const std::vector<std::string> files = files_in(PERFMC_SOURCE_DIR "/tests/kcsan/data", ".txt");
	const std::vector<std::string> corpus = contents(files);
	const std::string dir = temp_dir("fuzz-kcsan");
	fuzz::Rng rng(fuzz::seed() + 1);
	Findings parse{"kcsan-parse"}, triage{"kcsan-triage"};
	const size_t n = fuzz::cases(800);
	for (size_t i = 0; i < n; i++) {
		std::string text = fuzz::mutate(rng.pick(corpus), corpus, rng);
		/* a new file each time: truncating one in place makes ext4 flush it (auto_da_alloc) */
		std::string path = write_file(dir + "/report-" + std::to_string(i) + ".txt", text);
		std::vector<std::string> args = {"kcsan", "--parse-only", path};
		if (i % 2)
			args.push_back("--json");
		parse.in_process(text, args, run_args(args));
		if (rng.one_in(40)) {
			std::vector<std::string> args = {"kcsan", path, "--json"};
			triage.in_child(text, args, fuzz::in_child([&] { return child_cli(args); }, 0.5, 60));
		}
		fs::remove(path);
	}
	CHECK(parse.cases == n);
}

TEST_CASE("mutated --json results merge or exit 2, never crash", "[fuzz][merge]")
{
	const std::string dir = temp_dir("fuzz-merge");
	std::vector<std::string> corpus;
	for (int k = 0; k < 2; k++)
		corpus.push_back(run_cli({"run", "perf_event_update_time-vs-sched_out", "--shard", std::to_string(k) + "/2", "--json"}).out);
	/* a harmful result, its lists cut to a few entries: the fields are what matter */
	nlohmann::json harmful = nlohmann::json::parse(run_cli({"run", "mmap-vs-sched_out", "--json"}).out);
	for (const char *list : {"steps", "races", "failing_races"})
		harmful[list].erase(harmful[list].begin() + 2, harmful[list].end());
	corpus.push_back(harmful.dump());
	const std::string other = write_file(dir + "/other.json", corpus[1]);
	fuzz::Rng rng(fuzz::seed() + 2);
	Findings merge{"merge"};
	const size_t n = fuzz::cases(1500);
	for (size_t i = 0; i < n; i++) {
		std::string text;
		if (rng.one_in(2)) {
			text = fuzz::mutate(rng.pick(corpus), corpus, rng);
		} else {
			/* a JSON-aware mutation: one value of the result replaced, dropped or nested deep */
			nlohmann::json j = nlohmann::json::parse(rng.pick(corpus));
			std::vector<std::string> keys;
			for (const auto &[key, value] : j.items())
				keys.push_back(key);
			const std::string &key = rng.pick(keys);
			switch (rng.below(4)) {
			case 0: j.erase(key); break;
			case 1: j[key] = "@deep@"; break;  // replaced below by arrays nested up to 3000 deep
			case 2: {
				const std::string &v = rng.pick(fuzz::edge_values());
				j[key] = nlohmann::json::parse(v, nullptr, false).is_discarded() ? nlohmann::json(v)
												  : nlohmann::json::parse(v, nullptr, false);
				break;
			}
			default: j[key] = {rng.pick(fuzz::edge_values()), -1, 1.5, nullptr}; break;
			}
			text = j.dump();
			if (size_t at = text.find("\"@deep@\""); at != std::string::npos) {
				size_t depth = 1 + rng.below(3000);
				text.replace(at, 8, std::string(depth, '[') + std::string(rng.one_in(2) ? depth : depth / 2, ']'));
			}
		}
		std::string path = write_file(dir + "/part-" + std::to_string(i) + ".json", text);  // new: see above
		std::vector<std::string> args = {"merge", path, other};
		if (rng.one_in(4))
			args.pop_back();
		merge.in_process(text, args, run_args(args));
		fs::remove(path);
	}
	CHECK(merge.cases == n);
}

TEST_CASE("mutated replay tokens replay, or exit 2", "[fuzz][replay]")
{
	std::vector<std::pair<std::string, std::string>> tokens;  // scenario, token
	for (const char *scenario : {"mmap-vs-sched_out", "read-vs-sched_out-torn", "nmi_sample-vs-close"}) {
		auto r = run_cli({"run", scenario});
		std::smatch m;
		REQUIRE(std::regex_search(r.out, m, std::regex("--replay (\\S+)")));
		tokens.emplace_back(scenario, m[1].str());
	}
	std::vector<std::string> corpus;
	for (const auto &[s, t] : tokens)
		corpus.push_back(t);
	fuzz::Rng rng(fuzz::seed() + 3);
	Findings replay{"replay"};
	const size_t n = fuzz::cases(300);
	for (size_t i = 0; i < n; i++) {
		const auto &[scenario, token] = rng.pick(tokens);
		std::string mutated = fuzz::mutate(token, corpus, rng);
		/* keep the identity now and then, so that the schedule itself gets fuzzed */
		if (rng.one_in(2) && mutated.size() > 9 && token.size() > 9)
			mutated.replace(0, 9, token.substr(0, 9));
		std::vector<std::string> args = {"run", rng.one_in(5) ? rng.pick(tokens).first : scenario, "--replay", mutated};
		if (rng.one_in(2))
			args.push_back("--json");
		replay.in_child(mutated, args, fuzz::in_child([&] { return child_cli(args); }, 0.5, 60));
	}
	CHECK(replay.cases == n);
}

TEST_CASE("mutated command lines exit 0, 1, 2 or 4", "[fuzz][cli]")
{
	const std::string dir = temp_dir("fuzz-cli");
	const std::string result = write_file(dir + "/result.json", run_cli({"run", "perf_event_update_time-vs-sched_out", "--json"}).out);
	const std::string report = PERFMC_SOURCE_DIR "/tests/kcsan/data/syzbot-perf_event_set_state-perf_mmap_rb.txt";
	const std::string small = temp_dir("fuzz-cli-suite");
	write_file(small + "/read-vs-sched_out-torn.toml", slurp(scenarios_dir() + "/read-vs-sched_out-torn.toml"));
	const std::vector<std::vector<std::string>> templates = {
		{"run", "mmap-vs-sched_out"},
		{"run", "perf_event_update_time-vs-sched_out", "--json"},
		{"run", "mmap-vs-sched_out", "--search", "random", "--iterations", "50", "--seed", "3", "--pct", "2"},
		{"run", "mmap-vs-sched_out", "--search", "bounded", "--bound", "1"},
		{"run", "perf_event_update_time-vs-sched_out", "--shard", "1/3", "--json"},
		{"run", "read-vs-sched_out-torn", "--variant", "mmap-ctx-lock", "--strict"},
		{"run", "mmap-vs-sched_out", "--timeout", "5", "--max-executions", "100", "--no-reduction"},
		{"run", "perf_event_update_time-vs-sched_out", "--jobs", "2"},
		{"list"},
		{"list", "--ops", "--model", "perf"},
		{"show", "mmap-vs-sched_out"},
		{"kcsan", "--parse-only", report},
		{"merge", result},
		{"suite", small, "--jobs", "2", "--json"},
	};
	const std::vector<std::string> options = {"--variant", "--search", "--bound", "--seed", "--iterations", "--pct",
						  "--replay", "--shard", "--jobs", "--max-executions", "--timeout",
						  "--scenarios", "--json", "--strict", "--no-reduction", "--junit",
						  "--times", "--ops", "--model", "--parse-only", "--help", "--version"};
	fuzz::Rng rng(fuzz::seed() + 4);
	Findings cli{"cli"};
	const size_t n = fuzz::cases(300);
	for (size_t i = 0; i < n; i++) {
		std::vector<std::string> args = rng.pick(templates);
		for (size_t m = 1 + rng.below(2); m > 0; m--) {
			size_t at = rng.below(args.size());
			switch (rng.below(6)) {
			case 0: args[at] = rng.pick(fuzz::edge_values()); break;
			case 1: args.insert(args.begin() + static_cast<long>(at), {rng.pick(options), rng.pick(fuzz::edge_values())}); break;
			case 2: if (args.size() > 1) args.erase(args.begin() + static_cast<long>(at)); break;
			case 3: args.insert(args.begin() + static_cast<long>(at), args[rng.below(args.size())]); break;
			case 4: std::swap(args[at], args[rng.below(args.size())]); break;
			default: args[at] = fuzz::mutate(args[at], {}, rng); break;
			}
		}
		std::string shown;
		for (const std::string &a : args)
			shown += a + "\n";
		cli.in_child(shown, args, fuzz::in_child([&] { return child_cli(args); }, 0.5, 60));
	}
	CHECK(cli.cases == n);
}
