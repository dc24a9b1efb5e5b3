"""The pages visitors and recruiters see: rendering of published portfolios (HTML and PDF)."""
