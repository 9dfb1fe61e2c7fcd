/* Model variants (model-only): see model/variant.h. */
#include "model/variant.h"

static enum model_variant selected_variant = UPSTREAM;

bool variant(enum model_variant v) { return selected_variant == v; }

const std::vector<std::string> &model_variant_names()
{
	static const std::vector<std::string> names = {"upstream", "mmap-ctx-lock", "pre-baf1b12a67f5",
							    "pre-5d95a2af973d"};
	return names;
}

bool model_select_variant(const std::string &name)
{
	const auto &names = model_variant_names();
	for (size_t i = 0; i < names.size(); i++) {
		if (names[i] == name) {
			selected_variant = (enum model_variant)i;
			return true;
		}
	}
	return false;
}

bool model_variant_is_prefix(const std::string &name) { return name.rfind("pre-", 0) == 0; }
