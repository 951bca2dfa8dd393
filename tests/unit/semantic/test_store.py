"""The last good model keeps serving when a reload brings a broken one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.config import DEMO_MODELS
from server.errors import ModelInvalid
from server.semantic.store import ModelStore


def test_broken_reload_keeps_the_last_good_model(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    shutil.copytree(DEMO_MODELS, directory)
    store = ModelStore(directory)
    good = store.manifest
    orders = directory / "tables" / "orders.yml"
    orders.write_text(orders.read_text().replace('sql: "{TABLE}.gross_amount"', 'sql: "{gross_amount_x}"'))
    result = store.reload()
    assert not result.ok
    assert any(i.code == "SM201" for i in result.errors)
    assert store.manifest is good
    assert store.last_issues == tuple(result.issues)


def test_a_good_reload_replaces_the_model(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    shutil.copytree(DEMO_MODELS, directory)
    store = ModelStore(directory)
    before = store.manifest.version
    products = directory / "tables" / "products.yml"
    products.write_text(products.read_text().replace("Product category.", "Product category (edited)."))
    assert store.reload().ok
    assert store.manifest.version != before
    assert store.manifest.tables["products"].dimensions["category"].description == "Product category (edited)."


def test_a_broken_model_never_starts(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "fixtures" / "models" / "invalid" / "measure_cycle", directory
    )
    with pytest.raises(ModelInvalid) as caught:
        ModelStore(directory)
    assert [i.code for i in caught.value.issues] == ["SM301"]
