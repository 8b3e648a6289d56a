#!/usr/bin/env bash
# Prometheus metrics (issue 17) against a real Prometheus server (Debian's
# prometheus package), started by the test on NS_A's loopback with a 1 s
# scrape interval and basic auth against the daemon, which runs unprivileged
# (--user) and counts va.
# 1. A bad password file (mode 0640) is refused at start, nothing attached.
# 2. After UDP of two users, PromQL through Prometheus's HTTP API gives each
#    user's counters exactly: payload arithmetic (datagram + 28 bytes of IP
#    and UDP header), and the samples in the database (the test's own SQL).
#    The named user's info series carries the name.
# 3. No password, a wrong one: 401 with a Basic challenge; promtool check
#    metrics passes on the text exposition; OpenMetrics ends with # EOF when
#    asked for; gzip when asked for.
# 4. Every thread of the daemon (the HTTP one too) has no capabilities.
# 5. The textfile: mode 0640, the given group, always complete while it is
#    rewritten every interval (a new inode each time), no temp file left.
# 6. A restart between scrapes, with traffic while the daemon is down, and
#    then a recreated map ('stop' between two runs): resets() is 0 and the
#    counters go on from the database's totals; one series per uid.
# 7. --metrics-per-interface: the counters per interface, filled from the
#    history when it is first given.
# The recording rules (dist/prometheus/pdtt.rules.yml) pass promtool check
# rules and promtool test rules, and the test's Prometheus loads them.
. "$(dirname "$0")/lib.sh"

for tool in prometheus promtool curl jq useradd groupadd; do
	command -v "$tool" >/dev/null || fail "missing tool: $tool (scripts/setup.sh deps installs it)"
done
PIN_ROOT=/sys/fs/bpf/pdtt-test-$$
DB="$T/db/pdtt.db"
MUSER="pdttm$$"
MGROUP="pdttg$$"
PROM_PID=""
metrics_cleanup() {
	local rc=$?
	set +e
	if [ -n "$PROM_PID" ]; then
		kill "$PROM_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$PROM_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$PROM_PID" 2>/dev/null
		wait "$PROM_PID" 2>/dev/null
	fi
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -9 "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
	fi
	[ $rc -eq 0 ] || [ ! -f "$T/prom.log" ] || { echo "--- prometheus (tail)"; tail -n 20 "$T/prom.log"; } >&2
	getent passwd "$MUSER" >/dev/null && userdel "$MUSER" 2>/dev/null
	getent group "$MGROUP" >/dev/null && groupdel "$MGROUP" 2>/dev/null
	cleanup $rc
}
trap metrics_cleanup EXIT

setup_netns
groupadd -r "$MGROUP" || fail "groupadd $MGROUP"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin -G "$MGROUP" "$MUSER" || fail "useradd $MUSER"
UN=$(id -u "$MUSER") # the named user: also moves data

PASS=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
printf '# the scrapers\nprometheus:%s\n' "$PASS" >"$T/auth"
chmod 600 "$T/auth"
mkdir -m 700 "$T/prom"
printf '%s' "$PASS" >"$T/prom/pass"
install -d -o root -g "$MGROUP" -m 0775 "$T/tf"
TF="$T/tf/pdtt.prom"
PORT=9977
URL="http://127.0.0.1:$PORT/metrics"
DAEMON_ARGS=(-i va -t 1 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT" --user "$MUSER"
	--metrics "127.0.0.1:$PORT" --metrics-auth "$T/auth" --metrics-textfile "$TF"
	--metrics-textfile-group "$MGROUP")

# 1. A password file others may read is refused before anything is attached.
cp -p "$T/auth" "$T/auth.open"
chmod 640 "$T/auth.open"
rc=0
nsenter --net="/run/netns/$NS_A" "$PDTT_BIN" -i va -t 1 -l "$T/log.x" -d "$T/x.db" --pin-dir "$PIN_ROOT" \
	--metrics "127.0.0.1:$PORT" --metrics-auth "$T/auth.open" 2>"$T/bad" || rc=$?
[ $rc -eq 2 ] || fail "a mode 0640 password file: exit $rc, not 2: $(cat "$T/bad")"
grep -q "metrics-auth '$T/auth.open': mode 0640 lets others read the passwords; chmod 600 it" "$T/bad" ||
	fail "a mode 0640 password file: $(cat "$T/bad")"
