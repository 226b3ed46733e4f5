"""Literal semantics as pyshacl sees them through rdflib: values, ill-typedness, equality, order.

The compiled engine must report exactly what pyshacl reports, and pyshacl decides "is this
literal well-typed", "is it equal to that one" and "is it greater" with rdflib's ``Literal``.  This
module reproduces those decisions on plain ``(lexical, datatype, lang)`` data, using the same
Python conversions rdflib relies on (``int``, ``Decimal``, ``float``, ``fromisoformat``...), with a
fast regular-expression path for the common well-formed lexical forms.

Data literals are seen as ``Graph.to_rdflib`` produces them: ``xsd:string`` becomes a plain literal.
"""
from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from xml.dom import minidom

from ..graph import Literal

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"
RDFS_LITERAL = RDFS + "Literal"
RDFS_DATATYPE = RDFS + "Datatype"
RDF_XMLLITERAL = RDF + "XMLLiteral"
RDF_HTML = RDF + "HTML"

_INT_RANGES = {  # datatype -> (min, max) checked by rdflib; None = unbounded
    "integer": None, "long": None,
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "int": (-2147483648, 2147483647), "short": (-32768, 32767), "byte": (-128, 127),
    "unsignedLong": (0, None), "unsignedInt": (0, 4294967295), "unsignedShort": (0, 65535),
    "unsignedByte": (0, 255),
}
INTEGER_TYPES = {XSD + k: v for k, v in _INT_RANGES.items()}
NUMERIC_TYPES = frozenset(INTEGER_TYPES) | {XSD + "decimal", XSD + "double", XSD + "float"}
STRING_TYPES = frozenset(XSD + k for k in ("string", "normalizedString", "token", "language", "anyURI"))
DURATION_TYPES = frozenset(XSD + k for k in ("duration", "dayTimeDuration", "yearMonthDuration"))
XML_TYPES = frozenset((RDF_XMLLITERAL, RDF_HTML))

_INT_RE = re.compile(r"[+-]?[0-9]+\Z")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?\Z")
_DURATION_RE = re.compile(
    r"^(?P<sign>[+-])?P(?=\w)(?:(?P<Y>[0-9]+(?:[,.][0-9]+)?)Y)?(?:(?P<M>[0-9]+(?:[,.][0-9]+)?)M)?"
    r"(?:(?P<W>[0-9]+(?:[,.][0-9]+)?)W)?(?:(?P<D>[0-9]+(?:[,.][0-9]+)?)D)?"
    r"(?:T(?:(?P<h>[0-9]+(?:[,.][0-9]+)?)H)?(?:(?P<m>[0-9]+(?:[,.][0-9]+)?)M)?"
    r"(?:(?P<s>[0-9]+(?:[,.][0-9]+)?)S)?)?$")


class YMDuration:
    """A duration with years/months (rdflib's ``Duration``): equality only, no order."""

    __slots__ = ("months", "tdelta")

    def __init__(self, months: Decimal, tdelta: timedelta):
        self.months, self.tdelta = months, tdelta

    def __eq__(self, other):
        if isinstance(other, YMDuration):
            return self.months == other.months and self.tdelta == other.tdelta
        return self.months == 0 and self.tdelta == other

    def __hash__(self):
        return hash((self.months, self.tdelta))


class Opaque:
    """A value rdflib computes but we never need to compare (rdf:HTML)."""

    __slots__ = ()


def _parse_duration(lex: str):
    m = _DURATION_RE.match(lex)
    if m is None:
        if not lex.startswith("P"):
            raise ValueError(lex)
        d = datetime.fromisoformat(lex[1:])
        td = timedelta(days=d.day, hours=d.hour, minutes=d.minute, seconds=d.second,
                       microseconds=d.microsecond)
        return YMDuration(Decimal(d.year) * 12 + Decimal(d.month), td)

    def num(g, conv):
        v = m.group(g)
        return conv(v.replace(",", ".")) if v else conv("0")

    years, months = num("Y", Decimal), num("M", Decimal)
    td = timedelta(days=num("D", float), hours=num("h", float), minutes=num("m", float),
                   seconds=num("s", float), weeks=num("W", float))
    neg = m.group("sign") == "-"
    if years == 0 and months == 0:
        return timedelta(0) - td if neg else td
    total = years * 12 + months
    return YMDuration(-total, -td) if neg else YMDuration(total, td)


