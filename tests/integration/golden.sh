#!/bin/sh
# golden.sh - the planner's output, case by case, against the expected plans in tests/golden.
#
# For every topology (the machines of ../shared/topologies when that directory is there, and the
# hand-made ones of tests/data/topologies) and every case of tests/golden/cases that matches it,
# 'numarun plan --json --topology X.xml ARGS' is compared with tests/golden/TOPOLOGY/CASE.json: the
# plan, normalised (the topology file as its name only, the JSON laid out one key a line), or for a
# request that cannot be met its exit status and message. A planner change shows its effect as the
# diff of these files. After a deliberate change, write them again and review the diff:
#
#     make check TESTS=tests/integration/golden.sh NUMARUN_GOLDEN_UPDATE=1
#
# (the update writes every file of the topologies present here and removes those of cases no longer
# listed; it still fails on an output it cannot read). Without ../shared the shared machines' cases
# are skipped and their files left alone.
# shellcheck disable=SC2086
. "$(dirname "$0")/lib.sh"
require_numarun
[ -n "$PYTHON" ] || skip_all "python3 is needed to normalise the JSON plans"

GOLDEN="$top_srcdir/tests/golden"
CASES="$GOLDEN/cases"
[ -r "$CASES" ] || fail_all "no $CASES"
update=${NUMARUN_GOLDEN_UPDATE:-0}

# norm.py MANIFEST: the golden form of each run (one python for all of them).
cat >"$T/norm.py" <<'PYEOF'
import json, os, sys

def dump(v, ind=0):
    """JSON with one key a line, one string a line; arrays of numbers on one line."""
    pad = "  " * (ind + 1)
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{\n" + ",\n".join(pad + json.dumps(k) + ": " + dump(x, ind + 1) for k, x in v.items()) + \
            "\n" + "  " * ind + "}"
    if isinstance(v, list) and any(not isinstance(x, (int, float)) or isinstance(x, bool) for x in v):
        return "[\n" + ",\n".join(pad + dump(x, ind + 1) for x in v) + "\n" + "  " * ind + "]"
    if isinstance(v, list):
        return "[" + ",".join(json.dumps(x) for x in v) + "]"
    return json.dumps(v)

# Each line of the manifest: XML RC OUT ERR DEST; a line that cannot be read is reported in DEST.err.
for line in open(sys.argv[1]):
    xml, rc, outf, errf, dest = line.split()
    rc = int(rc)
    try:
        with open(errf) as f:
            err = f.read().replace(xml, os.path.basename(xml)).replace(os.path.dirname(xml) + "/", "")
        if rc == 0:
            with open(outf) as f:
                j = json.load(f)
            if j.get("topology", {}).get("file"):
                j["topology"]["file"] = os.path.basename(j["topology"]["file"])
            doc = j if not err else {"plan": j, "stderr": err.splitlines()}
        else:
            doc = {"exit_status": rc, "stderr": err.splitlines()}
        with open(dest, "w") as f:
            f.write(dump(doc) + "\n")
    except Exception as e:
        with open(dest + ".err", "w") as f:
            f.write("%s: %s\n" % (type(e).__name__, e))
PYEOF

# The topologies: name and file.
: >"$T/topologies"
for f in "$TOPOLOGY_DIR"/*.xml; do
	[ -e "$f" ] && echo "$(basename "$f" .xml) $f" >>"$T/topologies"
done
have_shared=0
[ -s "$T/topologies" ] && have_shared=1
for f in "$top_srcdir"/tests/data/topologies/*.xml; do
	[ -e "$f" ] && echo "$(basename "$f" .xml) $f" >>"$T/topologies"
done

: >"$T/seen"
: >"$T/manifest"
: >"$T/runs"
mkdir -p "$T/r"
n=0
while read -r name xml; do
	mkdir -p "$T/g/$name"
	grep -v '^[[:space:]]*#' "$CASES" | grep -v '^[[:space:]]*$' >"$T/cases"
	while read -r pattern case args; do
		# shellcheck disable=SC2254
		case $name in $pattern) ;; *) continue ;; esac
		set --
		for a in $args; do
			case $a in
			@*) a="$GOLDEN/policies/${a#@}.ini" ;;
			esac
			set -- "$@" "$a"
		done
		n=$((n + 1))
		"$NUMARUN" plan --json --topology "$xml" "$@" <"$T/empty" >"$T/r/$n.out" 2>"$T/r/$n.err"
		echo "$xml $? $T/r/$n.out $T/r/$n.err $T/g/$name/$case.json" >>"$T/manifest"
		echo "$name $case $args" >>"$T/runs"
	done <"$T/cases"
done <"$T/topologies"
"$PYTHON" "$T/norm.py" "$T/manifest" || fail_all "the normaliser failed"

n=0
while read -r name case args; do
	n=$((n + 1))
	want="$GOLDEN/$name/$case.json"
	got="$T/g/$name/$case.json"
	echo "$want" >>"$T/seen"
	if [ -e "$got.err" ]; then
		not_ok "$name $case: the output reads as JSON" "$(cat "$got.err")" \
			"command: numarun plan --json --topology $name.xml $args" \
			"stdout: $(head -c 2000 "$T/r/$n.out")" "stderr: $(head -c 2000 "$T/r/$n.err")"
	elif [ "$update" = 1 ]; then
		mkdir -p "$GOLDEN/$name"
		if ! cmp -s "$got" "$want"; then
			cp "$got" "$want"
			ok "$name $case: written"
		else
			ok "$name $case: unchanged"
		fi
	elif [ ! -e "$want" ]; then
		not_ok "$name $case: tests/golden/$name/$case.json exists" \
			"no expected plan: NUMARUN_GOLDEN_UPDATE=1 writes it (see this test's header)"
	elif cmp -s "$want" "$got"; then
		ok "$name $case ($args)"
	else
		not_ok "$name $case ($args): the plan differs from tests/golden/$name/$case.json" \
			"$(diff -u "$want" "$got" | head -n 80)" \
			"(NUMARUN_GOLDEN_UPDATE=1 writes it again when the change is meant; see this test's header)"
	fi
done <"$T/runs"

# Files of cases no longer listed (only for topologies present here).
for d in "$GOLDEN"/*/; do
	name=$(basename "$d")
	[ "$name" = policies ] && continue
	if ! grep -q "^$name " "$T/topologies"; then
		skip_check "$name: its expected plans" "no $name.xml here (../shared/topologies absent?)"
		continue
	fi
	for f in "$d"*.json; do
		[ -e "$f" ] || continue
		grep -Fqx "$GOLDEN/$name/$(basename "$f")" "$T/seen" && continue
		if [ "$update" = 1 ]; then
			rm -f "$f"
			ok "$name $(basename "$f" .json): removed (no such case)"
		else
			not_ok "$name: tests/golden/$name/$(basename "$f") is a case of tests/golden/cases" \
				"no case of that name matches $name: remove the file or list the case"
		fi
	done
done
[ "$have_shared" = 1 ] || skip_check "the shared machines' cases" "no $TOPOLOGY_DIR"
finish
