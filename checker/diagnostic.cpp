#include "checker/diagnostic.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

namespace perfmc {

std::string Diagnostic::str() const
{
	std::string out;
	if (!file.empty()) {
		out += file;
		if (line > 0) {
			// two appends, not ":" + std::to_string(): g++ 12 warns falsely (-Wrestrict) on the latter
			out += ':';
			out += std::to_string(line);
			if (column > 0) {
				out += ':';
				out += std::to_string(column);
			}
		}
		out += ": ";
	} else {
		out += "perfmc: ";
	}
	out += "error: " + message + "\n";
	if (!hint.empty())
		out += "  hint: " + hint + "\n";
	return out;
}

static std::string join_messages(const std::vector<Diagnostic> &diagnostics)
{
	std::string out;
	for (const auto &d : diagnostics)
		out += d.str();
	return out;
}

InputError::InputError(std::vector<Diagnostic> diagnostics)
	: std::runtime_error(join_messages(diagnostics)), diagnostics_(std::move(diagnostics))
{
}

InputError::InputError(Diagnostic diagnostic) : InputError(std::vector<Diagnostic>{std::move(diagnostic)})
{
}

std::string InputError::str() const { return join_messages(diagnostics_); }

static size_t edit_distance(const std::string &a, const std::string &b)
{
	std::vector<size_t> row(b.size() + 1);
	for (size_t j = 0; j <= b.size(); j++)
		row[j] = j;
	for (size_t i = 1; i <= a.size(); i++) {
		size_t diagonal = row[0];
		row[0] = i;
		for (size_t j = 1; j <= b.size(); j++) {
			size_t above = row[j];
			row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
			diagonal = above;
		}
	}
	return row[b.size()];
}

std::string closest_match(const std::string &word, const std::vector<std::string> &candidates)
{
	std::string best;
	if (word.size() > kMaxSuggestedLength)
		return best;
	size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
	for (const auto &c : candidates) {
		/* the distance is at least the difference in length: skip what cannot beat the best */
		size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
		if (gap >= best_distance)
			continue;
		size_t d = edit_distance(word, c);
		if (d < best_distance) {
			best_distance = d;
			best = c;
		}
	}
	return best;
}

std::string read_input_file(const std::string &path, const std::string &what, const std::string &hint, size_t max_bytes)
{
	auto fail = [&](const std::string &why) {
		return InputError(Diagnostic{path, 0, 0, "cannot read the " + what + ": " + why, hint});
	};
	struct stat st {};
	if (::stat(path.c_str(), &st) != 0)
		throw fail(std::strerror(errno));
	if (S_ISDIR(st.st_mode))
		throw fail("it is a directory");
	if (!S_ISREG(st.st_mode))
		throw fail("it is not a regular file");
	if (static_cast<uint64_t>(st.st_size) > max_bytes)
		throw fail("it is larger than " + std::to_string(max_bytes >> 20) + " MiB");
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw fail(std::strerror(errno));
	std::string text;
	try {
		text.assign(std::istreambuf_iterator<char>(in), {});
	} catch (const std::exception &e) {
		throw fail(e.what());
	}
	if (in.bad())
		throw fail("read error");
	return text;
}

}  // namespace perfmc
