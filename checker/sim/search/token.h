/*
 * Replay tokens (checker/sim/README.md, "Replay tokens"): the choices at the decisions, then the
 * visible names. Part of the search core; no Relacy here.
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sim::search {

/* the token of an execution's choices under the Runtime's visible names (or 'f': no reduction) */
std::string encode_token(const std::vector<uint8_t> &choices, bool reduction);
/* reads a token: its choices into `choices`, its names and reduction into the Runtime (frozen) */
bool decode_token(const std::string &token, std::vector<uint8_t> &choices, std::string &error);

}  // namespace sim::search
