#!/bin/sh
# report.sh - numarun report (numarun(1), REPORT) on real events: a monitored run of the workers here,
# and the events of a two-node guest run of the VM bed (tests/data/events, see its README): the HTML page
# and the SVG chart are well formed, self-contained, hold one table row per thread with its name, one
# mark per move event and the legend's node colours; standard input and output work; a cut-short file is
# taken with a warning. Where Chromium is installed, the page of the guest run is rendered headless and
# the screenshot checked: not blank, the nodes' colours on it (REPORT_SHOT=FILE keeps a copy, to look at).
. "$(dirname "$0")/lib.sh"
require_numarun
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to check the page's structure"
WORKERS="$top_builddir/tests/progs/workers"
[ -x "$WORKERS" ] || fail_all "workers was not built at $WORKERS"
DATA="$top_srcdir/tests/data/events"

# check_page KIND FILE EVENTS: KIND html or svg. Prints what is wrong (nothing when all is well).
check_page() {
	python3 - "$@" <<'PY'
import html.parser, json, re, sys, xml.etree.ElementTree as ET
kind, path, events = sys.argv[1:4]
raw = open(path, 'rb').read()
problems = []
try:
    text = raw.decode('utf-8')
except UnicodeDecodeError as e:
    print('not UTF-8:', e); sys.exit(0)
lines = [json.loads(l) for l in open(events, encoding='utf-8', errors='replace') if l.strip()]
moves = sum(1 for e in lines if e.get('event') == 'move')
names = {}
for e in lines:
    if e.get('event') in ('thread_new', 'sample', 'move', 'busy') and 'tid' in e:
        names[e['tid']] = e.get('comm', names.get(e['tid'], ''))
    if e.get('event') == 'exit':
        for th in e.get('threads') or []:
            names[th['tid']] = th.get('comm', '')
nodes = set()
for e in lines:
    for k in ('node', 'from', 'to'):
        if isinstance(e.get(k), int):
            nodes.add(e[k])
for bad in ('http:', 'https:', 'src=', '<link', '<script', '@import', 'url('):
    body = text.replace('xmlns="http://www.w3.org/2000/svg"', '') if kind == 'svg' else text
    if bad in body:
        problems.append('not self-contained: %r in it' % bad)
marks = len(re.findall(r'class="mark (move|swap|migration)"', text))
if marks != moves:
    problems.append('%d marks for %d move events' % (marks, moves))
palette = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#bfa300', '#8c564b']
for n in nodes:
    if not re.search(r'fill="%s"/><text[^>]*>node %d</text>' % (palette[n % 8], n), text):
        problems.append('no legend swatch for node %d' % n)
if kind == 'svg':
    try:
        root = ET.fromstring(raw)
        if root.tag != '{http://www.w3.org/2000/svg}svg':
            problems.append('root element is %s' % root.tag)
    except ET.ParseError as e:
        problems.append('SVG does not parse: %s' % e)
else:
    VOID = {'meta', 'br', 'img', 'hr', 'input', 'link', 'col', 'wbr'}
    class P(html.parser.HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack, self.rows, self.cell, self.svgs, self.doctype = [], [], None, 0, False
        def handle_decl(self, d):
            self.doctype = d.lower() == 'doctype html'
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == 'svg':
                self.svgs += 1
            if tag == 'tr' and a.get('class') == 'thread':
                self.rows.append([])
            if tag == 'td' and self.stack and self.stack[-1] == 'tr' and self.rows and self.in_row:
                self.cell = ''
            if tag == 'tr':
                self.in_row = a.get('class') == 'thread'
            if tag not in VOID:
                self.stack.append(tag)
        def handle_startendtag(self, tag, attrs):
            pass
        def handle_endtag(self, tag):
            if tag in VOID:
                return
            if not self.stack or self.stack[-1] != tag:
                problems.append('</%s> closes <%s>' % (tag, self.stack[-1] if self.stack else 'nothing'))
                return
            self.stack.pop()
            if tag == 'td' and self.cell is not None:
                self.rows[-1].append(self.cell)
                self.cell = None
        def handle_data(self, d):
            if self.cell is not None:
                self.cell += d
    p = P()
    p.in_row = False
    p.feed(text)
    p.close()
    if not p.doctype:
        problems.append('no <!DOCTYPE html>')
    if p.stack:
        problems.append('left open: %s' % p.stack)
    if p.svgs != 1:
        problems.append('%d <svg> elements' % p.svgs)
    got = {}
    for r in p.rows:
        if len(r) != 9:
            problems.append('a row of %d cells' % len(r)); continue
        got[int(r[0])] = r[1]
    if len(p.rows) != len(names):
        problems.append('%d rows for %d threads' % (len(p.rows), len(names)))
    for tid, comm in names.items():
        if got.get(tid) != comm:
            problems.append('thread %s: row says %r, events %r' % (tid, got.get(tid), comm))
for x in problems:
    print(x)
PY
}

# report_ok NAME EVENTS: report EVENTS as HTML and SVG into $T/NAME.html and $T/NAME.svg, and check both.
report_ok() {
	run "$NUMARUN" report -o "$T/$1.html" "$2"
	if [ "$rc" -eq 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ] && [ -s "$T/$1.html" ]; then
		ok "$1: numarun report -o writes the page, says nothing"
	else
		not_ok "$1: numarun report -o writes the page, says nothing" "$(last_details)"
	fi
	probs=$(check_page html "$T/$1.html" "$2")
	if [ -z "$probs" ]; then
		ok "$1: the page is well formed, self-contained, a row per thread, a mark per move"
	else
		not_ok "$1: the page is well formed, self-contained, a row per thread, a mark per move" "$probs"
	fi
	run "$NUMARUN" report --svg "$2"
	cp "$T/out" "$T/$1.svg"
	probs=$(check_page svg "$T/$1.svg" "$2")
	if [ "$rc" -eq 0 ] && [ -z "$probs" ]; then
		ok "$1: --svg writes a standalone SVG document"
	else
		not_ok "$1: --svg writes a standalone SVG document" "$probs" "$(last_details)"
	fi
}

# ---- a run here ----
ev="$T/host.json"
run "$NUMARUN" --threads spread --monitor --interval 200ms --events "$ev" -- "$WORKERS" -t 3 -m 8 -s 3
expect_rc 0 "a monitored run of 3 workers"
report_ok host "$ev"
for w in worker0 worker1 worker2; do
	if grep -q "<td>$w</td>" "$T/host.html"; then ok "host: $w in the table"; else not_ok "host: $w in the table"; fi
done
if grep -q '"event":"sample"' "$ev" && grep -q 'class="share"' "$T/host.html"; then
	ok "host: the busy workers' remote share is drawn (sample events)"
else
	not_ok "host: the busy workers' remote share is drawn (sample events)" "$(head -c 1500 "$ev")"
fi

# Standard input to standard output ("-" and no file), the same page.
run sh -c '"$1" report - <"$2"' sh "$NUMARUN" "$ev"
cp "$T/out" "$T/stdin1.html"
run sh -c '"$1" report <"$2"' sh "$NUMARUN" "$ev"
if [ "$rc" -eq 0 ] && cmp -s "$T/out" "$T/stdin1.html" && grep -q '<tr class="thread"><td class="n">' "$T/out" &&
	grep -q 'events: standard input' "$T/out"; then
	ok "report - and report without a file read standard input, write standard output"
else
	not_ok "report - and report without a file read standard input, write standard output" "$(last_details)"
fi

# -o on what is not a regular file is written in place; a symbolic link stays one.
run "$NUMARUN" report -o /dev/null "$ev"
if [ "$rc" -eq 0 ] && [ -c /dev/null ]; then ok "report -o /dev/null: written, /dev/null still a device"; else
	not_ok "report -o /dev/null: written, /dev/null still a device" "$(last_details)"; fi
echo old >"$T/real.html"
ln -s real.html "$T/link.html"
run "$NUMARUN" report -o "$T/link.html" "$ev"
if [ "$rc" -eq 0 ] && [ -L "$T/link.html" ] && grep -q '<!DOCTYPE html>' "$T/real.html"; then
	ok "report -o LINK: the link's target is replaced, the link stays"
else
	not_ok "report -o LINK: the link's target is replaced, the link stays" "$(last_details)" "$(ls -l "$T")"
fi
run "$NUMARUN" report -o /dev/full "$ev"
if [ "$rc" -eq 1 ] && grep -q '^numarun: /dev/full: cannot write: No space left on device$' "$T/err"; then
	ok "report -o /dev/full: exit status 1, said"
else
	not_ok "report -o /dev/full: exit status 1, said" "$(last_details)"
fi
if [ -z "$(find "$T" -name '*.tmp-*')" ]; then ok "no temporary file left behind"; else
	not_ok "no temporary file left behind" "$(find "$T" -name '*.tmp-*')"; fi

# Cut short in its last line (the program killed while numarun wrote it): taken, with a warning.
head -c $(($(wc -c <"$ev") - 30)) "$ev" >"$T/cut.json"
run "$NUMARUN" report -o "$T/cut.html" "$T/cut.json"
if [ "$rc" -eq 0 ] && grep -q "cut.json:$(wc -l <"$ev" | tr -d ' '): the last line is incomplete" "$T/err" &&
	grep -q 'No exit event' "$T/cut.html"; then
	ok "a cut-short last line: warned, the rest reported"
else
	not_ok "a cut-short last line: warned, the rest reported" "$(last_details)"
fi

# Unknown events are skipped, named with -v.
{ cat "$ev"; echo '{"t":9.5,"event":"from_the_future","x":[1]}'; } >"$T/future.json"
run "$NUMARUN" report -v -o "$T/future.html" "$T/future.json"
if [ "$rc" -eq 0 ] && grep -q "1 event of kinds this numarun does not know skipped: 'from_the_future'" "$T/err"; then
	ok "an unknown event is skipped, named with -v"
else
	not_ok "an unknown event is skipped, named with -v" "$(last_details)"
fi

# A name with markup and bytes that are not UTF-8 (numarun writes them as U+FFFD; a hand-made file may not).
printf '{"t":0.1,"event":"thread_new","tid":9,"comm":"<b>\\"&\\u0007\377x","node":0}\n' >"$T/names.json"
run "$NUMARUN" report -o "$T/names.html" "$T/names.json"
if [ "$rc" -eq 0 ] && grep -q '<td>&lt;b&gt;&quot;&amp;�</td>' "$T/names.html" ||
	grep -q '<td>&lt;b&gt;&quot;&amp;��x</td>' "$T/names.html"; then
	ok "a thread name is escaped, what is not UTF-8 shown as U+FFFD"
else
	not_ok "a thread name is escaped, what is not UTF-8 shown as U+FFFD" "$(grep -o '<td>[^<]*b&gt;[^/]*/td>' "$T/names.html")"
fi

# 1000 idle threads and 4 busy ones: a lane for each busy one, the rest in one lane, 500 table rows, and
# a page that stays small.
ev="$T/many.json"
run "$NUMARUN" --threads spread --monitor --interval 200ms --events "$ev" -- "$WORKERS" -t 4 -i 1000 -m 4 -s 3
expect_rc 0 "a monitored run of 4 workers and 1000 idle threads"
run "$NUMARUN" report -o "$T/many.html" "$ev"
expect_rc 0 "many: numarun report"
threads=$(grep -o '"tid":[0-9]*' "$ev" | sort -u | wc -l | tr -d ' ')
lanes=$(grep -c 'class="lane-name"' "$T/many.html")
rows=$(grep -c '<tr class="thread">' "$T/many.html")
size=$(wc -c <"$T/many.html" | tr -d ' ')
if [ "$threads" -gt 1000 ] && [ "$rows" = 500 ] && grep -q "<p>$((threads - 500)) more threads, not listed" "$T/many.html" &&
	[ "$lanes" -ge 5 ] && [ "$lanes" -le 25 ] &&
	grep -q "the other $((threads - lanes + 1)) threads share the last lane" "$T/many.html" &&
	grep -q ">$((threads - lanes + 1)) other threads (mean)</text>" "$T/many.html" && [ "$size" -lt 307200 ]; then
	ok "many: $threads threads in $lanes lanes and 500 rows, $size bytes"
else
	not_ok "many: $threads threads in lanes and 500 rows, small" "threads $threads, lanes $lanes, rows $rows, $size bytes"
fi
for w in worker0 worker1 worker2 worker3; do
	if grep -q "</tspan> $w</text>" "$T/many.html"; then ok "many: busy $w has a lane of its own"; else
		not_ok "many: busy $w has a lane of its own"; fi
done

# ---- a guest run with two nodes (moves and migrations) ----
for f in "$DATA"/*.json; do
	[ -f "$f" ] || continue
	name=guest-$(basename "$f" .json)
	report_ok "$name" "$f"
done
mon="$DATA/pages-monitored.json"
[ -f "$mon" ] || fail_all "missing $mon"
expect_eq "$(grep -c '"event":"move"' "$mon")" "$(grep -o 'class="mark move"' "$T/guest-pages-monitored.html" | wc -l | tr -d ' ')" \
	"guest: each thread move marked on its thread's lane"
if grep -q 'class="conv"' "$T/guest-pages-monitored.html" && grep -q '>converged [0-9.]* s</text>' "$T/guest-pages-monitored.html"; then
	ok "guest: the converged moment is marked"
else
	not_ok "guest: the converged moment is marked"
fi
if grep -q 'class="mark migration"' "$T/guest-pages-migrate.html"; then
	ok "guest: memory migrations marked"
else
	not_ok "guest: memory migrations marked"
fi

# ---- the page in a browser ----
CHROMIUM=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null 2>&1 && CHROMIUM=$c && break
done
if [ -z "$CHROMIUM" ]; then
	skip_check "the page rendered in headless Chromium" "no chromium installed (apt-get install chromium)"
else
	shot="$T/shot.png"
	run timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
		--disable-extensions --user-data-dir="$T/profile" --hide-scrollbars --screenshot="$shot" \
		--window-size=1280,1600 "file://$T/guest-pages-monitored.html"
	[ -n "${REPORT_SHOT:-}" ] && cp "$shot" "$REPORT_SHOT" 2>/dev/null
	probs=$(python3 - "$shot" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
if data[:8] != b'\x89PNG\r\n\x1a\n':
    print('not a PNG'); sys.exit(0)
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
if depth != 8 or ctype not in (2, 6) or interlace:
    print('unexpected PNG format: depth %d, colour type %d, interlace %d' % (depth, ctype, interlace)); sys.exit(0)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours = {}
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colours[px] = colours.get(px, 0) + 1
    prev = line
if (w, h) != (1280, 1600):
    print('screenshot is %dx%d' % (w, h))
if len(colours) < 20:
    print('only %d colours: blank?' % len(colours))
white = colours.get(b'\xff\xff\xff', 0)
if white > 0.98 * w * h:
    print('almost all white')
def near(rgb, tol=6):
    return sum(n for px, n in colours.items() if all(abs(px[k] - rgb[k]) <= tol for k in range(3)))
# The legend's swatches of node 0 and node 1 (20x12 pixels each at least), and the text.
for name, rgb in (('node 0 blue', (0x00, 0x72, 0xb2)), ('node 1 orange', (0xe6, 0x9f, 0x00))):
    if near(rgb) < 200:
        print('%s: %d pixels' % (name, near(rgb)))
if near((0x11, 0x11, 0x11), 40) < 500:
    print('no dark text')
PY
)
	if [ "$rc" -eq 0 ] && [ -s "$shot" ] && [ -z "$probs" ]; then
		ok "the page of the guest run renders in headless Chromium: not blank, both nodes' colours on it ($(wc -c <"$shot" | tr -d ' ') bytes)"
	else
		not_ok "the page of the guest run renders in headless Chromium" "$probs" "$(last_details)"
	fi
fi
finish
