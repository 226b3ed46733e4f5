import pytest

from transformer import parse
from transformer.errors import BadEncoding, NotJSON, TooDeep, TooLarge, WrongShape


def test_strict_json_has_no_warning():
    warnings = []
    assert parse.parse_json(b'{"a": [1, 2]}', warnings) == {"a": [1, 2]}
    assert warnings == []


def test_comments_and_trailing_commas_are_read_with_a_warning():
    text = b'{\n  "a": "x // not a comment",  // a comment\n  "b": [1, 2,],\n  /* block */ "c": {"d": 1,},\n}'
    warnings = []
    assert parse.parse_json(text, warnings) == {"a": "x // not a comment", "b": [1, 2], "c": {"d": 1}}
    assert [w.code for w in warnings] == ["input.non-strict-json"]
    assert "comments" in warnings[0].message and "trailing commas" in warnings[0].message


def test_comment_between_comma_and_bracket():
    assert parse.parse_json('{"a": [1, // last\n]}') == {"a": [1]}


def test_utf8_bom_is_accepted():
    assert parse.parse_json("\ufeff{\"a\": \"é\"}".encode("utf-8")) == {"a": "é"}


def test_malformed_json_names_line_and_column():
    with pytest.raises(NotJSON) as e:
        parse.parse_json(b'{\n  "a": 1\n  "b": 2\n}')
    assert "line 3" in e.value.message and e.value.code == "input.not-json"


def test_invalid_utf8_is_an_encoding_error_with_position():
    with pytest.raises(BadEncoding) as e:
        parse.parse_json(b'{"Name": "Caf\xe9"}')
    assert "0xe9" in e.value.message and "UTF-8" in e.value.message


def test_too_large():
    with pytest.raises(TooLarge) as e:
        parse.parse_json(b" " * (parse.MAX_INPUT_BYTES + 1))
    assert e.value.http_status == 413


@pytest.mark.parametrize("depth", [parse.MAX_DEPTH + 1, 100000])
def test_too_deep(depth):
    with pytest.raises(TooDeep):
        parse.parse_json("[" * depth + "]" * depth)


def test_depth_at_the_limit_is_fine():
    d = parse.MAX_DEPTH
    assert parse.parse_json("[" * d + "]" * d) is not None


def test_require_object():
    with pytest.raises(WrongShape) as e:
        parse.require_object([1], "the request")
    assert "array" in e.value.message


@pytest.mark.parametrize("data, text, encoding, first", [
    ("Welding \u2013 Level 1".encode("utf-8"), "Welding \u2013 Level 1", "utf-8", None),
    (b"\xef\xbb\xbfWelding", "Welding", "utf-8-sig", None),
    ("Soldadura b\u00e1sica".encode("utf-16"), "Soldadura b\u00e1sica", "utf-16", None),
    ("Caf\u00e9 \u2013 \u201cone\u201d".encode("cp1252"), "Caf\u00e9 \u2013 \u201cone\u201d", "cp1252", 3),
    # the five bytes Windows-1252 leaves undefined are kept as Latin-1, never replaced
    (b"A\x81B\x8dC", "A\x81B\x8dC", "cp1252", 1),
])
def test_one_decoding_policy_for_saved_files(data, text, encoding, first):
    from transformer.parse import decode_file
    from transformer.bulk.sheets.csvfile import decode as csv_decode

    assert decode_file(data) == (text, encoding, first, False)
    assert csv_decode(data) == decode_file(data)        # spreadsheets follow the same policy
    assert parse.read_text(data)[0] == text and bool(parse.read_text(data)[1]) == (encoding == "cp1252")


def test_requests_stay_utf8_only():
    """A request from a program in another encoding is refused (the bug is at its source)."""
    with pytest.raises(BadEncoding):
        parse.decode("Caf\u00e9".encode("cp1252"))