def _parse_date(lex: str) -> date:
    m = _DATE_RE.match(lex)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    s = lex[:-1] if lex.endswith(("Z", "z")) else lex
    minus = s.startswith("-")
    if minus:
        s = s[1:]
    if "T" in s:
        s = s.split("T")[0]
    elif s.rfind("+") > 0:
        s = s[:s.rfind("+")]
    else:
        head, sep, tail = s.rpartition("-")
        if sep and ":" in tail:
            s = head
    if "-" not in s:
        raise ValueError(lex)
    return date.fromisoformat("-" + s if minus else s)


def _parse_xml(lex: str):
    doc = minidom.parseString(f"<rdflibtoplevelelement>{lex}</rdflibtoplevelelement>")
    doc.normalize()
    return doc


def _compute(lex: str, dt: str):
    """(value, ill_typed) for a typed literal, as rdflib computes them."""
    if dt in STRING_TYPES:
        return lex, False
    rng = INTEGER_TYPES.get(dt, False)
    if rng is not False:
        if _INT_RE.match(lex):
            value = int(lex)
        else:
            try:
                value = int(lex)
            except Exception:  # noqa: BLE001 - rdflib treats any failure as "no value"
                return None, True
        if rng is None:
            return value, False
        lo, hi = rng
        return value, not ((lo is None or value >= lo) and (hi is None or value <= hi) and len(lex) > 0)
    if dt == XSD + "boolean":
        return lex.lower() in ("true", "1"), lex not in ("true", "false", "1", "0")
    conv = _CONVERTERS.get(dt)
    if conv is None:
        return None, False          # not a datatype rdflib recognises: never ill-typed
    try:
        return conv(lex), False
    except Exception:  # noqa: BLE001
        return None, True


def _decimal(lex: str) -> Decimal:
    value = Decimal(lex)
    if not value.is_finite():
        # NaN and Infinity are not in the lexical space of xsd:decimal: ill-typed, and they
        # would make every comparison raise
        raise ValueError(f"{lex!r} is not a decimal number")
    return value


_CONVERTERS = {
    XSD + "decimal": _decimal,
    XSD + "double": float,
    XSD + "float": float,
    XSD + "date": _parse_date,
    XSD + "dateTime": datetime.fromisoformat,
    XSD + "time": time.fromisoformat,
    XSD + "hexBinary": lambda s: binascii.unhexlify(s.encode()),
    XSD + "base64Binary": base64.b64decode,
    RDF_XMLLITERAL: _parse_xml,
    RDF_HTML: lambda s: Opaque(),
}
for _dt in DURATION_TYPES:
    _CONVERTERS[_dt] = _parse_duration

_cache: dict = {}


def info(lex: str, dt: str | None):
    """(value, ill_typed) of a literal; plain and language-tagged literals have their lexical form
    as value."""
    if dt is None:
        return lex, False
    key = (lex, dt)
    hit = _cache.get(key)
    if hit is None:
        if len(_cache) > 100_000:
            _cache.clear()
        hit = _cache[key] = _compute(lex, dt)
    return hit


def ill_typed(lex: str, dt: str) -> bool:
    return info(lex, dt)[1]


def data_datatype(lit: Literal) -> str | None:
    """The datatype rdflib gives the literal after ``to_rdflib`` (None: plain or language-tagged)."""
    if lit.lang:
        return None
    dt = lit.datatype
    return None if dt == XSD_STRING else dt


def lkey(lit: Literal) -> Literal:
    """Term-equality key of a data literal, as rdflib compares them (lang tags case-insensitive)."""
    lang = lit.lang
    if lang:
        if lit.datatype is None and lang.islower():
            return lit
        return Literal(lit.value, None, lang.lower())
    if lit.datatype == XSD_STRING:
        return Literal(lit.value, None, None)
    return lit


def tkey(term):
    return lkey(term) if term.__class__ is Literal else term


def shapes_key(lit: Literal) -> Literal:
    """Term-equality key of a literal read from the shapes graph (its datatype is kept as is)."""
    return Literal(lit.value, lit.datatype, lit.lang.lower()) if lit.lang else lit


def datatype_test(rule: str):
    """``test(term) -> bool``: does the term match ``sh:datatype rule`` (pyshacl's reading)?"""
    plain_ok = rule in (XSD_STRING, RDFS_LITERAL)
    lang_ok = rule in (RDF_LANGSTRING, RDFS_LITERAL)
    other_ok = rule in (RDFS_LITERAL, RDFS_DATATYPE)
    compute = info

    def test(v) -> bool:
        if v.__class__ is not Literal:
            return False
        if v.lang:
            return lang_ok
        dt = v.datatype
        if dt is None or dt == XSD_STRING:
            return plain_ok
        if dt == rule:
            return not compute(v.value, dt)[1]
        return other_ok
    return test


