"""The README's and the documentation's examples stay true.

Every ```python block of README.md and docs/*.md runs, the blocks of one page in order in
one namespace (a later block may use what an earlier one made), in a temporary folder. A
block right after the line ``<!-- skip-test -->`` is left out (big data or the network).
Every command in a ```bash block that starts with ``nlpzero `` must parse with the real
command line's parser: the subcommand exists and the options are its own.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from nlpzero.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
SKIP_MARK = "<!-- skip-test -->"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def code_blocks(path: Path, language: str) -> list[tuple[int, str]]:
    """(line number, code) of the fenced blocks of `language` in `path` not marked to skip."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        if match.group(1) != language:
            continue
        before = text[:match.start()].rstrip().splitlines()
        if before and before[-1].strip() == SKIP_MARK:
            continue
        blocks.append((text.count("\n", 0, match.start()) + 1, match.group(2)))
    return blocks


def nlpzero_commands(code: str) -> list[str]:
    """The ``nlpzero ...`` commands of a bash block: continuation lines joined, each
    command of a pipe or a ``&&`` chain on its own."""
    code = re.sub(r"\s*\\\n\s*", " ", code)
    commands = []
    for line in code.splitlines():
        for part in re.split(r"\|\||&&|\||;", line):
            part = part.strip()
            if part.startswith("nlpzero "):
                commands.append(part)
    return commands


def cli_args(command: str) -> list[str]:
    """The arguments of `command` after ``nlpzero``, comments and redirections left out."""
    words = shlex.split(command, comments=True)[1:]
    args, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in ("<", ">", ">>", "2>"):
            skip = True
        elif not re.match(r"^[0-9]?[<>]", word):
            args.append(word)
    return args


PYTHON_PAGES = [p for p in PAGES if code_blocks(p, "python")]
BASH_COMMANDS = [(p, cmd) for p in PAGES for _, code in code_blocks(p, "bash")
                 for cmd in nlpzero_commands(code)]


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=lambda p: p.name)
def test_python_blocks_run(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for line, code in code_blocks(page, "python"):
        try:
            exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
        except Exception as error:  # name the block in the failure
            raise AssertionError(f"{page.name}, the python block at line {line} failed: "
                                 f"{type(error).__name__}: {error}") from error


@pytest.mark.parametrize("page, command", BASH_COMMANDS,
                         ids=[f"{p.name}:{c[:40]}" for p, c in BASH_COMMANDS])
def test_bash_commands_parse(page, command, capsys):
    parser = build_parser()
    try:
        parser.parse_args(cli_args(command))
    except SystemExit as exit:
        assert exit.code == 0, (f"{page.name}: `{command}` does not parse: "
                                f"{capsys.readouterr().err.strip()}")


def test_pages_have_examples():
    assert PYTHON_PAGES and BASH_COMMANDS
    assert ROOT / "README.md" in PYTHON_PAGES


def test_command_extraction():
    code = "echo 鸡蛋 | nlpzero parse --templates t.txt --json  # a comment\n" \
           "pip install . && nlpzero demo\nnlpzero vectors a.txt \\\n    -o v.bin\n"
    commands = nlpzero_commands(code)
    assert commands == ["nlpzero parse --templates t.txt --json  # a comment",
                        "nlpzero demo", "nlpzero vectors a.txt -o v.bin"]
    assert cli_args("nlpzero segment < news.txt > out.txt") == ["segment"]
    assert cli_args(commands[0]) == ["parse", "--templates", "t.txt", "--json"]


def test_cli_page_names_every_command_and_option():
    import argparse

    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        assert f"## {name}\n" in page, f"docs/cli.md has no section for {name}"
        section = page.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help", "-q", "--quiet", "--encoding-errors"):
                    assert f"`{option}" in section, f"docs/cli.md, {name}: {option} missing"


def _results_rows(page: Path, heading: str):
    """(cells, linked results files) of the table under `heading` in `page`."""
    text = page.read_text(encoding="utf-8").split(heading, 1)[1].split("\n## ", 1)[0]
    for row in text.splitlines():
        links = re.findall(r"\(((?:\.\./)?benchmarks/results/[\w.-]+\.md)\)", row)
        if row.startswith("|") and links:
            files = [(page.parent / link).resolve() for link in links]
            yield [cell.strip() for cell in row.strip("|").split("|")], files


@pytest.mark.parametrize("page, heading, result_column, date_column", [
    ("README.md", "## Results", 1, 2),
    ("docs/benchmarks.md", "## Results files", None, 2),
])
def test_results_tables_match_their_files(page, heading, result_column, date_column):
    rows = list(_results_rows(ROOT / page, heading))
    assert rows
    for cells, files in rows:
        text = "".join(f.read_text(encoding="utf-8") for f in files)
        dates = re.findall(r"^- date: (\S+ \S+)", text, re.M)
        assert any(cells[date_column].startswith(d) for d in dates), (page, cells, dates)
        if result_column is not None:
            for figure in re.findall(r"\d+\.\d+", cells[result_column]):
                assert figure in text, f"{page}: {figure} is not in {[f.name for f in files]}"


def test_benchmarks_page_lists_every_results_file():
    page = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "benchmarks" / "results").glob("*.md")):
        assert f"(../benchmarks/results/{path.name})" in page, f"{path.name} is not listed"
