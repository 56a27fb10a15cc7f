#!/bin/sh
# signals.sh - numarun as a supervisor and as PID 1, to tini's standard: every signal but the
# synchronous ones and SIGCHLD reaches the target (with -g its process group); a parent that ignores
# SIGCHLD does not make numarun wait forever; the target starts with the signal mask and dispositions
# numarun was given; as PID 1 of a pid namespace numarun stays as the init unless --exec. At a terminal
# (a pseudo-terminal): the target's group has the terminal, so ^C reaches it once; ^Z, fg and bg work as
# for any job of the shell; numarun in the background never takes the terminal.
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
	: >"$T/out" # not the last round's "ready": the job below empties it only once it has started
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
	: >"$T/out"
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

# ---- at a terminal: a pseudo-terminal (python's pty), numarun under a program in its foreground or
# background, or under an interactive bash with job control ----
cat >"$T/ttydrive.py" <<'EOD'
# ttydrive.py SCENARIO NUMARUN DIR: numarun on a pseudo-terminal, as at an interactive terminal (under a
# program in the terminal's foreground, or under an interactive bash with job control); says what happened
# as key=value lines, or error=... with the terminal's transcript. Also its own helpers:
# ttydrive.py lead|count|reader ...
import os, pty, re, select, shlex, shutil, signal, sys, time

WAIT = 30  # seconds anything may take on a loaded machine
me, py = os.path.abspath(__file__), sys.executable
yn = lambda b: "yes" if b else "no"

if sys.argv[1] == "lead":
    # ttydrive.py lead fg|bg CMD...: in the terminal's session, run CMD in this (the foreground) process group
    # or in a background group of its own; then say its status and who has the terminal.
    mode, argv = sys.argv[2], sys.argv[3:]
    p = os.fork()
    if p == 0:
        if mode == "bg":
            os.setpgid(0, 0)
        os.execv(argv[0], argv)
    if mode == "bg":
        try:
            os.setpgid(p, p)
        except OSError:
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's ^C is for the command, if anyone
    signal.signal(signal.SIGQUIT, signal.SIG_IGN)
    _, st = os.waitpid(p, 0)
    print("status=%d" % os.waitstatus_to_exitcode(st))
    print("tty_back=%s" % yn(os.tcgetpgrp(0) == os.getpgrp()), flush=True)
    sys.exit(0)

if sys.argv[1] == "count":
    # ttydrive.py count [once]: say where it runs; then count SIGINT and SIGQUIT until it has both, and 2 s more.
    n = {signal.SIGINT: 0, signal.SIGQUIT: 0}
    def on(s, f):
        n[s] += 1
    signal.signal(signal.SIGINT, on)
    signal.signal(signal.SIGQUIT, on)
    print("leader=%s fg=%s" % (yn(os.getpgrp() == os.getpid()), yn(os.tcgetpgrp(0) == os.getpgrp())), flush=True)
    if sys.argv[2:] == ["once"]:
        sys.exit(0)
    print("ready", flush=True)
    end = time.time() + WAIT
    while (not n[signal.SIGINT] or not n[signal.SIGQUIT]) and time.time() < end:
        time.sleep(0.05)
    time.sleep(2)  # a second copy (forwarded by numarun) would come within this
    print("sigint=%d sigquit=%d" % (n[signal.SIGINT], n[signal.SIGQUIT]), flush=True)
    os._exit(0)

if sys.argv[1] == "reader":
    # ttydrive.py reader [go=FILE] [linger]: say its pid, wait for FILE, read a line from the terminal, say
    # it, stay 1.5 s more (for numarun's ticks), exit 7.
    opts = dict(a.split("=", 1) if "=" in a else (a, "") for a in sys.argv[2:])
    print("ready pid=%d" % os.getpid(), flush=True)
    end = time.time() + WAIT
    while "go" in opts and not os.path.exists(opts["go"]) and time.time() < end:
        time.sleep(0.05)
    line = sys.stdin.readline()
    print("read=%s" % line.strip(), flush=True)
    if "linger" in opts:
        time.sleep(1.5)
    os._exit(7)

