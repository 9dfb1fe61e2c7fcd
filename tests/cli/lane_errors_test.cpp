// Issue 18 item 3: model code that throws inside a simulated lane is an input error at the op's
// position (exit 2), with the execution that reaches it; never an abort. A suite keeps its other rows.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/cli/support.h"

namespace {

/* legacy-sync_stat-vs-read with the setup-only op inherit(E, EA) as the read lane's second op */
std::string lane_inherit(const std::string &dir)
{
	std::string text = slurp(scenarios_dir() + "/legacy-sync_stat-vs-read.toml");
	const std::string name = "name    = \"legacy-sync_stat-vs-read\"";
	text.replace(text.find(name), name.size(), "name = \"lane-inherit\"");
	const std::string run = "run  = [\"read(E)\", \"read(E)\"]";
	text.replace(text.find(run), run.size(), "run  = [\"read(E)\", \"inherit(E, EA)\"]");
	return write_file(dir + "/lane-inherit.toml", text);
}

/* the line and column of `needle` in the file (1-based) */
std::string position_of(const std::string &path, const std::string &needle)
{
	std::string text = slurp(path);
	size_t at = text.find(needle);
	size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
	size_t column = at - (text.rfind('\n', at) + 1) + 1;
	return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

TEST_CASE("an op that throws inside a lane is exit 2 at its position, with a replay that reaches it", "[cli][input][lanes]")
{
	const std::string path = lane_inherit(temp_dir("lane-inherit"));
	auto r = run_cli({"run", path});
	CAPTURE(r.out, r.err);
	CHECK(r.code == 2);
	// the op's position: the opening quote of "inherit(E, EA)" plus one, as the parser reports ops
	CHECK(contains(r.err, path + ":" + position_of(path, "inherit(E, EA)\"]") +
				      ": error: op 'inherit(E, EA)' cannot run in lane 'read syscall': "));
	CHECK(contains(r.err, "the child is already part of an inherited family"));
	std::smatch m;
	REQUIRE(std::regex_search(r.err, m, std::regex("--replay (\\S+)")));
	// the replay command in the hint reaches the same op
	auto again = run_cli({"run", path, "--variant", "upstream", "--replay", m[1].str()});
	CHECK(again.code == 2);
	CHECK(contains(again.err, "op 'inherit(E, EA)' cannot run in lane 'read syscall'"));
	// --json too: no report on stdout, the diagnostic on stderr
	auto json = run_cli({"run", path, "--json"});
	CHECK(json.code == 2);
	CHECK(contains(json.err, "cannot run in lane"));
}

TEST_CASE("a suite with a scenario whose lane throws keeps every other row", "[cli][suite][lanes]")
{
	const std::string dir = temp_dir("suite-lane-inherit");
	lane_inherit(dir);
	write_file(dir + "/read-vs-sched_out-torn.toml", slurp(scenarios_dir() + "/read-vs-sched_out-torn.toml"));
	for (const char *jobs : {"1", "2"}) {
		CAPTURE(jobs);
		auto r = run_cli({"suite", dir, "--jobs", jobs});
		CAPTURE(r.out, r.err);
		CHECK(r.code == 2);
		CHECK(contains(r.out, "read-vs-sched_out-torn               upstream               harmful    harmful"));
		CHECK(contains(r.out, "lane-inherit"));
		CHECK(contains(r.out, "ERROR"));
		CHECK(contains(r.err, "cannot run in lane 'read syscall'"));
	}
}
