#!/usr/bin/env bash
# Bad input for every CLI command: how does nlpzero fail?
#
#   bash benchmarks/check_bad_input.sh
#
# For `nlpzero lexicon F -o OUT`, `nlpzero segment F -o OUT` and `nlpzero score F F`,
# with F each of: a missing file, an empty file, invalid UTF-8, a binary file, and a
# 50 MB single line of Han characters without punctuation (the People's Daily text,
# `nlpzero dataset peoples-daily`, with every non-Han character removed, repeated to
# 50 MiB), it records the exit code, the number of stderr lines, whether a Python
# traceback appeared, the error message, and whether OUT exists (and, when it does,
# whether it is complete or was left half-written; leftover temporary files count as
# half-written too). The 50 MB runs are measured with /usr/bin/time -v (peak RSS, wall
# time) when it exists, else with Python's resource module.
#
# Two extra rows: scoring the 50 MB line against nlpzero's own segmentation of it,
# and whether the CLI's segmentation of the 50 MB line equals the API's segmentation
# of the whole line (the CLI reads long lines in pieces).
#
# The commands run as a user would type them (no -q), so progress bars count among
# the stderr lines. Scratch files go to benchmarks/_work/bad_input (git-ignored); the
# summary to benchmarks/results/bad_input.md. Nothing is fixed here: this only reports.
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$HERE/_work/bad_input"
RESULTS="$HERE/results"
PY="${PYTHON:-python}"
NLPZERO="${NLPZERO:-nlpzero}"
TIMEOUT="${TIMEOUT:-900}"
BIG_MIB=50

command -v "$NLPZERO" >/dev/null || { echo "nlpzero is not on PATH: pip install -e ." >&2; exit 2; }
rm -rf "$WORK"
mkdir -p "$WORK" "$RESULTS"
TSV="$WORK/results.tsv"
: > "$TSV"

if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
    HAVE_GNU_TIME=1
else
    HAVE_GNU_TIME=0
fi

# ---------------------------------------------------------------------------
# Inputs

