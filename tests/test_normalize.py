"""transformer/normalize.py: values written the ways real clients write them.

Each table row is (given, expected value, expected note): the note is None when the input was
already canonical (or not recognized), else a piece of text the note must contain.
"""
import dataclasses

import pytest

from transformer import normalize as N
from transformer.normalize import Normalized

US = "month/day/year, as the Registry Assistant reads dates"


def check(result: Normalized, given: str, value: str | None, note: str | None) -> None:
    """`result` is `value`; its note is absent when `note` is None, else names the input as given
    (stripped), the value it was read as, and contains `note`."""
    assert isinstance(result, Normalized)
    assert result.value == value
    if note is None:
        assert result.note is None
    else:
        assert result.note is not None
        assert f"'{given.strip()}' read as {value}" in result.note
        assert note in result.note


DATES = [
    # canonical ISO: no note
    ("2024-09-01", "2024-09-01", None),
    ("  2024-09-01\n", "2024-09-01", None),                       # whitespace: dropped silently
    ("2024-02-29", "2024-02-29", None),                           # a leap day
    # ISO without zero padding
    ("2018-1-1", "2018-01-01", ""),
    ("2018-12-5", "2018-12-05", ""),
    # US month/day/year
    ("8/4/1971", "1971-08-04", US),
    ("08/04/1971", "1971-08-04", US),
    ("12/31/1999", "1999-12-31", US),
    (" 8/4/1971 ", "1971-08-04", US),
    # month names
    ("Jan 1, 2000", "2000-01-01", ""),
    ("January 1, 2000", "2000-01-01", ""),
    ("1 January 2000", "2000-01-01", ""),
    ("Sept 5 2001", "2001-09-05", ""),
    ("sep. 5, 2001", "2001-09-05", ""),
    ("DECEMBER 25 2020", "2020-12-25", ""),
    # xsd:dateTime: kept as given
    ("2024-09-01T10:00:00", "2024-09-01T10:00:00", None),
    ("2024-09-01T10:00:00Z", "2024-09-01T10:00:00Z", None),
    ("2024-09-01T10:00:00-05:00", "2024-09-01T10:00:00-05:00", None),
    ("2024-09-01T10:00:00.250+01:00", "2024-09-01T10:00:00.250+01:00", None),
    # year-month and year: kept
    ("2024-09", "2024-09", None),
    ("2024", "2024", None),
    ("2024-9", "2024-09", ""),
    # not dates
    ("8/4/71", None, None),                                       # two-digit year
    ("2023-02-30", None, None),                                   # no such day
    ("2023-13-01", None, None),
    ("2/30/2023", None, None),
    ("31/12/1999", None, None),                                   # day/month/year: month 31
    ("Febtember 1, 2000", None, None),
    ("Feb 30, 2000", None, None),
    ("2024-13", None, None),
    ("2024-00", None, None),
    ("0000", None, None),
    ("0000-01-01", None, None),
    ("2024-09-01T25:00:00", None, None),
    ("2024-09-01T10:00", None, None),                             # xsd:dateTime needs seconds
    ("2024-09-31T10:00:00Z", None, None),
    ("2024/09/01", None, None),
    ("01.09.2024", None, None),
    ("next Tuesday", None, None),
    ("", None, None),
    ("   ", None, None),
    ("24", None, None),
]


@pytest.mark.parametrize("given, value, note", DATES)
def test_date(given, value, note):
    check(N.date(given), given, value, note)


SCHEME = "a web address needs its https://"
URLS = [
    # (given, strip_trailing_slash, value, note)
    ("https://www.cswe.org", False, "https://www.cswe.org", None),
    ("  https://www.cswe.org/about \t", False, "https://www.cswe.org/about", None),
    ("http://www.cswe.org", False, "http://www.cswe.org", None),         # http kept
    ("HTTPS://WWW.CSWE.ORG/A", False, "HTTPS://WWW.CSWE.ORG/A", None),
    ("https://x.org/a%20b?q=1&r=2#s", False, "https://x.org/a%20b?q=1&r=2#s", None),
    ("https://x.org/ä?q=é", False, "https://x.org/ä?q=é", None),          # never percent-encoded
    ("https://münchen.de/", False, "https://münchen.de/", None),
    ("https://x.org:8443/a", False, "https://x.org:8443/a", None),
    ("http://192.168.0.1/a", False, "http://192.168.0.1/a", None),
    # no scheme: https:// added, with a note
    ("www.cswe.org", False, "https://www.cswe.org", SCHEME),
    ("cswe.org/path", False, "https://cswe.org/path", SCHEME),
    ("cswe.org:8080/path", False, "https://cswe.org:8080/path", SCHEME),
    ("//cswe.org/a", False, "https://cswe.org/a", SCHEME),
    # trailing slash: only when asked, silently, never with a query or fragment
    ("https://www.cswe.org/", False, "https://www.cswe.org/", None),
    ("https://www.cswe.org/", True, "https://www.cswe.org", None),
    ("https://x.org/a/", True, "https://x.org/a", None),
    ("https://x.org/a//", True, "https://x.org/a", None),
    ("https://x.org/a", True, "https://x.org/a", None),
    ("https://x.org/?q=1", True, "https://x.org/?q=1", None),
    ("https://x.org/a/?q=1", True, "https://x.org/a/?q=1", None),
    ("https://x.org/#top", True, "https://x.org/#top", None),
    ("https://x.org/a?next=/b/", True, "https://x.org/a?next=/b/", None),
    ("www.cswe.org/", True, "https://www.cswe.org", SCHEME),
    # mailto: kept as given
    ("mailto:info@cswe.org", False, "mailto:info@cswe.org", None),
    ("mailto:info@cswe.org", True, "mailto:info@cswe.org", None),
    # not URLs
    ("https://www.cswe .org", False, None, None),
    ("www.cswe.org/a b", False, None, None),
    ("Council on Social Work Education", False, None, None),
    ("https://localhost/a", False, None, None),                           # no dot in the host
    ("localhost:8080", False, None, None),
    ("cswe", False, None, None),
    ("v1.5", False, None, None),                                          # no host name
    ("192.168.0.1/a", False, None, None),                                 # an address needs its scheme
    ("https://", False, None, None),
    ("https:///a", False, None, None),
    ("http:/x.org", False, None, None),
    ("ftp://x.org/file", False, None, None),
    ("javascript:alert(1)", False, None, None),
    ("mailto:", False, None, None),
    ("mailto:nobody", False, None, None),
    ("https://user@x.org/", False, None, None),
    ('https://x.org/"a"', False, None, None),
    ("https://-x.org", False, None, None),
    ("", False, None, None),
]


