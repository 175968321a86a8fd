"""The ablation table: one row per change, strict F1 per (corpus, label), teachers and human for reference."""

from pathlib import Path

from clin_distill.report.ablation import ablation_section
from tests.helpers.files import system_record


def result(system: str, kind: str, scores: dict[str, dict[str, float]]) -> dict:
    """An evaluate-step result scoring ``{corpus: {label: strict F1}}``, as the report reads it."""
    return system_record(system, kind, scores).to_json()


def scores(ncbi_dis: float, mac_med: float, mac_sym: float) -> dict[str, dict[str, float]]:
    """Strict F1 on NCBI DISEASE and MACCROBAT MEDICATION and SYMPTOM."""
    return {"ncbi": {"DISEASE": ncbi_dis}, "mac": {"MEDICATION": mac_med, "SYMPTOM": mac_sym}}


def test_rows_cells_and_references(tmp_path: Path) -> None:
    main = [
        result("distilled", "model", scores(0.70, 0.62, 0.28)),
        result("human", "model", scores(0.77, 0.66, 0.45)),
        result("open_vocab", "teacher", scores(0.67, 0.60, 0.33)),
        result("quickumls", "teacher", scores(0.47, 0.61, 0.32)),
    ]
    assert ablation_section(main[1:], tmp_path, "pool") is None  # no student row at all
    (table, _note) = ablation_section(main, tmp_path, "pool").blocks  # the default run's rows alone
    assert [row[0] for row in table.rows] == ["distilled", "best single teacher", "human"]
    row_dir = tmp_path / "ablation" / "disputed"
    row_dir.mkdir(parents=True)
    system_record("disputed", "model", scores(0.65, 0.55, 0.2)).write(row_dir / "pool.json")

    (table, _note) = ablation_section(main, tmp_path, "pool").blocks
    assert table.header == ["row", "change", "ncbi DISEASE", "mac MEDICATION", "mac SYMPTOM"]
    rows = {row[0]: row[2:] for row in table.rows}
    assert [row[0] for row in table.rows] == ["distilled", "disputed", "best single teacher", "human"]
    assert rows["disputed"] == ["0.650", "0.550", "0.200"]
    assert rows["distilled"] == ["0.700", "0.620", "0.280"]
    assert rows["best single teacher"] == ["0.670 (open_vocab)", "0.610 (quickumls)", "0.330 (open_vocab)"]
    assert rows["human"] == ["0.770", "0.660", "0.450"]