# -- order and value equality (rdflib Literal.eq / __gt__ / pyshacl compare_literal) ------------
class RL:
    """A literal as rdflib sees it: lexical form, datatype (None: plain/lang), lang, value, ill."""

    __slots__ = ("lex", "dt", "lang", "value", "ill")

    def __init__(self, lex: str, dt: str | None, lang: str | None):
        self.lex, self.dt, self.lang = lex, dt, lang
        self.value, self.ill = info(lex, dt)

    @classmethod
    def of_data(cls, lit: Literal) -> "RL":
        return cls(lit.value, data_datatype(lit), lit.lang or None)

    @property
    def is_string(self) -> bool:
        return isinstance(self.value, str)


_TOTAL_ORDER = {
    datetime: lambda v: (v.tzinfo is not None and v.tzinfo.utcoffset(v) is not None, v),
    time: lambda v: (v.tzinfo is not None and v.tzinfo.utcoffset(None) is not None, v),
    minidom.Document: lambda v: v.toxml(),
}


def _numeric_pair(a: RL, b: RL) -> bool:
    return (a.dt in NUMERIC_TYPES and b.dt in NUMERIC_TYPES and not a.ill and not b.ill
            and a.value is not None and b.value is not None)


def eq(a: RL, b: RL) -> bool:
    """Value equality; raises TypeError when rdflib cannot decide."""
    if _numeric_pair(a, b):
        return a.value == b.value
    if (a.lang or "").lower() != (b.lang or "").lower():
        return False
    da, db = a.dt or XSD_STRING, b.dt or XSD_STRING
    if da == XSD_STRING and db == XSD_STRING:
        return a.lex == b.lex
    if da in XML_TYPES and db in XML_TYPES and not a.ill and not b.ill \
            and a.value is not None and b.value is not None:
        return _xml(a.value) == _xml(b.value)
    if da != db:
        return False
    if a.value is not None and b.value is not None:
        return a.value == b.value
    if a.lex == b.lex:
        return True
    raise TypeError(f"cannot compare {a.lex!r} and {b.lex!r}")


def _xml(v):
    return v.toxml() if hasattr(v, "toxml") else id(v)


def gt(a: RL, b: RL) -> bool:
    """rdflib ``Literal.__gt__`` (never raises)."""
    if _numeric_pair(a, b):
        return a.value > b.value
    da, db = a.dt or XSD_STRING, b.dt or XSD_STRING
    if da != db:
        return da > db
    if a.lang != b.lang:
        if not a.lang:
            return False
        if not b.lang:
            return True
        return a.lang > b.lang
    if a.value is not None and b.value is not None:
        caster = _TOTAL_ORDER.get(type(a.value))
        if caster is not None:
            try:
                return caster(a.value) > caster(b.value)
            except TypeError:
                pass
        else:
            try:
                return a.value > b.value
            except TypeError:
                pass
    if a.lex != b.lex:
        return a.lex > b.lex
    if a.dt != b.dt:
        if a.dt is None:
            return False
        if b.dt is None:
            return True
        return a.dt > b.dt
    return False


def compare(a: RL, b: RL) -> int:
    """pyshacl ``compare_literal``: -1/0/1; raises TypeError when incomparable."""
    if eq(a, b):
        return 0
    if type(a.value) in (datetime, time):
        if a.value == b.value:
            return 0
        if a.value > b.value:
            return 1
    elif gt(a, b):
        return 1
    return -1


def lt(a: RL, b: RL) -> bool:
    """Python ``a < b`` on two rdflib literals."""
    try:
        return not gt(a, b) and not eq(a, b)
    except TypeError:           # __lt__ returns NotImplemented: Python tries b.__gt__(a)
        return gt(b, a)


def le(a: RL, b: RL) -> bool:
    """Python ``a <= b`` on two rdflib literals."""
    try:
        if not gt(a, b) and not eq(a, b):
            return True
    except TypeError:           # NotImplemented is truthy inside rdflib's __le__
        return True
    try:
        return eq(a, b)
    except TypeError:           # reflected b >= a
        if gt(b, a):
            return True
        try:
            return eq(b, a)
        except TypeError:
            return False
