"""`spill.DiskMap`: what an import remembers per row, on disk past a small number of entries."""

from __future__ import annotations

import os

from dermfhir.ingest import _common
from dermfhir.ingest._source import Row, SourceError
from dermfhir.ingest.spill import DiskMap


def test_values_survive_spilling_and_keep_first_insertion_order() -> None:
    seen = DiskMap(limit=3)
    for n in range(10):
        seen[f"k{n}"] = n
    assert seen.connection is not None  # older entries went to the file
    seen["k1"] = "updated after spilling"  # an update keeps the key's place
    assert seen.get("k1") == "updated after spilling" and seen.get("k9") == 9
    assert "k0" in seen and "k10" not in seen and seen.get("k10", "none") == "none"
    assert list(seen.values()) == [0, "updated after spilling", *range(2, 10)]
    assert len(seen) == 10


def test_tuple_keys_and_falsy_values() -> None:
    seen = DiskMap(limit=1)
    seen[("isic", "ISIC_1")] = None
    seen[("isic", "ISIC_2")] = 0
    assert ("isic", "ISIC_1") in seen and seen.get(("isic", "ISIC_2"), "missing") == 0


def test_the_file_leaves_no_name_behind() -> None:
    """The temporary file's name is removed once it is open, so that even a killed import leaves nothing."""
    seen = DiskMap(limit=1)
    seen["a"] = 1
    seen["b"] = 2
    assert seen.connection is not None
    path = seen.connection.execute("PRAGMA database_list").fetchone()[2]
    assert not os.path.exists(path)
    seen["c"] = 3
    assert seen.get("a") == 1 and seen.get("b") == 2  # still readable and writable
    seen.close()


def test_repeated_image_ids_are_caught_after_spilling(monkeypatch) -> None:
    """A conflicting repeat of an image id whose first row went to disk is still an error naming that row."""
    keys = _common.ImageKeys("image_id")
    keys.seen = DiskMap(limit=2)
    monkeypatch.setattr(keys, "DETAILED", 0)  # do not re-read a file that does not exist
    rows = [Row("meta.csv", n + 2, {"image_id": f"ISIC_{n}", "dx": "nv"}) for n in range(6)]
    assert all(keys.first(row) for row in rows)
    assert keys.first(Row("meta.csv", 9, {"image_id": "ISIC_0", "dx": "nv"})) is False  # the same row again
    try:
        keys.first(Row("meta.csv", 10, {"image_id": "ISIC_0", "dx": "mel"}))
    except SourceError as error:
        assert "already given by row 2" in str(error)
    else:
        raise AssertionError("a conflicting repeat was accepted")


def test_repeated_warnings_are_counted_not_kept() -> None:
    from dermfhir.ingest._result import Capped, Report

    report = Report()
    for n in range(Capped.LIMIT + 500):
        report.warnings.append(f"row {n}: another site")
    assert len(report.warnings) == Capped.LIMIT and report.warnings.total == Capped.LIMIT + 500
    assert report.warnings[0] == "row 0: another site"
    joined = Report()
    joined.warnings.append("first")
    joined.warnings.extend(report.warnings)
    assert joined.warnings.total == Capped.LIMIT + 501 and len(joined.warnings) == Capped.LIMIT
