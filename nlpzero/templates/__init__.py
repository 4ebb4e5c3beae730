"""Sentence templates: mining them from segmented text (:mod:`.mining`), parsing with
them (:mod:`.parsing`), and the templates as objects with their file format
(:mod:`.format`)."""
from .format import PLACEHOLDER, TemplateSet, is_trivial, make_template, template_text
from .mining import TemplateFinder, find_templates
from .parsing import Parser, SentTree

__all__ = ["PLACEHOLDER", "Parser", "SentTree", "TemplateFinder", "TemplateSet", "find_templates",
           "is_trivial", "make_template", "template_text"]
