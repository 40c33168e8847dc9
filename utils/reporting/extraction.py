"""The report's extraction-risk section: how much memorization greedy decoding misses (docs/METRICS.md, 'Extraction risk').

Per split and category: the share of rows that are (n, 0.5)-discoverable for n = 1..10,000 samples
(Hayes et al. 2024) beside the greedy memorization rate, and quantiles of log10 P(continuation) (how skewed
it is). With `token_log_probs` in the run, the probability of reproducing the first j continuation tokens,
j = 1..32, per category (Li et al. 2025), read split by split in Arrow batches so the arrays never all sit
in memory at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from metrics.extraction import is_discoverable, prefix_log_probs, samples_to_discover
from metrics.taxonomy import CATEGORIES
from metrics.token_windows import CONTINUATION_TOKENS, PROMPT_TOKENS
from utils.reporting.sections import COLOURS, Sections

SAMPLE_COUNTS = (1, 10, 100, 1_000, 10_000)
QUANTILES = (0.1, 0.5, 0.9)
LOG10 = np.log(10.0)


def greedy_column(frame: pd.DataFrame) -> str | None:
    """The greedy memorization score to compare with: the run's own model's when it ran, else the dataset's."""
    return next((c for c in ("model_memorization_score", "memorization_score") if c in frame), None)


def discoverability_table(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """One row per split and category (and 'all'): rows with a continuation_log_prob, greedy rate, discoverable shares."""
    greedy = greedy_column(frame)
    scored = frame[frame["continuation_log_prob"].notna()]
    rows = []
    for label in order:
        split = scored[scored["label"] == label]
        if split.empty:
            continue
        parts = [("all", split)]
        if "taxonomy" in split:
            parts += [(category, split[split["taxonomy"] == category]) for category in CATEGORIES]
        for category, part in parts:
            if part.empty:
                continue
            log_p = part["continuation_log_prob"].to_numpy(np.float64)
            row = {"split": label, "category": category, "rows": len(part)}
            row["greedy_memorized"] = float((part[greedy] == 1.0).mean()) if greedy else np.nan
            if "exact_prefix_length" in part:
                row["mean_exact_prefix"] = float(part["exact_prefix_length"].mean())
            for n in SAMPLE_COUNTS:
                row[f"discoverable_n{n}"] = float(is_discoverable(log_p, n).mean())
            log10_p = log_p / LOG10
            for q in QUANTILES:
                row[f"log10_p_q{int(q * 100)}"] = float(np.quantile(log10_p, q, method="inverted_cdf"))  # no interpolation: -inf stays -inf
            row["median_samples_to_discover"] = float(np.median(samples_to_discover(log_p)))
            row["impossible_under_sampler"] = float(np.isneginf(log_p).mean())  # a token outside extraction.top_k
            rows.append(row)
    return pd.DataFrame(rows)


def prefix_curves(dataset, labels: list[str]) -> pd.DataFrame:
    """Per split, category and j = 1..32: mean log10 P(first j continuation tokens) and the share with P >= 0.5.

    Streams `token_log_probs` batch by batch; rows with fewer than 63 log-probabilities are left out.
    """
    wanted = [c for c in ("dataset", "split", "taxonomy", "token_log_probs") if c in dataset.schema.names]
    sums: dict[tuple[str, str], np.ndarray] = {}  # (split, category) -> [count, sum log10 P_j (32), count P_j >= 0.5 (32)]
    for batch in dataset.to_batches(columns=wanted, batch_size=65536):
        lists = batch.column("token_log_probs")
        lengths = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False)
        keep = np.flatnonzero(lengths >= PROMPT_TOKENS + CONTINUATION_TOKENS - 1)
        if not len(keep):
            continue
        values = lists.take(keep).values.to_numpy(zero_copy_only=False).astype(np.float64)
        offsets = np.concatenate([[0], np.cumsum(lengths[keep])])
        width = PROMPT_TOKENS + CONTINUATION_TOKENS - 1
        rows = values[offsets[:-1, None] + np.arange(width)[None, :]]  # the first 63 log-probs of each row
        prefix = prefix_log_probs(rows)
        label = (pc.binary_join_element_wise(batch.column("dataset"), batch.column("split"), "/")).take(keep).to_numpy(zero_copy_only=False)
        category = batch.column("taxonomy").take(keep).to_numpy(zero_copy_only=False) if "taxonomy" in wanted else np.full(len(keep), "all")
        for key_label in np.unique(label):
            in_split = label == key_label
            for key_category in ["all", *np.unique(category[in_split].astype(str))]:
                chosen = in_split if key_category == "all" else in_split & (category.astype(str) == key_category)
                part = prefix[chosen]
                total = sums.setdefault((key_label, key_category), np.zeros(1 + 2 * CONTINUATION_TOKENS))
                total[0] += len(part)
                total[1 : 1 + CONTINUATION_TOKENS] += (part / LOG10).sum(0)
                total[1 + CONTINUATION_TOKENS :] += (part >= np.log(0.5)).sum(0)
    records = []
    for (split, category), total in sums.items():
        if split not in labels or category == "None":
            continue
        count = total[0]
        for j in range(CONTINUATION_TOKENS):
            records.append(
                {
                    "split": split,
                    "category": category,
                    "prefix_tokens": j + 1,
                    "rows": int(count),
                    "mean_log10_p": total[1 + j] / count,
                    "share_p_at_least_half": total[1 + CONTINUATION_TOKENS + j] / count,
                }
            )
    return pd.DataFrame(records)


