"""The report's sensitive-content section: is personal data or a secret memorized more often than its base rate?

Per scheme and model size, the share of memorized rows (the memories split) holding each kind, next to the
share in the Pile control sample of the same scheme (its rows are the same for every model size, so each
row counts once), and per taxonomy category. Only the kinds array is read, in Arrow; spans are never needed.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from metrics.sensitive_content import KINDS
from utils.reporting.sections import Sections

ANY = "any"
# Left out of "any": on real code nearly every high-entropy quoted string is a digest or a test vector (docs/SENSITIVE_CONTENT.md,
# "Precision"), so it would swamp the kinds that are personal data or credentials. It keeps its own row.
NOT_IN_ANY = {"high_entropy_string"}


def kind_shares(table: pa.Table, by: list[str]) -> pd.DataFrame:
    """Rows and the share of rows holding each kind (and any kind but NOT_IN_ANY), per group of `by` columns; null kinds left out."""
    kinds = table.column("sensitive_kinds").combine_chunks()
    known = pc.is_valid(kinds)
    table, kinds = table.filter(known), kinds.filter(known)
    keys = table.select(by).to_pandas()  # index: the row's position, which list_parent_indices refers to
    rows = keys.groupby(by, dropna=False).size().rename("rows")
    parents = pc.list_parent_indices(kinds).to_numpy()
    hits = pd.DataFrame({"row": parents, "kind": pc.list_flatten(kinds).to_numpy(zero_copy_only=False)}).drop_duplicates()
    counted = np.unique(hits.loc[~hits["kind"].isin(NOT_IN_ANY), "row"].to_numpy())
    hits = pd.concat([hits, pd.DataFrame({"row": counted, "kind": ANY})]).join(keys, on="row")
    counts = hits.groupby([*by, "kind"], dropna=False).size().unstack("kind", fill_value=0)
    counts = counts.reindex(columns=[*KINDS, ANY], fill_value=0).reindex(rows.index, fill_value=0)
    return counts.div(rows, axis=0).assign(rows=rows).reset_index()


def memorized_vs_base_rate(dataset: pads.Dataset) -> pd.DataFrame:
    """Long table: scheme, model, kind, memorized rows and share, Pile rows and share of the same scheme, and their ratio."""
    table = dataset.to_table(columns=["dataset", "scheme", "model", "sequence_id", "sensitive_kinds"])
    memories = table.filter(pc.equal(table.column("dataset"), "memories"))
    pile = _control_once(table.filter(pc.equal(table.column("dataset"), "pile")))
    memorized = _long(kind_shares(memories, ["scheme", "model"]), ["scheme", "model"]) if memories.num_rows else pd.DataFrame()
    base = _long(kind_shares(pile, ["scheme"]), ["scheme"]) if pile.num_rows else pd.DataFrame()
    if memorized.empty:
        return memorized
    memorized = memorized.rename(columns={"rows": "memorized_rows", "share": "memorized_share"})
    if base.empty:
        return memorized.assign(pile_rows=np.nan, pile_share=np.nan, ratio=np.nan)
    base = base.rename(columns={"rows": "pile_rows", "share": "pile_share"})
    out = memorized.merge(base, on=["scheme", "kind"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["memorized_share"] / out["pile_share"]
    return out


def by_category(dataset: pads.Dataset) -> pd.DataFrame:
    """Long table: dataset, scheme, taxonomy category, kind, rows and share of rows holding the kind (control rows once)."""
    if "taxonomy" not in dataset.schema.names:
        return pd.DataFrame()
    table = dataset.to_table(columns=["dataset", "scheme", "sequence_id", "taxonomy", "sensitive_kinds"])
    memories = table.filter(pc.equal(table.column("dataset"), "memories"))
    table = pa.concat_tables([memories, _control_once(table.filter(pc.equal(table.column("dataset"), "pile")))])
    return _long(kind_shares(table, ["dataset", "scheme", "taxonomy"]), ["dataset", "scheme", "taxonomy"])


def _control_once(pile: pa.Table) -> pa.Table:
    """The Pile control rows once per scheme: the sample holds the same rows for every model size."""
    if not pile.num_rows:
        return pile
    first = pile.select(["scheme", "sequence_id"]).to_pandas().drop_duplicates().index.to_numpy()
    return pile.take(pa.array(first))


def _long(shares: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return shares.melt(id_vars=[*by, "rows"], value_vars=[*KINDS, ANY], var_name="kind", value_name="share")


def rates_html(rates: pd.DataFrame) -> str:
    """Kinds seen anywhere (plus 'any'), one row per scheme, model size and kind."""
    seen = set(rates.loc[(rates["memorized_share"] > 0) | (rates["pile_share"].fillna(0) > 0), "kind"]) | {ANY}
    shown = rates[rates["kind"].isin(seen)]
    body = "".join(
        f"<tr><td>{r.scheme}</td><td>{r.model}</td><td>{r.kind}</td><td>{r.memorized_rows:,}</td><td>{100 * r.memorized_share:.3f} %</td>"
        f"<td>{'' if np.isnan(r.pile_rows) else f'{int(r.pile_rows):,}'}</td>"
        f"<td>{'' if np.isnan(r.pile_share) else f'{100 * r.pile_share:.3f} %'}</td><td>{_ratio(r.ratio)}</td></tr>"
        for r in shown.itertuples()
    )
    return (
        "<table><tr><th>scheme</th><th>model</th><th>kind</th><th>memorized rows</th><th>memorized with kind</th>"
        f"<th>Pile rows</th><th>Pile with kind</th><th>ratio</th></tr>{body}</table>"
    )


def _ratio(value: float) -> str:
    return "" if np.isnan(value) else ("inf" if np.isinf(value) else f"{value:.2f}x")


def sensitive_section(page: Sections, dataset: pads.Dataset) -> None:
    """Memorized vs Pile shares per kind (table, CSV, figure) and the share per taxonomy category."""
    import matplotlib.pyplot as plt

    if "sensitive_kinds" not in dataset.schema.names:
        page.skip("sensitive content rates (no sensitive_kinds: run the sensitive_content filter)")
        return
    rates = memorized_vs_base_rate(dataset)
    categories = by_category(dataset)
    rates.to_csv(page.out / "sensitive_content_rates.csv", index=False)
    categories.to_csv(page.out / "sensitive_content_by_category.csv", index=False)
    if not rates.empty:
        page.add(
            "<h3>Sensitive content: memorized rows vs the Pile base rate of the same scheme</h3><p>Share of rows "
            "whose text holds each kind (sensitive_content filter); ratio above 1: memorized more often than the "
            "control sample holds it. Tables: sensitive_content_rates.csv, sensitive_content_by_category.csv.</p>" + rates_html(rates)
        )
        shown = rates[rates["kind"] == "any"]
        figure, axis = plt.subplots(figsize=(max(6, 0.7 * len(shown)), 3.5))
        labels = (shown["scheme"] + "." + shown["model"]).tolist()
        positions = np.arange(len(shown))
        axis.bar(positions - 0.2, shown["memorized_share"], width=0.4, label="memorized")
        axis.bar(positions + 0.2, shown["pile_share"].fillna(0), width=0.4, label="Pile (same scheme)")
        axis.set_xticks(positions, labels, rotation=60, ha="right", fontsize=8)
        axis.set_ylabel("share of rows with any kind")
        axis.legend(fontsize=8)
        page.figure(figure, "sensitive_content_rates.png", "Rows holding personal data or secrets: memorized vs Pile")
    if not categories.empty:
        table = categories[categories["kind"] == "any"]
        body = "".join(
            f"<tr><td>{html.escape(str(r.dataset))}</td><td>{html.escape(str(r.scheme))}</td><td>{html.escape(str(r.taxonomy))}</td>"
            f"<td>{r.rows:,}</td><td>{100 * r.share:.3f} %</td></tr>"
            for r in table.itertuples()
        )
        page.add(
            "<h3>Sensitive content per taxonomy category (any kind)</h3><table><tr><th>dataset</th><th>scheme</th>"
            f"<th>category</th><th>rows</th><th>with any kind</th></tr>{body}</table>"
        )
