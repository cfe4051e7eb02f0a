"""The WSGI application: authentication, API usage, injected faults, request log, routing.

Every answer under `/services/data/vXX.X/` carries `Sforce-Limit-Info`; errors are JSON arrays.
Handlers run under the org lock, so the stand-in is thread-safe with one lock.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from ..chaos import ApiChaos
from .dml import Dml
from .errors import DEFAULT_MESSAGES, SalesforceApiError, not_found
from .limits import ApiUsage
from .org import Org
from .rest_composite import CompositeHandlers
from .rest_context import ApiRequest, ApiResponse, method_not_allowed
from .rest_query import QueryHandlers
from .rest_sobjects import SObjectHandlers
from .sessions import Sessions, token_response

log = logging.getLogger(__name__)
TOKEN_PATH = "/services/oauth2/token"
_DATA_PATH = re.compile(r"^/services/data/v(\d{2}\.\d)(?:/(.*))?$")
_SEASONS = ("Winter", "Spring", "Summer")
MIN_VERSION = 31


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request the stand-in answered (for assertions in tests and benchmarks)."""

    method: str
    path: str
    status: int
    n_records: int
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class InjectedFault:
    """An error to answer instead of the real response, `remaining` more times."""

    status: int
    error_code: str
    message: str
    remaining: int
    path_prefix: str | None


def version_label(version: int) -> str:
    """Release name of an API version (59.0 is Winter '24)."""
    offset = version - 59
    return f"{_SEASONS[offset % 3]} '{24 + offset // 3}"


_CHAOS_MESSAGE = "the server is temporarily unable to answer (injected)"


