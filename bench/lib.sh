# Shared by the benches that work on the simulated year.  Sourced, not run.

# Writes the simulated year (5,000 users, default retention, UTC) through the
# store's own insert path with HISTORY_BENCH into a scratch directory (on
# /dev/shm when it is a tmpfs: only the file's content matters); sets $dir
# (the scratch directory), $ydir (the year's) and $db (its file); both go on
# exit.
simulated_year() { # NAME HISTORY_BENCH
	dir=$(mktemp -d "/tmp/pdtt-$1.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
	ydir=$dir
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
		ydir=$(mktemp -d "/dev/shm/pdtt-$1.XXXXXX")
		trap 'rm -rf "$dir" "$ydir"' EXIT
	fi
	echo "generating the simulated year (5,000 users, UTC) through the store ..." >&2
	"$2" -p year -y "$ydir" -d "$dir" -K -z UTC >"$dir/year.txt"
	db="$ydir/year.db"
	[ -s "$db" ] || { echo "history_bench kept no database" >&2; exit 1; }
}

median_ms() { # CMD...: median wall time over $RUNS runs, in ms
	local i t0 t1 times=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
