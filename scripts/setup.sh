#!/usr/bin/env bash
# pdtt set-up on Debian 12, as root.  Installs what is missing, builds, and
#   run  [ARGS...]  starts the tracker (default: -i lo, default log path)
#   test            runs the whole test suite, plain and under ASan+UBSan
#   deps            only installs the Debian packages (with the format/lint tools)
set -euo pipefail

cd "$(dirname "$0")/.."

RUNTIME_PKGS=(libbpf1 libelf1 zlib1g libsqlite3-0 libsystemd0 libmicrohttpd12 sqlite3 iproute2 tzdata)
BUILD_PKGS=(gcc libc6-dev make cmake pkg-config clang llvm bpftool libbpf-dev libelf-dev
	zlib1g-dev libsqlite3-dev libsystemd-dev libmicrohttpd-dev libcmocka-dev liburing-dev)
TEST_PKGS=(util-linux bsdutils procps ethtool iperf3 openssh-server openssh-client rsync faketime
	libclang-rt-14-dev systemd logrotate socat prometheus curl jq
	build-essential debhelper lintian man-db mandoc bsdextrautils)
DEV_PKGS=(clang-format clang-tidy cppcheck)

die() {
	echo "pdtt setup: $*" >&2
	exit 1
}

install_packages() {
	[ "$(id -u)" = 0 ] || die "must run as root (apt-get and BPF need it); try: sudo bash $0 $*"
	command -v apt-get >/dev/null || die "apt-get not found: this script targets Debian 12"
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "pdtt setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# openssh-server is only for the tests, which start their own sshd: keep
	# its package from starting a system-wide one on port 22.
	local policy=/usr/sbin/policy-rc.d made_policy=""
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
	fi
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}" || {
		[ -z "$made_policy" ] || rm -f "$policy"
		die "apt-get install failed"
	}
	[ -z "$made_policy" ] || rm -f "$policy"
}

build() { # BUILD_DIR [CMAKE ARGS...]
	local dir=$1
	shift
	cmake -S . -B "$dir" "$@"
	cmake --build "$dir" -j "$(nproc)"
}

case "${1:-}" in
run)
	shift
	install_packages "${RUNTIME_PKGS[@]}" "${BUILD_PKGS[@]}"
	make build-xdp
	[ $# -gt 0 ] || set -- -i lo
	exec ./pdtt_xdp_user "$@"
	;;
test)
	install_packages "${RUNTIME_PKGS[@]}" "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
	build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	build build-asan -DCMAKE_BUILD_TYPE=Debug -DPDTT_SANITIZE=ON
	echo "== tests (release build)"
	ctest --test-dir build --output-on-failure
	echo "== tests (ASan + UBSan build)"
	ctest --test-dir build-asan --output-on-failure
	echo "== fuzzing"
	bash scripts/fuzz.sh "${PDTT_FUZZ_SECONDS:-30}"
	;;
deps)
	install_packages "${RUNTIME_PKGS[@]}" "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${DEV_PKGS[@]}"
	;;
*)
	echo "usage: bash scripts/setup.sh run [DAEMON ARGS...] | test | deps" >&2
	exit 2
	;;
esac
