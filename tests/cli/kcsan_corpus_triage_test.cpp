// The KCSAN corpus answered (issue 16 items 3 and 4): every perf report names its field and either
// reproduces on its own paths (the model's race on that field between the lanes that run the
// report's kernel entries) or names the frame each stack lacks; the answer is the one the corpus
// index records next to the ground truth. The seed report reproduces harmful on its own paths and
// mmap-ctx-lock closes it, on the shipped scenario and on the one built from the report alike.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checker/api.h"
#include "checker/triage.h"
#include "tests/cli/support.h"

using namespace perfmc;

namespace {

const std::string corpus_dir = PERFMC_SOURCE_DIR "/tests/kcsan/data/corpus/";

nlohmann::json corpus_index() { return nlohmann::json::parse(slurp(corpus_dir + "index.json")); }

// The report of a file at a line.
kcsan::Report report_at(const std::string &file, int line)
{
	kcsan::ParseResult parsed = kcsan::parse_all(slurp(corpus_dir + file), file);
	for (const kcsan::Report &r : parsed.reports)
		if (r.line == line)
			return r;
	FAIL("no report at line " << line << " of " << file);
	return {};
}

TriageOptions options_for(const std::string &file)
{
	TriageOptions o;
	o.dir = default_scenario_dir();
	o.input = file;
	o.budget_seconds = 1.0;  // the answers do not depend on it (the suite stays fast)
	return o;
}

}  // namespace

TEST_CASE("every row of the entry-to-op table runs an op of the model, with attributes the model knows",
	  "[cli][kcsan][synthesis]")
{
	const Registry &perf = model_registries().front();
	for (const kcsan::EntryRule &rule : kcsan::entry_rules()) {
		CAPTURE(rule.kind, rule.op);
		std::string op(rule.op.substr(0, rule.op.find('(')));
		CHECK(std::any_of(perf.ops.begin(), perf.ops.end(), [&](const OpSpec &s) { return s.name == op; }));
		for (const std::string &attr : {std::string("watermark"), std::string("defer_callchain")})
			if (rule.attr.find(attr) != std::string_view::npos)
				CHECK(std::find(perf.attrs.begin(), perf.attrs.end(), attr) != perf.attrs.end());
	}
}

TEST_CASE("the corpus answered, every perf report naming its field and reproducing on its own paths or naming the "
	  "frame its stack lacks, as the index records",
	  "[cli][kcsan][corpus]")
{
	nlohmann::json index = corpus_index();
	int perf = 0, reproduced = 0, not_modelled = 0, as_recorded = 0;
	for (const auto &entry : index.at("files")) {
		std::string file = entry.at("file").get<std::string>();
		for (const auto &truth : entry.at("reports")) {
			if (truth.contains("same_as") || !truth.at("perf").get<bool>())
				continue;
			int line = truth.at("line").get<int>();
			CAPTURE(file, line);
			perf++;
			REQUIRE(truth.contains("answer"));
			const nlohmann::json &expected = truth.at("answer");
			Answer a = triage(report_at(file, line), 0, options_for(file));
			CAPTURE(a.verdict, a.missing, a.shipped_note);

			CHECK(a.field.race.field == truth.at("field").get<std::string>());
			// the scenario built from the report parses (it is printed either way)
			CHECK(a.scenario_text.find("name = \"" + a.synthesis.name + "\"") != std::string::npos);
			bool ok = a.verdict == expected.at("verdict").get<std::string>();
			CHECK(a.verdict == expected.at("verdict").get<std::string>());
			if (a.evidence) {
				reproduced++;
				const Evidence &e = *a.evidence;
				CHECK(e.reproduced());
				CHECK(e.race.field == expected.at("race").get<std::string>());
				CHECK(e.scenario.name == expected.at("decided_by").get<std::string>());
				std::vector<std::string> closed;
				if (e.upstream.verdict == Verdict::Harmful)
					for (const auto &[variant, verdict] : e.variants)
						if (verdict != Verdict::Harmful && verdict != Verdict::Incomplete)
							closed.push_back(variant);
				CHECK(closed == expected.at("closed_by").get<std::vector<std::string>>());
				ok = ok && e.race.field == expected.at("race") && closed == expected.at("closed_by");
			} else {
				not_modelled += a.verdict == "not modelled";
				CHECK(a.missing == expected.at("missing").get<std::vector<std::string>>());
				// each missing frame is a frame of the stack it names
				for (const kcsan::MissingFrame &m : a.synthesis.missing) {
					if (m.entry_unknown)
						continue;
					std::vector<std::string> frames = a.report.functions(m.access);
					bool on_stack = std::any_of(frames.begin(), frames.end(), [&](const std::string &f) {
						return kcsan::base_function(f) == m.function;
					});
					CHECK(on_stack);
				}
				ok = ok && a.missing == expected.at("missing").get<std::vector<std::string>>();
			}
			as_recorded += ok;
		}
	}
	CHECK(perf >= 7);
	CHECK(reproduced + not_modelled == perf);
	CHECK(as_recorded == perf);
	WARN(fmt::format("corpus: {} perf reports, {} reproduced on their own paths, {} name the frame the model lacks, "
			 "{} as the index records",
			 perf, reproduced, not_modelled, as_recorded));
}

TEST_CASE("the seed report reproduces harmful on its own paths and mmap-ctx-lock closes it, on the shipped scenario "
	  "that runs them and on the scenario built from the report alike",
	  "[cli][kcsan][corpus]")
{
	std::string file = "../syzbot-perf_event_set_state-perf_mmap_rb.txt";
	kcsan::Report report = report_at(file, 9);
	Answer a = triage(report, 0, options_for(file));
	REQUIRE(a.evidence);
	CHECK(a.evidence->source == "shipped scenario");
	CHECK(a.evidence->scenario.name == "mmap-vs-sched_out");
	CHECK(a.evidence->reproduced());
	CHECK(a.verdict == "harmful");

	REQUIRE(a.synthesised);
	const Evidence &s = *a.synthesised;
	CHECK(s.reproduced());
	CHECK(s.race.field == "perf_event.tstamp");
	CHECK(s.race.same_functions);
	CHECK(s.upstream.verdict == Verdict::Harmful);
	auto ctx_lock = std::find_if(s.variants.begin(), s.variants.end(),
				     [](const auto &v) { return v.first == "mmap-ctx-lock"; });
	REQUIRE(ctx_lock != s.variants.end());
	CHECK(ctx_lock->second == Verdict::Benign);
	// every variant of the model ran
	CHECK(s.variants.size() + 1 == model_registries().front().variants.size());
	// the lanes: mmap() on the report's cpu 1, T's switch-out on its cpu 0
	CHECK(a.synthesis.lanes.size() == 2);
	CHECK(a.synthesis.lanes[0].op == "mmap(E)");
	CHECK(a.synthesis.lanes[0].cpu == 1);
	CHECK(a.synthesis.lanes[1].op == "sched_out(T)");
	CHECK(a.synthesis.lanes[1].cpu == 0);
	CHECK(a.synthesis.task_cpu == 0);
}