[ ! -e "$PIN_ROOT" ] || fail "a refused start left pins in $PIN_ROOT"

start_daemon "$NS_A" "${DAEMON_ARGS[@]}"
wait_file "$TF"

cat >"$T/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: pdtt
    static_configs:
      - targets: ['127.0.0.1:$PORT']
    basic_auth:
      username: prometheus
      password_file: $T/prom/pass
EOF
SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
RULES="$SRC_DIR/dist/prometheus/pdtt.rules.yml"
promtool check rules "$RULES" >"$T/promcheck" 2>&1 || fail "promtool check rules: $(cat "$T/promcheck")"
(cd "$SRC_DIR/tests/prometheus" && promtool test rules pdtt.rules.test.yml) >"$T/promcheck" 2>&1 ||
	fail "promtool test rules: $(cat "$T/promcheck")"
cat >>"$T/prom/prometheus.yml" <<EOF
rule_files:
  - $RULES
EOF
promtool check config "$T/prom/prometheus.yml" >"$T/promcheck" 2>&1 || fail "promtool check config: $(cat "$T/promcheck")"
ip netns exec "$NS_A" prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
	--web.listen-address=127.0.0.1:9090 --log.level=warn >"$T/prom.log" 2>&1 &
PROM_PID=$!
i=0
until ip netns exec "$NS_A" curl -sf http://127.0.0.1:9090/-/ready >/dev/null 2>&1; do
	kill -0 "$PROM_PID" 2>/dev/null || fail "prometheus exited: $(tail -n 5 "$T/prom.log")"
	i=$((i + 1))
	[ $i -lt 300 ] || fail "prometheus not ready after 30 s"
	sleep 0.1
done

