// Seeded, deterministic mutation of the inputs perfmc ships (scenarios, KCSAN reports, results,
// tokens, command lines), and a way to run one case in a child process with a time limit, so a
// crash, a hang or an abort is a finding with its input saved, not the end of the test run.
//
// Case counts: each test's default keeps the default suite fast; PERFMC_FUZZ_CASES=N runs N cases
// in each (the sanitizer CI job: PERFMC_FUZZ_CASES=20000 perfmc_fuzz_tests "[fuzz]"), and
// PERFMC_FUZZ_SEED=S varies the seed (default 1). Findings are written to
// $TMPDIR/perfmc-fuzz-findings/.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fuzz {

// splitmix64: the same sequence on every machine
struct Rng {
	uint64_t state;
	explicit Rng(uint64_t seed) : state(seed) {}
	uint64_t next();
	size_t below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }
	bool one_in(size_t n) { return below(n) == 0; }
	template <class T> const T &pick(const std::vector<T> &v) { return v[below(v.size())]; }
};

size_t cases(size_t default_count);  // PERFMC_FUZZ_CASES, else the default
uint64_t seed();                      // PERFMC_FUZZ_SEED, else 1

// Numbers and words that break parsers: 0, -1, 2^31, 2^63, 2^64, nan, inf, "", a long run...
const std::vector<std::string> &edge_values();

// One to three mutations of `input`: byte flips, insertions, deletions, line drops, duplications
// and swaps, splices of lines from `corpus`, numbers replaced by edge values, truncation.
std::string mutate(const std::string &input, const std::vector<std::string> &corpus, Rng &rng);

struct Outcome {
	bool exited = false;   // exited normally, with `code`
	int code = -1;
	int signal = 0;        // killed by this signal
	bool hung = false;     // still running at the hard limit, and killed
	std::string err;       // what the child wrote to its stderr (fd 2)
};

// Runs body() in a forked child: its return value is the exit code. At soft_seconds the child's
// SIGALRM asks perfmc to stop (perfmc::request_stop_all(), as a SIGINT would); at hard_seconds the
// child is killed and the outcome is a hang.
Outcome in_child(const std::function<int()> &body, double soft_seconds = 2, double hard_seconds = 60);

// The exit statuses a user's input may end in: 0, 1, 2, 4 (never 3, a signal or a hang).
bool acceptable(const Outcome &o);

// Saves a finding's input and returns its path: $TMPDIR/perfmc-fuzz-findings/<name>.
std::string save_finding(const std::string &name, const std::string &content);

std::string describe(const Outcome &o);

}  // namespace fuzz
