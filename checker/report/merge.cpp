// Merging the JSON results of a sharded run (`perfmc merge`, `perfmc run --jobs N`), and the one
// validation of a result that the merge relies on.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/diagnostic.h"

namespace perfmc {

namespace {

const char *const kResultHint = "merge the outputs of `perfmc run NAME --shard K/N --json`, unchanged";

const char *json_type(const nlohmann::json &j)
{
	switch (j.type()) {
	case nlohmann::json::value_t::null: return "null";
	case nlohmann::json::value_t::object: return "an object";
	case nlohmann::json::value_t::array: return "an array";
	case nlohmann::json::value_t::string: return "a string";
	case nlohmann::json::value_t::boolean: return "a boolean";
	case nlohmann::json::value_t::number_integer: return j.get<int64_t>() < 0 ? "a negative number" : "a number";
	case nlohmann::json::value_t::number_unsigned: return "a number";
	case nlohmann::json::value_t::number_float: return "a fractional number";
	default: return "something else";
	}
}

/* Walks a result, naming each field it checks by its path ("races[2].first.type"). */
class ResultCheck {
public:
	explicit ResultCheck(std::string origin) : origin_(std::move(origin)) {}

	[[noreturn]] void fail(const std::string &field, const std::string &message) const
	{
		throw InputError(Diagnostic{origin_, 0, 0,
					    field.empty() ? "not the --json result of a `perfmc run`: " + message
							  : fmt::format("bad result field '{}': {}", field, message),
					    kResultHint});
	}

	const nlohmann::json &field(const nlohmann::json &object, const std::string &path, const char *key) const
	{
		const std::string name = path.empty() ? key : path + "." + key;
		auto it = object.find(key);
		if (it == object.end())
			fail(name, "missing");
		return *it;
	}

	void expect(bool ok, const nlohmann::json &j, const std::string &name, const char *expected) const
	{
		if (!ok)
			fail(name, fmt::format("expected {}, got {}", expected, json_type(j)));
	}

	const std::string &string(const nlohmann::json &object, const std::string &path, const char *key) const
	{
		const nlohmann::json &j = field(object, path, key);
		expect(j.is_string(), j, join(path, key), "a string");
		return j.get_ref<const std::string &>();
	}

	void optional_string(const nlohmann::json &object, const std::string &path, const char *key) const
	{
		if (auto it = object.find(key); it != object.end())
			expect(it->is_string() || it->is_null(), *it, join(path, key), "a string or null");
	}

	uint64_t count(const nlohmann::json &j, const std::string &name) const
	{
		expect(j.is_number_unsigned() || (j.is_number_integer() && j.get<int64_t>() >= 0), j, name,
		       "a whole number, 0 or more");
		return j.get<uint64_t>();
	}

	void optional_count(const nlohmann::json &object, const char *key) const
	{
		if (auto it = object.find(key); it != object.end())
			count(*it, key);
	}

	void array_of(const nlohmann::json &object, const std::string &path, const char *key, bool required,
		      const std::function<void(const nlohmann::json &, const std::string &)> &each) const
	{
		auto it = object.find(key);
		if (it == object.end()) {
			if (required)
				fail(join(path, key), "missing");
			return;
		}
		expect(it->is_array(), *it, join(path, key), "an array");
		for (size_t i = 0; i < it->size(); i++)
			each((*it)[i], fmt::format("{}[{}]", join(path, key), i));
	}

	void race(const nlohmann::json &r, const std::string &path) const
	{
		expect(r.is_object(), r, path, "an object (a race)");
		string(r, path, "title");
		string(r, path, "field");
		for (const char *side : {"first", "second"}) {
			const nlohmann::json &a = field(r, path, side);
			const std::string at = join(path, side);
			expect(a.is_object(), a, at, "an object (an access)");
			string(a, at, "type");
			string(a, at, "marking");
			array_of(a, at, "stack", true, [this](const nlohmann::json &f, const std::string &fp) {
				expect(f.is_object(), f, fp, "an object (a frame)");
				string(f, fp, "function");
			});
		}
	}