class RestApp:
    """WSGI callable serving one org's REST API."""

    def __init__(self, org: Org, dml: Dml, usage: ApiUsage) -> None:
        self.org = org
        self.dml = dml
        self.usage = usage
        self.sobjects = SObjectHandlers(org, dml)
        self.queries = QueryHandlers(org)
        self.log: list[RequestRecord] = []
        self.faults: list[InjectedFault] = []
        #: random refusals and lost answers for a share of API calls (off unless set)
        self.chaos = ApiChaos()
        config = org.config
        self.sessions = Sessions(config.session_id, config.session_lifetime_s, config.org_id)
        self._log_lock = threading.Lock()
        self.routes: dict[str, Callable[[ApiRequest], ApiResponse]] = {
            "sobjects": self.sobjects.handle,
            "query": self.queries.handle,
            "queryAll": self.queries.handle,
            "limits": self._limits,
            "composite": CompositeHandlers(org, dml, self.dispatch).handle,
        }
        self.max_version = int(float(org.config.api_version))

    # ---- WSGI ----
    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        if request.path == TOKEN_PATH:  # a login, no API call: not in the log or the limits
            return self._token(request)(environ, start_response)
        if self.org.config.response_delay_s:  # the network and the org's own work
            time.sleep(self.org.config.response_delay_s)
        response, n_records = self._respond(request)
        with self._log_lock:
            self.log.append(
                RequestRecord(
                    request.method,
                    request.path,
                    response.status_code,
                    n_records,
                    request.query_string.decode("latin-1"),
                    {k: v for k, v in request.headers.items() if k.lower() != "authorization"},
                )
            )
        return response(environ, start_response)

    def _respond(self, request: Request) -> tuple[Response, int]:
        path = request.path
        if path.rstrip("/") == "/services/data":
            return _json(200, self._versions()), 0
        match = _DATA_PATH.match(path)
        if match is None:
            return _error(not_found()), 0
        if not self._authorized(request):
            body = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
            return _json(401, body), 0
        version = match.group(1)
        if not MIN_VERSION <= float(version) <= self.max_version:
            return self._with_usage(_error(not_found())), 0
        relative = match.group(2) or ""
        fault = self._take_fault(relative, path)
        if fault is not None:
            error = SalesforceApiError(
                fault.status, fault.error_code, fault.message, dml=fault.status == 400
            )
            return self._with_usage(_error(error)), 0
        refused = self.chaos.refuse()
        if refused is not None:
            code = "SERVER_UNAVAILABLE" if refused == 503 else "UNKNOWN_EXCEPTION"
            error = SalesforceApiError(503 if refused == 503 else 500, code, _CHAOS_MESSAGE)
            return self._with_usage(_error(error)), 0
        if not self.usage.try_consume():
            error = SalesforceApiError(
                403, "REQUEST_LIMIT_EXCEEDED", DEFAULT_MESSAGES["REQUEST_LIMIT_EXCEEDED"]
            )
            return self._with_usage(_error(error)), 0
        api_request = ApiRequest(
            method=request.method,
            path=relative,
            args=request.args,
            headers=dict(request.headers),
            raw_body=request.get_data(),
            actor_id=self.org.integration_user_id,
            version=version,
        )
        result = self.dispatch(api_request)
        if result.status < 300 and self.chaos.lose_answer():  # done, but the answer is lost
            error = SalesforceApiError(504, "UNKNOWN_EXCEPTION", "gateway timeout")
            return self._with_usage(_error(error)), result.n_records
        if result.status == 204 or result.body is None:
            response = Response(status=result.status)
        else:
            response = _json(result.status, result.body)
        for key, value in result.headers.items():
            response.headers[key] = value
        return self._with_usage(response), result.n_records

    def dispatch(self, request: ApiRequest) -> ApiResponse:
        """Route one API request (also used for composite subrequests); errors become answers."""
        try:
            parts = request.parts
            handler = self.routes.get(parts[0]) if parts else self._resources
            if handler is None:
                raise not_found()
            with self.org.store.lock:
                return handler(request)
        except SalesforceApiError as exc:
            return ApiResponse(exc.status, exc.rest_body())
        except Exception:  # a stand-in bug must surface as a 500 in the API's error shape
            log.exception(
                "unhandled error in the Salesforce stand-in for %s %s", request.method, request.path
            )
            error = SalesforceApiError(
                500, "UNKNOWN_EXCEPTION", DEFAULT_MESSAGES["UNKNOWN_EXCEPTION"]
            )
            return ApiResponse(500, error.rest_body())

    # ---- helpers ----
    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme.lower() in ("bearer", "oauth") and self.sessions.is_valid(token.strip())

    def _token(self, request: Request) -> Response:
        if request.method != "POST":
            return _json(405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": "POST only"}])
        config = self.org.config
        status, body = token_response(
            self.sessions,
            request.form,
            client_id=config.oauth_client_id,
            client_secret=config.oauth_client_secret,
            instance_url=request.host_url.rstrip("/"),
            integration_user_id=self.org.integration_user_id,
        )
        return _json(status, body)

    def _take_fault(self, relative: str, full_path: str) -> InjectedFault | None:
        with self._log_lock:
            for fault in self.faults:
                prefix = fault.path_prefix
                if prefix is None or relative.startswith(prefix) or full_path.startswith(prefix):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def inject(
        self, status: int, error_code: str, count: int, path_prefix: str | None, message: str | None
    ) -> None:
        """Queue an error for the next `count` matching requests."""
        if count < 1:
            raise ValueError("count must be at least 1")
        text = message or DEFAULT_MESSAGES.get(error_code, error_code.replace("_", " ").lower())
        with self._log_lock:
            self.faults.append(InjectedFault(status, error_code, text, count, path_prefix))

    def _with_usage(self, response: Response) -> Response:
        response.headers["Sforce-Limit-Info"] = self.usage.header()
        return response

    def _versions(self) -> list[dict[str, str]]:
        return [
            {"label": version_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
            for v in range(MIN_VERSION, self.max_version + 1)
        ]

    def _resources(self, request: ApiRequest) -> ApiResponse:
        if request.method != "GET":
            raise method_not_allowed(request.method, "GET,HEAD")
        base = request.url_prefix()
        names = ("sobjects", "query", "queryAll", "composite", "limits")
        return ApiResponse(200, {name: f"{base}/{name}" for name in names})

    def _limits(self, request: ApiRequest) -> ApiResponse:
        if request.method != "GET":
            raise method_not_allowed(request.method, "GET,HEAD")
        used = self.usage.used()
        limit = self.usage.limit
        return ApiResponse(
            200,
            {
                "DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used)},
                "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
                "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
                "DataStorageMB": {"Max": 1024, "Remaining": 1024},
                "SingleEmail": {"Max": 5000, "Remaining": 5000},
            },
        )


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json;charset=UTF-8")


def _error(error: SalesforceApiError) -> Response:
    return _json(error.status, error.rest_body())
