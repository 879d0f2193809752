"""From screenplay to breakdown: parsing, importing, asset detection and suggestions (I5, N1-N5,
D1-D3)."""
