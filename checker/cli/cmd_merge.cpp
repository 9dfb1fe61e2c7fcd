// perfmc merge A.json B.json ...: one result from the --json results of a run's shards.
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
			 "  example: perfmc merge shard-0.json shard-1.json shard-2.json shard-3.json\n"
			 "  exit status: as `perfmc run` for the merged verdict (4 when a shard is missing or incomplete),\n"
			 "  2 when a file is not such a result");
	cmd->add_option("results", *files, "JSON result files")->required();
	return Verb{cmd, [files](std::ostream &out, std::ostream &) {
			    std::vector<nlohmann::json> parts;
			    for (const std::string &f : *files)
				    parts.push_back(read_result_file(f));
			    nlohmann::json merged = merge_results(parts, *files);
			    out << merged.dump(2, ' ', false, kJsonReplace) << "\n";
			    return exit_status(merged["verdict"].get<std::string>());
		    }};
}

}  // namespace perfmc
