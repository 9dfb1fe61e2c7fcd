#include "checker/cli/values.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "checker/diagnostic.h"

namespace perfmc {

namespace {

/* the value as it appears in a message: quoted, and cut when it is long */
std::string shown(const std::string &text)
{
	std::string s = text.size() > 40 ? text.substr(0, 37) + "..." : text;
	return "'" + s + "'";
}

InputError bad_value(const std::string &option, const std::string &text, const std::string &expected,
		     const std::string &hint = {})
{
	return InputError(Diagnostic{"", 0, 0, fmt::format("bad {} {}: expected {}", option, shown(text), expected), hint});
}

std::optional<uint64_t> digits(std::string_view text)
{
	if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
		return std::nullopt;
	uint64_t value = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (ec != std::errc() || end != text.data() + text.size())
		return std::nullopt;  // out of range
	return value;
}

}  // namespace

uint64_t parse_count(const std::string &option, const std::string &text, uint64_t min, uint64_t max)
{
	std::string expected = max == std::numeric_limits<uint64_t>::max()
				       ? fmt::format("a whole number, at least {}", min)
				       : fmt::format("a whole number from {} to {}", min, max);
	std::optional<uint64_t> value = digits(text);
	if (!value || *value < min || *value > max)
		throw bad_value(option, text, expected);
	return *value;
}

double parse_seconds(const std::string &option, const std::string &text)
{
	constexpr double kYear = 365.0 * 24 * 3600;
	const std::string expected = "a number of seconds, more than 0 (e.g. 30 or 2.5)";
	/* digits, at most one '.', nothing else: no sign, exponent, nan or inf */
	bool shape = !text.empty() && std::count(text.begin(), text.end(), '.') <= 1 &&
		     std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
		     std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
	double value = 0;
	if (shape) {
		auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
		shape = ec == std::errc() && end == text.data() + text.size();
	}
	if (!shape || !std::isfinite(value) || value <= 0)
		throw bad_value(option, text, expected);
	if (value > kYear)
		throw bad_value(option, text, "at most a year of seconds (31536000)");
	return value;
}

std::pair<int, int> parse_shard(const std::string &text)
{
	const std::string hint = "e.g. --shard 0/4 ... --shard 3/4, then `perfmc merge` their --json outputs";
	const std::string expected = fmt::format("K/N with 0 <= K < N <= {}", kMaxShards);
	size_t slash = text.find('/');
	if (slash == std::string::npos)
		throw bad_value("--shard", text, expected, hint);
	std::optional<uint64_t> k = digits(std::string_view(text).substr(0, slash));
	std::optional<uint64_t> n = digits(std::string_view(text).substr(slash + 1));
	if (!k || !n || *n < 1 || *n > static_cast<uint64_t>(kMaxShards) || *k >= *n)
		throw bad_value("--shard", text, expected, hint);
	return {static_cast<int>(*k), static_cast<int>(*n)};
}

int parse_jobs(const std::string &text)
{
	return static_cast<int>(parse_count("--jobs", text, 1, kMaxJobs));
}

std::vector<std::string> parse_visible(const std::string &text)
{
	const std::string expected = "names separated by commas, as `perfmc merge` prints them under rerun.option";
	std::vector<std::string> names;
	if (text.size() > (size_t{1} << 16))
		throw bad_value("--visible", text.substr(0, 40) + "...", "at most 65536 characters");
	for (size_t at = 0; at <= text.size();) {
		size_t comma = std::min(text.find(',', at), text.size());
		std::string name = text.substr(at, comma - at);
		const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
			return c > ' ' && c < 0x7f && c != '+' && c != ',';
		});
		if (!ok)
			throw bad_value("--visible", text, expected);
		names.push_back(std::move(name));
		at = comma + 1;
	}
	std::sort(names.begin(), names.end());
	names.erase(std::unique(names.begin(), names.end()), names.end());
	return names;
}

std::string parse_nonempty(const std::string &option, const std::string &text, const std::string &hint)
{
	if (text.empty())
		throw InputError(Diagnostic{"", 0, 0, fmt::format("{} needs a value, got an empty string", option), hint});
	return text;
}

}  // namespace perfmc
