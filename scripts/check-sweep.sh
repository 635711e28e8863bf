#!/usr/bin/env bash
# Issue 9, seed sweeps: the cluster scenario under many seeds with random faults keeps every
# invariant; shards merged equal the unsharded sweep; a deliberately injected bug (a test-only switch
# that loses one acknowledged update) is found, and shrinking writes a smaller scenario that still
# fails.
#
#   scripts/check-sweep.sh DDNSLAB [SEEDS]      (default 1000 seeds)
set -uo pipefail
cd "$(dirname "$0")/.."
ddnslab=${1:?usage: scripts/check-sweep.sh DDNSLAB [SEEDS]}
seeds=${2:-1000}
scenario=scenarios/sweep/cluster.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
fail() { echo "check-sweep: FAIL: $*"; failures=$((failures + 1)); }

# 1. Many seeds with random faults and every fault point of our components on: no invariant broken.
start=$(date +%s)
"$ddnslab" sweep "$scenario" --seeds "1..$seeds" --faults random --fault-points all --out "$out/sweep.json" --quiet \
    || fail "a seed of 1..$seeds broke an invariant (see above)"
echo "check-sweep: $seeds seeds in $(( $(date +%s) - start )) s wall"

# 2. Shards merged equal the unsharded run.
"$ddnslab" sweep "$scenario" --seeds 1..12 --faults random --out "$out/whole.json" --quiet >/dev/null
for shard in 0 1 2; do
    "$ddnslab" sweep "$scenario" --seeds 1..12 --faults random --shard "$shard/3" --out "$out/shard-$shard.json" --quiet >/dev/null
done
"$ddnslab" sweep merge "$out/shard-2.json" "$out/shard-0.json" "$out/shard-1.json" --out "$out/merged.json" >/dev/null
cmp -s "$out/whole.json" "$out/merged.json" && echo "check-sweep: 3 shards merged equal the unsharded sweep" \
    || fail "merged shards differ from the unsharded sweep"

# 3. The injected bug is found and shrunk.
"$ddnslab" sweep "$scenario" --seeds 1..4 --faults random --inject-bug lose-acknowledged-update \
    --out "$out/bug.json" --quiet >"$out/bug.txt"
code=$?
if [ $code -eq 1 ] && grep -q "acknowledged_updates_kept" "$out/bug.txt"; then
    echo "check-sweep: the injected bug is found: $(grep -c '^seed ' "$out/bug.txt") of 4 seeds fail"
else
    fail "the sweep did not find the injected bug (exit $code)"; cat "$out/bug.txt"
fi
"$ddnslab" sweep shrink "$scenario" --seed 3 --faults random --inject-bug lose-acknowledged-update \
    --out "$out/shrunk.yaml" || fail "shrink failed"
"$ddnslab" sweep seed "$out/shrunk.yaml" --seed 3 --inject-bug lose-acknowledged-update >/dev/null
[ $? -eq 1 ] && echo "check-sweep: the shrunk scenario still fails" || fail "the shrunk scenario does not fail"
exit $(( failures > 0 ))