scen, numarun, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
resident = [numarun, "--monitor", "--interval", "100ms"]
kids = []  # what to end when giving up (by pid: only processes this started)
term = None

def say(k, v):
    print("%s=%s" % (k, v), flush=True)

def give_up(why):
    say("error", why)
    if term is not None:
        print("transcript:")
        for line in term.buf.decode(errors="replace").splitlines():
            print("  | " + line.rstrip("\r"))
    for p in reversed(kids):
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    sys.stdout.flush()
    os._exit(1)

signal.signal(signal.SIGTERM, lambda s, f: give_up("terminated (the test's time limit)"))

class Term:
    def __init__(self, argv, env=None):
        self.buf, self.mark = b"", 0
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.environ.update(env or {})
                os.execv(argv[0], argv)
            finally:
                os._exit(127)
        kids.append(self.pid)

    def read(self, t):
        """Read what there is within t s; False at the end (every process closed the terminal)."""
        r, _, _ = select.select([self.fd], [], [], max(t, 0))
        if not r:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:
            return False
        self.buf += data
        return bool(data)

    def expect(self, pat, what, t=WAIT):
        rx, end, more = re.compile(pat.encode()), time.time() + t, True
        while True:
            m = rx.search(self.buf, self.mark)
            if m:
                self.mark = m.end()
                return m
            if not more or time.time() >= end:
                give_up("no %s within %d s (looked for /%s/)" % (what, t, pat))
            more = self.read(min(0.2, end - time.time()))

    def until(self, cond, what, t=WAIT):
        end = time.time() + t
        while not cond():
            if time.time() >= end:
                give_up("not %s within %d s" % (what, t))
            self.read(0.1)

    def send(self, s):
        os.write(self.fd, s.encode())

    def fg(self):
        try:
            return os.tcgetpgrp(self.fd)
        except OSError:
            return -1

    def finish(self):
        end = time.time() + WAIT
        while self.read(min(0.2, end - time.time())) and time.time() < end:
            pass
        end = time.time() + WAIT
        while os.waitpid(self.pid, os.WNOHANG)[0] == 0:
            if time.time() >= end:
                give_up("the terminal's session did not end")
            time.sleep(0.1)

def state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"

def parent(pid):
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])

if scen in ("intr", "intr-kill", "background"):
    # numarun as a command of a program in the terminal's foreground (or in a background group).
    target = {"intr": [py, me, "count"], "background": [py, me, "count", "once"],
              "intr-kill": ["/bin/sh", "-c", "echo ready; exec sleep 60"]}[scen]
    term = Term([py, me, "lead", "bg" if scen == "background" else "fg"] + resident + ["--"] + target)
    if scen != "intr-kill":
        m = term.expect(r"leader=(\w+) fg=(\w+)", "word from the target")
        say("target_leader", m.group(1).decode())
        say("target_fg", m.group(2).decode())
    if scen != "background":
        term.expect(r"ready", "word that the target is ready")
        term.send("\x03")
        if scen == "intr":
            time.sleep(0.3)
            term.send("\x1c")
            m = term.expect(r"sigint=(\d+) sigquit=(\d+)", "count of signals")
            say("sigint", m.group(1).decode())
            say("sigquit", m.group(2).decode())
    m = term.expect(r"status=(\d+)", "numarun's exit status")
    say("status", m.group(1).decode())
    m = term.expect(r"tty_back=(\w+)", "who has the terminal after numarun")
    say("tty_back", m.group(1).decode())
    term.finish()
    sys.exit(0)

# Under an interactive shell with job control.
bash = shutil.which("bash")
term = Term([bash, "--norc", "--noprofile", "--noediting", "--posix", "-i"],
            {"PS1": "PROMPT$ ", "PS2": "", "TERM": "dumb", "HISTFILE": "/dev/null"})