echo "making the inputs..." >&2
MISSING="$WORK/missing.txt"                       # never created
EMPTY="$WORK/empty.txt";       : > "$EMPTY"
BADUTF8="$WORK/invalid_utf8.txt"
printf '中国人民\n\xff\xfe坏的字节\n今天天气很好\n' > "$BADUTF8"
BINARY="$WORK/binary.bin"
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 256)' > "$BINARY"
BIG="$WORK/han_${BIG_MIB}mb.txt"
"$NLPZERO" dataset peoples-daily -q -o "$WORK/peoples_daily.txt" || { echo "nlpzero dataset failed" >&2; exit 2; }
"$PY" - "$WORK/peoples_daily.txt" "$BIG" "$BIG_MIB" <<'EOF'
import re, sys
src, dst, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, encoding="utf-8") as f:
    han = "".join(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", f.read()))
target = mib * 1024 * 1024
unit = han.encode("utf-8")
data = (unit * (target // len(unit) + 1))[:target]
data = data[:len(data) - len(data) % 3]  # Han characters here are 3 bytes each
data.decode("utf-8")  # whole characters only
with open(dst, "wb") as f:
    f.write(data + b"\n")
print(f"{dst}: {len(data) + 1} bytes, {len(data) // 3} Han characters, one line", file=sys.stderr)
EOF

# ---------------------------------------------------------------------------
# Running one case

# run_case COMMAND CASE INPUT ARGS... : ARGS may contain the word @OUT@ for the output.
run_case() {
    local cmd="$1" case="$2" input="$3"; shift 3
    local tag="$cmd.$case"
    local out="$WORK/out.$tag"
    local err="$WORK/stderr.$tag" stdout="$WORK/stdout.$tag" tfile="$WORK/time.$tag"
    local args=() a
    for a in "$@"; do args+=("${a//@OUT@/$out}"); done
    rm -f "$out"
    echo "  $cmd / $case" >&2
    local start end rc
    start=$("$PY" -c 'import time; print(time.time())')
    if [[ "$case" == 50MB* ]] && [ "$HAVE_GNU_TIME" = 1 ]; then
        timeout "$TIMEOUT" /usr/bin/time -v -o "$tfile" "$NLPZERO" "${args[@]}" >"$stdout" 2>"$err"
        rc=$?
    elif [[ "$case" == 50MB* ]]; then
        # No GNU time: a Python wrapper reports the child's peak RSS and wall time.
        timeout "$TIMEOUT" "$PY" - "$tfile" "$NLPZERO" "${args[@]}" >"$stdout" 2>"$err" <<'EOF'
import resource, subprocess, sys, time
t = time.time()
rc = subprocess.call(sys.argv[2:])
wall = time.time() - t
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as f:
    f.write(f"Maximum resident set size (kbytes): {peak}\n")
    f.write(f"Elapsed wall seconds: {wall:.2f}\n")
sys.exit(rc)
EOF
        rc=$?
    else
        timeout "$TIMEOUT" "$NLPZERO" "${args[@]}" >"$stdout" 2>"$err"
        rc=$?
    fi
    end=$("$PY" -c 'import time; print(time.time())')
    "$PY" - "$TSV" "$cmd" "$case" "$rc" "$err" "$out" "$tfile" "$start" "$end" "$input" \
        "$(printf '%q ' nlpzero "${args[@]}" | sed "s|$WORK/||g")" "$stdout" "$WORK" <<'EOF'
import glob, os, re, sys
tsv, cmd, case, rc, err, out, tfile, start, end, inp, shown, stdout, work = sys.argv[1:]
with open(err, "rb") as f:
    # Paths in messages are shown relative to the scratch folder.
    raw = f.read().decode("utf-8", "replace").replace(work + os.sep, "")
n_lines = raw.count("\n")
traceback = "Traceback (most recent call last)" in raw
# The message: the last non-empty line once progress-bar redraws (\r) are undone.
visible = [l.rsplit("\r", 1)[-1].strip() for l in raw.split("\n")]
visible = [l for l in visible if l]
errors = [l for l in visible if "error" in l.lower() or "Error" in l]
message = (errors or visible or [""])[-1]
if cmd == "score" and rc == "0":
    # What score printed: the F1 line and the line and word counts.
    with open(stdout, encoding="utf-8", errors="replace") as f:
        printed = [l.strip() for l in f if l.strip()]
    message = "stdout: " + "; ".join(" ".join(l.split()) for l in printed
                                     if l.startswith("F1") or "lines" in l)
leftovers = glob.glob(os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".*"))
if cmd == "score":
    state = "n/a (stdout)"
elif not os.path.exists(out):
    state = "absent"
elif int(rc) != 0:
    state = "HALF-WRITTEN (exists after a failure)"
else:
    state = "complete"
    if cmd == "segment":
        with open(out, "rb") as f:
            got = f.read().replace(b" ", b"").replace(b"\n", b"")
        with open(inp, "rb") as f:
            want = f.read().replace(b"\r", b"").replace(b"\n", b"")
        if got != want:
            state = "INCOMPLETE (text differs from the input)"
    elif cmd == "lexicon":
        with open(out, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines[-1] == "":
            lines.pop()
        if not lines or not all(re.fullmatch(r"\S+ \d+", l) for l in lines):
            state = "INCOMPLETE (not word-count lines)"
    state += f", {os.path.getsize(out):,} bytes" if os.path.exists(out) else ""
if leftovers:
    state += f"; LEFTOVER temporary files: {len(leftovers)}"
time_s = f"{float(end) - float(start):.1f}"
peak = ""
if os.path.exists(tfile):
    text = open(tfile).read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    peak = f"{int(m.group(1)) / 1024:.0f}" if m else ""
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if m:
        secs = 0.0
        for part in m.group(1).split(":"):
            secs = secs * 60 + float(part)
        time_s = f"{secs:.1f}"
    m = re.search(r"Elapsed wall seconds: ([\d.]+)", text)
    if m:
        time_s = m.group(1)
row = [cmd, case, rc, str(n_lines), "YES" if traceback else "no", state,
       message.replace("|", "\\|")[:160], time_s, peak, shown.strip()]
with open(tsv, "a", encoding="utf-8") as f:
    f.write("\t".join(row) + "\n")
print(f"    exit {rc}, {n_lines} stderr lines, traceback {'YES' if traceback else 'no'}, "
      f"OUT {state}: {message[:120]}", file=sys.stderr)
EOF
}

# ---------------------------------------------------------------------------
# The cases

echo "running..." >&2
for spec in "missing:$MISSING" "empty:$EMPTY" "invalid-UTF-8:$BADUTF8" "binary:$BINARY" \
            "50MB-line:$BIG"; do
    case_name="${spec%%:*}"
    f="${spec#*:}"
    run_case lexicon "$case_name" "$f" lexicon "$f" -o @OUT@
    run_case segment "$case_name" "$f" segment "$f" -o @OUT@
    run_case score "$case_name" "$f" score "$f" "$f"
done

# Extra: the 50 MB line as gold (one word) against nlpzero's segmentation of it.
SEGMENTED="$WORK/out.segment.50MB-line"
if [ -s "$SEGMENTED" ]; then
    run_case score "50MB-line-vs-its-segmentation" "$BIG" score "$BIG" "$SEGMENTED"
fi

# Extra: does the CLI (which reads a long line in pieces of 8 MiB) segment the 50 MB
# line as the API segments it whole?
PIECES_NOTE=""
if [ -s "$SEGMENTED" ]; then
    PIECES_NOTE="$("$PY" - "$BIG" "$SEGMENTED" <<'EOF'
import sys
from nlpzero.segmentation import Tokenizer
with open(sys.argv[1], encoding="utf-8") as f:
    line = f.read().rstrip("\n")
with open(sys.argv[2], encoding="utf-8") as f:
    cli = f.read().split()
api = Tokenizer().lcut(line)
if cli == api:
    print(f"The CLI's segmentation of the 50 MB line equals the API's segmentation of the "
          f"whole line ({len(api):,} words).")
else:
    # Find the places where the word boundaries differ.
    def bounds(words):
        out, pos = set(), 0
        for w in words:
            pos += len(w)
            out.add(pos)
        return out
    a, c = bounds(api), bounds(cli)
    only_cli, only_api = sorted(c - a), sorted(a - c)
    print(f"The CLI's segmentation of the 50 MB line differs from the API's segmentation "
          f"of the whole line: {len(cli):,} vs {len(api):,} words; word boundaries only in "
          f"the CLI output at character offsets {only_cli[:10]}, only in the API output at "
          f"{only_api[:10]} (the CLI cuts the line into pieces of about 8 MiB = "
          f"{(1 << 23) // 3:,} Han characters and segments each piece on its own).")
EOF
)"
fi

# ---------------------------------------------------------------------------
# Summary

"$PY" - "$TSV" "$RESULTS/bad_input.md" "$HAVE_GNU_TIME" "$PIECES_NOTE" "$BIG_MIB" <<'EOF'
import datetime, os, platform, re, subprocess, sys
tsv, dest, gnu, pieces_note, mib = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(tsv, encoding="utf-8") if l.strip()]
cpu = "unknown"
try:
    for line in open("/proc/cpuinfo", encoding="utf-8", errors="replace"):
        if line.lower().startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
try:
    import nlpzero
    version = nlpzero.__version__
except Exception:
    version = "?"
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(dest))))
try:
    from benchutil import source_state
    state = source_state()
