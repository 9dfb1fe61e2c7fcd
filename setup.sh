#!/usr/bin/env bash
# perfmc set-up for a fresh Debian machine: installs what is missing, configures, builds, then
#   ./setup.sh run [SCENARIO]   runs one scenario (default: mmap-vs-sched_out)
#   ./setup.sh test             runs the whole test suite through ctest
# Idempotent: apt-get runs only when a package is missing, cmake only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")"

packages=(cmake make g++ relacy-dev catch2 libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev libpugixml-dev)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "setup: installing ${missing[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "setup: missing Debian packages; run as root:" >&2
		echo "  apt-get install -y ${missing[*]}" >&2
		exit 2
	fi
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"

case "${1:-run}" in
run)
	shift || true
	exec ./build/perfmc run "${1:-mmap-vs-sched_out}" "${@:2}"
	;;
test)
	# -C slow: the default tests and the slow checks ([.slow], see CMakeLists.txt)
	exec ctest --test-dir build --output-on-failure -j"$jobs" -C slow
	;;
*)
	echo "usage: ./setup.sh run [SCENARIO] | ./setup.sh test" >&2
	exit 2
	;;
esac
