/*
 * sim::field<T>: a kernel struct field with KCSAN semantics (model-only, no kernel twin).
 *
 * Model structs declare their plain fields as sim::field<T> and the model code then reads like
 * the kernel: `event->tstamp = now;` is a plain write, `u64 t = event->tstamp;` a plain read,
 * `event->total_time_enabled += delta;` a plain read then a plain write (the compiler does not
 * make it atomic, so another CPU may run between them), and READ_ONCE/WRITE_ONCE (compiler.h),
 * data_race() and the atomics mark their accesses. Every access is a scheduling point and is
 * checked for data races against the other lanes (checker/sim/hooks.cpp); the value itself is one C++ object,
 * so under the simulator every single access behaves as if the compiler had made it atomic and
 * sequentially consistent: exactly the assumption under which a race is called benign.
 *
 * peek()/poke() are for ghost code only (the ledger, the final check, setup): invisible to the
 * race detector and no scheduling point; only the reduction sees a lane's ghost access meet
 * another lane's real one (checker/sim/README.md, "The reduction").
 */
#pragma once

#include "model/kernel/sim.h"

namespace sim {

template <typename T> class field {
public:
	explicit field(const char *name) : name_(name) {}
	field(const char *name, T value) : name_(name), value_(value) {}
	field(const field &other) : name_(other.name_), value_(other.value_) {}

	/* plain accesses, as C code does them */
	operator T() const { return read(Marking::Plain); }
	T operator->() const
		requires std::is_pointer_v<T>
	{
		return read(Marking::Plain);
	}
	field &operator=(T v)
	{
		write(v, Marking::Plain);
		return *this;
	}
	field &operator=(const field &other)
	{
		write(static_cast<T>(other), Marking::Plain);
		return *this;
	}
	field &operator+=(T v) { return compound([v](T x) { return x + v; }); }
	field &operator-=(T v) { return compound([v](T x) { return x - v; }); }
	field &operator|=(T v) { return compound([v](T x) { return x | v; }); }
	field &operator&=(T v) { return compound([v](T x) { return x & v; }); }
	field &operator++() { return compound([](T x) { return x + 1; }); }
	field &operator--() { return compound([](T x) { return x - 1; }); }
	/* postfix: the same plain read then write, returning the value read (ctx->nr_events++) */
	T operator++(int)
	{
		T old = read(Marking::Plain);
		schedule_access(name_, Marking::Plain, AccessType::ReadWrite);
		check_access(shadow_, name_, AccessType::ReadWrite, Marking::Plain, Order::Relaxed, sizeof(T),
			     to_u64(value_), to_u64(static_cast<T>(old + 1)));
		value_ = static_cast<T>(old + 1);
		return old;
	}
	T operator--(int)
	{
		T old = read(Marking::Plain);
		schedule_access(name_, Marking::Plain, AccessType::ReadWrite);
		check_access(shadow_, name_, AccessType::ReadWrite, Marking::Plain, Order::Relaxed, sizeof(T),
			     to_u64(value_), to_u64(static_cast<T>(old - 1)));
		value_ = static_cast<T>(old - 1);
		return old;
	}

	/* marked and ordered accesses, for the shim (READ_ONCE, atomics, smp_load_acquire...) */
	T read(Marking marking, Order order = Order::Relaxed) const
	{
		schedule_access(name_, marking);
		T v = value_;
		check_access(shadow_, name_, AccessType::Read, marking, order, sizeof(T), to_u64(v), to_u64(v));
		return v;
	}
	void write(T v, Marking marking, Order order = Order::Relaxed)
	{
		schedule_access(name_, marking, AccessType::Write);
		check_access(shadow_, name_, AccessType::Write, marking, order, sizeof(T), to_u64(value_), to_u64(v));
		value_ = v;
	}
	/* an atomic read-modify-write: one access, one scheduling point; returns the old value */
	template <typename F> T rmw(F &&update, Order order)
	{
		schedule_access(name_, Marking::Atomic, AccessType::ReadWrite);
		T old = value_;
		T next = update(old);
		check_access(shadow_, name_, AccessType::ReadWrite, Marking::Atomic, order, sizeof(T), to_u64(old),
			     to_u64(next));
		value_ = next;
		return old;
	}

	/* ghost access: no race check, no scheduling point (the reduction still sees it meet real accesses) */
	T peek() const
	{
		ghost_access(shadow_, name_, false);
		return value_;
	}
	void poke(T v)
	{
		ghost_access(shadow_, name_, true);
		value_ = v;
	}
	const char *name() const { return name_; }

private:
	/* plain `x op= v`: a plain read, then (after another scheduling point) a plain read-write */
	template <typename F> field &compound(F &&update)
	{
		T old = read(Marking::Plain);
		schedule_access(name_, Marking::Plain, AccessType::ReadWrite);
		T next = update(old);
		check_access(shadow_, name_, AccessType::ReadWrite, Marking::Plain, Order::Relaxed, sizeof(T),
			     to_u64(value_), to_u64(next));
		value_ = next;
		return *this;
	}

	const char *name_;
	T value_{};
	mutable Shadow shadow_;
};

}  // namespace sim
