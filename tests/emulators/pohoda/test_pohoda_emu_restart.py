"""An emulator killed and started again on its state file keeps the company, as POHODA's database outlives
mServer: what was imported (item by item, so a death mid-dataPack keeps the items before it), what the admin
endpoints changed, and what the duplicity check remembers."""

from __future__ import annotations

from pathlib import Path

import pytest
from pohoda_emu_support import data_pack, item, post, stock_card

from emulators.pohoda import PohodaEmulatorConfig, create_app, emulator_client, emulator_of
from emulators.pohoda.persistence import StateFile


class Killed(BaseException):
    """The process died here (nothing after it ran)."""


def _restarted(config: PohodaEmulatorConfig, path: Path):
    return create_app(config, state_file=StateFile(path))


def test_a_restarted_emulator_has_what_was_imported_and_still_knows_the_pack(config, tmp_path):
    path = tmp_path / "pohoda.state"
    first = _restarted(config, path)
    with emulator_client(app=first) as client:
        post(client, data_pack(("card-1", stock_card("MUG-1", "Hrnek")), pack_id="p-1"), check_duplicity=True)

    again = _restarted(config, path)
    assert emulator_of(again).state.card_by_code("MUG-1").name == "Hrnek"
    with emulator_client(app=again) as client:
        pack = post(client, data_pack(("card-1", stock_card("MUG-1", "Hrnek")), pack_id="p-1"), check_duplicity=True)
    assert item(pack, "card-1").get("state") == "error"  # rsp:recordDuplicity: imported before the restart
    assert len(emulator_of(again).state.cards) == 1


def test_a_death_mid_datapack_keeps_the_items_imported_before_it(config, tmp_path):
    path = tmp_path / "pohoda.state"
    app = _restarted(config, path)
    emulator = emulator_of(app)
    saves = emulator.processor.after_import

    def die_after_the_first_item() -> None:
        saves()
        raise Killed

    emulator.processor.after_import = die_after_the_first_item
    body = data_pack(("card-1", stock_card("MUG-1", "Hrnek")), ("card-2", stock_card("MUG-2", "Hrnek 2")))
    with pytest.raises(Killed):
        emulator.processor.process(body)

    state = emulator_of(_restarted(config, path)).state
    assert state.card_by_code("MUG-1") is not None
    assert state.card_by_code("MUG-2") is None


def test_admin_changes_reach_the_state_file(config, tmp_path):
    path = tmp_path / "pohoda.state"
    with emulator_client(app=_restarted(config, path)) as client:
        client.put("/_emulator/documents/Obrázky/a.png", content=b"png").raise_for_status()

    assert emulator_of(_restarted(config, path)).state.documents == {"Obrázky/a.png": b"png"}


def test_without_a_state_file_nothing_is_written(config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with emulator_client(app=create_app(config)) as client:
        post(client, data_pack(("card-1", stock_card("MUG-1", "Hrnek"))))
    assert list(tmp_path.iterdir()) == []
