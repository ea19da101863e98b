"""One module per site family: selector constants on top, one parse() below.

parse() reads the page only through the module's RULES: the page is pruned to what those
rules read before BeautifulSoup sees it (parsers/reads.py).
"""