@pytest.mark.parametrize("given, strip, value, note", URLS)
def test_url(given, strip, value, note):
    check(N.url(given, strip_trailing_slash=strip), given, value, note)


ONET = "the O*NET-SOC form"
SOC = [
    ("53-3032.00", "53-3032.00", None),
    ("15-1252.01", "15-1252.01", None),
    ("53-3032", "53-3032", None),                                        # SOC: kept as SOC
    (" 53-3032 ", "53-3032", None),
    ("533032", "53-3032.00", ONET),
    ("53303200", "53-3032.00", ONET),
    ("15125201", "15-1252.01", ONET),
    ("53.3032", "53-3032", ""),
    ("53 3032", "53-3032", ""),
    ("53.3032.00", "53-3032.00", ""),
    # not occupation codes
    ("53-3032.0", None, None),
    ("53-303", None, None),
    ("5330320", None, None),
    ("53303", None, None),
    ("12-3456", None, None),                                             # 12: no SOC major group
    ("00-0000.00", None, None),
    ("573032", None, None),                                              # 57: no SOC major group
    ("53_3032", None, None),
    ("53-3032.00x", None, None),
    ("Truck drivers", None, None),
    ("", None, None),
]


@pytest.mark.parametrize("given, value, note", SOC)
def test_soc_code(given, value, note):
    check(N.soc_code(given), given, value, note)


CIP = [
    ("51.3801", "51.3801", None),
    ("51.38", "51.38", None),                                            # a series: kept
    ("51", "51", None),
    ("01.0101", "01.0101", None),
    ("11.0701 ", "11.0701", None),                                       # whitespace: silently
    ("513801", "51.3801", ""),
    ("5138", "51.38", ""),
    ("010101", "01.0101", ""),
    ("1.0101", "01.0101", "leading zero restored"),
    ("1.01", "01.01", "leading zero restored"),
    # not CIP codes
    ("1", None, None),
    ("51.380", None, None),
    ("51380", None, None),
    ("513", None, None),
    ("5138011", None, None),
    ("51.3801.01", None, None),
    ("51-3801", None, None),
    ("00.0000", None, None),
    ("99.0101", None, None),
    ("51.38a1", None, None),
    ("Nursing", None, None),
    ("", None, None),
]


@pytest.mark.parametrize("given, value, note", CIP)
def test_cip_code(given, value, note):
    check(N.cip_code(given), given, value, note)


NAICS = [
    ("54", "54", None),
    ("541", "541", None),
    ("5415", "5415", None),
    ("54151", "54151", None),
    ("541511", "541511", None),
    (" 611310 ", "611310", None),
    ("31-33", "31-33", None),                                            # sector ranges: kept
    ("44-45", "44-45", None),
    ("48-49", "48-49", None),
    ("54-1511", "541511", "digits only"),
    ("54.1511", "541511", "digits only"),
    ("54 1511", "541511", "digits only"),
    # not NAICS codes
    ("5", None, None),
    ("5415111", None, None),
    ("10", None, None),                                                  # no such sector
    ("991511", None, None),
    ("54--1511", None, None),
    ("-541511", None, None),
    ("54/1511", None, None),
    ("54a1", None, None),
    ("", None, None),
]


@pytest.mark.parametrize("given, value, note", NAICS)
def test_naics_code(given, value, note):
    check(N.naics_code(given), given, value, note)


@pytest.mark.parametrize("fn", [N.date, N.url, N.soc_code, N.cip_code, N.naics_code])
@pytest.mark.parametrize("given", [None, 20240901, b"2024-09-01"])
def test_not_text_is_not_recognized(fn, given):
    assert fn(given) == Normalized(None)


def test_us_date_note_reads_in_plain_english():
    assert N.date("8/4/1971").note == ("'8/4/1971' read as 1971-08-04 "
                                       "(month/day/year, as the Registry Assistant reads dates)")


def test_normalized_is_frozen_and_note_defaults_to_none():
    n = Normalized("2024")
    assert n.note is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        n.value = "x"  # type: ignore[misc]


@pytest.mark.parametrize("text, value, time_dropped", [
    ("1/2/1990 12:00:00 AM", "1990-01-02", False),   # .NET's DateTime text (real ProPath request)
    ("3/24/2021 12:00:00 AM", "2021-03-24", False),
    ("3/24/2021 3:15 PM", "2021-03-24", True),
    ("3/24/2021 13:00", "2021-03-24", True),
    ("3/24/2021 13:00 PM", None, False),
    ("2/30/2021 12:00:00 AM", None, False),
])
def test_date_with_a_dotnet_time_of_day(text, value, time_dropped):
    got = N.date(text)
    assert got.value == value
    if value:
        assert ("time was left out" in got.note) == time_dropped