n=$(ip netns exec "$NS_A" curl -sf http://127.0.0.1:9090/api/v1/rules | jq '[.data.groups[].rules[]] | length')
[ "$n" = 4 ] || fail "Prometheus loaded $n of the 4 recording rules"

promq() { # PROMQL -> the first result's value ("" when none, "ERROR" when the query failed)
	local out
	out=$(ip netns exec "$NS_A" curl -sf --get --data-urlencode "query=$1" http://127.0.0.1:9090/api/v1/query) &&
		jq -er 'if .status == "success" then (.data.result[0].value[1] // "") else error end' <<<"$out" ||
		echo ERROR
}
wait_prom() { # PROMQL WANT: until Prometheus answers WANT (at most 30 s)
	local i=0 got=""
	while got=$(promq "$1") && [ "$got" != "$2" ]; do
		i=$((i + 1))
		[ $i -lt 150 ] || fail "Prometheus: $1 = '${got}', not $2 after 30 s"
		sleep 0.2
	done
}
scrape() { ip netns exec "$NS_A" curl -s "$@"; }

# 2. Two users' traffic, counted exactly through Prometheus.
send_udp $U1 100 1000 7001            # U1 sends 100 x 1000 over va
udp_pair "$NS_A" "$UN" "$NS_B" $U3 10.99.1.1 7002 42 992 # the named user receives 42 x 992
U1_TX=$((100 * 1028)) UN_RX=$((42 * 1020))
wait_prom "pdtt_user_transmit_bytes_total{uid=\"$U1\"}" $U1_TX
wait_prom "pdtt_user_transmit_packets_total{uid=\"$U1\"}" 100
wait_prom "pdtt_user_receive_bytes_total{uid=\"$UN\"}" $UN_RX
wait_prom "pdtt_user_receive_packets_total{uid=\"$UN\"}" 42
wait_prom "pdtt_user_receive_bytes_total{uid=\"$U1\"}" 0
[ "$(dbq "SELECT sum(tx_bytes) FROM samples WHERE uid = $U1")" = $U1_TX ] ||
	fail "the database's samples hold $(dbq "SELECT sum(tx_bytes) FROM samples WHERE uid = $U1") for U1, Prometheus $U1_TX"
[ "$(dbq "SELECT sum(rx_bytes) || ' ' || sum(rx_packets) FROM samples WHERE uid = $UN")" = "$UN_RX 42" ] ||
	fail "the database's samples differ from Prometheus for uid $UN"
[ "$(promq "pdtt_user_info{uid=\"$UN\",user=\"$MUSER\"}")" = 1 ] || fail "no pdtt_user_info for $MUSER"
[ -z "$(promq "pdtt_user_info{uid=\"$U1\"}")" ] || fail "an info series for a uid without a name"
[ "$(promq 'up{job="pdtt"}')" = 1 ] || fail "the target is not up"
[ "$(promq 'pdtt_build_info')" = 1 ] || fail "no pdtt_build_info"
pass "Prometheus has U1 tx $U1_TX bytes / 100 packets and $MUSER rx $UN_RX / 42, as the arithmetic and the samples"

# 3. The password, promtool, OpenMetrics, gzip.
code=$(scrape -o /dev/null -w '%{http_code}' "$URL")
[ "$code" = 401 ] || fail "a scrape without the password: HTTP $code, not 401"
scrape -D "$T/h401" -o /dev/null -u "prometheus:wrong$PASS" "$URL"
grep -q '^HTTP/1.1 401' "$T/h401" && grep -qi '^WWW-Authenticate: Basic realm="pdtt"' "$T/h401" ||
	fail "a wrong password: $(cat "$T/h401")"
code=$(scrape -o /dev/null -w '%{http_code}' -u "prom:$PASS" "$URL")
[ "$code" = 401 ] || fail "the password under another user name: HTTP $code"
scrape -f -u "prometheus:$PASS" -D "$T/htext" "$URL" >"$T/text" || fail "a scrape with the password failed"
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' "$T/htext" || fail "text content type: $(cat "$T/htext")"
promtool check metrics <"$T/text" >"$T/lint" 2>&1 || fail "promtool check metrics: $(cat "$T/lint")"
[ ! -s "$T/lint" ] || fail "promtool check metrics: $(cat "$T/lint")"
grep -qx "pdtt_user_transmit_bytes_total{uid=\"$U1\"} $U1_TX" "$T/text" || fail "the text exposition lacks U1's counter"
scrape -f -u "prometheus:$PASS" -H 'Accept: application/openmetrics-text; version=1.0.0' -D "$T/hom" "$URL" >"$T/om"
grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0' "$T/hom" || fail "OpenMetrics content type: $(cat "$T/hom")"
[ "$(tail -n 1 "$T/om")" = "# EOF" ] || fail "OpenMetrics does not end with # EOF"
grep -qx '# TYPE pdtt_user_transmit_bytes counter' "$T/om" || fail "OpenMetrics counter family"
scrape -f -u "prometheus:$PASS" --compressed -D "$T/hgz" "$URL" >"$T/gz"
grep -qi '^Content-Encoding: gzip' "$T/hgz" || fail "no gzip when asked for: $(cat "$T/hgz")"
promtool check metrics <"$T/gz" >"$T/lint" 2>&1 && [ ! -s "$T/lint" ] || fail "the gzip page: $(cat "$T/lint")"
pass "401 without the password or with a wrong one; promtool clean; OpenMetrics and gzip on request"

# 4. No thread keeps a capability, the HTTP server's included.
threads=0
for s in /proc/"$DAEMON_PID"/task/*/status; do
	threads=$((threads + 1))
	awk -v u="$UN" '/^Uid:/ { if ($2 != u || $3 != u) exit 1 }
		/^Cap(Inh|Prm|Eff|Bnd|Amb):/ { if ($2 != "0000000000000000") exit 1 }' "$s" ||
		fail "thread $(dirname "$s"): $(grep -E '^(Uid|Cap)' "$s" | tr '\n' ' ')"
done
[ $threads -ge 3 ] || fail "only $threads threads: no HTTP server thread?"
pass "$threads threads, all uid $UN with no capabilities"

# 5. The textfile: complete at every read while it is replaced each interval.
[ "$(stat -c '%a %U %G' "$TF")" = "640 $MUSER $MGROUP" ] || fail "textfile: $(stat -c '%a %U %G' "$TF")"
inodes=$(stat -c %i "$TF") reads=0
end=$((SECONDS + 4))
while [ $SECONDS -lt $end ]; do
	cp "$TF" "$T/tf.read"
	[ "$(tail -n 1 "$T/tf.read")" = "pdtt_active_window_seconds 3024000" ] || fail "a torn textfile: $(tail -c 200 "$T/tf.read")"
	i=$(stat -c %i "$TF")
	case " $inodes " in *" $i "*) ;; *) inodes="$inodes $i" ;; esac
	reads=$((reads + 1))
	sleep 0.02
done
set -- $inodes
[ $# -ge 3 ] || fail "the textfile was not replaced each interval (inodes: $inodes)"
promtool check metrics <"$T/tf.read" >"$T/lint" 2>&1 && [ ! -s "$T/lint" ] || fail "the textfile: $(cat "$T/lint")"
grep -qx "pdtt_user_transmit_bytes_total{uid=\"$U1\"} $U1_TX" "$T/tf.read" || fail "the textfile lacks U1's counter"
pass "textfile 0640 $MUSER:$MGROUP, $reads reads all complete over $# files"

# 6. A restart between scrapes, traffic while down, then a new map.
stop_daemon TERM
send_udp $U1 50 500 7003
sleep 3 # scrapes fail meanwhile
start_daemon "$NS_A" "${DAEMON_ARGS[@]}"
U1_TX=$((U1_TX + 50 * 528))
wait_prom "pdtt_user_transmit_bytes_total{uid=\"$U1\"}" $U1_TX
[ "$(promq 'min_over_time(up{job="pdtt"}[10m])')" = 0 ] || fail "no failed scrape while the daemon was down"
stop_daemon TERM
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" 2>"$T/stop" || fail "stop: $(cat "$T/stop")"
start_daemon "$NS_A" "${DAEMON_ARGS[@]}"
send_udp $U1 20 300 7004
udp_pair "$NS_A" "$UN" "$NS_B" $U3 10.99.1.1 7005 10 100
U1_TX=$((U1_TX + 20 * 328)) UN_RX=$((UN_RX + 10 * 128))
wait_prom "pdtt_user_transmit_bytes_total{uid=\"$U1\"}" $U1_TX
wait_prom "pdtt_user_receive_bytes_total{uid=\"$UN\"}" $UN_RX
for m in pdtt_user_transmit_bytes_total pdtt_user_receive_bytes_total pdtt_user_transmit_packets_total \
	pdtt_user_receive_packets_total; do
	for u in $U1 $UN; do
		r=$(promq "resets($m{uid=\"$u\"}[10m])")
		[ "$r" = 0 ] || fail "resets($m{uid=\"$u\"}) = '$r' across a restart and a new map"
		n=$(promq "count(count_over_time($m{uid=\"$u\"}[10m]))")
		[ "$n" = 1 ] || fail "$m{uid=\"$u\"}: $n series over the test, not 1"
	done
done
[ "$(promq 'changes(pdtt_start_time_seconds[10m])')" -ge 2 ] || fail "Prometheus did not see both restarts"
[ "$(dbq "SELECT sum(tx_bytes) FROM samples WHERE uid = $U1")" = $U1_TX ] || fail "the samples and Prometheus differ after the restarts"
pass "a restart and a new map: U1 tx $U1_TX, no resets, one series per uid"
stop_daemon TERM

# 7. Per interface: filled from the history when asked for, then kept.
start_daemon "$NS_A" "${DAEMON_ARGS[@]}" --metrics-per-interface
send_udp $U1 5 100 7006
U1_TX=$((U1_TX + 5 * 128))
i=0
while ! scrape -sf -u "prometheus:$PASS" "$URL" >"$T/text" ||
	! grep -qx "pdtt_user_transmit_bytes_total{uid=\"$U1\",interface=\"va\",netns=\"host\"} $U1_TX" "$T/text"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "per interface: $(grep "transmit_bytes_total{uid=\"$U1\"" "$T/text")"
	sleep 0.1
done
promtool check metrics <"$T/text" >"$T/lint" 2>&1 && [ ! -s "$T/lint" ] || fail "per interface: $(cat "$T/lint")"
[ "$(dbq "SELECT value FROM meta WHERE key = 'interface_totals'")" = 1 ] || fail "meta interface_totals is not 1"
pass "per interface: U1 tx $U1_TX on va, from the history and the new traffic"
stop_daemon TERM
ls "$T/tf" | grep -v '^pdtt.prom$' && fail "files left beside the textfile"
pass "done"
