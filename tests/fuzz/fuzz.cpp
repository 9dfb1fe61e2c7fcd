#include "tests/fuzz/fuzz.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/time.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "checker/cli/signals.h"

namespace fuzz {

uint64_t Rng::next()
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

size_t cases(size_t default_count)
{
	if (const char *env = std::getenv("PERFMC_FUZZ_CASES"); env && *env)
		return static_cast<size_t>(std::strtoull(env, nullptr, 10));
	return default_count;
}

uint64_t seed()
{
	if (const char *env = std::getenv("PERFMC_FUZZ_SEED"); env && *env)
		return std::strtoull(env, nullptr, 10);
	return 1;
}

const std::vector<std::string> &edge_values()
{
	static const std::vector<std::string> values = {
		"0", "-0", "1", "-1", "2", "3", "4", "7", "16", "64", "255", "256", "65536", "2147483647", "2147483648",
		"-2147483649", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"18446744073709551615", "18446744073709551616", "99999999999999999999999", "1e308", "1e309", "-1e309",
		"0.5", "1.5", "nan", "inf", "-inf", "0x10", "+5", " 5", "5 ", "", "\"\"", "[]", "{}", "null", "true",
		std::string(300, '9'), std::string(2000, 'A')};
	return values;
}

namespace {

std::vector<std::string> lines_of(const std::string &text)
{
	std::vector<std::string> lines;
	std::string line;
	std::istringstream in(text);
	while (std::getline(in, line))
		lines.push_back(line);
	return lines;
}

std::string join_lines(const std::vector<std::string> &lines)
{
	std::string out;
	for (const std::string &l : lines)
		out += l + "\n";
	return out;
}

/* identifiers: runs of letters, digits and '_' that start with a letter or '_' */
std::vector<std::pair<size_t, size_t>> words(const std::string &s)
{
	std::vector<std::pair<size_t, size_t>> out;
	auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
	for (size_t i = 0; i < s.size();) {
		if (std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_') {
			size_t j = i;
			while (j < s.size() && word_char(s[j]))
				j++;
			out.emplace_back(i, j - i);
			i = j;
		} else {
			i++;
		}
	}
	return out;
}

std::string mutate_once(std::string s, const std::vector<std::string> &corpus, Rng &rng)
{
	using namespace std::string_literals;
	static const std::string specials = "\"'[]{}=,.:/\\#-_+()\n\t \0\xff\xc3"s;  // the NUL too
	switch (rng.below(12)) {
	case 0:  // flip one bit
		if (!s.empty())
			s[rng.below(s.size())] ^= static_cast<char>(1u << rng.below(8));
		return s;
	case 1: {  // insert a special or any byte
		char c = rng.one_in(2) ? specials[rng.below(specials.size())] : static_cast<char>(rng.below(256));
		s.insert(s.begin() + static_cast<long>(rng.below(s.size() + 1)), c);
		return s;
	}
	case 2: {  // delete a few bytes
		if (s.empty())
			return s;
		size_t at = rng.below(s.size());
		return s.erase(at, 1 + rng.below(16));
	}
	case 3: case 4: case 5: {  // drop, duplicate or swap lines
		std::vector<std::string> lines = lines_of(s);
		if (lines.empty())
			return s;
		size_t i = rng.below(lines.size()), j = rng.below(lines.size());
		if (rng.below(3) == 0)
			lines.erase(lines.begin() + static_cast<long>(i));
		else if (rng.below(2) == 0)
			lines.insert(lines.begin() + static_cast<long>(i), lines[j]);
		else
			std::swap(lines[i], lines[j]);
		return join_lines(lines);
	}
	case 6: {  // splice a line of another input in
		std::vector<std::string> lines = lines_of(s), other = lines_of(corpus.empty() ? s : rng.pick(corpus));
		if (other.empty())
			return s;
		lines.insert(lines.begin() + static_cast<long>(rng.below(lines.size() + 1)), rng.pick(other));
		return join_lines(lines);
	}
	case 7: case 8: {  // a number (or, failing one, a word) replaced by an edge value
		std::vector<std::pair<size_t, size_t>> runs;
		for (size_t i = 0; i < s.size();) {
			if (std::isdigit(static_cast<unsigned char>(s[i]))) {
				size_t j = i;
				while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
					j++;
				runs.emplace_back(i, j - i);
				i = j;
			} else {
				i++;
			}
		}
		if (runs.empty()) {
			s.insert(rng.below(s.size() + 1), rng.pick(edge_values()));
			return s;
		}
		auto [at, n] = runs[rng.below(runs.size())];
		return s.replace(at, n, rng.pick(edge_values()));
	}
	case 9: case 10: {  // a word replaced by a word of another input (an op, a name, a key)
		std::vector<std::pair<size_t, size_t>> mine = words(s);
		const std::string &from = corpus.empty() ? s : rng.pick(corpus);
		std::vector<std::pair<size_t, size_t>> theirs = words(from);
		if (mine.empty() || theirs.empty())
			return s;
		auto [at, n] = mine[rng.below(mine.size())];
		auto [their_at, their_n] = theirs[rng.below(theirs.size())];
		return s.replace(at, n, from.substr(their_at, their_n));
	}
	default:  // truncate
		return s.substr(0, rng.below(s.size() + 1));
	}
}

}  // namespace

std::string mutate(const std::string &input, const std::vector<std::string> &corpus, Rng &rng)
{
	std::string s = input;
	for (size_t n = 1 + rng.below(3); n > 0; n--)
		s = mutate_once(std::move(s), corpus, rng);
	return s;
}

namespace {
extern "C" void on_soft_limit(int) { perfmc::request_stop_all(); }  // as a SIGINT would
}  // namespace

Outcome in_child(const std::function<int()> &body, double soft_seconds, double hard_seconds)
{
	char path[] = "/tmp/perfmc-fuzz-stderr.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		throw std::runtime_error("mkstemp failed");
	std::fflush(nullptr);
	pid_t pid = fork();
	if (pid < 0)
		throw std::runtime_error("fork failed");
	if (pid == 0) {
		/* files a mutated command line names (--junit 3) land in a scratch directory */
		std::filesystem::path scratch = std::filesystem::temp_directory_path() / "perfmc-fuzz-cwd";
		std::error_code ec;
		std::filesystem::create_directories(scratch, ec);
		if (chdir(scratch.c_str()) != 0)
			_exit(97);
		dup2(fd, 2);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		struct sigaction sa {};
		sa.sa_handler = on_soft_limit;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, nullptr);
		itimerval timer{};
		timer.it_value.tv_sec = static_cast<long>(soft_seconds);
		timer.it_value.tv_usec = static_cast<long>((soft_seconds - static_cast<long>(soft_seconds)) * 1e6);
		timer.it_interval.tv_sec = 1;  // again every second, in case a run started after the first
		setitimer(ITIMER_REAL, &timer, nullptr);
		int code = 99;
		try {
			code = body();
		} catch (...) {
			code = 98;  // an exception escaped perfmc_main(): a finding of its own
		}
		_exit(code);
	}
	Outcome o;
	int status = 0;
	auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(hard_seconds);
	for (;;) {
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid)
			break;
		if (std::chrono::steady_clock::now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			o.hung = true;
			break;
		}
		std::this_thread::sleep_for(std::chrono::microseconds(200));
	}
	if (!o.hung) {
		o.exited = WIFEXITED(status);
		o.code = o.exited ? WEXITSTATUS(status) : -1;
		o.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	std::ifstream in(path, std::ios::binary);
	std::stringstream text;
	text << in.rdbuf();
	o.err = text.str().substr(0, 4000);
	close(fd);
	unlink(path);
	return o;
}

bool acceptable(const Outcome &o)
{
	return o.exited && (o.code == 0 || o.code == 1 || o.code == 2 || o.code == 4);
}

std::string save_finding(const std::string &name, const std::string &content)
{
	std::filesystem::path dir = std::filesystem::temp_directory_path() / "perfmc-fuzz-findings";
	std::filesystem::create_directories(dir);
	std::filesystem::path path = dir / name;
	std::ofstream(path, std::ios::binary) << content;
	return path.string();
}

std::string describe(const Outcome &o)
{
	if (o.hung)
		return "hung (killed at the hard limit)";
	if (!o.exited)
		return "killed by signal " + std::to_string(o.signal) + "\n" + o.err;
	return "exit " + std::to_string(o.code) + (o.code == 98 ? " (an exception escaped perfmc_main)" : "") + "\n" + o.err;
}

}  // namespace fuzz
