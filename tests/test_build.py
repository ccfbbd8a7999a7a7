"""The compiled core as built here: build info, variant selection, the missing-extension error."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import amtune
from amtune._ext import core

LEVELS = {"native", "generic", "x86-64", "x86-64-v3", "x86-64-v4"}
MODULE_OF_LEVEL = {"native": "amtune._core", "generic": "amtune._core", "x86-64": "amtune._core",
                   "x86-64-v3": "amtune._core_x86_64_v3", "x86-64-v4": "amtune._core_x86_64_v4"}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "AMTUNE_ISA"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        env=environment, timeout=120, check=False,
    )


def test_build_info():
    info = amtune.build_info()
    assert set(info) == {"version", "isa_level", "simd", "eigen", "build_type", "module",
                         "cpu_features"}
    assert info["version"] == amtune.__version__
    assert info["build_type"] == "Release"
    assert info["isa_level"] in LEVELS
    assert info["module"] == MODULE_OF_LEVEL[info["isa_level"]]
    assert info["eigen"].startswith("3.")
    assert isinstance(info["simd"], str) and info["simd"]
    assert all(isinstance(v, bool) for v in info["cpu_features"].values())
    if info["isa_level"] == "x86-64-v4" or (
        info["isa_level"] == "native" and info["cpu_features"].get("avx512f")
    ):
        assert "AVX512" in info["simd"]
    if info["isa_level"] == "x86-64-v3":
        assert "AVX2" in info["simd"] and "AVX512" not in info["simd"]


def test_the_best_variant_is_chosen():
    info = amtune.build_info()
    features = info["cpu_features"]
    if info["isa_level"] in ("native", "generic"):
        pytest.skip("a source build has one module")
    if all(features.get(f) for f in ("avx512f", "avx512bw", "avx512dq", "avx512vl")):
        assert info["isa_level"] == "x86-64-v4"
    elif features.get("avx2") and features.get("fma"):
        assert info["isa_level"] == "x86-64-v3"
    else:
        assert info["isa_level"] == "x86-64"


def test_amtune_isa_forces_or_rejects_a_level():
    base_level = amtune.build_info()["isa_level"]
    if base_level.startswith("x86-64"):
        base_level = "x86-64"  # the portable build's base module
    ok = run_python("import amtune; print(amtune.build_info()['module'])", AMTUNE_ISA=base_level)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "amtune._core"
    bad = run_python("import amtune", AMTUNE_ISA="avx9000")
    assert bad.returncode != 0
    assert "AMTUNE_ISA must be one of" in bad.stderr and "'avx9000'" in bad.stderr
    if base_level == "native":
        missing = run_python("import amtune", AMTUNE_ISA="x86-64-v3")
        assert missing.returncode != 0
        assert "AMTUNE_ISA=x86-64-v3 but amtune._core_x86_64_v3 cannot be imported" in missing.stderr
        assert "AMTUNE_ARCH=portable" in missing.stderr


def test_missing_extension_error_says_how_to_build():
    # Simulate an unbuilt checkout: importing amtune._core fails.
    result = run_python("""
        import sys
        sys.modules["amtune._core"] = None  # makes `import amtune._core` raise ImportError
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
    with pytest.raises(ValueError, match="one entry per dimension"):
        core.Space([0], [0, 0], [0.0], [1.0])
    with pytest.raises(ValueError, match="unknown kind or scale"):
        core.Space([7], [0], [0.0], [1.0])
    with pytest.raises(ValueError, match="Logarithmic scaling needs low > 0"):
        core.Space([0], [1], [0.0], [1.0])
    with pytest.raises(ValueError, match="bounds must be finite"):
        core.Space([0], [0], [0.0], [float("inf")])
    s = core.Space([0, 1], [0, 0], [0.0, 1.0], [1.0, 5.0])
    with pytest.raises(ValueError, match="expected 2 columns"):
        s.encode(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="n must be >= 0"):
        s.sample_unit(-1, 0)
