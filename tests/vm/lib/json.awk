# json.awk - flatten a JSON document into "PATH<TAB>VALUE" lines, for shell checks without jq.
#
# Paths join object keys and array indexes with dots: {"nodes":[{"cpus":"0-1"}]} gives
#   nodes.0.cpus<TAB>0-1
#   nodes.#<TAB>1            (every array also gives its length as PATH.#; the top level is "")
# Strings are unescaped (\uXXXX beyond ASCII is kept as written); numbers, true, false and null are
# printed as written. Malformed input: a message on stderr and exit status 1.
# Works with busybox awk, mawk and gawk.

function fail(msg) {
	printf "json.awk: %s at offset %d\n", msg, pos > "/dev/stderr"
	bad = 1
	exit 1
}

function ws(   c) {
	while (pos <= len) {
		c = substr(buf, pos, 1)
		if (c != " " && c != "\t" && c != "\n" && c != "\r") return
		pos++
	}
}

function join(path, key) {
	return path == "" ? key : path "." key
}

function str(   out, c, e, hex) {
	pos++  # opening quote
	out = ""
	while (pos <= len) {
		c = substr(buf, pos, 1)
		if (c == "\"") { pos++; return out }
		if (c == "\\") {
			e = substr(buf, pos + 1, 1)
			if (e == "n") out = out "\n"
			else if (e == "t") out = out "\t"
			else if (e == "r") out = out "\r"
			else if (e == "b") out = out "\b"
			else if (e == "f") out = out "\f"
			else if (e == "u") {
				hex = substr(buf, pos + 2, 4)
				if (hex ~ /^00[0-7][0-9a-fA-F]$/) out = out sprintf("%c", hexval(substr(hex, 3, 2)))
				else out = out "\\u" hex
				pos += 4
			} else out = out e
			pos += 2
			continue
		}
		out = out c
		pos++
	}
	fail("unterminated string")
}

function hexval(h,   i, v, d) {
	v = 0
	for (i = 1; i <= length(h); i++) {
		d = index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
		v = v * 16 + d
	}
	return v
}

function value(path,   c, rest, n, key) {
	ws()
	c = substr(buf, pos, 1)
	if (c == "{") {
		pos++
		ws()
		if (substr(buf, pos, 1) == "}") { pos++; return }
		for (;;) {
			ws()
			if (substr(buf, pos, 1) != "\"") fail("expected a key")
			key = str()
			ws()
			if (substr(buf, pos, 1) != ":") fail("expected ':'")
			pos++
			value(join(path, key))
			ws()
			c = substr(buf, pos, 1)
			pos++
			if (c == "}") return
			if (c != ",") fail("expected ',' or '}'")
		}
	}
	if (c == "[") {
		pos++
		n = 0
		ws()
		if (substr(buf, pos, 1) == "]") { pos++; print join(path, "#") "\t0"; return }
		for (;;) {
			value(join(path, n))
			n++
			ws()
			c = substr(buf, pos, 1)
			pos++
			if (c == "]") { print join(path, "#") "\t" n; return }
			if (c != ",") fail("expected ',' or ']'")
		}
	}
	if (c == "\"") {
		print path "\t" str()
		return
	}
	rest = substr(buf, pos, 64)
	if (match(rest, /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/) || match(rest, /^(true|false|null)/)) {
		print path "\t" substr(rest, 1, RLENGTH)
		pos += RLENGTH
		return
	}
	fail("unexpected '" c "'")
}

{ buf = buf $0 "\n" }

END {
	if (bad) exit 1
	len = length(buf)
	pos = 1
	ws()
	if (pos > len) { print "json.awk: empty input" > "/dev/stderr"; exit 1 }
	value("")
	ws()
	if (pos <= len) fail("trailing text")
}
