"""The HTML report of a run (calculate_metrics.py report): the page and its extraction-risk and sensitive-content sections."""
