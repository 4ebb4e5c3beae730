"""Sentence templates: mining them from segmented text, parsing with them, and their
file format."""
from .mining import (Parser, SentTree, TemplateFinder, TemplateSet, find_templates,
                     is_trivial, make_template, template_text)

__all__ = ["Parser", "SentTree", "TemplateFinder", "TemplateSet", "find_templates",
           "is_trivial", "make_template", "template_text"]