except Exception as exc:
    state = f"unknown ({exc})"
out = ["# Bad input for the nlpzero CLI", "",
       f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
       f"- machine: `{platform.machine()}` (uname -m), CPU: {cpu}, {os.cpu_count()} logical CPUs",
       f"- software: Python {platform.python_version()}, nlpzero {version}",
       f"- nlpzero source: {state}",
       "- command: `bash benchmarks/check_bad_input.sh` (from the repository root)",
       f"- time and peak memory of the {mib} MB runs: "
       + ("`/usr/bin/time -v` (wall clock, maximum resident set size)" if gnu == "1"
          else "Python resource.getrusage(RUSAGE_CHILDREN) around the command"),
       "", "Inputs: `missing` does not exist; `empty` is 0 bytes; `invalid-UTF-8` has the "
       "bytes FF FE on line 2; `binary` is the 256 byte values repeated (64 KiB, NULs "
       f"included); `50MB-line` is one line of {mib} MiB of Han characters (the People's "
       "Daily text with every non-Han character removed, repeated), no punctuation. "
       "OUT is the `-o` file (`score` writes to stdout). stderr lines include the "
       "progress bars (the commands ran without -q).", "",
       "| command | input | exit | stderr lines | traceback | OUT | message | time s | peak MiB |",
       "| --- | --- | ---: | ---: | --- | --- | --- | ---: | ---: |"]
