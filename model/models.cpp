/*
 * The registry of models (model-only, no kernel twin): every kernel generation or area perfmc
 * models, by the name a scenario's `model = "..."` gives. "perf" (the current core.c
 * timekeeping) is first and the default.
 */
#include "model/world.h"

namespace model {

const Model &perf_model();  // model/world.cpp
const Model &legacy_model();  // model/legacy/world.cpp: "perf-2.6.32"
const Model &aux_throttle_model();  // model/aux/world.cpp
const Model &output_wakeup_model();  // model/output/model.cpp
const Model &deferred_callchain_model();  // model/callchain/world.cpp

const std::vector<const Model *> &models()
{
	static const std::vector<const Model *> all = {
		&perf_model(),
		&legacy_model(),
		&aux_throttle_model(),
		&output_wakeup_model(),
		&deferred_callchain_model(),
	};
	return all;
}

const Model *find_model(const std::string &name)
{
	for (const Model *m : models())
		if (name == m->name())
			return m;
	return nullptr;
}

}  // namespace model
