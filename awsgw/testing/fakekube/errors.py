"""API errors as the kube-apiserver reports them: an exception carrying a metav1.Status body."""

from __future__ import annotations

from typing import Any

REASONS: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


class ApiError(Exception):
    """An API failure: HTTP ``code``, Status ``reason`` and ``message``, optional ``details``."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code} {reason or REASONS.get(code, 'Unknown')}: {message}")
        self.code = code
        self.reason = reason or REASONS.get(code, "")
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self) -> dict[str, Any]:
        """The metav1.Status body of this error."""
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _details(group: str, plural: str, name: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = plural
    return details


def qualified(group: str, plural: str) -> str:
    """``services`` for the core group, ``gateways.gateway.networking.k8s.io`` otherwise."""
    return f"{plural}.{group}" if group else plural


def not_found(group: str, plural: str, name: str) -> ApiError:
    return ApiError(
        404,
        f'{qualified(group, plural)} "{name}" not found',
        "NotFound",
        _details(group, plural, name),
    )


def already_exists(group: str, plural: str, name: str) -> ApiError:
    return ApiError(
        409,
        f'{qualified(group, plural)} "{name}" already exists',
        "AlreadyExists",
        _details(group, plural, name),
    )


def conflict(group: str, plural: str, name: str, why: str) -> ApiError:
    return ApiError(
        409,
        f'Operation cannot be fulfilled on {qualified(group, plural)} "{name}": {why}',
        "Conflict",
        _details(group, plural, name),
    )


def forbidden(group: str, plural: str, name: str, why: str) -> ApiError:
    """403 Forbidden as ``NewForbidden`` words it (``services "x" is forbidden: why``)."""
    what = qualified(group, plural)
    message = f'{what} "{name}" is forbidden: {why}' if name else f"{what} is forbidden: {why}"
    return ApiError(403, message, "Forbidden", _details(group, plural, name))


STALE = (
    "the object has been modified; please apply your changes to the latest version and try again"
)


def invalid(group: str, kind: str, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """422 Invalid; each cause is (field, cause reason, message)."""
    qualified_kind = f"{kind}.{group}" if group else kind
    # an aggregate of several distinct errors is bracketed, as apimachinery prints it
    messages = list(dict.fromkeys(f"{field}: {message}" for field, _, message in causes))
    text = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
    details: dict[str, Any] = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = [
        {"reason": reason, "message": message, "field": field} for field, reason, message in causes
    ]
    return ApiError(422, f'{qualified_kind} "{name}" is invalid: {text}', "Invalid", details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, "BadRequest")


def expired(message: str) -> ApiError:
    return ApiError(410, message, "Expired")


def internal(message: str) -> ApiError:
    return ApiError(500, message, "InternalError")


def page_not_found() -> ApiError:
    return ApiError(404, "the server could not find the requested resource", "NotFound")


def injected(code: int) -> ApiError:
    """The error a test asked for with ``FakeKube.inject``."""
    headers = {"Retry-After": "1"} if code == 429 else None
    return ApiError(
        code, f"injected failure (HTTP {code})", REASONS.get(code, "Unknown"), headers=headers
    )
