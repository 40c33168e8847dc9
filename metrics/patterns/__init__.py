"""Templating on decoded text: how much of it one repeating or one incrementing pattern explains (docs/METRICS.md, 'Templating').

Prashant et al. 2024, arXiv 2406.17746. The reference (EleutherAI/semantic-memorization, filters/pattern_incrementing.py
and its exact-period test) required the whole text to be one pattern, so any lead-in or tail hid it. Ours measures
coverage inside the text, and keeps to what people label as templating (../shared/data, docs/TEMPLATING.md):

- repeating: the same unit over and over, character for character. Runs that are periodic with a unit of
  <= MAX_REPEAT_UNIT characters over >= MIN_COPIES copies, grouped by their unit (up to rotation: "ab" runs
  and "ba" runs are one pattern); `repeating_coverage` is the share of the text the largest group covers.
  A unit whose numbers take at most MAX_REPEAT_VALUES distinct values over all its runs also repeats (bit
  matrices "0&1&0", "9, 9, 7, 7"): with each number as one symbol its runs form a group too, covering what
  they cover outside the counting copies (below).
  Lines that only share a prefix (`\\usepackage{...}` blocks, imports, stack traces) are not a repetition.
- incrementing: the same unit over and over except for numbers that count. Every number (decimal, decimal
  fraction, 0x-hex, a lone letter enumerator "(b)", a roman numeral "XXIX", "(iv)", an English number word
  "one".."twenty") becomes one placeholder;
  runs of >= MIN_TERMS consecutive copies of a unit of <= MAX_COUNT_UNIT symbols in which each number slot
  keeps its own constant step (or constant ratio) and at least one slot moves are covered.
  So are >= MIN_NUMBERED_LINES consecutive non-blank lines whose leading numbers count (numbered lists).
  `incrementing_coverage` is the share of the text those copies and lines cover. Lines that differ in an identifier
  ("AMDEP_TRUE = @AMDEP_TRUE@") or in unrelated numbers (tables, stack-trace line numbers) do not count.
- templating: `templating_coverage` is the share the counting copies and the dominant repetition's runs cover
  together (a numbered table header and its ruled lines). is_repeating: repeating >= REPEATING_THRESHOLD;
  is_incrementing: incrementing >= INCREMENTING_THRESHOLD, or templating >= TEMPLATING_THRESHOLD where repetition
  alone falls short (such a text always counts). So is_templating: incrementing >= 0.65 or templating >= 0.8.

Modules, each a layer over the ones before it: character_classes (the code points named, spaces, letters, digits),
numerals (hex digits, roman numerals, number words), number_lexer (the skeleton: each number one symbol),
periodic_runs (maximal periodic runs, grouped by unit up to rotation), repeating, incrementing, and coverage (the
entry points and their settings, re-exported here). Every kernel is compiled once and cached by numba, whose cache
notices edits only in the file of the kernel it compiled (numba issue 1833): after editing one of these modules,
delete metrics/patterns/__pycache__, or coverage.py's kernel may keep running the old code.
"""

from metrics.patterns.coverage import (
    INCREMENTING_THRESHOLD,
    MAX_COUNT_UNIT,
    MAX_REPEAT_UNIT,
    MAX_REPEAT_VALUES,
    MIN_COPIES,
    MIN_NUMBERED_LINES,
    MIN_TERMS,
    REPEATING_THRESHOLD,
    TEMPLATING_THRESHOLD,
    coverage_flags,
    pattern_columns,
    pattern_coverage,
    pattern_coverages,
    pattern_flags,
)

__all__ = [
    "INCREMENTING_THRESHOLD",
    "MAX_COUNT_UNIT",
    "MAX_REPEAT_UNIT",
    "MAX_REPEAT_VALUES",
    "MIN_COPIES",
    "MIN_NUMBERED_LINES",
    "MIN_TERMS",
    "REPEATING_THRESHOLD",
    "TEMPLATING_THRESHOLD",
    "coverage_flags",
    "pattern_columns",
    "pattern_coverage",
    "pattern_coverages",
    "pattern_flags",
]