def table_html(table: pd.DataFrame) -> str:
    """The discoverability table as HTML: shares in per cent, log10 quantiles to one decimal."""
    header = "".join(f"<th>{name}</th>" for name in ("split", "category", "rows", "greedy memorized"))
    header += "<th>mean exact prefix</th>" if "mean_exact_prefix" in table else ""
    header += "".join(f"<th>n={n:,}</th>" for n in SAMPLE_COUNTS)
    header += "".join(f"<th>log10 P q{int(q * 100)}</th>" for q in QUANTILES) + "<th>median n</th><th>P=0 (top-k)</th>"
    body = []
    for r in table.to_dict("records"):
        cells = [r["split"], r["category"], f"{r['rows']:,}", f"{100 * r['greedy_memorized']:.1f} %"]
        if "mean_exact_prefix" in r:
            cells.append(f"{r['mean_exact_prefix']:.1f}")
        cells += [f"{100 * r[f'discoverable_n{n}']:.1f} %" for n in SAMPLE_COUNTS]
        cells += [f"{r[f'log10_p_q{int(q * 100)}']:.1f}" for q in QUANTILES]
        cells += [f"{r['median_samples_to_discover']:.3g}", f"{100 * r['impossible_under_sampler']:.1f} %"]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{header}</tr>{''.join(body)}</table>"


def extraction_section(page: Sections, frame: pd.DataFrame, dataset, order: list[str]) -> None:
    """Discoverable shares (table, CSV), log10 P histograms per dataset, and prefix curves when `token_log_probs` ran."""
    import matplotlib.pyplot as plt

    if "continuation_log_prob" not in frame:
        page.skip("extraction risk (no continuation_log_prob: run the likelihood filter)")
        return
    table = discoverability_table(frame, order)
    table.to_csv(page.out / "extraction_discoverability.csv", index=False)
    page.add(
        "<h3>Extraction risk: share of rows (n, 0.5)-discoverable by n samples (Hayes et al. 2024), beside greedy</h3>"
        "<p>A row is (n, 0.5)-discoverable when n samples from the prompt reproduce its 32-token continuation with "
        "probability at least 0.5; the sampler is the run's extraction settings (manifest). log10 P: quantiles of "
        "the probability that one sample reproduces it. Table: extraction_discoverability.csv.</p>" + table_html(table)
    )
    scored = frame[frame["continuation_log_prob"].notna()]
    for dataset_name in sorted(scored["dataset"].unique()):
        part = scored[scored["dataset"] == dataset_name]
        log10_p = part["continuation_log_prob"].to_numpy(np.float64) / LOG10
        finite = np.isfinite(log10_p)
        if not finite.any():
            continue
        low, high = np.floor(log10_p[finite].min()), 0.0
        bins = np.linspace(low, high, 50) if high > low else 50
        figure, axis = plt.subplots(figsize=(6, 3.5))
        for category in CATEGORIES if "taxonomy" in part else ():
            chosen = finite & (part["taxonomy"] == category).to_numpy()
            if chosen.any():
                axis.hist(
                    log10_p[chosen], bins=bins, alpha=0.5, density=True, color=COLOURS[category], label=f"{category} ({chosen.sum()})"
                )
        if "taxonomy" not in part:
            axis.hist(log10_p[finite], bins=bins, density=True)
        axis.set_yscale("log")
        axis.set_xlabel("log10 P(one sample reproduces the continuation)")
        if "taxonomy" in part:
            axis.legend(fontsize=7)
        page.figure(
            figure, f"extraction_log_prob_{dataset_name}.png", f"{dataset_name}: continuation log-probability by category (log scale)"
        )
    if "token_log_probs" in dataset.schema.names:
        curves = prefix_curves(dataset, order)
        curves.to_csv(page.out / "extraction_prefix_curves.csv", index=False)
        for label in [label for label in order if label in set(curves["split"])]:
            figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
            for category, curve in curves[curves["split"] == label].groupby("category"):
                colour = COLOURS.get(category, "black")
                left.plot(curve["prefix_tokens"], curve["mean_log10_p"], color=colour, label=category)
                right.plot(curve["prefix_tokens"], curve["share_p_at_least_half"], color=colour, label=category)
            left.set_xlabel("first j continuation tokens")
            left.set_ylabel("mean log10 P")
            right.set_xlabel("first j continuation tokens")
            right.set_ylabel("share with P >= 0.5")
            right.legend(fontsize=7)
            page.figure(
                figure,
                f"extraction_prefix_{label.replace('/', '_')}.png",
                f"{label}: probability of reproducing the first j tokens (Li et al. 2025)",
            )
    else:
        page.skip("memorization by length (no token_log_probs: run likelihood_with_token_log_probs)")
