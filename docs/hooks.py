"""MkDocs hooks: publish benchmarks/results/ with the documentation.

The pages link to the results as ``../benchmarks/results/NAME`` (right when read in the
repository); the built site gets a copy of that folder under ``results/`` and the links are
pointed there.
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
