"""The checks every field of an app record passes, before any handler runs.

An app record is shown to users by wallets ("Notes (https://notes.example) asks to log
you in"), so each field is held to a form that cannot mislead:

* **origins** are canonical ASCII ``https://host[:port]``: lower case, punycode for
  international names (a lookalike shows as ``xn--…``), no user info, path, query,
  fragment, trailing dot, default port or IP literal; ``http://`` only for
  ``localhost`` / ``127.0.0.1`` (a developer's own machine). A wallet compares origins
  byte for byte, so one canonical spelling per origin is what makes that safe.
* **redirect URIs** are paths under one of the app's own origins (so never
  ``javascript:``/``data:``), ASCII, without ``..``, ``#``, ``@``, backslashes,
  whitespace or encoded slashes.
* **names and descriptions** are NFC text without control, format (zero-width,
  bidirectional overrides), private-use or unassigned characters.
* **logos** are either a content hash (``blake3:<64 hex>``, the image lives elsewhere)
  or a small ``data:image/(png|jpeg|webp);base64,…`` URL whose bytes really are that
  type; never SVG (it can carry script).

Each check raises ``InvalidInputError`` naming the field, so bad data is refused at
admission (``tx.invalid_data``) and changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata

from tonomy.errors import InvalidInputError

from tonomy_identity.schemas import Check, items, text

MAX_ORIGINS = 4
MAX_REDIRECTS = 8
MAX_SCOPES = 16
MAX_CREDENTIALS = 8
MAX_DATA_SCOPES = 16
MAX_LOGO_BYTES = 8 * 1024  # decoded image bytes in a data URL
MAX_DESCRIPTION = 1024

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_PORT = r"(?::(?!0)[0-9]{1,5})?"
ORIGIN = re.compile(rf"https://{_LABEL}(?:\.{_LABEL})*{_PORT}|http://(?:localhost|127\.0\.0\.1){_PORT}")
SCOPE = re.compile(r"[a-z][a-z0-9_]{0,63}\.[a-z][a-z0-9_]{0,63}")
DATA_SCOPE = re.compile(r"[a-z][a-z0-9_]{0,31}")
CREDENTIAL_TYPE = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")
_IPV4 = re.compile(r"[0-9]+(?:\.[0-9]+){3}")
_REDIRECT_TAIL = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:/?%-]*")
_LOGO_HASH = re.compile(r"blake3:[0-9a-f]{64}")
_LOGO_DATA = re.compile(r"data:image/(png|jpeg|webp);base64,([A-Za-z0-9+/]+={0,2})")
_MAGIC = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "webp": (b"RIFF",),
}
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})


def origin_problem(origin: str) -> str | None:
    """Why ``origin`` is not a canonical origin an app may register, or None."""
    if not ORIGIN.fullmatch(origin):
        return f"{origin!r} is not a canonical https://host[:port] origin (lower-case ASCII, punycode, no path)"
    host_port = origin.split("://", 1)[1]
    host, _, port = host_port.partition(":")
    if port and int(port) > 65535:
        return f"{origin!r} has a port above 65535"
    if origin.startswith("https://") and port == "443":
        return f"{origin!r} names the default port; register it without ':443'"
    if origin.startswith("https://") and (_IPV4.fullmatch(host) or "." not in host and host != "localhost"):
        return f"{origin!r} is not a domain name (IP literals and single labels are refused)"
    return None


def redirect_form_problem(uri: str) -> str | None:
    """Why ``uri`` is not a plain path under a canonical origin (whichever app that origin is)."""
    scheme, sep, rest = uri.partition("://")
    authority, slash, _ = rest.partition("/")
    if not sep or not slash:
        return f"redirect URI {uri!r} is not an origin followed by a path"
    origin = f"{scheme}://{authority}"
    if origin_problem(origin) is not None:
        return f"redirect URI {uri!r} does not start with a canonical origin"
    tail = uri[len(origin):]
    lowered = tail.lower()
    if not _REDIRECT_TAIL.fullmatch(tail) or "/../" in tail + "/" or "/./" in tail + "/" or "@" in tail \
            or "%2f" in lowered or "%5c" in lowered or "%2e" in lowered or "//" in tail:
        return f"redirect URI {uri!r} has characters or segments that could change where it leads"
    return None


def redirect_problem(origins: list[str] | tuple[str, ...] | str, uri: str) -> str | None:
    """A redirect URI must be a plain path under one of the app's own origins (no open redirects)."""
    allowed = (origins,) if isinstance(origins, str) else tuple(origins)
    form = redirect_form_problem(uri)
    if form is not None:
        return form
    if not any(uri.startswith(origin + "/") for origin in allowed):
        return f"redirect URI {uri!r} is not a path under the app's origins {', '.join(map(repr, allowed))}"
    return None


def display_text_problem(value: str) -> str | None:
    """Text people read must not hide characters or reorder what they see."""
    if unicodedata.normalize("NFC", value) != value:
        return "it is not in Unicode NFC form"
    for char in value:
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES and char != "\n":
            return f"it holds the invisible or control character U+{ord(char):04X}"
    if value != value.strip():
        return "it starts or ends with white space"
    return None


def logo_problem(logo: str) -> str | None:
    """``""`` (no logo), a content hash, or a small raster data URL whose bytes match its type."""
    if logo == "" or _LOGO_HASH.fullmatch(logo):
        return None
    match = _LOGO_DATA.fullmatch(logo)
    if match is None:
        return "a logo is 'blake3:<64 hex>' or a data:image/png|jpeg|webp;base64 URL (no SVG, no other scheme)"
    kind, encoded = match.groups()
    if len(encoded) > (MAX_LOGO_BYTES * 4) // 3 + 4:
        return f"the logo is larger than {MAX_LOGO_BYTES} bytes"
    try:
        image = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return "the logo's base64 is malformed"
    if len(image) > MAX_LOGO_BYTES:
        return f"the logo is larger than {MAX_LOGO_BYTES} bytes"
    if not image.startswith(_MAGIC[kind]) or (kind == "webp" and image[8:12] != b"WEBP"):
        return f"the logo's bytes are not a {kind} image"
    return None


def _checked(base: Check, problem: object) -> Check:
    def check(name: str, value: object) -> None:
        base(name, value)
        found = problem(value)  # type: ignore[operator]
        if found is not None:
            raise InvalidInputError(f"field {name!r}: {found}")

    return check


def origin_field() -> Check:
    return _checked(text(8, 270), origin_problem)


def display_text(minimum: int, maximum: int) -> Check:
    return _checked(text(minimum, maximum), display_text_problem)


def logo_field() -> Check:
    return _checked(text(0, MAX_LOGO_BYTES * 2), logo_problem)


def origins_field() -> Check:
    return items(origin_field(), 1, MAX_ORIGINS)


def redirects_field() -> Check:
    return items(_checked(text(9, 512), redirect_form_problem), 1, MAX_REDIRECTS)


def scopes_field() -> Check:
    return items(text(3, 129, SCOPE), 0, MAX_SCOPES)


def credentials_field() -> Check:
    return items(text(1, 64, CREDENTIAL_TYPE), 0, MAX_CREDENTIALS)


def data_scopes_field() -> Check:
    return items(text(1, 32, DATA_SCOPE), 0, MAX_DATA_SCOPES)
