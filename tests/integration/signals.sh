#!/bin/sh
# signals.sh - numarun as a supervisor and as PID 1, to tini's standard: every signal but the
# synchronous ones and SIGCHLD reaches the target; a parent that ignores SIGCHLD does not make numarun
# wait forever; the target starts with the signal mask and dispositions numarun was given; as PID 1 of a
# pid namespace numarun stays as the init unless --exec.
. "$(dirname "$0")/lib.sh"
require_numarun
[ -n "$PYTHON" ] || skip_all "no python3 to send and trap signals by number"

cat >"$T/trap.py" <<'EOP'
import os, signal, sys, time
n = int(sys.argv[1])
def got(s, f):
    print("got %d" % s, flush=True)
    os._exit(9)
signal.signal(n, got)
print("ready", flush=True)
for _ in range(400):
    time.sleep(0.05)
os._exit(3)
EOP

# sig_number NAME: the signal's number ("RTMIN+3" too).
sig_number() {
	"$PYTHON" -c 'import signal, sys
n = sys.argv[1]
print(signal.SIGRTMIN + int(n[6:]) if n.startswith("RTMIN+") else int(getattr(signal, "SIG" + n)))' "$1"
}

for sig in ALRM PIPE USR2 WINCH URG CONT TSTP TTIN RTMIN+3 RTMIN+10; do
	num=$(sig_number "$sig")
	# A numarun the signal stopped or left waiting would hang the test: timeout kills it after 25 s.
	timeout -s KILL 25 "$NUMARUN" --monitor --interval 100ms -- "$PYTHON" "$T/trap.py" "$num" >"$T/out" 2>"$T/err" &
	tpid=$!
	i=0
	while ! grep -q ready "$T/out" && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	pid=$(pgrep -P "$tpid" numarun)
	"$PYTHON" -c 'import os, sys; os.kill(int(sys.argv[1]), int(sys.argv[2]))' "$pid" "$num"
	wait "$tpid"
	rc=$?
	last_cmd="numarun --monitor -- trap.py $num, then SIG$sig ($num) to numarun"
	expect_out_line "got $num" "SIG$sig sent to resident numarun reaches the target"
	expect_rc 9 "SIG$sig: numarun survives it and exits with the target's status"
done

# The target leads a process group of its own; a grandchild it forks is in that group. SIGTERM to numarun
# reaches the target alone, and with -g (--signal-group, as tini -g) the whole group.
cat >"$T/family.py" <<'EOP'
import os, signal, sys, time
d = sys.argv[1]
got = [False]
def note(who):
    def h(s, f):
        open(os.path.join(d, who), "w").close()
        if who == "grandchild":
            os._exit(0)
        got[0] = True
    return h
r, w = os.pipe()
gc = os.fork()
if gc == 0:
    signal.signal(signal.SIGTERM, note("grandchild"))
    os.write(w, b"x")
    for _ in range(600):
        time.sleep(0.05)
    os._exit(3)
signal.signal(signal.SIGTERM, note("target"))
os.read(r, 1)
yn = lambda b: "yes" if b else "no"
print("leader=%s" % yn(os.getpgrp() == os.getpid()))
print("grandchild_in_group=%s" % yn(os.getpgid(gc) == os.getpgrp()))
print("numarun_in_group=%s" % yn(os.getpgid(os.getppid()) == os.getpgrp()))
print("ready", flush=True)
end = time.time() + 30
while not got[0] and time.time() < end:
    time.sleep(0.05)
# Give a grandchild that was sent the signal too 3 s to take it, then end it.
end = time.time() + 3
while time.time() < end:
    if os.waitpid(gc, os.WNOHANG)[0]:
        break
    time.sleep(0.05)
else:
    os.kill(gc, signal.SIGKILL)
    os.waitpid(gc, 0)
