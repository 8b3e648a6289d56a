#!/usr/bin/env bash
# ssh sessions are counted for the user who logged in, not for root.
# The test's own OpenSSH server runs in NS_A (10.99.1.1:2222); bob's clients
# in NS_B log in as alice and move a 30 MB file with scp, sftp, rsync and a
# plain ssh command.  The daemon runs in NS_A and counts only va.  Each phase
# has a fresh daemon, so its console totals are that phase alone, and is
# checked against va's own device counters (offloads off: one device packet
# is one wire packet, IP bytes = bytes - 14 * packets):
#   a. the uids' totals add up to the device delta exactly;
#   b. root (the listener and monitor) and the privilege-separation user sshd
#      (pre-authentication) together get at most BOUND bytes per connection,
#      and nobody but alice, root and sshd gets anything;
#   c. alice gets the rest, at least the payload she moved each way.
. "$(dirname "$0")/lib.sh"

BOUND=16384 # root + sshd bytes (rx + tx) allowed per ssh connection
SIZE=30000000
PORT=2222
SERVER=10.99.1.1

for tool in /usr/sbin/sshd ssh scp sftp ssh-keygen rsync useradd userdel ss cmp; do
	command -v "$tool" >/dev/null || fail "missing tool: $tool (scripts/setup.sh installs it)"
done

# "alice" (USER_A) owns the server side of every session, "bob" (USER_B)
# runs the clients.
USER_A="pdtt-a$$"
USER_B="pdtt-b$$"
MADE_USERS=()
MADE_RUN_SSHD=""
SSHD_PID=""

