"""The one error hierarchy of ctdl-assistant.

Every error carries a stable ``code`` (scripts may match on it), a ``message`` that says what is
wrong and how to fix it, and a ``pointer``: where in the input it points (a JSON pointer such as
``/Organization/AgentType/1``, or ``row 4, column "Name"`` for spreadsheets).

Errors are raised, never returned.  Problems *inside* a usable document (a missing required
property, an unknown vocabulary term) are not exceptions: they are results in a
:class:`transformer.report.Report`.  Exceptions here mean the input cannot be used at all.
"""
from __future__ import annotations


class CtdlError(Exception):
    """Base class.  ``code`` is stable; ``message`` is for people; ``pointer`` locates the problem."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, pointer: str = "", code: str | None = None):
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "path": self.pointer}

    def one_line(self) -> str:
        where = f" (at {self.pointer})" if self.pointer else ""
        return f"error [{self.code}]{where}: {self.message}"


class InputError(CtdlError):
    """The input cannot be used: not JSON, wrong encoding, unknown type, too large..."""

    code = "input.invalid"


class NotJSON(InputError):
    code = "input.not-json"


class BadEncoding(InputError):
    code = "input.encoding"


class TooLarge(InputError):
    code = "input.too-large"
    http_status = 413


class LimitExceeded(InputError):
    """An upload passes one of :class:`transformer.limits.Limits`; ``limit`` is that field's name
    (``max_rows``, ``max_columns``, ``max_cell_chars``, ``max_unzipped_bytes``)."""

    code = "input.limit-exceeded"
    http_status = 413
    limit: str = ""

    def __init__(self, message: str, pointer: str = "", code: str | None = None, *, limit: str = ""):
        super().__init__(message, pointer, code)
        if limit:
            self.limit = limit


class TooDeep(InputError):
    code = "input.too-deep"


class UnknownType(InputError):
    code = "input.unknown-type"


class WrongShape(InputError):
    """The top level is not what was expected (e.g. a list where an object is needed)."""

    code = "input.wrong-shape"


class ContextNotAllowed(InputError):
    """A JSON-LD document refers to a context we do not serve locally (we never fetch)."""

    code = "input.context-not-allowed"


class Unreadable(InputError):
    code = "input.unreadable"


class ConfigurationError(CtdlError):
    """Our own data (shapes, contexts, vocabularies) is broken: a maintainer must fix it."""

    code = "config.invalid"
    http_status = 500


class ShapesError(ConfigurationError):
    code = "config.shapes"


# -- the registry: who may do what (raised by service/registry/core.py and service/registry/tenancy.py) -------------
class Unauthenticated(CtdlError):
    code = "auth.required"
    http_status = 401


class Forbidden(CtdlError):
    code = "auth.forbidden"
    http_status = 403


class NotFound(CtdlError):
    code = "registry.not-found"
    http_status = 404


class OwnershipConflict(CtdlError):
    code = "registry.ownership-conflict"
    http_status = 409


class AlreadyPublished(CtdlError):
    """A provisional record for a resource that is already published (it would replace a full description)."""
    code = "registry.already-published"
    http_status = 409