problems = []
for cmd, case, rc, n, tb, state, msg, t, peak, shown in rows:
    out.append(f"| `{cmd}` | {case} | {rc} | {n} | {tb} | {state} | {msg} | "
               f"{t if case.startswith('50MB') else ''} | {peak} |")
    bad = []
    if tb == "YES":
        bad.append("a traceback")
    if rc not in ("0", "1"):
        bad.append(f"exit code {rc}")
    if "HALF" in state or "INCOMPLETE" in state or "LEFTOVER" in state:
        bad.append(f"OUT {state}")
    if rc != "0" and not msg.startswith(f"nlpzero {cmd}: error:"):
        bad.append("no one-line `nlpzero ...: error:` message")
    if rc == "0" and case in ("missing", "invalid-UTF-8", "binary"):
        bad.append("success on input that should be refused")
    if rc != "0" and case.startswith("50MB"):
        bad.append("failure on valid input")
    m = re.search(r"lines\W*(\d+)|(\d+) lines", msg)
    n_scored = m and int(m.group(1) or m.group(2))
    if cmd == "score" and rc == "0" and case.startswith("50MB") and n_scored != 1:
        bad.append(f"scored {n_scored} lines in a file of one line")
    if bad:
        problems.append(f"- `{shown}` ({case}): " + "; ".join(bad) + f". Message: {msg or '(none)'}")
out += ["", "Commands as run (paths relative to benchmarks/_work/bad_input/):", ""]
out += [f"- {r[1]}: `{r[9]}`" for r in rows]
if pieces_note and "differs" in pieces_note:
    problems.append("- `nlpzero segment` of the 50 MB line: its word boundaries differ from "
                    "the API's segmentation of the whole line (see below).")
out += ["", "## Problems found", ""]
out += problems or ["- none: every failure was one clear line and exit 1, with no traceback "
                    "and no output file left behind."]
if pieces_note:
    out += ["", "## Long line read in pieces", "", pieces_note]
if any(p.startswith("- `nlpzero score") and "50MB" in p for p in problems):
    out += ["", "Likely cause: `nlpzero score` reads both files with the same reader, which hands a line "
            "longer than 8 MiB on in pieces, and compares the k-th piece of one file with "
            "the k-th piece of the other as if they were lines: a one-line file of "
            f"{mib} MiB counts as several lines (and gold words), and when the two files "
            "differ in bytes (the segmentation has spaces) their pieces cover different "
            "text, so a valid segmentation is refused with `the texts differ`."]
with open(dest, "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print("\n".join(out))
print(f"\nwritten to {os.path.relpath(dest)}", file=sys.stderr)
EOF