sshd_cleanup() {
	local rc=$1 u p i
	[ "$rc" -eq 0 ] || [ ! -f "$T/sshd.log" ] || { echo "--- $T/sshd.log (tail)"; tail -n 30 "$T/sshd.log"; } >&2
	if [ -n "$SSHD_PID" ]; then
		kill -9 "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
	fi
	for ns in "$NS_A" "$NS_B"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
	done
	for u in "${MADE_USERS[@]}"; do
		for p in $(ps -o pid= -u "$u" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	for u in "${MADE_USERS[@]}"; do
		i=0
		while [ -n "$(ps -o pid= -u "$u" 2>/dev/null)" ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		userdel "$u" 2>/dev/null || userdel -f "$u" 2>/dev/null ||
			echo "sshd.sh: could not delete user $u" >&2
	done
	[ -z "$MADE_RUN_SSHD" ] || rmdir /run/sshd 2>/dev/null
}
trap 'rc=$?; set +e; sshd_cleanup $rc; cleanup $rc' EXIT

# --- users, keys, server --------------------------------------------------
make_user() { # NAME HOME
	getent passwd "$1" >/dev/null && fail "user $1 exists already"
	# Password '*', not useradd's '!': without PAM, sshd refuses accounts
	# whose password field marks them locked.
	useradd -M -d "$2" -s /bin/sh -p '*' "$1" || fail "useradd $1"
	MADE_USERS+=("$1")
	mkdir -m 755 "$2" "$2/.ssh"
	ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$2/.ssh/id_ed25519"
	chown -R "$1:" "$2"
	chmod 600 "$2/.ssh/id_ed25519"
}
HA=$T/home-a
HB=$T/home-b
make_user "$USER_A" "$HA"
make_user "$USER_B" "$HB"
# bob logs in as alice with his own key; alice's own key works as well.
cat "$HA/.ssh/id_ed25519.pub" "$HB/.ssh/id_ed25519.pub" >"$HA/.ssh/authorized_keys"
cat "$HB/.ssh/id_ed25519.pub" >"$HB/.ssh/authorized_keys"
chown "$USER_A:" "$HA/.ssh/authorized_keys"
chown "$USER_B:" "$HB/.ssh/authorized_keys"
UID_A=$(id -u "$USER_A")
UID_B=$(id -u "$USER_B")
GID_B=$(id -g "$USER_B")
UID_SSHD=$(getent passwd sshd | cut -d: -f3)
[ -n "$UID_SSHD" ] || fail "no sshd user (privilege separation) in passwd: is openssh-server installed?"

head -c $SIZE /dev/urandom >"$T/payload"
chmod 644 "$T/payload"
install -o "$USER_A" -m 644 "$T/payload" "$HA/src"

if [ ! -d /run/sshd ]; then
	mkdir -m 755 /run/sshd
	MADE_RUN_SSHD=1
fi
ssh-keygen -q -t ed25519 -N '' -f "$T/host_key"
cat >"$T/sshd_config" <<EOF
Port $PORT
ListenAddress $SERVER
HostKey $T/host_key
PidFile $T/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin no
AuthorizedKeysFile %h/.ssh/authorized_keys
Subsystem sftp internal-sftp
UseDNS no
LogLevel VERBOSE
EOF
/usr/sbin/sshd -t -f "$T/sshd_config" || fail "sshd rejects the test's configuration"

setup_netns
ip netns exec "$NS_A" /usr/sbin/sshd -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
SSHD_PID=$!
BG_PIDS+=("$SSHD_PID")
i=0
until ip netns exec "$NS_A" ss -Hltn "sport = :$PORT" | grep -q .; do
	kill -0 "$SSHD_PID" 2>/dev/null || fail "sshd exited at start: $(cat "$T/sshd.log")"
	sleep 0.05
	i=$((i + 1))
	[ $i -lt 200 ] || fail "sshd does not listen on $SERVER:$PORT: $(cat "$T/sshd.log")"
done

# --- clients: bob in NS_B -------------------------------------------------
SSH_OPTS=(-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o BatchMode=yes -o ControlMaster=no -o ControlPath=none -o IdentitiesOnly=yes
	-o LogLevel=ERROR -i "$HB/.ssh/id_ed25519")
as_bob() {
	ip netns exec "$NS_B" setpriv --reuid="$UID_B" --regid="$GID_B" --init-groups \
		env -i HOME="$HB" USER="$USER_B" LOGNAME="$USER_B" PATH=/usr/bin:/bin "$@"
}
DEST="$USER_A@$SERVER"

same_file() { # FILE: the payload arrived whole
	[ -f "$1" ] || fail "$PHASE: $1 was not written"
	cmp -s "$T/payload" "$1" || fail "$PHASE: $1 differs from the payload ($(stat -c %s "$1") bytes)"
}

xfer_scp_up() {
	as_bob scp "${SSH_OPTS[@]}" -P $PORT "$T/payload" "$DEST:up1" || fail "scp upload failed"
	same_file "$HA/up1"
}
# OpenSSH 9's scp speaks SFTP; -O is the old scp protocol (scp -t on the server).
xfer_scp_legacy_down() {
	as_bob scp -O "${SSH_OPTS[@]}" -P $PORT "$DEST:src" "$HB/down1" || fail "scp -O download failed"
	same_file "$HB/down1"
}
xfer_scp_down() {
	as_bob scp "${SSH_OPTS[@]}" -P $PORT "$DEST:src" "$HB/down2" || fail "scp download failed"
	same_file "$HB/down2"
}
xfer_sftp() {
	printf 'put %s up3\nget src %s\n' "$T/payload" "$HB/down3" >"$T/sftp-batch"
	as_bob sftp "${SSH_OPTS[@]}" -P $PORT -b "$T/sftp-batch" "$DEST" >/dev/null || fail "sftp batch failed"
	same_file "$HA/up3"
	same_file "$HB/down3"
}
xfer_rsync() {
	as_bob rsync -e "ssh ${SSH_OPTS[*]} -p $PORT" "$T/payload" "$DEST:up4" || fail "rsync upload failed"
	same_file "$HA/up4"
}
xfer_ssh_cat() {
	as_bob ssh "${SSH_OPTS[@]}" -p $PORT "$DEST" 'cat > up5' <"$T/payload" || fail "ssh cat failed"
	same_file "$HA/up5"
}

# --- per-uid figures --------------------------------------------------------
# Every uid on the console with its last (cumulative) figures:
# "uid rx_bytes rx_packets tx_bytes tx_packets", one line each.
console_all() {
	awk '$3 ~ /^uid=/ { split($3, u, "="); last[u[2]] = $0 }
	END {
		for (k in last) {
			n = split(last[k], f, " ")
			delete v
			for (i = 1; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
			print k, v["rx_bytes"], v["rx_packets"], v["tx_bytes"], v["tx_packets"]
		}
	}' "$T/console" | sort -n
}

fig() { # "rxB rxP txB txP" -> readable
	set -- $1
	echo "rx $1 B/$2 p, tx $3 B/$4 p"
}

# phase NAME CONNECTIONS UP_BYTES DOWN_BYTES FUNCTION
phase() {
	PHASE=$1
	local conns=$2 up=$3 down=$4 fn=$5 before after dev
	start_daemon "$NS_A" --no-db -i va -t 1 -l "$T/log"
	wait_quiet "$NS_A" va 0.5
	before=$(dev_counters "$NS_A" va)
	local t0=$SECONDS
	$fn
	wait_quiet "$NS_A" va 0.5
	after=$(dev_counters "$NS_A" va)
	stop_daemon
	set -- $before $after
	local rxp=$(($6 - $2)) txp=$(($8 - $4))
	dev="$(($5 - $1 - 14 * rxp)) $rxp $(($7 - $3 - 14 * txp)) $txp"

	grep -q WARNING "$T/console" && fail "$PHASE: $(grep WARNING "$T/console" | tail -n 1)"
	local all sum others
	all=$(console_all)
	sum=$(echo "$all" | awk '{ for (i = 2; i <= 5; i++) s[i] += $i }
		END { print s[2] + 0, s[3] + 0, s[4] + 0, s[5] + 0 }')
	local a r s rest
	a=$(console_counts "$UID_A")
	r=$(console_counts 0)
	s=$(console_counts "$UID_SSHD")
	rest=$(echo "$dev $r $s" | awk '{ print $1-$5-$9, $2-$6-$10, $3-$7-$11, $4-$8-$12 }')
	others=$(echo "$all" | awk -v a="$UID_A" -v s="$UID_SSHD" '$1 != a && $1 != 0 && $1 != s { print "uid " $1 ": " $2, $3, $4, $5 }')
	echo "$PHASE ($((SECONDS - t0)) s, $conns connection(s)):"
	echo "  device va: $(fig "$dev")"
	echo "  alice $UID_A: $(fig "$a")"
	echo "  root 0:     $(fig "$r")"
	echo "  sshd $UID_SSHD:  $(fig "$s")"
	[ -z "$others" ] || echo "  others: $others"

	# a. every packet on va is counted for somebody, exactly once.
	[ "$sum" = "$dev" ] || fail "$PHASE: uids add up to '$sum', device delta '$dev' (rxB rxP txB txP); console: $all"
	# b. the privileged parts move little, nobody else anything.
	[ -z "$others" ] || fail "$PHASE: uids other than alice, root and sshd were counted: $others"
	local priv
	priv=$(echo "$r $s" | awk '{ print $1 + $3 + $5 + $7 }')
	[ "$priv" -le $((BOUND * conns)) ] ||
		fail "$PHASE: root + sshd got $priv bytes, more than $BOUND per connection (root $r, sshd $s)"
	# c. alice gets all the rest, at least the payload each way.
	[ "$a" = "$rest" ] || fail "$PHASE: alice counted '$a', device minus root and sshd is '$rest'"
	set -- $a
	[ "$1" -ge "$up" ] || fail "$PHASE: alice received $1 bytes, less than the $up uploaded"
	[ "$3" -ge "$down" ] || fail "$PHASE: alice sent $3 bytes, less than the $down downloaded"
	pass "$PHASE: alice $a, root $r, sshd $s, device $dev (rxB rxP txB txP); root+sshd $priv bytes"
}

phase "scp upload" 1 $SIZE 0 xfer_scp_up
phase "scp download" 1 0 $SIZE xfer_scp_down
phase "scp -O download" 1 0 $SIZE xfer_scp_legacy_down
phase "sftp put+get" 1 $SIZE $SIZE xfer_sftp
phase "rsync upload" 1 $SIZE 0 xfer_rsync
phase "ssh cat upload" 1 $SIZE 0 xfer_ssh_cat

grep -q "Accepted publickey for $USER_A" "$T/sshd.log" || fail "sshd log shows no login as $USER_A"
kill -TERM "$SSHD_PID"
wait "$SSHD_PID" 2>/dev/null || true
left=()
for p in "${BG_PIDS[@]}"; do [ "$p" = "$SSHD_PID" ] || left+=("$p"); done
BG_PIDS=("${left[@]}")
SSHD_PID=""
assert_no_bpf_left
pass "all transfers worked; daemons detached"
