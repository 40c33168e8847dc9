"""Building the offline sample: per-record documents, records cut from documents joined by EOS, duplicates planted
exactly as often as recorded, and a sample directory built once per version and seed, atomically."""

import json

import numpy as np

from utils.data.storage import COMPLETE_MARKER
from utils.sample import build
from utils.sample.build import (
    EOS,
    GENERATORS,
    PLANTED_COUNTS,
    PLANTED_PER_COUNT,
    ROW_TOKENS,
    encode_records,
    plant_duplicates,
    record_documents,
)
from utils.sample.settings import SampleSettings


def test_a_record_starts_with_a_document_of_its_category_and_is_the_same_for_a_seed():
    documents = record_documents(7, 12, "licence", 5)
    assert len(documents) == 5 and documents == record_documents(7, 12, "licence", 5)
    assert documents[0] == GENERATORS["licence"](np.random.default_rng([7, 12]))
    assert record_documents(7, 12, "licence", 9)[:5] == documents  # a longer record keeps its first documents
    assert record_documents(7, 13, "licence", 5) != documents


def test_records_are_documents_joined_by_eos_and_cut_and_short_ones_are_listed():
    texts = ["the river and the city", "one two three four five six", "council water"]
    tokenizer = build.train_tokenizer(texts * 20)
    eos = tokenizer.token_to_id(EOS)
    documents = [[texts[0], texts[1], texts[0]], [texts[2]]]
    out, first_lengths, short = encode_records(tokenizer, documents, 12)
    joined = [i for text in documents[0] for i in [*tokenizer.encode(text).ids, eos]]
    assert out[0].tolist() == joined[:12] and short == [1] and out[1].tolist() == [0] * 12
    assert first_lengths.tolist() == [len(tokenizer.encode(texts[0]).ids), len(tokenizer.encode(texts[2]).ids)]


def test_each_planted_row_occurs_exactly_its_recorded_number_of_times():
    rng = np.random.default_rng(0)
    corpus = rng.integers(0, 1 << 40, size=(200, ROW_TOKENS * 32 + 1))  # ids this wide never repeat by chance
    counts = plant_duplicates(np.random.default_rng(1), corpus, np.arange(0, 200, 2))
    assert sorted(counts.values()) == sorted(np.repeat(PLANTED_COUNTS, PLANTED_PER_COUNT).tolist())
    assert all(record % 2 == 0 for record in counts)  # only candidates
    starts = [0, *range(ROW_TOKENS, corpus.shape[1] - ROW_TOKENS + 1, ROW_TOKENS)]
    windows = {}
    for record in range(len(corpus)):
        for start in starts:
            key = corpus[record, start : start + ROW_TOKENS].tobytes()
            windows[key] = windows.get(key, 0) + 1
    assert {record: windows[corpus[record, :ROW_TOKENS].tobytes()] for record in counts} == counts


def test_the_sample_is_built_once_per_version_and_seed_and_moved_into_place(tmp_path, monkeypatch):
    built = []

    def fake_build(root, seed):
        built.append(seed)
        root.mkdir(parents=True)
        (root / "tokenizer.json").write_text(str(seed))

    monkeypatch.setattr(build, "build_sample", fake_build)
    directory = tmp_path / "sample"
    assert build.ensure_sample(SampleSettings(directory=str(directory), seed=3)) == directory
    assert build.ensure_sample(SampleSettings(directory=str(directory), seed=3)) == directory and built == [3]
    marker = json.loads((directory / COMPLETE_MARKER).read_text())
    assert (marker["version"], marker["seed"]) == (build.VERSION, 3)
    build.ensure_sample(SampleSettings(directory=str(directory), seed=4))  # another seed: rebuilt
    assert built == [3, 4] and (directory / "tokenizer.json").read_text() == "4"
    (directory / COMPLETE_MARKER).write_text("{broken")
    build.ensure_sample(SampleSettings(directory=str(directory), seed=4))
    assert built == [3, 4, 4] and [p.name for p in tmp_path.iterdir()] == ["sample"]  # no temporary directory left
