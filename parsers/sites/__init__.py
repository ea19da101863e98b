"""One module per site family: selector constants on top, one parse() below."""
