#include "checker/cli/workers.h"

#include <cerrno>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <new>
#include <sys/mman.h>
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
	std::vector<std::pair<pid_t, int>> children;
	for (int k = 0; k < n; k++) {
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
				if (!write_all(fds[1], work(k)))
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
		children.emplace_back(pid, fds[0]);
	}
	std::vector<std::string> outputs;
	bool failed = false;
	std::optional<InputError> input_error;
	for (auto [pid, fd] : children) {
		std::string text;
		char buffer[65536];
		for (;;) {
			ssize_t r = read(fd, buffer, sizeof buffer);
			if (r < 0 && errno == EINTR)
				continue;  // a signal (SIGINT, SIGTERM) while waiting: the worker goes on
			if (r <= 0)
				break;
			text.append(buffer, static_cast<size_t>(r));
		}
		close(fd);
		int status = 0;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == kWorkerInputError && !input_error)
			input_error = diagnostics_from_json(text);
		else
			failed = failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
		outputs.push_back(std::move(text));
	}
	clear_stop_targets();
	if (input_error)
		throw *input_error;
	if (failed)
		throw std::runtime_error("a --jobs worker process failed");
	return outputs;
}

}  // namespace perfmc
