"""MkDocs hooks.

* Publish benchmarks/results/ with the documentation: the pages link to the results as
  ``../benchmarks/results/NAME`` (right when read in the repository); the built site gets a
  copy of that folder under ``results/`` and the links are pointed there.
* The docstrings use Sphinx roles (``:func:`name```), which mkdocstrings shows as they are:
  the role is dropped, a leading ``~`` keeps the last name only, and a full
  ``nlpzero.`` name becomes a link to its entry in the API reference.
"""

import os
import re

from mkdocs.structure.files import File

RESULTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "benchmarks")
LINK = re.compile(r"\]\((\.\./)+benchmarks/results/")


def on_files(files, config):
    for name in sorted(os.listdir(os.path.join(RESULTS, "results"))):
        if name.endswith((".md", ".png")):
            files.append(File(f"results/{name}", src_dir=RESULTS, dest_dir=config["site_dir"],
                              use_directory_urls=config["use_directory_urls"]))
    return files


def on_page_markdown(markdown, page, config, files):
    depth = page.file.src_uri.count("/")
    return LINK.sub("](" + "../" * depth + "results/", markdown)


ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc|obj):<code>(~?)([^<]*)</code>")


def _role(match):
    short, name = match.group(1), match.group(2).lstrip(".")
    title = name.rsplit(".", 1)[-1] if short else name
    if name.startswith("nlpzero."):
        return f'<autoref identifier="{name}" optional><code>{title}</code></autoref>'
    return f"<code>{title}</code>"


def on_page_content(html, page, config, files):
    return ROLE.sub(_role, html)
