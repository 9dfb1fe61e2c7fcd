#include "checker/cli/workers.h"

#include <cstdio>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace perfmc {

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
			close(fds[0]);
			int status = 0;
			try {
				std::string out = work(k);
				for (size_t done = 0; done < out.size();) {
					ssize_t w = write(fds[1], out.data() + done, out.size() - done);
					if (w <= 0) {
						status = 3;
						break;
					}
					done += static_cast<size_t>(w);
				}
			} catch (...) {
				status = 3;
			}
			_exit(status);
		}
		close(fds[1]);
		children.emplace_back(pid, fds[0]);
	}
	std::vector<std::string> outputs;
	bool failed = false;
	for (auto [pid, fd] : children) {
		std::string text;
		char buffer[65536];
		for (ssize_t r; (r = read(fd, buffer, sizeof buffer)) > 0;)
			text.append(buffer, static_cast<size_t>(r));
		close(fd);
		int status = 0;
		waitpid(pid, &status, 0);
		failed = failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
		outputs.push_back(std::move(text));
	}
	if (failed)
		throw std::runtime_error("a --jobs worker process failed");
	return outputs;
}

}  // namespace perfmc
