"""API keys: stored as hashes, found by the key, never by its hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

from server.policy.users import UserStore


def test_api_key_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "users.yml"
    store = UserStore.load(path)
    store.add("ana", "pw", roles=("analyst",), attributes={"region": "EU"})
    key = store.new_api_key("ana")
    store.save(path)
    text = path.read_text()
    assert key not in text and hashlib.sha256(key.encode()).hexdigest() in text
    reloaded = UserStore.load(path)
    user = reloaded.by_api_key(key)
    assert user is not None and user.name == "ana" and user.attributes["region"] == "EU"
    assert reloaded.by_api_key(hashlib.sha256(key.encode()).hexdigest()) is None
    assert reloaded.by_api_key(key + "x") is None
