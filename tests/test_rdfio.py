"""qkg.rdfio: strict reading with file:line:col errors."""
from __future__ import annotations

import pytest

from qkg.errors import InputError, RdfSyntaxError
from qkg.rdfio import parse_graph

PREFIX = "@prefix ex: <http://example.org/> .\n"

CASES = {
    "missing-dot": (PREFIX + "ex:a ex:b ex:c\nex:d ex:e ex:f .\n", RdfSyntaxError, "bad.ttl:3:1", "dot is expected"),
    "undefined-prefix": (PREFIX + "ex:a ex:b zz:c .\n", RdfSyntaxError, "bad.ttl:2:11", "undefined prefix 'zz:'"),
    "unterminated-string": (PREFIX + 'ex:a ex:b "open .\n', RdfSyntaxError, "bad.ttl:2:11", "unexpected end of file"),
    "bad-iri": (PREFIX + "ex:a ex:b <http://exa mple.org/> .\n", RdfSyntaxError, "bad.ttl:2:", "iri"),
}


@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_syntax_errors_are_located(tmp_path, case):
    text, error, where, what = CASES[case]
    path = tmp_path / "bad.ttl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error) as info:
        parse_graph(path, "bad.ttl")
    assert str(info.value).startswith(where)
    assert what.lower() in str(info.value).lower()
    assert "\n" not in str(info.value)


def test_non_utf8_is_named_with_its_position(tmp_path):
    path = tmp_path / "latin1.ttl"
    path.write_bytes(PREFIX.encode() + 'ex:a ex:b "caf\xe9" .\n'.encode("latin-1"))
    with pytest.raises(InputError) as info:
        parse_graph(path, "latin1.ttl")
    assert str(info.value) == "latin1.ttl:2:15: not valid UTF-8 (byte 0xe9); save the file as UTF-8"


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        parse_graph(tmp_path / "nope.ttl", "nope.ttl")
    assert str(info.value) == "nope.ttl: file not found"


def test_valid_file_parses(tmp_path):
    path = tmp_path / "ok.ttl"
    path.write_text(PREFIX + "ex:a ex:b ex:c , ex:d .\n", encoding="utf-8")
    assert len(parse_graph(path)) == 2
