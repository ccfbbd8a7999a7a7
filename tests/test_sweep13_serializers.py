"""nbcheck13 F3: the SDK v2 serializers and deserializers amtune lacked (``StringSerializer``,
``JSONLinesSerializer``, ``SparseMatrixSerializer``, ``DataSerializer``, ``JSONLinesDeserializer``,
``PandasDeserializer``, ``StreamDeserializer``), on their own; ``test_sdk_surface_sweep13.py``
sends them through a Predictor to a served model."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

import amtune
from amtune.deserializers import (
    JSONLinesDeserializer,
    PandasDeserializer,
    StreamDeserializer,
)
from amtune.serializers import (
    DataSerializer,
    JSONLinesSerializer,
    SparseMatrixSerializer,
    StringSerializer,
)


class _Stream(io.BytesIO):
    closed_by_deserializer = False

    def close(self) -> None:
        self.closed_by_deserializer = True
        super().close()


def test_reachable_as_the_sdk_imports_them() -> None:
    import amtune.deserializers as d
    import amtune.serializers as s

    for name in ("StringSerializer", "JSONLinesSerializer", "SparseMatrixSerializer",
                 "DataSerializer"):  # fmt: skip
        assert name in s.__all__ and getattr(amtune.serializers, name) is getattr(s, name)
    for name in ("JSONLinesDeserializer", "PandasDeserializer", "StreamDeserializer"):
        assert name in d.__all__ and getattr(amtune.deserializers, name) is getattr(d, name)


def test_string_serializer_is_the_sdks() -> None:
    s = StringSerializer()
    assert s.CONTENT_TYPE == "text/plain"  # the SDK's default
    assert StringSerializer(content_type="text/libsvm").CONTENT_TYPE == "text/libsvm"
    assert StringSerializer("text/csv").serialize("1,2\n3,4") == b"1,2\n3,4"
    assert s.serialize("é") == "é".encode()
    for bad in (b"1,2", [1, 2], 3, None, np.array([1.0])):
        with pytest.raises(ValueError, match="StringSerializer: data must be a str"):
            s.serialize(bad)
    with pytest.raises(ValueError, match="StringSerializer: content_type must be a string"):
        StringSerializer(content_type=None)  # type: ignore[arg-type]


def test_jsonlines_serializer() -> None:
    s = JSONLinesSerializer()
    assert s.CONTENT_TYPE == "application/jsonlines"
    assert s.serialize([{"a": 1}, [1, 2], "x", 3]) == '{"a": 1}\n[1, 2]\n"x"\n3'
    assert s.serialize({"a": i} for i in range(2)) == '{"a": 0}\n{"a": 1}'
    assert s.serialize('{"a": 1}\n') == '{"a": 1}\n'  # a str as it is
    assert s.serialize(io.StringIO('{"b": 2}')) == '{"b": 2}'  # a file's contents
    assert s.serialize(np.array([[1, 2], [3, 4]])) == "[1, 2]\n[3, 4]"
    with pytest.raises(ValueError, match="JSONLinesSerializer: data must be"):
        s.serialize(5)


def test_sparse_matrix_serializer_writes_npz() -> None:
    sp = pytest.importorskip("scipy.sparse")
    m = sp.random(5, 4, density=0.3, format="csr", random_state=0)
    s = SparseMatrixSerializer()
    assert s.CONTENT_TYPE == "application/x-npz"
    for fmt in ("csr", "csc", "coo"):
        back = sp.load_npz(io.BytesIO(s.serialize(m.asformat(fmt))))
        assert np.array_equal(back.toarray(), m.toarray())
    with pytest.raises(ValueError, match=r"SparseMatrixSerializer: data must be a scipy\.sparse"):
        s.serialize(np.eye(2))


def test_sparse_matrix_serializer_without_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real = builtins.__import__

    def no_scipy(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("scipy"):
            raise ImportError(name)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    s = SparseMatrixSerializer()  # made without scipy: imported when a matrix is serialized
    with pytest.raises(ImportError, match="SparseMatrixSerializer needs scipy"):
        s.serialize(object())


def test_data_serializer(tmp_path: Path) -> None:
    f = tmp_path / "cat.jpg"
    f.write_bytes(b"\xff\xd8jpeg")
    s = DataSerializer(content_type="image/jpeg")
    assert s.CONTENT_TYPE == "image/jpeg"
    assert DataSerializer().CONTENT_TYPE == "file-path/raw-bytes"  # the SDK's default
    assert s.serialize(str(f)) == b"\xff\xd8jpeg"
    assert s.serialize(b"raw") == b"raw"
    assert s.serialize({"data": str(f)}) == b"\xff\xd8jpeg"
    with pytest.raises(ValueError, match="DataSerializer: could not read the file"):
        s.serialize(str(tmp_path / "missing.jpg"))
    with pytest.raises(ValueError, match="DataSerializer: data must be"):
        s.serialize(3)


def test_jsonlines_deserializer() -> None:
    d = JSONLinesDeserializer()
    assert d.ACCEPT == ("application/jsonlines",)
    stream = _Stream(b'{"a": 1}\n[2, 3]\n')
    assert d.deserialize(stream, "application/jsonlines") == [{"a": 1}, [2, 3]]
    assert stream.closed_by_deserializer


def test_pandas_deserializer() -> None:
    d = PandasDeserializer()
    assert d.ACCEPT == ("text/csv", "application/json")
    df = d.deserialize(_Stream(b"a,b\n1,x\n2,y\n"), "text/csv")
    assert df.to_dict("list") == {"a": [1, 2], "b": ["x", "y"]}
    df = d.deserialize(_Stream(json.dumps({"a": [1, 2]}).encode()), "application/json")
    assert df["a"].tolist() == [1, 2]
    df = d.deserialize(_Stream(b"a\n1\n"), "text/csv; charset=utf-8")
    assert df["a"].tolist() == [1]
    with pytest.raises(ValueError, match="PandasDeserializer: cannot read content type"):
        d.deserialize(_Stream(b"x"), "application/x-npy")


def test_stream_deserializer_returns_the_stream_unread() -> None:
    d = StreamDeserializer()
    assert d.ACCEPT == ("*/*",)
    stream = _Stream(b"abc")
    out, ct = d.deserialize(stream, "text/plain")
    assert out is stream and ct == "text/plain" and not stream.closed_by_deserializer
    assert out.read() == b"abc"
    assert StreamDeserializer(accept="text/csv").ACCEPT == ("text/csv",)
