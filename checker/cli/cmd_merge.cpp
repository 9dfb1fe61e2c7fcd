// perfmc merge A.json B.json ...: one result from the --json results of a run's shards.
#include <fstream>

#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/cli/cli.h"
#include "checker/diagnostic.h"

namespace perfmc {

Verb setup_merge(CLI::App &app)
{
	auto files = std::make_shared<std::vector<std::string>>();
	CLI::App *cmd = app.add_subcommand(
		"merge", "Merge the --json results of `perfmc run --shard K/N` (one per shard) into one result\n"
			 "  example: perfmc merge shard-0.json shard-1.json shard-2.json shard-3.json");
	cmd->add_option("results", *files, "JSON result files")->required();
	return Verb{cmd, [files](std::ostream &out, std::ostream &) {
			    std::vector<nlohmann::json> parts;
			    for (const std::string &f : *files) {
				    std::ifstream in(f);
				    if (!in)
					    throw InputError(Diagnostic{f, 0, 0, "cannot read this file", ""});
				    try {
					    parts.push_back(nlohmann::json::parse(in));
				    } catch (const nlohmann::json::parse_error &e) {
					    throw InputError(Diagnostic{f, 0, 0, std::string("not JSON: ") + e.what(),
									"give the output of `perfmc run ... --json`"});
				    }
			    }
			    nlohmann::json merged = merge_results(parts);
			    out << merged.dump(2) << "\n";
			    return merged["verdict"] == "harmful" ? kExitViolation : kExitOk;
		    }};
}

}  // namespace perfmc