term.expect(r"PROMPT\$ ", "prompt")
go = os.path.join(tmp, "go")
extra = {"fg-running": ["go=" + go], "ctrl-z": ["linger"]}.get(scen, [])
args = resident + (["-v"] if scen == "ctrl-z" else []) + ["--", py, me, "reader"] + extra
cmd = " ".join(shlex.quote(a) for a in args)
term.send(cmd + (" &\n" if scen in ("background-read", "fg-running") else "\n"))
m = term.expect(r"ready pid=(\d+)", "word that the target is ready")
tpid = int(m.group(1))
npid = parent(tpid)
kids += [npid, tpid]
target_tty = lambda: term.fg() == tpid
shell_tty = lambda: term.fg() == term.pid
stopped = lambda: state(npid) == "T" and state(tpid) == "T"
running = lambda: state(npid) not in ("T", "gone") and state(tpid) not in ("T", "gone")

if scen in ("ctrl-z", "ctrl-z-bg"):
    say("start_tty", "target" if target_tty() else "other")
    term.send("\x1a")
    term.expect(r"Stopped", "report of the stopped job")
    term.until(stopped, "numarun and the target stopped")
    say("stopped", "yes")
    say("stopped_tty", "shell" if shell_tty() else "other")
    term.send("jobs\n")
    m = term.expect(r"\[1\]\+ +(Stopped[^\r\n]*?) +\S*numarun", "jobs line")
    say("jobs", m.group(1).decode().strip())
    if scen == "ctrl-z-bg":
        term.send("bg\n")
        term.expect(r"\[1\]\+? [^\r\n]*&", "report of the job in the background")
        # It reads the terminal: stopped for it (SIGTTIN), and numarun with it, the shell keeping the terminal.
        # bash prints the job line before it sends SIGCONT: the processes may still be in the ^Z stop
        # here. Ask jobs until the job is no longer Running (the shell sees the new stop).
        end = time.time() + WAIT
        while True:
            term.until(stopped, "numarun and the target stopped for the terminal")
            term.send("jobs\n")
            m = term.expect(r"\[1\]\+ +((?:Stopped|Running)[^\r\n]*?) +\S*numarun", "jobs line")
            if m.group(1).startswith(b"Stopped") or time.time() >= end:
                break
            term.read(0.3)
        say("bg_tty", "shell" if shell_tty() else "other")
        say("bg_jobs", m.group(1).decode().strip())
if scen == "background-read":
    term.until(stopped, "numarun and the target stopped for the terminal")
    say("stopped", "yes")
    say("stopped_tty", "shell" if shell_tty() else "other")
    term.send("jobs\n")
    m = term.expect(r"\[1\]\+ +(Stopped[^\r\n]*?) +\S*numarun", "jobs line")
    say("jobs", m.group(1).decode().strip())
if scen == "fg-running":
    say("start_tty", "shell" if shell_tty() else "other")
    mark = len(term.buf)
    term.send("fg\n")
    term.until(lambda: term.fg() == npid, "numarun's group in the foreground")
    open(go, "w").close()  # now the target reads, from the background of the terminal
else:
    term.send("fg\n")
term.until(target_tty, "the target's group in the foreground")
term.until(running, "numarun and the target going on")
say("fg_tty", "target")
term.send("hello\n")
m = term.expect(r"read=(\w*)", "the line the target read")
say("read", m.group(1).decode())
if scen == "fg-running":
    say("stopped_seen", yn(b"Stopped" in term.buf[mark:]))
if scen == "ctrl-z":
    # numarun went on monitoring after it was continued: ticks while the target lingered.
    m = term.expect(r"monitor: (\d+) ticks", "numarun's summary (-v)")
    say("ticks", m.group(1).decode())
term.expect(r"PROMPT\$ ", "prompt after the job")
term.send("echo status=$?\n")
m = term.expect(r"status=(\d+)", "the job's exit status")
say("status", m.group(1).decode())
term.send("exit\n")
term.finish()
EOD
# tty_case SCENARIO: run it (it gives up by itself after 30 s without progress; timeout is the last word).
tty_case() {
	run timeout -k 10 240 "$PYTHON" "$T/ttydrive.py" "$1" "$NUMARUN" "$T"
	last_cmd="ttydrive.py $1 (numarun on a pseudo-terminal)"
}
# want LINE DESCRIPTION: the scenario said LINE.
want() { expect_out_line "$1" "$2 ($1)"; }
if ! "$PYTHON" -c 'import os, pty; os.openpty()' 2>/dev/null; then
	skip_check "numarun at a terminal" "no pseudo-terminal can be made here"
