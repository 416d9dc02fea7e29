#!/usr/bin/env bash
# Instructions per no-op task: the worker processes' and pgbench's clients', counted with callgrind.
#
# CPU time on a small shared machine varies by a third between identical runs; instruction counts repeat
# to about 0.1 %, so they settle whether a change to the worker's hot path helps. This runs
# `quarry bench queue --skip-warmup` twice, with SMALL and with LARGE tasks, with every worker process and
# both pgbench baselines under callgrind. Per task = (LARGE run's total - SMALL run's) / (LARGE - SMALL),
# which cancels start-up, registration and shutdown. Kernel work (system calls, the network stack) is not
# counted: it is CPU time, not instructions of the process.
#
#   scripts/instructions-per-task.sh [--workers W] [--small N] [--large N] [--top K]
#
# Needs valgrind 3.20 or later: 3.19 (Debian 12's) gives up reading the Swift runtime's debug information.
# When the installed one is older, Debian 13's valgrind package is downloaded and unpacked (not installed)
# under .build/valgrind. --top K prints the K functions with the most instructions per task in the workers.
set -euo pipefail
cd "$(dirname "$0")/.."

workers=2 small=5000 large=25000 top=0
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers=$2; shift 2 ;;
    --small) small=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$large" -gt "$small" ] || { echo "--large must be more than --small" >&2; exit 2; }

version=$(valgrind --version 2>/dev/null | sed 's/valgrind-//' || true)
if [ -n "$version" ] && [ "$(printf '%s\n3.20\n' "$version" | sort -V | head -n 1)" = 3.20 ]; then
  valgrind=(valgrind)
else
  cache=.build/valgrind
  if [ ! -x "$cache/root/usr/libexec/valgrind/callgrind-amd64-linux" ]; then
    echo "valgrind ${version:-(none)} is older than 3.20: unpacking Debian 13's into $cache" >&2
    mkdir -p "$cache"
    mirror=http://deb.debian.org/debian
    curl -fsSL -o "$cache/Packages.xz" "$mirror/dists/trixie/main/binary-amd64/Packages.xz"
    file=$(xz -dc "$cache/Packages.xz" | awk '/^Package: / { found = ($2 == "valgrind") } found && /^Filename:/ { print $2 }')
    [ -n "$file" ] || { echo "valgrind not found in Debian 13's package index" >&2; exit 1; }
    curl -fsSL -o "$cache/valgrind.deb" "$mirror/$file"
    dpkg -x "$cache/valgrind.deb" "$cache/root"
  fi
  # The tool binaries are static; the launcher is Debian 13's and needs its C library, so the installed
  # launcher (any version) starts the newer tools through VALGRIND_LIB.
  command -v valgrind >/dev/null || { echo "install valgrind (any version) for its launcher" >&2; exit 1; }
  export VALGRIND_LIB=$PWD/$cache/root/usr/libexec/valgrind
  valgrind=(valgrind)
fi

swift build -c release --product quarry >&2
binary=$PWD/.build/release/quarry
out=$(mktemp -d /tmp/quarry-instructions.XXXXXX)
mkdir -p "$out/bin"

# `quarry bench queue` starts workers as its own argv[0] and pgbench from PATH: both wrappers put those
# processes under callgrind, each writing to the folder named by QUARRY_CALLGRIND_DIR.
cat >"$out/bin/quarry" <<EOF
#!/usr/bin/env bash
if [ "\$1" = worker ]; then
  exec ${valgrind[*]} --tool=callgrind --callgrind-out-file="\$QUARRY_CALLGRIND_DIR/worker.%p" "$binary" "\$@" 2>>"\$QUARRY_CALLGRIND_DIR/valgrind.log"
fi
exec -a "$out/bin/quarry" "$binary" "\$@"
EOF
pgbench=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/pgbench
cat >"$out/bin/pgbench" <<EOF
#!/usr/bin/env bash
name=client
for argument in "\$@"; do
  case "\$argument" in *-raw.sql) name=raw ;; *-rows.sql) name=rows ;; esac
done
exec ${valgrind[*]} --tool=callgrind --callgrind-out-file="\$QUARRY_CALLGRIND_DIR/\$name.%p" "$pgbench" "\$@" 2>>"\$QUARRY_CALLGRIND_DIR/valgrind.log"
EOF
chmod +x "$out/bin/quarry" "$out/bin/pgbench"

for tasks in "$small" "$large"; do
  mkdir -p "$out/$tasks"
  echo "bench queue --tasks $tasks --workers $workers under callgrind..." >&2
  QUARRY_CALLGRIND_DIR=$out/$tasks PATH=$out/bin:$PATH scripts/with-postgres.sh "$out/bin/quarry" bench queue \
    --tasks "$tasks" --workers "$workers" --latency-samples 1 --enqueue-rounds 1 --skip-warmup --log-level warning \
    >"$out/$tasks/bench.txt" 2>&1 || { cat "$out/$tasks/bench.txt" >&2; exit 1; }
done

total() {  # total instructions of every callgrind file of one role in one run
  local sum=0 file
  for file in "$out/$1/$2".*; do
    [ -e "$file" ] || continue
    sum=$((sum + $(awk '/^summary:/ { print $2; exit }' "$file")))
  done
  echo "$sum"
}
per_task() { echo $(( ($(total "$large" "$1") - $(total "$small" "$1")) / (large - small) )); }

worker=$(per_task worker) raw=$(per_task raw) rows=$(per_task rows)
echo "instructions per no-op task ($workers workers; runs of $small and $large tasks; callgrind files in $out):"
echo "  quarry workers:                         $worker"
echo "  pgbench client, ids only:               $raw  (workers / pgbench = $(python3 -c "print(f'{$worker / max($raw, 1):.2f}')"))"
echo "  pgbench client receiving the rows:      $rows  (workers / pgbench = $(python3 -c "print(f'{$worker / max($rows, 1):.2f}')"))"

if [ "$top" -gt 0 ]; then
  python3 - "$out" "$small" "$large" "$top" <<'EOF'
import collections, glob, re, subprocess, sys
out, small, large, top = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def self_costs(run):
    costs = collections.Counter()
    for path in glob.glob(f'{out}/{run}/worker.*'):
        text = subprocess.run(['callgrind_annotate', '--threshold=100', '--auto=no', path], capture_output=True, text=True).stdout
        for line in text.splitlines():
            match = re.match(r'^\s*([\d,]+) \([ \d.]+%\)\s+(.*)$', line)
            if match and 'PROGRAM TOTALS' not in line:
                name = re.sub(r'\s*\[[^\]]*\]$', '', match.group(2))
                costs[re.sub(r"'\d+", '', name)] += int(match.group(1).replace(',', ''))
    return costs
a, b = self_costs(large), self_costs(small)
per = {name: (a[name] - b.get(name, 0)) / (large - small) for name in a}
print(f'top {top} functions in the workers, instructions per task (self):')
for name, cost in sorted(per.items(), key=lambda item: -item[1])[:top]:
    print(f'  {cost:7.0f}  {name[:150]}')
EOF
fi