os._exit(0 if got[0] else 4)
EOP
for g in "" -g; do
	rm -rf "$T/fam"
	mkdir "$T/fam"
	# shellcheck disable=SC2086
	timeout -s KILL 60 "$NUMARUN" $g --monitor --interval 100ms -- "$PYTHON" "$T/family.py" "$T/fam" \
		>"$T/out" 2>"$T/err" &
	tpid=$!
	i=0
	while ! grep -q ready "$T/out" && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
	pid=$(pgrep -P "$tpid" numarun)
	[ -n "$pid" ] && kill -TERM "$pid"
	wait "$tpid"
	rc=$?
	last_cmd="numarun ${g:+$g }--monitor -- family.py (forks a grandchild), then SIGTERM to numarun"
	what="numarun ${g:-without -g}"
	expect_rc 0 "$what: the target took SIGTERM and numarun returns its status"
	expect_out_line "leader=yes" "$what: the target leads a process group of its own"
	expect_out_line "grandchild_in_group=yes" "$what: the grandchild is in the target's group"
	expect_out_line "numarun_in_group=no" "$what: numarun is not in the target's group"
	if [ -e "$T/fam/target" ]; then ok "$what: SIGTERM reaches the target"; else
		not_ok "$what: SIGTERM reaches the target" "$(last_details)"; fi
	if [ -z "$g" ]; then
		if [ -e "$T/fam/grandchild" ]; then not_ok "without -g: SIGTERM reaches the target alone" \
			"the grandchild got it too" "$(last_details)"; else ok "without -g: SIGTERM reaches the target alone"; fi
	else
		if [ -e "$T/fam/grandchild" ]; then ok "-g: SIGTERM reaches the grandchild in the target's group too"; else
			not_ok "-g: SIGTERM reaches the grandchild in the target's group too" "$(last_details)"; fi
	fi
done
run "$NUMARUN" -g -v -- true
expect_rc 0 "-g without resident mode: numarun execs in place"
expect_err_fixed "nothing stays to forward signals" "and says that -g has nothing to do then"

# A parent that left SIGCHLD ignored: numarun still sees its target end.
run timeout -k 5 20 "$PYTHON" -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$NUMARUN" --monitor --interval 100ms -- sh -c 'sleep 0.3; exit 5'
expect_rc 5 "SIGCHLD ignored by numarun's parent: numarun returns the target's status (not a hang)"

# The target starts with the signal mask and dispositions numarun was given.
cat >"$T/given.py" <<'EOP'
import os, signal, sys
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2, signal.SIGALRM})
os.execv(sys.argv[1], sys.argv[1:])
EOP
status_sig() { grep -E '^(SigIgn|SigBlk):' "$T/out" | tr '\n' ' '; }
run "$PYTHON" "$T/given.py" /bin/grep -E '^(SigIgn|SigBlk):' /proc/self/status
want=$(status_sig)
for mode in "" "--monitor --interval 100ms" "--threads spread"; do
	# shellcheck disable=SC2086
	run timeout -k 5 20 "$PYTHON" "$T/given.py" "$NUMARUN" $mode -- /bin/grep -E '^(SigIgn|SigBlk):' /proc/self/status
	expect_eq "$(status_sig)" "$want" "numarun ${mode:-(exec)}: the target's ignored and blocked signals are those numarun was given"
done

# --exec contradicts resident mode.
run "$NUMARUN" --exec --monitor -- true
expect_rc 2 "--exec --monitor is refused"
expect_err_match "--exec: .*resident mode" "and says why"

# PID 1 of a pid namespace (a container's ENTRYPOINT): numarun stays as the init.
if unshare --pid --fork --mount-proc true 2>/dev/null; then
	run unshare --pid --fork --mount-proc "$NUMARUN" -- sh -c 'echo target=$$'
	expect_out_line "target=2" "as PID 1, numarun stays the init: the target is PID 2"
	run unshare --pid --fork --mount-proc "$NUMARUN" --exec -- sh -c 'echo target=$$'
	expect_out_line "target=1" "as PID 1 with --exec, the target becomes PID 1"
	# SIGTERM to the PID-1 numarun reaches a target with no handler: it dies of it (143), promptly.
	timeout -s KILL 20 unshare --pid --fork --mount-proc "$NUMARUN" -- sleep 30 >/dev/null 2>&1 &
	tp=$!
	i=0
	while [ -z "${up:-}" ] && [ $i -lt 100 ]; do up=$(pgrep -P "$tp" unshare); sleep 0.05; i=$((i + 1)); done
	i=0
	np=
	while [ -z "$np" ] && [ $i -lt 100 ]; do np=$(pgrep -P "$up" numarun); sleep 0.05; i=$((i + 1)); done
	sleep 0.3
	t0=$(date +%s)
	[ -n "$np" ] && kill -TERM "$np"
	wait "$tp"
	rc=$?
	t1=$(date +%s)
	last_cmd="unshare --pid --fork numarun -- sleep 30; kill -TERM numarun (PID 1 inside)"
	expect_rc 143 "PID 1: SIGTERM stops a target without a handler; status 128+15"
	if [ $((t1 - t0)) -le 5 ]; then ok "PID 1: within $((t1 - t0)) s"; else not_ok "PID 1: promptly" "$((t1 - t0)) s"; fi
else
	skip_check "PID 1 checks" "unshare --pid --fork is not allowed here"
fi
finish
