"""File operations through Hadoop's FileSystem API on a local path: atomic writes, renames into new directories,
listings of plain files only, JSON round trips, and the writability probe."""

import pytest

from utils.data.storage import Storage


@pytest.fixture(scope="module")
def storage(spark):
    return Storage(spark)


def test_write_read_and_replace_leave_no_temporary_file(storage, tmp_path):
    path = str(tmp_path / "a" / "note.txt")
    storage.write_text(path, "first\nsecond é")
    storage.write_text(path, "one\ntwo ü")  # replaces
    assert storage.read_text(path) == "one\ntwo ü"
    assert [p.name for p in (tmp_path / "a").iterdir() if not p.name.endswith(".crc")] == ["note.txt"]  # no .tmp left
    storage.write_bytes(str(tmp_path / "raw"), b"\x00\x01")
    assert (tmp_path / "raw").read_bytes() == b"\x00\x01"


def test_json_round_trip_sorted_and_readable(storage, tmp_path):
    path = str(tmp_path / "m.json")
    storage.write_json(path, {"b": [1, 2], "a": {"x": None}, "c": tmp_path})  # non-JSON values as strings
    assert storage.read_json(path) == {"a": {"x": None}, "b": [1, 2], "c": str(tmp_path)}
    assert (tmp_path / "m.json").read_text().startswith('{\n  "a"')


def test_list_files_gives_plain_files_with_sizes_and_nothing_for_a_missing_directory(storage, tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "x.parquet").write_bytes(b"12345")
    (tmp_path / "d" / "_SUCCESS").write_bytes(b"")
    assert storage.list_files(str(tmp_path / "d")) == {"x.parquet": 5, "_SUCCESS": 0}
    assert storage.list_files(str(tmp_path / "none")) == {}


def test_rename_makes_the_target_parent_and_delete_is_recursive_and_quiet(storage, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f").write_text("x")
    target = str(tmp_path / "deep" / "er" / "dst")
    storage.rename(str(tmp_path / "src"), target)
    assert (tmp_path / "deep" / "er" / "dst" / "f").read_text() == "x" and not storage.exists(str(tmp_path / "src"))
    storage.delete(str(tmp_path / "deep"))
    storage.delete(str(tmp_path / "deep"))  # already gone: nothing to do
    assert not (tmp_path / "deep").exists()


def test_qualify_gives_a_uri_and_the_probe_leaves_nothing(storage, tmp_path):
    assert storage.qualify(str(tmp_path)) == f"file://{tmp_path}"
    storage.check_writable(str(tmp_path / "out"))
    assert (tmp_path / "out").is_dir() and [p.name for p in (tmp_path / "out").iterdir() if not p.name.endswith(".crc")] == []
