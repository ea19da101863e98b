"""Errors the parsers raise for input they cannot turn into a record."""


class ParseError(ValueError):
    """The input is not an article this parser can read; the message says why."""


class NotAnArticle(ParseError):
    """The page parsed, but it is an index, error or empty page, not an article."""
