#!/usr/bin/env bash
# The manual pages against the program and the schema: both pages lint
# clean (mandoc -Tlint, groff -ww, man --warnings); pdtt_xdp_user(8) shows
# every long option that any --help prints, every command, every
# configuration key in CONFIGURATION FILE, every daemon exit status and the
# signals; pdtt.db(5) names every table and view the schema creates.
#   bash tests/docs/manpages.sh PDTT_BIN SOURCE_DIR
set -euo pipefail
BIN=${1:?usage: $0 PDTT_BIN SOURCE_DIR}
SRC=${2:?usage: $0 PDTT_BIN SOURCE_DIR}
T=$(mktemp -d /tmp/pdtt-man.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() {
	echo "FAIL [manpages]: $*" >&2
	exit 1
}
for tool in mandoc groff man col sqlite3; do
	command -v "$tool" >/dev/null || fail "missing tool: $tool (scripts/setup.sh deps installs it)"
done
MAN8="$SRC/man/pdtt_xdp_user.8"
MAN5="$SRC/man/pdtt.db.5"

for page in "$MAN8" "$MAN5"; do
	mandoc -Tlint -W warning "$page" >"$T/lint" 2>&1 || true
	[ ! -s "$T/lint" ] || fail "mandoc -Tlint: $(cat "$T/lint")"
	groff -mandoc -ww -z "$page" >"$T/lint" 2>&1 || fail "groff: $(cat "$T/lint")"
	[ ! -s "$T/lint" ] || fail "groff -ww: $(cat "$T/lint")"
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" \
		>/dev/null 2>"$T/lint" || fail "man -l $page: $(cat "$T/lint")"
	[ ! -s "$T/lint" ] || fail "man --warnings $page: $(cat "$T/lint")"
done
echo "ok [manpages]: both pages lint clean (mandoc -Tlint -W warning, groff -ww, man --warnings)"

# The rendered text, as a reader sees it.
mandoc -Tascii "$MAN8" | col -b >"$T/page8"
mandoc -Tascii "$MAN5" | col -b >"$T/page5"
section() { # NAME: the rendered section NAME of page 8
	awk -v s="$1" '/^[A-Z]/ { on = ($0 == s) } on' "$T/page8"
}

# every long option of every --help
{
	"$BIN" --help
	"$BIN" stop --help
	for c in check report quota audit; do "$BIN" "$c" --help; done
} >"$T/help"
grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u >"$T/options"
[ "$(wc -l <"$T/options")" -ge 40 ] || fail "only $(wc -l <"$T/options") long options in the --help texts"
missing=$(while read -r o; do grep -q -- "$o\\b" "$T/page8" || echo "$o"; done <"$T/options")
[ -z "$missing" ] || fail "pdtt_xdp_user(8) lacks options that --help shows: $(echo $missing)"

# every command the main --help lists, in COMMANDS
sed -n '/^Commands:/,/^$/p' "$T/help" | awk 'NF && $1 != "Commands:" { print $1 }' >"$T/commands"
[ "$(wc -l <"$T/commands")" -ge 6 ] || fail "the main --help lists $(wc -l <"$T/commands") commands"
section COMMANDS >"$T/commands-section"
missing=$(while read -r c; do grep -Eq "^ +$c([[:space:]]|$)" "$T/commands-section" || echo "$c"; done <"$T/commands")
[ -z "$missing" ] || fail "COMMANDS lacks: $(echo $missing)"

# every configuration key (the daemon's long options but help, version and
# config) as an item of CONFIGURATION FILE, and each accepted by the parser
"$BIN" --help | sed -n '/^Daemon options:/,/^$/p' | grep -o -- '--[a-z][a-z-]*' |
	sed 's/^--//' | grep -vx 'help\|version\|config' | sort -u >"$T/keys"
[ "$(wc -l <"$T/keys")" -ge 15 ] || fail "only $(wc -l <"$T/keys") keys"
section "CONFIGURATION FILE" >"$T/conf-section"
missing=$(while read -r k; do grep -Eq "^ +$k([[:space:]]|$)" "$T/conf-section" || echo "$k"; done <"$T/keys")
[ -z "$missing" ] || fail "CONFIGURATION FILE lacks the keys: $(echo $missing)"
while read -r k; do
	printf '%s = zzz-not-a-value\n' "$k" >"$T/conf"
	"$BIN" --config "$T/conf" -i lo --version >/dev/null 2>"$T/err" || true
	! grep -q "not a configuration key" "$T/err" || fail "key $k is documented but refused: $(cat "$T/err")"
done <"$T/keys"

# exit statuses and signals
section "EXIT STATUS" >"$T/exit-section"
for s in 0 1 2 3 4 5 6 7; do
	grep -Eq "^ +$s([[:space:]]|$)" "$T/exit-section" || fail "EXIT STATUS lacks $s"
done
section SIGNALS >"$T/sig-section"
for s in SIGTERM SIGINT SIGHUP; do
	grep -q "$s" "$T/sig-section" || fail "SIGNALS lacks $s"
done
echo "ok [manpages]: pdtt_xdp_user(8): $(wc -l <"$T/options") long options, $(wc -l <"$T/commands") commands, $(wc -l <"$T/keys") configuration keys, exit statuses 0-7, signals"

# every table and view of a database the schema makes
for f in "$SRC"/sql/schema/*.sql; do cat "$f"; echo ";"; done | sqlite3 "$T/db" >/dev/null 2>"$T/err" ||
	fail "the schema does not apply: $(cat "$T/err")"
sqlite3 "$T/db" "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'" |
	sort >"$T/names"
[ "$(wc -l <"$T/names")" -ge 5 ] || fail "the schema makes only $(wc -l <"$T/names") tables and views"
missing=$(while read -r n; do grep -q "^\.Sy $n\b" "$MAN5" || grep -q "^\.It Sy $n\b" "$MAN5" || echo "$n"; done <"$T/names")
[ -z "$missing" ] || fail "pdtt.db(5) does not name: $(echo $missing)"
echo "ok [manpages]: pdtt.db(5) names all $(wc -l <"$T/names") tables and views"
