#!/usr/bin/env bash
# The Debian package (issue 16), with the real tools: dpkg-buildpackage,
# lintian, dpkg.  There is no systemd as PID 1, so debhelper's snippets
# enable the unit but start nothing, and the test starts the installed
# daemon exactly as the unit's ExecStart= would, with the installed
# /etc/pdtt.conf (its interval shortened the way an admin edits it).
# 1. The .deb builds from a copy of the source; lintian reports no error or
#    warning, and every override says why.
# 2. dpkg -i: the system user, its directories, every file, the unit
#    enabled, both names and their manual pages, --version, pdtt --help.
# 3. The installed daemon counts two users' traffic exactly (payload
#    arithmetic); pdtt report reads it through the configuration file.
# 4. An upgrade keeps the pins: traffic while the daemon is down for the
#    restart is committed by the next start, every byte.
# 5. dpkg -r while a daemon runs is refused (stop would leave it counting
#    into nothing); after the daemon stops, remove takes the pins and the
#    programs, and keeps the configuration and the history.
# 6. dpkg --purge: no file of the package, no state, no pins, no unit link;
#    the user pdtt stays (Debian keeps system users) and the test deletes it.
. "$(dirname "$0")/lib.sh"

BUILD=$(dirname "$(readlink -f "$PDTT_BIN")")
SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt")
[ -n "$SRC" ] || fail "no CMakeCache.txt beside $PDTT_BIN"
for tool in dpkg-buildpackage dh lintian dpkg-parsechangelog man; do
	command -v "$tool" >/dev/null || fail "missing tool: $tool (scripts/setup.sh deps installs it)"
done
VERSION=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
PINS=/sys/fs/bpf/pdtt # the installed configuration's (the default)
pkg_status() { dpkg-query -W -f='${Status}' pdtt 2>/dev/null || true; }
case $(pkg_status) in "" | *not-installed) ;; *) fail "a pdtt package is here already ($(pkg_status)): dpkg --purge pdtt first" ;; esac
[ ! -e "$PINS" ] || fail "$PINS exists: a pdtt daemon is installed here; this test installs its own"
[ ! -e /etc/pdtt.conf ] && [ ! -e /var/lib/pdtt ] || fail "/etc/pdtt.conf or /var/lib/pdtt exists already"
HAD_USER=""
getent passwd pdtt >/dev/null && HAD_USER=1
INSTALLED=""
package_cleanup() {
	local rc=$?
	set +e
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -9 "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
	fi
	"$PDTT_BIN" stop --pin-dir "$PINS" >/dev/null 2>&1
	[ -z "$INSTALLED" ] || dpkg --purge pdtt >/dev/null 2>&1
	[ -n "$HAD_USER" ] || ! getent passwd pdtt >/dev/null || userdel pdtt 2>/dev/null
	getent group pdtt >/dev/null && [ -z "$HAD_USER" ] && groupdel pdtt 2>/dev/null
	cleanup $rc
}
trap package_cleanup EXIT

# 1. Build and lint.
mkdir -p "$T/pkg/pdtt-$VERSION"
tar -C "$SRC" -c --exclude='./build*' --exclude='./obj-*' --exclude=./.git --exclude=./pdtt_xdp_user \
	--exclude=./debian/pdtt --exclude=./debian/.debhelper . |
	tar -C "$T/pkg/pdtt-$VERSION" -x
(cd "$T/pkg/pdtt-$VERSION" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -b -us -uc) \
	>"$T/build.log" 2>&1 || fail "dpkg-buildpackage: $(tail -15 "$T/build.log")"
DEB="$T/pkg/pdtt_${VERSION}_$(dpkg --print-architecture).deb"
[ -f "$DEB" ] || fail "no $DEB: $(ls "$T/pkg")"
lintian --pedantic -I --fail-on error,warning "$T/pkg/pdtt_${VERSION}_$(dpkg --print-architecture).changes" \
	>"$T/lintian" 2>&1 || fail "lintian: $(cat "$T/lintian")"
