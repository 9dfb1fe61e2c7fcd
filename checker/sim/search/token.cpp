#include "checker/sim/search/token.h"

#include <algorithm>

#include "checker/sim/runtime.h"

namespace sim::search {

/*
 * A replay token: the choices at the scheduling points (digits; trailing zeros, "go on", dropped),
 * then the names the reduction scheduled at, each after a '+', since they decide where the
 * scheduling points were; or 'f' and the choices when the search ran without the reduction.
 */
std::string encode_token(const std::vector<uint8_t> &choices, bool reduction)
{
	std::string token;
	for (uint8_t c : choices)
		token += static_cast<char>('0' + c);
	while (token.size() > 1 && token.back() == '0')
		token.pop_back();
	if (token.empty())
		token.push_back('0');  // (not token = "0": g++ 12 then warns -Wrestrict wrongly)
	if (!reduction)
		return "f" + token;
	std::vector<std::string> names(runtime().visible.begin(), runtime().visible.end());
	std::sort(names.begin(), names.end());
	for (const std::string &n : names)
		token += "+" + n;
	return token;
}

bool decode_token(const std::string &token, std::vector<uint8_t> &replay, std::string &error)
{
	Runtime &rt = runtime();
	std::string choices = token;
	rt.reduction = true;
	if (!choices.empty() && choices[0] == 'f') {
		rt.reduction = false;
		choices = choices.substr(1);
	}
	size_t plus = choices.find('+');
	std::string names = plus == std::string::npos ? "" : choices.substr(plus + 1);
	choices = choices.substr(0, plus);
	if (choices.empty()) {
		error = "bad replay token '" + token + "': expected digits 0-" + std::to_string(kMaxLanes - 1);
		return false;
	}
	for (char c : choices) {
		if (c < '0' || c >= '0' + kMaxLanes) {
			error = "bad replay token '" + token + "': expected digits 0-" + std::to_string(kMaxLanes - 1);
			return false;
		}
		replay.push_back(static_cast<uint8_t>(c - '0'));
	}
	while (!names.empty()) {
		size_t next = names.find('+');
		rt.visible.insert(names.substr(0, next));
		names = next == std::string::npos ? "" : names.substr(next + 1);
	}
	rt.frozen = true;
	return true;
}

}  // namespace sim::search
