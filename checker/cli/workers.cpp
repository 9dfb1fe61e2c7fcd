#include "checker/cli/workers.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <new>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "checker/cli/signals.h"
#include "checker/diagnostic.h"

namespace perfmc {

namespace {

constexpr int kWorkerInputError = 2;  // the worker's output is its InputError, as JSON

std::string diagnostics_json(const InputError &e)
{
	nlohmann::json all = nlohmann::json::array();
	for (const Diagnostic &d : e.diagnostics())
		all.push_back({{"file", d.file}, {"line", d.line}, {"column", d.column}, {"message", d.message}, {"hint", d.hint}});
	return all.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

InputError diagnostics_from_json(const std::string &text)
{
	std::vector<Diagnostic> diagnostics;
	for (const nlohmann::json &d : nlohmann::json::parse(text))
		diagnostics.push_back(Diagnostic{d["file"], d["line"], d["column"], d["message"], d["hint"]});
	return InputError(diagnostics);
}

bool write_all(int fd, const std::string &out)
{
	for (size_t done = 0; done < out.size();) {
		ssize_t w = write(fd, out.data() + done, out.size() - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		done += static_cast<size_t>(w);
	}
	return true;
}

}  // namespace

SharedBoard::SharedBoard()
{
	static_assert(std::atomic<uint64_t>::is_always_lock_free, "the board is shared between processes");
	void *page = mmap(nullptr, sizeof(sim::ShardBoard), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		throw std::runtime_error("mmap() of the --jobs board failed");
	board_ = new (page) sim::ShardBoard;
}

SharedBoard::~SharedBoard()
{
	board_->~ShardBoard();
	munmap(board_, sizeof(sim::ShardBoard));
}

std::vector<std::string> run_in_processes(int n, const std::function<std::string(int)> &work)
{
	return run_in_pool(n, n, work);
}

namespace {

/* a task's process: forked with a pipe whose write end is its output */
struct Worker {
	int task;
	int slot;
	pid_t pid;
	int fd;
	std::string text;
};

Worker start_worker(int task, int slot, const std::function<std::string(int)> &work)
{
	int fds[2];
	if (pipe(fds) != 0)
		throw std::runtime_error("pipe() failed");
	std::fflush(nullptr);
	pid_t pid = fork();
	if (pid < 0)
		throw std::runtime_error("fork() failed");
	if (pid == 0) {
		become_worker();
		close(fds[0]);
		int status = 0;
		try {
			if (!write_all(fds[1], work(task)))
				status = 3;
		} catch (const InputError &e) {
			status = write_all(fds[1], diagnostics_json(e)) ? kWorkerInputError : 3;
		} catch (...) {
			status = 3;
		}
		_exit(status);
	}
	close(fds[1]);
	add_stop_target(pid);
	return Worker{task, slot, pid, fds[0], {}};
}

}  // namespace

std::vector<std::string> run_in_pool(int tasks, int workers, const std::function<std::string(int)> &work,
				     std::vector<TaskUsage> *usage, const std::function<bool(int)> &skip)
{
	std::vector<std::string> outputs(static_cast<size_t>(std::max(tasks, 0)));
	if (usage)
		usage->assign(outputs.size(), TaskUsage{});
	workers = std::max(workers, 1);
	std::vector<bool> busy(static_cast<size_t>(workers));
	std::vector<Worker> running;
	bool failed = false;
	std::optional<InputError> input_error;
	int next = 0;
	while (next < tasks || !running.empty()) {
		while (next < tasks && static_cast<int>(running.size()) < workers) {
			if (skip && skip(next)) {
				next++;
				continue;
			}
			const int slot = static_cast<int>(std::find(busy.begin(), busy.end(), false) - busy.begin());
			busy[static_cast<size_t>(slot)] = true;
			running.push_back(start_worker(next++, slot, work));
		}
		if (running.empty())
			continue;  // the tasks left were skipped
		/* read whatever a worker wrote (its pipe must not fill up); collect those that finished */
		std::vector<pollfd> fds;
		for (const Worker &w : running)
			fds.push_back(pollfd{w.fd, POLLIN, 0});
		if (poll(fds.data(), fds.size(), -1) < 0) {
			if (errno == EINTR)
				continue;  // a signal (SIGINT, SIGTERM) while waiting: the workers go on
			throw std::runtime_error("poll() failed");
		}
		for (size_t i = fds.size(); i-- > 0;) {
			if (!fds[i].revents)
				continue;
			Worker &w = running[i];
			char buffer[65536];
			ssize_t r = read(w.fd, buffer, sizeof buffer);
			if (r < 0 && errno == EINTR)
				continue;
			if (r > 0) {
				w.text.append(buffer, static_cast<size_t>(r));
				continue;
			}
			close(w.fd);
			remove_stop_target(w.pid);  // before it is reaped: until then its pid is not reused
			int status = 0;
			rusage ru{};
			while (wait4(w.pid, &status, 0, &ru) < 0 && errno == EINTR) {
			}
			busy[static_cast<size_t>(w.slot)] = false;
			if (usage)
				(*usage)[static_cast<size_t>(w.task)] =
					TaskUsage{w.slot, (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
								  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3};
			if (WIFEXITED(status) && WEXITSTATUS(status) == kWorkerInputError && !input_error)
				input_error = diagnostics_from_json(w.text);
			else
				failed = failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
			outputs[static_cast<size_t>(w.task)] = std::move(w.text);
			running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
		}
	}
	clear_stop_targets();
	if (input_error)
		throw *input_error;
	if (failed)
		throw std::runtime_error("a --jobs worker process failed");
	return outputs;
}

}  // namespace perfmc