! grep -E '^[EW]: ' "$T/lintian" || fail "lintian errors or warnings: $(cat "$T/lintian")"
# an override without a comment above it explains nothing
overrides=("$SRC"/debian/*lintian-overrides)
if [ -e "${overrides[0]}" ]; then
	awk '/^#/ { c = 1; next } /^[[:space:]]*$/ { c = 0; next } !c { print FILENAME ": " $0; bad = 1 }
		END { exit bad }' "${overrides[@]}" >"$T/unexplained" || fail "lintian overrides without a reason: $(cat "$T/unexplained")"
	# each override is used: lintian would say 'unused-override' (an info)
	! grep -q 'unused-override' "$T/lintian" || fail "an override lintian no longer needs: $(grep unused-override "$T/lintian")"
fi
pass "dpkg-buildpackage built $(basename "$DEB"); lintian --pedantic: $(grep -c . "$T/lintian") lines, none an error or warning"

# 2. Install.
dpkg -i "$DEB" >"$T/dpkg.out" 2>&1 || fail "dpkg -i: $(cat "$T/dpkg.out")"
INSTALLED=1
pw=$(getent passwd pdtt) || fail "no user pdtt after dpkg -i"
IFS=: read -r _ _ PDTT_UID _ _ home shell <<<"$pw"
[ "$PDTT_UID" -gt 0 ] && [ "$PDTT_UID" -lt 1000 ] || fail "pdtt is uid $PDTT_UID, not a system user"
[ "$home" = /var/lib/pdtt ] && [ "$shell" = /usr/sbin/nologin ] || fail "pdtt: home $home, shell $shell"
for d in /var/lib/pdtt /var/log/pdtt; do
	[ -d "$d" ] || fail "postinst made no $d"
done
dpkg -L pdtt | while read -r f; do [ -d "$f" ] || echo "$f"; done | sort >"$T/files"
sort >"$T/want" <<EOF
/etc/logrotate.d/pdtt
/etc/pdtt.conf
/lib/systemd/system/pdtt.service
/usr/lib/sysusers.d/pdtt.conf
/usr/sbin/pdtt
/usr/sbin/pdtt_xdp_user
/usr/share/doc/pdtt/QUOTAS.md.gz
/usr/share/doc/pdtt/README.md
/usr/share/doc/pdtt/REPORT.md.gz
/usr/share/doc/pdtt/SCHEMA.md.gz
/usr/share/doc/pdtt/changelog.gz
/usr/share/doc/pdtt/copyright
/usr/share/lintian/overrides/pdtt
/usr/share/man/man5/pdtt.db.5.gz
/usr/share/man/man8/pdtt.8.gz
/usr/share/man/man8/pdtt_xdp_user.8.gz
/usr/share/pdtt/reports/daily.sql
/usr/share/pdtt/reports/hourly.sql
/usr/share/pdtt/reports/monthly.sql
/usr/share/pdtt/reports/top-users.sql
/usr/share/pdtt/reports/weekly.sql
/usr/share/pdtt/prometheus/pdtt.rules.yml
EOF
diff "$T/want" "$T/files" >"$T/diff" || fail "the package's files differ (- wanted, + got): $(cat "$T/diff")"
for f in $(cat "$T/files"); do [ -e "$f" ] || fail "$f is not installed"; done
grep -qx /etc/pdtt.conf /var/lib/dpkg/info/pdtt.conffiles || fail "/etc/pdtt.conf is not a conffile"
[ -L /etc/systemd/system/multi-user.target.wants/pdtt.service ] ||
	fail "the unit is not enabled (deb-systemd-helper): $(ls -l /etc/systemd/system/multi-user.target.wants/ 2>&1)"
systemd-analyze verify /lib/systemd/system/pdtt.service >"$T/verify" 2>&1 && [ ! -s "$T/verify" ] ||
	fail "systemd-analyze verify: $(cat "$T/verify")"
[ "$(pdtt_xdp_user --version)" = "pdtt_xdp_user $VERSION" ] || fail "--version: $(pdtt_xdp_user --version)"
[ "$(pdtt --version)" = "pdtt $VERSION" ] || fail "pdtt --version: $(pdtt --version)"
pdtt --help >"$T/help" || fail "pdtt --help exits $?"
head -n 1 "$T/help" | grep -q '^Usage: pdtt -i ' || fail "pdtt --help: $(head -n 2 "$T/help")"
for c in stop check report quota audit help; do
	grep -Eq "^  $c +[a-z]" "$T/help" || fail "pdtt --help has no line for $c"
done
# (man -w follows pdtt.8's link to the page)
[ "$(man -w pdtt_xdp_user)" = /usr/share/man/man8/pdtt_xdp_user.8.gz ] &&
	[ "$(man -w pdtt)" = /usr/share/man/man8/pdtt_xdp_user.8.gz ] &&
	[ "$(man -w 5 pdtt.db)" = /usr/share/man/man5/pdtt.db.5.gz ] || fail "man -w finds $(man -w pdtt_xdp_user pdtt 5 pdtt.db 2>&1)"
MANWIDTH=80 man pdtt 2>"$T/man.err" | col -b >"$T/man" || fail "man pdtt: $(cat "$T/man.err")"
grep -q '^CONFIGURATION FILE' "$T/man" || fail "man pdtt shows no CONFIGURATION FILE section: $(head -5 "$T/man")"
pass "dpkg -i: system user pdtt (uid $PDTT_UID), /var/lib/pdtt and /var/log/pdtt, $(wc -l <"$T/files") files, the unit enabled, both names and their pages"

# 3. The installed daemon, as the unit runs it, with the installed
# configuration (every interface; its interval edited to 1 s).
grep -qx 'interval = 10' /etc/pdtt.conf || fail "the installed /etc/pdtt.conf has no 'interval = 10'"
sed -i 's/^interval = 10$/interval = 1/' /etc/pdtt.conf
UNIT=/lib/systemd/system/pdtt.service
read -r -a ARGV <<<"$(sed -n 's/^ExecStart=//p' "$UNIT")"
[ "${ARGV[*]}" = "/usr/sbin/pdtt_xdp_user --config /etc/pdtt.conf" ] || fail "ExecStart=${ARGV[*]}"
DB=/var/lib/pdtt/pdtt.db
setup_netns
run_unit "$UNIT" "" "${ARGV[@]}"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$DAEMON_PID/status")" = "$PDTT_UID" ] || fail "the daemon does not run as pdtt"
[ -d "$PINS/1" ] || fail "nothing pinned in $PINS: $(cat "$T/stderr")"
sent() { dbq "SELECT coalesce(sum(tx_bytes), 0) FROM samples WHERE uid = $1"; }
wait_sent() { # U1_BYTES U2_BYTES: until the database has them
	local i=0
	until [ "$(sent $U1) $(sent $U2)" = "$1 $2" ]; do
		i=$((i + 1))
		[ $i -lt 150 ] || fail "stored U1 $(sent $U1), U2 $(sent $U2); sent $1 and $2: $(tail -5 "$T/stderr")"
		sleep 0.1
	done
}
send_udp $U1 100 1000 7701
send_udp $U2 30 1400 7702
u1=$((100 * 1028))
u2=$((30 * 1428))
wait_sent $u1 $u2
pdtt report --config /etc/pdtt.conf --user $U1 --format csv --bytes --last 1h >"$T/report" 2>"$T/report.err" ||
	fail "pdtt report --config: $(cat "$T/report")"
grep -q ",$u1," "$T/report" || fail "pdtt report shows no $u1 bytes for U1: $(cat "$T/report")"
pass "the installed daemon (uid pdtt, interface = all) counts U1 $u1 and U2 $u2 bytes exactly; pdtt report --config reads them"
# The commands with --config: the installed file's db and pin-dir (check
# finds the running daemon through both); a bad file refused with its line,
# also when -d wins, with each command's status.
pdtt check --nagios --config /etc/pdtt.conf >"$T/check" || fail "check --config exits $?: $(cat "$T/check")"
grep -q "^PDTT OK - daemon pid $DAEMON_PID holds $DB;" "$T/check" || fail "check --config: $(cat "$T/check")"
pdtt quota set --all 1GiB --per month --config /etc/pdtt.conf >/dev/null || fail "quota set --config exits $?"
[ "$(dbq "SELECT count(*) FROM quotas")" = 1 ] || fail "quota set --config did not write $DB"
printf 'interval = 5\nintervall = 5\n' >"$T/bad.conf"
for cmd in "report -d $DB" "quota list -d $DB" "audit -d $DB" "check --nagios -d $DB --pin-dir $PINS" "stop --pin-dir $PINS"; do
	want=2 said=err # check says it on its plugin line, the others on stderr
	case $cmd in audit*) want=3 ;; check*) want=3 said=out ;; esac
	rc=0
	# shellcheck disable=SC2086
	pdtt $cmd --config "$T/bad.conf" >"$T/out" 2>"$T/err" || rc=$?
	[ $rc = $want ] && grep -q "$T/bad.conf:2: 'intervall': not a configuration key" "$T/$said" ||
		fail "pdtt $cmd --config (a bad file): exit $rc, wanted $want: $(cat "$T/out" "$T/err")"
done
[ -d "$PINS/1" ] || fail "stop with a bad file removed the pins"
pdtt quota rm --all --per month --config /etc/pdtt.conf >/dev/null || fail "quota rm --config exits $?"
pass "check, quota set/rm --config: the installed file's database and pins; a bad file refused at its line by report, quota, audit, check (on its plugin line) and stop"

# 4. Upgrade: a newer version of the same package, while the daemon runs.
dpkg-deb -R "$DEB" "$T/v2"
sed -i "s/^Version: .*/Version: $VERSION+test1/" "$T/v2/DEBIAN/control"
dpkg-deb -b "$T/v2" "$T/pdtt-v2.deb" >/dev/null || fail "dpkg-deb -b"
dpkg -i "$T/pdtt-v2.deb" >"$T/dpkg.out" 2>&1 || fail "dpkg -i (upgrade): $(cat "$T/dpkg.out")"
[ "$(dpkg-query -W -f='${Version}' pdtt)" = "$VERSION+test1" ] || fail "not upgraded"
[ -d "$PINS/1" ] || fail "the upgrade removed the pins"
grep -qx 'interval = 1' /etc/pdtt.conf || fail "the upgrade replaced the edited /etc/pdtt.conf"
# what systemd's restart after the upgrade does: stop, then start; the
# traffic in between is counted by the kernel alone
stop_daemon TERM
send_udp $U1 50 700 7703
u1=$((u1 + 50 * 728))
run_unit "$UNIT" "" "${ARGV[@]}"
send_udp $U2 10 300 7704
u2=$((u2 + 10 * 328))
wait_sent $u1 $u2
pass "upgrade to $VERSION+test1: pins kept, the edited configuration kept, the restart's gap committed (U1 $u1, U2 $u2)"

# 5. Remove: refused while a daemon runs, then the pins go with the package.
dpkg -r pdtt >"$T/dpkg.out" 2>&1 && fail "dpkg -r succeeded with a daemon running: $(cat "$T/dpkg.out")"
grep -q "a pdtt daemon is running" "$T/dpkg.out" || fail "dpkg -r did not say why: $(cat "$T/dpkg.out")"
# (dpkg marks it to be removed, "deinstall", but leaves it installed)
case $(pkg_status) in *" ok installed") ;; *) fail "a refused remove left pdtt $(pkg_status)" ;; esac
[ -x /usr/sbin/pdtt_xdp_user ] && [ -d "$PINS/1" ] || fail "a refused remove took the program or the pins"
stop_daemon TERM
dpkg -r pdtt >"$T/dpkg.out" 2>&1 || fail "dpkg -r: $(cat "$T/dpkg.out")"
[ ! -e "$PINS" ] || fail "remove left $PINS: $(ls -R "$PINS")"
[ -z "$(comm -13 "$T/base-prog-ids" <(pdtt_prog_ids))" ] || sleep 1
[ -z "$(comm -13 "$T/base-prog-ids" <(pdtt_prog_ids))" ] || fail "pdtt programs still loaded after remove"
[ ! -e /usr/sbin/pdtt_xdp_user ] && [ ! -e /usr/sbin/pdtt ] || fail "remove left the programs"
[ -f /etc/pdtt.conf ] && [ -f "$DB" ] || fail "remove took the configuration or the history"
[ "$(sent $U1)" = $u1 ] || fail "the history after remove: U1 $(sent $U1)"
pass "dpkg -r: refused while the daemon ran; then pins and programs gone, configuration and history kept"

# 6. Purge.
dpkg --purge pdtt >"$T/dpkg.out" 2>&1 || fail "dpkg --purge: $(cat "$T/dpkg.out")"
INSTALLED=""
left=()
for f in $(cat "$T/files") /var/lib/pdtt /var/log/pdtt /etc/systemd/system/multi-user.target.wants/pdtt.service \
	/var/lib/systemd/deb-systemd-helper-enabled/pdtt.service.dsh-also "$PINS"; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || left+=("$f")
done
[ ${#left[@]} = 0 ] || fail "purge left ${left[*]}"
case $(pkg_status) in "" | *not-installed) ;; *) fail "dpkg still knows pdtt: $(pkg_status)" ;; esac
owned=$(find /etc /var /usr /lib /run /tmp /sys/fs/bpf -xdev -uid "$PDTT_UID" 2>/dev/null | { grep -v "^$T" || true; } | head -5)
[ -z "$owned" ] || fail "files of pdtt left after purge: $owned"
getent passwd pdtt >/dev/null || fail "purge deleted the user pdtt (Debian keeps system users)"
pass "dpkg --purge: no file, state, pin or unit link left; the user pdtt kept, as Debian does"
