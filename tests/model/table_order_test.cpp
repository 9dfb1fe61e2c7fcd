// The variant and invariant tables against their enums. model/perf/variant.cpp's table is indexed by
// enum model_variant (model/perf/variant.h) and model/perf/ghost.cpp's by enum ghost_invariant
// (model/perf/ghost.h): a row out of its enumerator's place gives `variant(X)` the meaning of another
// row, silently (at the merge of issue 15 a and b two pre-fix variants swapped meanings and four
// history scenarios passed where they should fail). Each enumerator's comment names its row
// (`PRE_BAF1B12A67F5, /* "pre-baf1b12a67f5": ...`); these tests read the enums from the headers and
// compare them, in order, with the tables the model serves.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "model/perf/ghost.h"
#include "model/perf/variant.h"
#include "model/perf/world.h"

namespace {

/* The enumerators of `enum <name> {` in `path` (under the source tree), each with the quoted name its
 * comment starts with ("" if it has none), in declaration order, up to the terminating `NR_` one. */
std::vector<std::pair<std::string, std::string>> enumerators(const std::string &path, const std::string &name)
{
	std::ifstream in(std::string(PERFMC_SOURCE_DIR) + "/" + path);
	REQUIRE(in.good());
	std::stringstream text;
	text << in.rdbuf();
	std::string src = text.str();
	size_t start = src.find("enum " + name + " {");
	REQUIRE(start != std::string::npos);
	size_t end = src.find("};", start);
	REQUIRE(end != std::string::npos);

	std::vector<std::pair<std::string, std::string>> out;
	static const std::regex line(R"re(^\s*([A-Z][A-Z0-9_]*)\s*,\s*(?:/\*\s*(?:"([^"]*)")?)?)re");
	std::istringstream body(src.substr(start, end - start));
	std::string l;
	std::smatch m;
	while (std::getline(body, l)) {
		if (!std::regex_search(l, m, line))
			continue;
		if (m[1].str().rfind("NR_", 0) == 0)
			break;
		out.emplace_back(m[1].str(), m[2].matched ? m[2].str() : "");
	}
	return out;
}

}  // namespace

TEST_CASE("the variant table lists the variants in the order of enum model_variant", "[model][variant]")
{
	auto enums = enumerators("model/perf/variant.h", "model_variant");
	const auto &table = model_variants();

	REQUIRE(enums.size() == (size_t)NR_MODEL_VARIANTS);
	REQUIRE(table.size() == (size_t)NR_MODEL_VARIANTS);
	for (size_t i = 0; i < enums.size(); i++) {
		INFO("enumerator " << i << " " << enums[i].first);
		CHECK(!enums[i].second.empty());	/* every enumerator's comment names its row */
		CHECK(table[i].name == enums[i].second);
	}
	/* the model serves that table */
	const auto &served = model::perf_model().variants;
	REQUIRE(served.size() == table.size());
	for (size_t i = 0; i < table.size(); i++)
		CHECK(served[i].name == table[i].name);
	/* and the pre-fix variants are named after their commits: pre-<12 hex digits>, upper-case in the enum */
	for (const auto &[id, name] : enums)
		if (name.rfind("pre-", 0) == 0) {
			CHECK(std::regex_match(name, std::regex("pre-[0-9a-f]{12}")));
			std::string upper = name.substr(4);
			for (char &c : upper)
				c = (char)toupper((unsigned char)c);
			CHECK(id == "PRE_" + upper);
		}
}

TEST_CASE("the invariant table lists the invariants in the order of enum ghost_invariant", "[model][invariant]")
{
	auto enums = enumerators("model/perf/ghost.h", "ghost_invariant");
	const auto &table = ghost_invariants();

	REQUIRE(enums.size() == (size_t)NR_GHOST_INVARIANTS);
	REQUIRE(table.size() == (size_t)NR_GHOST_INVARIANTS);
	for (size_t i = 0; i < enums.size(); i++) {
		INFO("enumerator " << i << " " << enums[i].first);
		CHECK(!enums[i].second.empty());
		CHECK(table[i].name == enums[i].second);
	}
}
