"""The shared CLI helpers: one comma-list parser, the true/false switch and choices built from constants."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from clin_distill.cli import Switch, choices, comma_list
from clin_distill.combine import STRATEGIES
from clin_distill.combine.apply import ON_FAILURE
from clin_distill.combine.uncertain import MODES
from clin_distill.student.provenance import SYSTEMS

REPO = Path(__file__).resolve().parents[1]


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f"cli_script_{name}", REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "text,expected",
    [
        ("open_vocab,quickumls,", ["open_vocab", "quickumls"]),
        (" a, ,b,a,", ["a", "b"]),
        ("b,a", ["b", "a"]),
        ("", []),
        (",", []),
    ],
)
def test_comma_list_drops_empty_items_and_duplicates_in_order(text, expected):
    assert comma_list(text) == expected


def switch_app() -> typer.Typer:
    app = typer.Typer(add_completion=False)

    @app.command()
    def main(on: Annotated[Switch, typer.Option(case_sensitive=False)] = Switch.false) -> None:
        typer.echo(f"on={bool(on)}")

    return app


@pytest.mark.parametrize(
    "value,expected", [("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False)]
)
def test_switch_takes_true_or_false_in_any_case(value, expected):
    result = CliRunner().invoke(switch_app(), ["--on", value])
    assert result.exit_code == 0, result.output
    assert f"on={expected}" in result.output


@pytest.mark.parametrize("value", ["maybe", "1", "0", "yes", "no", ""])
def test_switch_rejects_anything_else(value):
    result = CliRunner().invoke(switch_app(), ["--on", value])
    assert result.exit_code == 2 and "Invalid value for '--on'" in result.output


def test_switch_default_is_false():
    assert "on=False" in CliRunner().invoke(switch_app(), []).output


def test_choices_are_the_constants():
    enum = choices("Mode", MODES)
    assert [m.value for m in enum] == list(MODES) and enum("off") == "off"
    combine = load_script("combine")
    assert [m.value for m in combine.Strategy] == list(STRATEGIES)
    assert [m.value for m in combine.OnFailure] == list(ON_FAILURE)
    assert [m.value for m in combine.Uncertain] == list(MODES)
    assert [m.value for m in load_script("package").System] == list(SYSTEMS)
    assert [m.value for m in load_script("convert").BC5CDRFormat] == ["pubtator", "bioc"]


@pytest.mark.parametrize(
    "option,value", [("--strategy", "bset"), ("--on-failure", "ignore"), ("--uncertain", "on")]
)
def test_combine_rejects_an_unknown_choice_before_it_reads_anything(tmp_path, option, value):
    app = typer.Typer(add_completion=False)
    app.command()(load_script("combine").main)
    args = [str(tmp_path), str(tmp_path), str(tmp_path / "out"), str(tmp_path / "metrics")]
    result = CliRunner().invoke(app, [*args, "--dataset", "toy", "--teachers", "a", option, value])
    assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output
    assert not (tmp_path / "out").exists()
