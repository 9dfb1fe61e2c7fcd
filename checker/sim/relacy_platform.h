/*
 * Relacy's platform layer (relacy/platform.hpp), for Linux, with fibers that give their stacks
 * back. Included by runner.cpp before any Relacy header: it defines platform.hpp's include guard,
 * so this file stands in for it in that one translation unit.
 *
 * Why: Relacy's create_fiber() mallocs a 64 KiB stack per lane for every rl::run_test() call (a
 * round of a search) and its delete_fiber() never frees it (the free is commented out), so a
 * process that runs many searches (`perfmc suite`, `perfmc kcsan` triaging each report) grows
 * without bound. Here a stack is an mmap'd region with a guard page below it (an overflow faults
 * instead of overwriting the heap), unmapped in delete_fiber(). Pages are committed as touched, so
 * the larger reservation costs no memory.
 *
 * The switch itself is Relacy's (_setjmp/_longjmp between fibers, one swapcontext to start each),
 * annotated for AddressSanitizer (__sanitizer_start_switch_fiber / _finish_switch_fiber) so that
 * an ASan build knows which stack runs.
 */
#ifndef RL_PLATFORM_HPP
#define RL_PLATFORM_HPP

#include <relacy/pch.hpp>

#include <pthread.h>
#include <sys/mman.h>
#include <sys/times.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

#if defined(RL_WIN) || defined(_CYGWIN)
#error "perfmc's Relacy platform layer is for Linux"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define PERFMC_ASAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PERFMC_ASAN_FIBERS 1
#endif
#endif

#ifdef PERFMC_ASAN_FIBERS
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

inline unsigned get_tick_count()
{
	struct tms tms;
	return static_cast<unsigned>(times(&tms) * (1000 / sysconf(_SC_CLK_TCK)));
}

inline void set_low_thread_prio() {}

struct fiber_t {
	jmp_buf jmp;
	ucontext_t start;           // the context the fiber's first swapcontext() runs
	void *mapping;              // guard page + stack (null for the main fiber)
	size_t mapping_size;
	const void *stack_bottom;   // the usable stack, as ASan wants it
	size_t stack_size;
	void *fake_stack;           // ASan's fake stack of this fiber while it is switched out
};

namespace perfmc_fiber {

#ifdef PERFMC_ASAN_FIBERS
constexpr size_t kStackSize = size_t{1} << 20;  // ASan's redzones make frames several times larger
#else
constexpr size_t kStackSize = size_t{256} << 10;
#endif

inline void start_switch(fiber_t &from, const fiber_t &to)
{
#ifdef PERFMC_ASAN_FIBERS
	__sanitizer_start_switch_fiber(&from.fake_stack, to.stack_bottom, to.stack_size);
#else
	(void)from;
	(void)to;
#endif
}

inline void finish_switch(fiber_t &into)
{
#ifdef PERFMC_ASAN_FIBERS
	__sanitizer_finish_switch_fiber(into.fake_stack, nullptr, nullptr);
#else
	(void)into;
#endif
}

struct start_args {
	void (*fn)(void *);
	void *arg;
	fiber_t *self;
	fiber_t *creator;  // the context create_fiber() runs on, only while it does
};

/* A fiber's first frame: back to create_fiber() at once, then, when first switched to, its proc. */
inline void start(void *p)
{
	start_args *a = static_cast<start_args *>(p);
	void (*volatile fn)(void *) = a->fn;
	void *volatile arg = a->arg;
	fiber_t *volatile self = a->self;
	finish_switch(*self);
	if (_setjmp(self->jmp) == 0) {
		ucontext_t here;
		start_switch(*self, *a->creator);
		swapcontext(&here, &a->creator->start);
	}
	finish_switch(*self);
	fn(arg);
}

/* the running thread's stack, for the main fiber (ASan needs the bounds of every stack) */
inline void thread_stack(const void *&bottom, size_t &size)
{
	bottom = nullptr;
	size = 0;
	pthread_attr_t attr;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	void *addr = nullptr;
	pthread_attr_getstack(&attr, &addr, &size);
	bottom = addr;
	pthread_attr_destroy(&attr);
}

}  // namespace perfmc_fiber

inline void create_main_fiber(fiber_t &fib)
{
	std::memset(static_cast<void *>(&fib), 0, sizeof fib);
	perfmc_fiber::thread_stack(fib.stack_bottom, fib.stack_size);
}

inline void delete_main_fiber(fiber_t &fib) { (void)fib; }

inline void create_fiber(fiber_t &fib, void (*fiber_proc)(void *), void *ctx)
{
	std::memset(static_cast<void *>(&fib), 0, sizeof fib);
	const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
	fib.mapping_size = perfmc_fiber::kStackSize + page;
	void *m = mmap(nullptr, fib.mapping_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (m == MAP_FAILED)
		throw std::runtime_error("perfmc: cannot map a fiber stack");
	mprotect(m, page, PROT_NONE);  // the guard page: a stack overflow faults here
	fib.mapping = m;
	fib.stack_bottom = static_cast<char *>(m) + page;
	fib.stack_size = perfmc_fiber::kStackSize;

	fiber_t creator;
	std::memset(static_cast<void *>(&creator), 0, sizeof creator);
	perfmc_fiber::thread_stack(creator.stack_bottom, creator.stack_size);
	getcontext(&fib.start);
	fib.start.uc_stack.ss_sp = const_cast<void *>(fib.stack_bottom);
	fib.start.uc_stack.ss_size = fib.stack_size;
	fib.start.uc_link = nullptr;
	perfmc_fiber::start_args args{fiber_proc, ctx, &fib, &creator};
	makecontext(&fib.start, reinterpret_cast<void (*)()>(&perfmc_fiber::start), 1, &args);
	perfmc_fiber::start_switch(creator, fib);
	swapcontext(&creator.start, &fib.start);
	perfmc_fiber::finish_switch(creator);
}

inline void delete_fiber(fiber_t &fib)
{
	if (!fib.mapping)
		return;
#ifdef PERFMC_ASAN_FIBERS
	/* frames left on the stack by an execution cut short keep their redzones: clear them */
	__asan_unpoison_memory_region(fib.mapping, fib.mapping_size);
#endif
	munmap(fib.mapping, fib.mapping_size);
	fib.mapping = nullptr;
}

inline void switch_to_fiber(fiber_t &fib, fiber_t &prv)
{
	perfmc_fiber::start_switch(prv, fib);
	if (_setjmp(prv.jmp) == 0)
		_longjmp(fib.jmp, 1);
	perfmc_fiber::finish_switch(prv);
}

#define RL_INLINE inline
#define RL_NOINLINE
#define RL_STRINGIZE_I(text) #text
#define RL_STRINGIZE(text) RL_STRINGIZE_I(text)
#define RL_STDCALL
#define RL_THROW_SPEC(ex) noexcept(false)
#define RL_RESTRICT

#endif
