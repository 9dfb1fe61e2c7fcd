/*
 * The registry of models and what every model shares (model-only): the world's registration as
 * the execution's world, and the one variant and invariant selection helper. "perf" (the
 * current core.c) is first and the default.
 */
#include "model/model.h"

#include <algorithm>

namespace model {

const Model &perf_model();    // model/perf/world.cpp
const Model &legacy_model();  // model/legacy/world.cpp: "perf-2.6.32"

World::World(const WorldSetup &setup) : variant(setup.variant), invariants(setup.invariants)
{
	sim::current_world = this;
}

World::~World()
{
	if (sim::current_world == this)
		sim::current_world = nullptr;
}

const char *lock_kind_name(LockKind kind)
{
	switch (kind) {
	case LockKind::CtxLock: return "ctx->lock";
	case LockKind::CtxMutex: return "ctx->mutex";
	case LockKind::MmapMutex: return "event->mmap_mutex";
	}
	return "?";
}

std::vector<std::string> Model::variant_names() const
{
	std::vector<std::string> names;
	for (const Variant &v : variants)
		names.push_back(v.name);
	return names;
}

std::vector<std::string> Model::invariant_names() const
{
	std::vector<std::string> names;
	for (const Invariant &i : invariants)
		names.push_back(i.name);
	return names;
}

int Model::find_variant(const std::string &name) const
{
	for (size_t i = 0; i < variants.size(); i++)
		if (name == variants[i].name)
			return static_cast<int>(i);
	return -1;
}

int Model::find_invariant(const std::string &name) const
{
	for (size_t i = 0; i < invariants.size(); i++)
		if (name == invariants[i].name)
			return static_cast<int>(i);
	return -1;
}

bool Model::has_lock_kind(LockKind kind) const
{
	return std::find(lock_kinds.begin(), lock_kinds.end(), kind) != lock_kinds.end();
}

void select(const Model &model, const std::string &variant, const std::vector<std::string> &invariants,
	    WorldSetup &setup)
{
	int v = model.find_variant(variant);
	if (v < 0) {
		SelectionError e("unknown variant '" + variant + "' of model '" + model.name + "'");
		e.unknown = variant;
		e.known = model.variant_names();
		throw e;
	}
	uint64_t mask = invariants.empty() ? ~0ULL : 0;
	for (const std::string &name : invariants) {
		int i = model.find_invariant(name);
		if (i < 0) {
			SelectionError e("unknown invariant '" + name + "' of model '" + model.name + "'");
			e.unknown = name;
			e.known = model.invariant_names();
			throw e;
		}
		mask |= 1ULL << i;
	}
	setup.variant = v;
	setup.invariants = mask;
}

const std::vector<const Model *> &models()
{
	static const std::vector<const Model *> all = {
		&perf_model(),
		&legacy_model(),
	};
	return all;
}

const Model *find_model(const std::string &name)
{
	for (const Model *m : models())
		if (name == m->name)
			return m;
	return nullptr;
}

}  // namespace model