else
	# Ctrl-C and Ctrl-\ reach the target once: from the terminal, to the target's group, which has the
	# terminal; numarun, in another group, does not get them to forward a second time.
	tty_case intr
	want "target_leader=yes" "at a terminal: the target leads a process group of its own"
	want "target_fg=yes" "at a terminal: numarun in the foreground hands the terminal to the target's group"
	want "sigint=1" "^C: the target gets SIGINT exactly once"
	want "sigquit=1" "^\\: the target gets SIGQUIT exactly once"
	want "status=0" "^C: numarun returns the target's status"
	want "tty_back=yes" "after the target, the terminal is back with numarun's parent's group"
	tty_case intr-kill
	want "status=130" "^C to a target without a handler: 128+2"
	want "tty_back=yes" "and the terminal is back with numarun's parent's group"
	# In the background numarun never takes the terminal.
	tty_case background
	want "target_leader=yes" "numarun in the background: the target leads a process group of its own"
	want "target_fg=no" "numarun in the background: the target does not get the terminal"
	want "tty_back=yes" "numarun in the background: the terminal stays with the foreground group"
	want "status=0" "numarun in the background: the target's status"
	if ! command -v bash >/dev/null 2>&1; then
		skip_check "job control under an interactive shell" "no bash here"
	else
		# ^Z: the target stops, numarun takes the terminal back for the shell and stops with SIGTSTP
		# (bash --posix names the signal in jobs); fg gives the target the terminal again.
		tty_case ctrl-z
		want "start_tty=target" "under bash: the target's group has the terminal"
		want "stopped=yes" "^Z: the target and numarun are stopped"
		want "stopped_tty=shell" "^Z: the shell has the terminal back"
		want "jobs=Stopped(SIGTSTP)" "^Z: the shell's job is stopped by SIGTSTP, as the target"
		want "fg_tty=target" "fg: the target's group has the terminal again"
		want "read=hello" "fg: the target reads the terminal"
		want "status=7" "fg: the job's status is the target's"
		ticks=$(out_value ticks)
		if [ "${ticks:-0}" -ge 3 ]; then ok "after fg numarun goes on ticking (${ticks} ticks)"; else
			not_ok "after fg numarun goes on ticking" "ticks: '${ticks}' (expected 3 or more)" "$(last_details)"; fi
		# ^Z, bg: numarun goes on in the background without taking the terminal; the target, reading it,
		# stops for it (SIGTTIN) and numarun with it, until fg.
		tty_case ctrl-z-bg
		want "jobs=Stopped(SIGTSTP)" "^Z: the job is stopped"
		want "bg_tty=shell" "bg: numarun does not take the terminal"
		want "bg_jobs=Stopped(SIGTTIN)" "bg: the target reading the terminal stops the job with SIGTTIN"
		want "fg_tty=target" "bg, then fg: the target's group has the terminal"
		want "read=hello" "bg, then fg: the target reads the terminal"
		want "status=7" "bg, then fg: the job's status is the target's"
		# Started in the background (&): the same.
		tty_case background-read
		want "stopped_tty=shell" "&: numarun does not take the terminal"
		want "jobs=Stopped(SIGTTIN)" "&: the target reading the terminal stops the job with SIGTTIN"
		want "fg_tty=target" "&, then fg: the target's group has the terminal"
		want "read=hello" "&, then fg: the target reads the terminal"
		want "status=7" "&, then fg: the job's status is the target's"
		# fg of a job that is running (bash sends no SIGCONT): the target stops for the terminal, numarun
		# being in the foreground hands it over and lets the target go on, the job never stopping.
		tty_case fg-running
		want "start_tty=shell" "& (running): the shell keeps the terminal"
		want "fg_tty=target" "fg of a running job: the target's group gets the terminal when it reads"
		want "stopped_seen=no" "fg of a running job: the job does not stop"
		want "read=hello" "fg of a running job: the target reads the terminal"
		want "status=7" "fg of a running job: the job's status is the target's"
	fi
fi
finish