	static std::string join(const std::string &path, const char *key) { return path.empty() ? key : path + "." + key; }

private:
	std::string origin_;
};

bool s_harmful(const nlohmann::json &p) { return p["verdict"] == "harmful"; }

int severity(const std::string &verdict)
{
	if (verdict == "harmful")
		return 3;
	if (verdict == "incomplete")
		return 2;
	if (verdict == "benign")
		return 1;
	return 0;
}

/* the same race seen by two shards may differ in the values it saw, not in where it happened */
std::string race_identity(const nlohmann::json &race)
{
	std::string key = race["title"].get<std::string>() + "|" + race["field"].get<std::string>();
	for (const char *side : {"first", "second"}) {
		key += std::string("|") + race[side]["type"].get<std::string>() + ":" + race[side]["marking"].get<std::string>() + ":";
		for (const auto &f : race[side]["stack"])
			key += f["function"].get<std::string>() + ",";
	}
	return key;
}

}  // namespace

void validate_result(const nlohmann::json &j, const std::string &origin)
{
	ResultCheck c(origin);
	if (!j.is_object())
		c.fail("", fmt::format("expected a JSON object, got {}", json_type(j)));
	for (const char *key : {"scenario", "variant"})
		if (c.string(j, "", key).empty())
			c.fail(key, "expected a name, got an empty string");
	const std::string &verdict = c.string(j, "", "verdict");
	if (!parse_verdict(verdict))
		c.fail("verdict", fmt::format("expected pass, benign, harmful or incomplete, got '{}'",
					      verdict.size() > 40 ? verdict.substr(0, 37) + "..." : verdict));
	const nlohmann::json &shard = c.field(j, "", "shard");
	c.expect(shard.is_array(), shard, "shard", "an array [K, N]");
	if (shard.size() != 2)
		c.fail("shard", fmt::format("expected an array of two numbers [K, N], got {} element{}", shard.size(),
					    shard.size() == 1 ? "" : "s"));
	const uint64_t k = c.count(shard[0], "shard[0]"), n = c.count(shard[1], "shard[1]");
	if (n < 1 || n > static_cast<uint64_t>(kMaxShards) || k >= n)
		c.fail("shard", fmt::format("expected [K, N] with 0 <= K < N <= {}, got [{}, {}]", kMaxShards, k, n));
	const nlohmann::json &complete = c.field(j, "", "complete");
	c.expect(complete.is_boolean(), complete, "complete", "a boolean");
	c.count(c.field(j, "", "executions"), "executions");
	for (const char *key : {"discovery_executions", "runs", "accesses", "preemptions"})
		c.optional_count(j, key);
	const nlohmann::json &elapsed = c.field(j, "", "elapsed_ms");
	c.expect(elapsed.is_number() && std::isfinite(elapsed.get<double>()) && elapsed.get<double>() >= 0, elapsed,
		 "elapsed_ms", "a number of milliseconds, 0 or more");
	c.array_of(j, "", "races", true, [&c](const nlohmann::json &r, const std::string &p) { c.race(r, p); });
	c.array_of(j, "", "failing_races", false, [&c](const nlohmann::json &r, const std::string &p) { c.race(r, p); });
	c.array_of(j, "", "steps", false, [&c](const nlohmann::json &s, const std::string &p) {
		c.expect(s.is_object(), s, p, "an object (a step)");
	});
	for (const char *key : {"visible", "new_visible"})
		c.array_of(j, "", key, false, [&c](const nlohmann::json &n, const std::string &p) {
			c.expect(n.is_string(), n, p, "a string (a visible name)");
		});
	if (auto it = j.find("bound"); it != j.end())
		c.expect(it->is_number_integer() && it->get<int64_t>() >= -1 && it->get<int64_t>() <= 1'000'000, *it, "bound",
			 "a preemption bound from -1 (none) to 1000000");
	if (auto it = j.find("deepening"); it != j.end())
		c.expect(it->is_boolean(), *it, "deepening", "a boolean");
	if (auto it = j.find("violation"); it != j.end())
		c.expect(it->is_null() || it->is_object(), *it, "violation", "an object or null");
	for (const char *key : {"replay", "replay_command", "search", "stopped"})
		c.optional_string(j, "", key);
	if (verdict == "harmful") {
		auto it = j.find("replay");
		if (it == j.end() || !it->is_string() || it->get_ref<const std::string &>().empty())
			c.fail("replay", "a harmful result carries the replay token of its failing execution");
	}
}

nlohmann::json read_result_file(const std::string &path)
{
	const std::string text = read_input_file(path, "result file", kResultHint);
	nlohmann::json j;
	try {
		j = nlohmann::json::parse(text, [&path](int depth, nlohmann::json::parse_event_t, nlohmann::json &) {
			if (depth > kMaxJsonDepth)
				throw InputError(Diagnostic{path, 0, 0,
							    fmt::format("not a result: JSON nested deeper than {} levels", kMaxJsonDepth),
							    kResultHint});
			return true;
		});
	} catch (const nlohmann::json::exception &e) {
		throw InputError(Diagnostic{path, 0, 0, std::string("not JSON: ") + e.what(), kResultHint});
	}
	validate_result(j, path);
	return j;
}

nlohmann::json merge_results(const std::vector<nlohmann::json> &parts, const std::vector<std::string> &origins)
{
	if (parts.empty())
		throw InputError(Diagnostic{"", 0, 0, "nothing to merge", "give the --json results of every shard"});
	auto origin = [&](size_t i) { return i < origins.size() ? origins[i] : fmt::format("result {}", i + 1); };
	for (size_t i = 0; i < parts.size(); i++)
		validate_result(parts[i], origin(i));
	const nlohmann::json &first = parts.front();
	const uint64_t shards = first["shard"][1].get<uint64_t>();
	std::set<uint64_t> seen;
	for (size_t i = 0; i < parts.size(); i++) {
		const nlohmann::json &p = parts[i];
		if (p["scenario"] != first["scenario"] || p["variant"] != first["variant"] || p["shard"][1].get<uint64_t>() != shards)
			throw InputError(Diagnostic{origin(i), 0, 0,
						    fmt::format("this result comes from another run than {} (scenario, variant or "
								"shard count differ)", origin(0)),
						    "merge the shards of one `perfmc run NAME --variant V --shard K/N`"});
		if (!seen.insert(p["shard"][0].get<uint64_t>()).second)
			throw InputError(Diagnostic{origin(i), 0, 0, "shard " + p["shard"][0].dump() + " appears twice", ""});
	}
	nlohmann::json merged = first;
	uint64_t executions = 0, discovery = 0, runs = 0, accesses = 0;
	double elapsed = 0, cpu = 0;
	bool complete = true;
	std::set<std::string> race_keys;
	nlohmann::json races = nlohmann::json::array();
	const nlohmann::json *worst = &first;
	auto add = [](uint64_t &sum, uint64_t n, const char *what) {
		if (sum > std::numeric_limits<uint64_t>::max() - n)
			throw InputError(Diagnostic{"", 0, 0, fmt::format("the shards' {} add up past 2^64", what), kResultHint});
		sum += n;
	};
	/*
	 * The visible names decide the tree the shards split (checker/sim/README.md, "Sharding"): the
	 * parts add up to one search only when every shard ran under the same names. A harmful verdict
	 * stands whatever the names (its execution is a real one); the counterexample is the first in
	 * (preemption round, shard) order, the order in which --jobs stops its workers.
	 */
	auto round_of = [](const nlohmann::json &p) { return p.value("bound", int64_t{-1}); };
	auto names = [](const nlohmann::json &p) {
		std::set<std::string> n;
		if (auto it = p.find("visible"); it != p.end())
			for (const auto &name : *it)
				n.insert(name.get<std::string>());
		return n;
	};
	bool agree = true;
	std::set<std::string> all_names;
	for (const auto &p : parts) {
		agree = agree && p.contains("visible") && names(p) == names(first);
		all_names.merge(names(p));
		if (auto it = p.find("new_visible"); it != p.end())
			for (const auto &name : *it)
				all_names.insert(name.get<std::string>());
	}
	for (const auto &p : parts) {
		add(executions, p["executions"].get<uint64_t>(), "executions");
		add(discovery, p.value("discovery_executions", uint64_t{0}), "discovery_executions");
		add(runs, p.value("runs", uint64_t{0}), "runs");
		add(accesses, p.value("accesses", uint64_t{0}), "accesses");
		elapsed = std::max(elapsed, p["elapsed_ms"].get<double>());
		cpu += p["elapsed_ms"].get<double>();
		complete = complete && p["complete"].get<bool>();
		for (const auto &r : p["races"])
			if (race_keys.insert(race_identity(r)).second)
				races.push_back(r);
		int s = severity(p["verdict"]), w = severity((*worst)["verdict"]);
		auto key = [&round_of](const nlohmann::json &q) {
			return std::make_pair(s_harmful(q) ? round_of(q) : 0, q["shard"][0].get<uint64_t>());
		};
		if (s > w || (s == w && key(p) < key(*worst)))
			worst = &p;
	}
	for (const char *key : {"violation", "failing_races", "preemptions", "replay", "replay_command", "steps", "stopped"})
		if (worst->contains(key))
			merged[key] = (*worst)[key];
		else
			merged.erase(key);
	std::string verdict = (*worst)["verdict"];
	if (verdict == "pass" && !races.empty())
		verdict = "benign";
	if (seen.size() != shards && verdict != "harmful") {
		verdict = "incomplete";
		complete = false;
	}
	merged.erase("rerun");
	if (!agree && verdict != "harmful") {
		verdict = "incomplete";
		complete = false;
	}
	if (!agree && verdict != "harmful" && std::all_of(parts.begin(), parts.end(), [](const nlohmann::json &p) {
		    return p["complete"].get<bool>();
	    })) {
		/* complete parts of different trees: run the shards that lack names again, with all of them */
		nlohmann::json again = nlohmann::json::array();
		for (const auto &p : parts)
			if (!p.contains("visible") || names(p) != all_names || !p.value("new_visible", nlohmann::json::array()).empty())
				again.push_back(p["shard"][0]);
		merged["stopped"] = "visible-names-differ";
		std::string option;
		for (const std::string &n : all_names)
			option += (option.empty() ? "" : ",") + n;
		merged["rerun"] = {{"shards", again}, {"visible", all_names}, {"option", "--visible " + option}};
	}
	merged.erase("fewest_preemptions");
	if (verdict == "harmful") {
		/* the counterexample has the fewest preemptions of the tree when the search deepened the
		 * bound round by round and every other shard searched every round below its own */
		const int64_t p = round_of(*worst);
		bool fewest = agree && seen.size() == shards;
		for (const auto &q : parts)
			fewest = fewest && q.value("deepening", false) && (q["complete"].get<bool>() || round_of(q) >= p);
		/* none: no execution has fewer (--jobs does not run the parts that could only come later) */
		fewest = fewest || (worst->value("deepening", false) && worst->value("preemptions", int64_t{-1}) == 0);
		merged["fewest_preemptions"] = fewest;
	}
	merged["verdict"] = verdict;
	merged["executions"] = executions;
	merged["discovery_executions"] = discovery;
	merged["runs"] = runs;
	merged["accesses"] = accesses;
	merged["elapsed_ms"] = elapsed;
	merged["cpu_ms"] = cpu;
	merged["complete"] = complete;
	merged["races"] = races;
	merged["shard"] = {0, 1};
	merged["shards_merged"] = seen.size();
	merged["visible"] = agree ? names(first) : all_names;
	merged["new_visible"] = nlohmann::json::array();
	return merged;
}

}  // namespace perfmc
