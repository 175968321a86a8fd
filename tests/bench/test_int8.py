from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import numpy
import pytest
import spacy
import torch
from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

import clin_distill.runtime.int8 as int8
from clin_distill.runtime.int8 import ENV_OVERRIDE, FACTORY, quantize_pipeline, transformer_modules

TEXT = "Patient denies chest pain and takes metformin for diabetes ."


def _kinds(nlp) -> tuple[int, int]:
    module = transformer_modules(nlp)["transformer"]
    dynamic = sum(isinstance(m, DynamicLinear) for m in module.modules())
    plain = sum(type(m) is torch.nn.Linear for m in module.modules())
    return dynamic, plain


def _hidden(nlp, text: str = TEXT) -> numpy.ndarray:
    return numpy.asarray(nlp(text)._.trf_data.model_output.last_hidden_state)


def test_quantize_pipeline_replaces_every_linear_layer(tiny_student: Path):
    nlp = spacy.load(tiny_student)
    dynamic, plain = _kinds(nlp)
    assert dynamic == 0 and plain > 0
    fp32 = _hidden(nlp)
    assert quantize_pipeline(nlp) == plain
    assert _kinds(nlp) == (plain, 0)
    assert quantize_pipeline(nlp) == 0  # idempotent
    quantized = _hidden(nlp)
    assert quantized.shape == fp32.shape and not numpy.array_equal(quantized, fp32)
    assert numpy.abs(quantized - fp32).max() < 0.5
    assert len(nlp(TEXT)) == 10


def test_component_quantizes_at_load_and_round_trips(tiny_student: Path, tmp_path: Path):
    nlp = spacy.load(tiny_student)
    nlp.add_pipe(FACTORY, config={"enabled": True})
    assert _kinds(nlp)[0] == 0  # added to a live pipeline: nothing changes before its first call
    nlp.to_disk(tmp_path / "fp32_weights")
    nlp(TEXT)
    n_linear = _kinds(nlp)[0]
    assert n_linear > 0
    live = _hidden(nlp)
    nlp.to_disk(tmp_path / "saved_quantized")
    for path in (tmp_path / "fp32_weights", tmp_path / "saved_quantized"):
        loaded = spacy.load(path)
        assert loaded.pipe_names[-1] == FACTORY
        assert _kinds(loaded) == (n_linear, 0)  # quantized by from_disk, before any call
        numpy.testing.assert_allclose(_hidden(loaded), live, rtol=0, atol=1e-6)
    loaded = spacy.load(tmp_path / "saved_quantized")
    again = spacy.load(tmp_path / "saved_quantized")
    again.from_bytes(loaded.to_bytes())
    assert _kinds(again) == (n_linear, 0)
    numpy.testing.assert_allclose(_hidden(again), live, rtol=0, atol=1e-6)


def test_saved_quantized_weights_use_the_fp32_layout(tiny_student: Path):
    nlp = spacy.load(tiny_student)
    keys = set(transformer_modules(nlp)["transformer"].state_dict())
    quantize_pipeline(nlp)
    state = transformer_modules(nlp)["transformer"].state_dict()
    assert set(state) == keys
    assert all(t.dtype == torch.float32 for k, t in state.items() if k.endswith(".weight"))


def test_config_flag_and_environment_override(tiny_student: Path, tmp_path: Path, monkeypatch):
    nlp = spacy.load(tiny_student)
    nlp.add_pipe(FACTORY, config={"enabled": False})
    nlp.to_disk(tmp_path / "off")
    assert _kinds(spacy.load(tmp_path / "off"))[0] == 0
    switched_on = spacy.load(tmp_path / "off", config={"components": {FACTORY: {"enabled": True}}})
    assert _kinds(switched_on)[0] > 0  # what a user of the packaged model does
    monkeypatch.setenv(ENV_OVERRIDE, "1")
    assert _kinds(spacy.load(tmp_path / "off"))[0] > 0
    nlp = spacy.load(tiny_student)
    nlp.add_pipe(FACTORY)
    nlp.to_disk(tmp_path / "on")
    monkeypatch.setenv(ENV_OVERRIDE, "0")
    assert _kinds(spacy.load(tmp_path / "on"))[0] == 0


def test_initialize_quantizes(tiny_bert: Path):
    from tests.helpers.untrained_student import untrained_student

    nlp = untrained_student(tiny_bert, window=8, stride=6)
    nlp.add_pipe(FACTORY)
    nlp.initialize()
    assert _kinds(nlp)[0] > 0


def test_a_packaged_copy_of_the_file_registers_nothing_twice(tmp_path: Path):
    """`spacy package --code` ships int8.py as a top-level module next to the installed library."""
    copy = tmp_path / "int8.py"
    shutil.copy(int8.__file__, copy)
    spec = importlib.util.spec_from_file_location("packaged_int8_copy", copy)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    assert spacy.registry.factories.get(FACTORY) is int8.make_int8


def test_a_pipeline_without_transformer_is_left_alone():
    nlp = spacy.blank("en")
    assert quantize_pipeline(nlp) == 0
    nlp.add_pipe(FACTORY)
    assert [t.text for t in nlp("no model here")] == ["no", "model", "here"]


@pytest.mark.parametrize(
    "value,expected", [("1", True), ("true", True), ("0", False), ("off", False), ("", None)]
)
def test_env_enabled(monkeypatch, value, expected):
    monkeypatch.setenv(ENV_OVERRIDE, value)
    assert int8.env_enabled(True) is (True if expected is None else expected)
    assert int8.env_enabled(False) is (False if expected is None else expected)
