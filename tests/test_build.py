"""The compiled core as built here: build info, variant selection, the missing-extension error."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types

import numpy as np
import pytest

import amtune
from amtune import _ext
from amtune._ext import core

LEVELS = {"native", "generic", "x86-64", "x86-64-v3", "x86-64-v4"}
MODULE_OF_LEVEL = {
    "native": "amtune._core",
    "generic": "amtune._core",
    "x86-64": "amtune._core",
    "x86-64-v3": "amtune._core_x86_64_v3",
    "x86-64-v4": "amtune._core_x86_64_v4",
}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "AMTUNE_ISA"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_build_info():
    info = amtune.build_info()
    assert set(info) == {
        "version",
        "isa_level",
        "simd",
        "compiled_features",
        "eigen",
        "build_type",
        "module",
        "cpu_features",
    }
    assert info["version"] == amtune.__version__
    assert info["build_type"] == "Release"
    assert info["isa_level"] in LEVELS
    assert info["module"] == MODULE_OF_LEVEL[info["isa_level"]]
    assert info["eigen"].startswith("3.")
    assert isinstance(info["simd"], str) and info["simd"]
    assert all(isinstance(v, bool) for v in info["cpu_features"].values())
    compiled = set(info["compiled_features"])
    level = info["isa_level"]
    if level == "x86-64":
        assert not compiled & {"avx", "avx2", "avx512f"}
        assert info["simd"] == "SSE, SSE2"
    elif level == "x86-64-v3":
        assert {"avx", "avx2", "fma", "bmi2"} <= compiled and "avx512f" not in compiled
    elif level == "x86-64-v4":
        assert {"avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"} <= compiled
        assert "AVX512" in info["simd"]
    elif level == "native":  # compiled for this CPU: everything it has
        features = info["cpu_features"]
        assert {f for f in ("avx2", "fma", "avx512f") if features.get(f)} <= compiled


def test_the_best_variant_is_chosen():
    info = amtune.build_info()
    if info["isa_level"] in ("native", "generic"):
        pytest.skip("a source build has one module")
    forced = os.environ.get("AMTUNE_ISA", "").strip()
    flags = _ext._cpu_flags() or set()
    if forced:
        assert info["isa_level"] == forced
    elif set(_ext._V4) <= flags:
        assert info["isa_level"] == "x86-64-v4"
    elif set(_ext._V3) <= flags:
        assert info["isa_level"] == "x86-64-v3"
    else:
        assert info["isa_level"] == "x86-64"


class FakeBuild:
    """Stands in for the compiled modules so the selection logic runs without them."""

    def __init__(self, monkeypatch, modules, flags):
        self.imported: list[str] = []
        monkeypatch.setattr(_ext, "_has", lambda m: m in modules)
        monkeypatch.setattr(_ext, "_cpu_flags", lambda: flags)
        monkeypatch.setattr(_ext, "_import", self.fake_import)

    def fake_import(self, module):
        self.imported.append(module)
        return types.SimpleNamespace(build_info=lambda: {"isa_level": "native"}, name=module)


PORTABLE = {"_core", "_core_x86_64_v3", "_core_x86_64_v4"}


@pytest.mark.parametrize(
    ("flags", "forced", "chosen"),
    [
        (set(_ext._V4), "", "_core_x86_64_v4"),
        (set(_ext._V3), "", "_core_x86_64_v3"),
        (set(_ext._V3) - {"bmi2"}, "", "_core"),
        (set(_ext._V4) - {"avx512vl"}, "", "_core_x86_64_v3"),
        (set(), "", "_core"),
        (None, "", "_core"),  # flags unknown (not Linux): the baseline
        (set(_ext._V4), "x86-64-v3", "_core_x86_64_v3"),
        (set(_ext._V4), "x86-64", "_core"),
        (None, "x86-64-v4", "_core_x86_64_v4"),  # the user knows better than an unknown CPU
    ],
)
def test_variant_selection(monkeypatch, flags, forced, chosen):
    fake = FakeBuild(monkeypatch, PORTABLE, flags)
    monkeypatch.setenv("AMTUNE_ISA", forced)
    assert _ext._load().name == chosen
    assert fake.imported == [chosen]  # exactly one variant is ever imported


@pytest.mark.parametrize(
    ("modules", "flags", "forced", "match"),
    [
        (PORTABLE, set(_ext._V3), "x86-64-v4", "AMTUNE_ISA=x86-64-v4 but this CPU lacks avx512f"),
        (
            PORTABLE,
            set(_ext._V4),
            "avx2",
            r"AMTUNE_ISA must be one of \['x86-64-v4', 'x86-64-v3', "
            r"'x86-64'\] for this build, got 'avx2'",
        ),
        ({"_core"}, set(_ext._V4), "x86-64-v3", "this is a 'native' build with one module"),
    ],
)
def test_variant_selection_errors(monkeypatch, modules, flags, forced, match):
    fake = FakeBuild(monkeypatch, modules, flags)
    monkeypatch.setenv("AMTUNE_ISA", forced)
    with pytest.raises(ImportError, match=match):
        _ext._load()
    assert fake.imported in ([], ["_core"])


def test_amtune_isa_forces_or_rejects_a_level():
    level = amtune.build_info()["isa_level"]
    base_level = "x86-64" if level.startswith("x86-64") else level
    ok = run_python("import amtune; print(amtune.build_info()['module'])", AMTUNE_ISA=base_level)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "amtune._core"
    bad = run_python("import amtune", AMTUNE_ISA="avx9000")
    assert bad.returncode != 0
    assert "AMTUNE_ISA" in bad.stderr and "avx9000" in bad.stderr


def test_missing_extension_error_says_how_to_build():
    # Simulate an unbuilt checkout: importing amtune._core fails.
    result = run_python("""
        import sys
        for name in ("_core", "_core_x86_64_v3", "_core_x86_64_v4"):
            sys.modules["amtune." + name] = None  # makes `import amtune._core...` fail
        try:
            import amtune
        except ImportError as exc:
            print(exc)
        else:
            raise SystemExit("amtune imported without its core")
    """)
    assert result.returncode == 0, result.stderr
    message = result.stdout
    assert "amtune's compiled core (amtune._core) could not be imported" in message
    assert "was amtune built?" in message
    assert "pip install ." in message
    assert "pip install --no-build-isolation -ve ." in message


def test_core_checks_its_arguments_too():
    # Python validates first; the C++ core still refuses nonsense with ValueError, not a crash.
    K, S = core.Kind, core.Scale
    with pytest.raises(ValueError, match="one entry per dimension"):
        core.Space([K.Continuous], [S.Linear, S.Linear], [0.0], [1.0])
    with pytest.raises(TypeError):  # kinds and scales are enums, not integer codes
        core.Space([7], [0], [0.0], [1.0])
    with pytest.raises(ValueError, match="Logarithmic scaling needs low > 0"):
        core.Space([K.Continuous], [S.Logarithmic], [0.0], [1.0])
    with pytest.raises(ValueError, match="bounds must be finite"):
        core.Space([K.Continuous], [S.Linear], [0.0], [float("inf")])
    s = core.Space([K.Continuous, K.Integer], [S.Linear, S.Linear], [0.0, 1.0], [1.0, 5.0])
    with pytest.raises(ValueError, match="must have 2 columns"):
        s.encode(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="n must be >= 0"):
        s.sample_unit(-1, 0)
