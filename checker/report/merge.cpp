// Merging the JSON results of a sharded run (`perfmc merge`, `perfmc run --jobs N`).
#include <set>

#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/diagnostic.h"

namespace perfmc {

static int severity(const std::string &verdict)
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
static std::string race_identity(const nlohmann::json &race)
{
	std::string key = race["title"].get<std::string>() + "|" + race["field"].get<std::string>();
	for (const char *side : {"first", "second"}) {
		key += std::string("|") + race[side]["type"].get<std::string>() + ":" + race[side]["marking"].get<std::string>() + ":";
		for (const auto &f : race[side]["stack"])
			key += f["function"].get<std::string>() + ",";
	}
	return key;
}

nlohmann::json merge_results(const std::vector<nlohmann::json> &parts)
{
	if (parts.empty())
		throw InputError(Diagnostic{"", 0, 0, "nothing to merge", "give the --json results of every shard"});
	const nlohmann::json &first = parts.front();
	for (const auto &p : parts)
		if (!p.contains("scenario") || !p.contains("verdict") || !p.contains("shard"))
			throw InputError(Diagnostic{"", 0, 0, "not the --json result of a `perfmc run --shard K/N`",
						    "merge the outputs of `perfmc run NAME --shard K/N --json`"});
	const int shards = first["shard"][1];
	std::set<int> seen;
	for (const auto &p : parts) {
		if (p["scenario"] != first["scenario"] || p["variant"] != first["variant"] || p["shard"][1] != shards)
			throw InputError(Diagnostic{"", 0, 0, "these results come from different runs (scenario, variant or shard count differ)", ""});
		if (!seen.insert(p["shard"][0].get<int>()).second)
			throw InputError(Diagnostic{"", 0, 0, "shard " + p["shard"][0].dump() + " appears twice", ""});
	}
	nlohmann::json merged = first;
	uint64_t executions = 0, discovery = 0, runs = 0, accesses = 0;
	double elapsed = 0, cpu = 0;
	bool complete = true;
	std::set<std::string> race_keys;
	nlohmann::json races = nlohmann::json::array();
	const nlohmann::json *worst = &first;
	for (const auto &p : parts) {
		executions += p["executions"].get<uint64_t>();
		discovery += p.value("discovery_executions", uint64_t{0});
		runs += p.value("runs", uint64_t{0});
		accesses += p.value("accesses", uint64_t{0});
		elapsed = std::max(elapsed, p["elapsed_ms"].get<double>());
		cpu += p["elapsed_ms"].get<double>();
		complete = complete && p["complete"].get<bool>();
		for (const auto &r : p["races"])
			if (race_keys.insert(race_identity(r)).second)
				races.push_back(r);
		int s = severity(p["verdict"]), w = severity((*worst)["verdict"]);
		if (s > w || (s == w && p["shard"][0] < (*worst)["shard"][0]))
			worst = &p;
	}
	for (const char *key : {"violation", "failing_races", "preemptions", "replay", "replay_command", "steps"})
		if (worst->contains(key))
			merged[key] = (*worst)[key];
		else
			merged.erase(key);
	std::string verdict = (*worst)["verdict"];
	if (verdict == "pass" && !races.empty())
		verdict = "benign";
	if (seen.size() != static_cast<size_t>(shards) && verdict != "harmful") {
		verdict = "incomplete";
		complete = false;
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
	return merged;
}

}  // namespace perfmc
