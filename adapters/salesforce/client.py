"""A thin layer over simple-salesforce: the few calls Baton makes, metered and rate-limited.

simple-salesforce sends every request through one ``requests.Session``; Baton passes a
:class:`MeteredSession` that takes a limiter slot, sets a timeout, counts
``crm_calls{system,status}``, reads ``Sforce-Limit-Info`` and stamps
``Sforce-Call-Options: client=baton`` (it shows in CDC ``changeOrigin``, so our own writes are
recognisable). ``SalesforceError`` subclasses carry no headers, so the session keeps the last
response per thread for :class:`~adapters.errors.CrmCallError`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession

from adapters.errors import CrmCallError
from adapters.metering import count_call
from adapters.ratelimit import RateLimiter
from adapters.salesforce import soql
from adapters.salesforce.oauth import OAuthLogin
from connector.metrics import Metrics

log = logging.getLogger(__name__)
#: what the log says when a session the org ended is replaced (the fault harness counts it)
LOGGED_IN_AGAIN = "Salesforce session ended; logged in again"

SYSTEM = "salesforce"
#: sObject Collections take at most 200 records per request (salesforce.md §6.3).
COLLECTION_LIMIT = 200
DEFAULT_API_VERSION = "59.0"
#: a composite request takes at most 25 subrequests (salesforce.md §6.3).
COMPOSITE_LIMIT = 25


class MeteredSession(requests.Session):
    """The session simple-salesforce uses: every HTTP exchange passes through ``request``."""

    def __init__(
        self,
        *,
        limiter: RateLimiter | None,
        metrics: Metrics | None,
        timeout_s: tuple[float, float],
        call_options_client: str,
        verify: bool | str,
    ) -> None:
        super().__init__()
        self.limiter = limiter
        self.metrics = metrics
        self.timeout_s = timeout_s
        self.verify = verify
        # A CA bundle given here must win over REQUESTS_CA_BUNDLE and proxy variables.
        self.trust_env = verify is True
        self.headers["Sforce-Call-Options"] = f"client={call_options_client}"
        self._last = threading.local()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        """Send one request: limiter slot first, then metrics and limit headers after."""
        if self.limiter is not None:
            self.limiter.acquire()
        kwargs.setdefault("timeout", self.timeout_s)
        self._last.headers = {}
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException:
            count_call(self.metrics, SYSTEM, "network")
            raise
        self._last.headers = {k.lower(): v for k, v in response.headers.items()}
        count_call(self.metrics, SYSTEM, response.status_code)
        if self.limiter is not None:
            self.limiter.observe_salesforce_limit_info(response.headers.get("Sforce-Limit-Info"))
        return response

    def last_headers(self) -> dict[str, str]:
        """Lower-cased headers of this thread's last response."""
        return dict(getattr(self._last, "headers", {}) or {})


class SalesforceClient:
    """The Salesforce calls Baton needs, over simple-salesforce.

    Log in with ``session_id`` (+ ``instance_url``); with the JWT bearer flow (``jwt`` =
    ``{"username", "consumer_key", "private_key_path", "domain"}``), which simple-salesforce
    refreshes by itself on ``INVALID_SESSION_ID``; or with the client-credentials flow
    (``client_credentials`` = ``{"consumer_key", "consumer_secret"}``, token from the
    instance URL), after which Baton logs in again itself and retries the refused call once.
    """

    system = SYSTEM

    def __init__(
        self,
        instance_url: str | None = None,
        *,
        session_id: str | None = None,
        jwt: Mapping[str, Any] | None = None,
        client_credentials: Mapping[str, str] | None = None,
        api_version: str = DEFAULT_API_VERSION,
        verify: bool | str = True,
        limiter: RateLimiter | None = None,
        metrics: Metrics | None = None,
        timeout_s: tuple[float, float] = (5.0, 60.0),
        call_options_client: str = "baton",
    ) -> None:
        self.session = MeteredSession(
            limiter=limiter,
            metrics=metrics,
            timeout_s=timeout_s,
            call_options_client=call_options_client,
            verify=verify,
        )
        self.limiter = limiter
        self._login: OAuthLogin | None = None
        if sum(m is not None for m in (session_id, jwt, client_credentials)) != 1:
            raise ValueError("give exactly one of session_id, jwt or client_credentials")
        if client_credentials is not None:
            if not instance_url:
                raise ValueError("instance_url is required with client_credentials")
            login = OAuthLogin(self.session, instance_url, client_credentials)
            self._login = login
            self._sf_factory = lambda: Salesforce(
                instance_url=instance_url,
                session_id=login.token(),
                session=self.session,
                version=api_version,
            )
        elif session_id is not None:
            if not instance_url:
                raise ValueError("instance_url is required with session_id")
            self._sf_factory: Callable[[], Salesforce] = lambda: Salesforce(
                instance_url=instance_url,
                session_id=session_id,
                session=self.session,
                version=api_version,
            )
        else:
            assert jwt is not None
            self._sf_factory = lambda: Salesforce(
                username=jwt["username"],
                consumer_key=jwt["consumer_key"],
                privatekey_file=str(Path(jwt["private_key_path"])),
                domain=jwt.get("domain", "login"),
                session=self.session,
                version=api_version,
            )
        self._sf: Salesforce | None = None
        self._sf_lock = threading.Lock()

    @property
    def sf(self) -> Salesforce:
        """The simple-salesforce client (the JWT login happens on first use, not at start-up)."""
        with self._sf_lock:
            if self._sf is None:
                self._sf = self._call(self._sf_factory)
            return self._sf

    # -- calls -----------------------------------------------------------------------------

    def collection_update(
        self, records: Sequence[Mapping[str, Any]], *, auto_assign: bool = False
    ) -> list[dict[str, Any]]:
        """PATCH composite/sobjects (allOrNone false): one row result per record, in order.

        Each record needs ``attributes.type`` and ``id``.
        """
        return self._collection("PATCH", records, auto_assign)

    def collection_create(
        self, records: Sequence[Mapping[str, Any]], *, auto_assign: bool = False
    ) -> list[dict[str, Any]]:
        """POST composite/sobjects (allOrNone false): one row result (with ``id``) per record."""
        return self._collection("POST", records, auto_assign)

    def upsert(
        self,
        sobject: str,
        id_field: str,
        value: str,
        record: Mapping[str, Any],
        *,
        auto_assign: bool = False,
    ) -> dict[str, Any]:
        """PATCH sobjects/{sobject}/{id_field}/{value}: create the record or update the one
        that holds ``value`` in that External ID field; ``{"id", "created"}``.

        Salesforce answers 201 (created) or 200 with the same body (updated; 204 without one
        before API 46.0, then the id is read by the key); more than one match is a 300, an
        error with code ``MULTIPLE_EXTERNAL_ID_MATCHES`` here.
        """
        sf = self.sf
        path = f"sobjects/{sobject}/{id_field}/{quote(value, safe='')}"
        headers = {"Sforce-Auto-Assign": "TRUE" if auto_assign else "FALSE"}
        body = {k: v for k, v in record.items() if k != id_field}
        try:
            answer = self._call(
                lambda: sf.restful(path, method="PATCH", json=body, headers=headers)
            )
            if answer is None:  # 204 of an update before API 46.0
                found = self._call(lambda: sf.restful(path, params={"fields": "Id"}))
                return {"id": str(found["Id"]), "created": False}
        except CrmCallError as exc:
            if exc.status != 300:
                raise
            raise CrmCallError(
                SYSTEM,
                300,
                body=exc.body,
                error_code="MULTIPLE_EXTERNAL_ID_MATCHES",
                message=f"more than one {sobject} holds this value in {id_field}",
            ) from exc
        if not isinstance(answer, dict) or not answer.get("id"):
            raise CrmCallError(
                SYSTEM,
                None,
                body=answer,
                error_code="UNEXPECTED_RESPONSE",
                message=f"expected an upsert result with an id, got {answer!r:.200}",
            )
        return {"id": str(answer["id"]), "created": bool(answer.get("created"))}

    def composite(
        self, subrequests: Sequence[Mapping[str, Any]], *, all_or_none: bool = True
    ) -> list[dict[str, Any]]:
        """POST composite (≤ 25 subrequests, one API call); one response per subrequest.

        Each subrequest gives ``method``, ``url`` relative to ``/services/data/vXX.X/``,
        ``referenceId`` and an optional ``body``. With ``all_or_none`` one failure rolls back all.
        """
        if not subrequests or len(subrequests) > COMPOSITE_LIMIT:
            raise ValueError(f"a composite takes 1..{COMPOSITE_LIMIT} subrequests")
        sf = self.sf
        prefix = f"/services/data/v{sf.sf_version}/"
        body = {
            "allOrNone": all_or_none,
            "compositeRequest": [{**sub, "url": prefix + str(sub["url"])} for sub in subrequests],
        }
        answer = self._call(lambda: sf.restful("composite", method="POST", json=body))
        responses = answer.get("compositeResponse") if isinstance(answer, dict) else None
        if not isinstance(responses, list) or len(responses) != len(subrequests):
            raise CrmCallError(
                SYSTEM,
                None,
                body=answer,
                error_code="UNEXPECTED_RESPONSE",
                message=f"expected {len(subrequests)} composite responses, got {answer!r:.200}",
            )
        return [dict(response) for response in responses]

    def describe(self, sobject: str) -> dict[str, Any]:
        """GET sobjects/{sobject}/describe: the object's metadata, fields included."""
        sf = self.sf
        return dict(self._call(lambda: getattr(sf, sobject).describe()))

    def query_all(self, soql: str) -> list[dict[str, Any]]:
        """Run a SOQL query and follow ``nextRecordsUrl``; records without ``attributes``."""
        sf = self.sf
        answer = self._call(lambda: sf.query_all(soql))
        return [
            {k: v for k, v in dict(row).items() if k != "attributes"}
            for row in answer.get("records", [])
        ]

    def owner_names(self, owner_ids: Iterable[str]) -> dict[str, str]:
        """Users (005…) and queues (00G…) by id → their Name, one SOQL query per 200 ids."""
        ids = sorted({soql.record_id(i) for i in owner_ids})
        names: dict[str, str] = {}
        for sobject, prefix in (("User", "005"), ("Group", "00G")):
            wanted = [i for i in ids if i.startswith(prefix)]
            for start in range(0, len(wanted), soql.IDS_PER_QUERY):
                chunk = wanted[start : start + soql.IDS_PER_QUERY]
                query = soql.select(sobject, ["Name"], soql.in_list("Id", chunk))
                names.update({row["Id"]: row["Name"] for row in self.query_all(query)})
        return names

    def _collection(
        self, method: str, records: Sequence[Mapping[str, Any]], auto_assign: bool
    ) -> list[dict[str, Any]]:
        if not records or len(records) > COLLECTION_LIMIT:
            raise ValueError(
                f"a collection takes 1..{COLLECTION_LIMIT} records, got {len(records)}"
            )
        sf = self.sf
        headers = {"Sforce-Auto-Assign": "TRUE" if auto_assign else "FALSE"}
        body = {"allOrNone": False, "records": [dict(r) for r in records]}
        rows = self._call(
            lambda: sf.restful("composite/sobjects", method=method, json=body, headers=headers)
        )
        if not isinstance(rows, list) or len(rows) != len(records):
            raise CrmCallError(
                SYSTEM,
                None,
                body=rows,
                error_code="UNEXPECTED_RESPONSE",
                message=f"expected {len(records)} row results, got {rows!r:.200}",
            )
        return [dict(row) for row in rows]

    # -- plumbing --------------------------------------------------------------------------

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run another simple-salesforce call the same way (setup and doctor use it)."""
        return self._call(fn)

    def _call(self, fn: Callable[[], Any]) -> Any:
        """Run one simple-salesforce call; translate its failures into CrmCallError.

        A session that expired (401 ``INVALID_SESSION_ID``) was refused before anything
        happened, so with a login flow Baton logs in again and makes the call once more.
        """
        sent_with = self._sf.session_id if self._sf is not None else None
        try:
            try:
                return fn()
            except SalesforceExpiredSession as exc:
                if self._login is None or not _is_invalid_session(exc):
                    raise
                self._log_in_again(sent_with)
                return fn()
        except SalesforceError as exc:
            raise _api_error(exc, self.session.last_headers()) from exc
        except requests.RequestException as exc:
            message = f"{type(exc).__name__}: {exc}"
            raise CrmCallError(SYSTEM, None, message=message[:2000]) from exc

    def _log_in_again(self, refused: str | None) -> None:
        """A fresh access token into the live client (the calls' closures hold that object);
        threads refused with the same token share one new login."""
        assert self._login is not None
        token = self._login.renew(refused)
        log.info(LOGGED_IN_AGAIN)  # no token, no user: only that it happened
        sf = self._sf
        if sf is not None:
            sf.session_id = token
            sf.headers = {**sf.headers, "Authorization": f"Bearer {token}"}


def _is_invalid_session(exc: SalesforceError) -> bool:
    content = exc.content
    first = content[0] if isinstance(content, list) and content else {}
    return isinstance(first, Mapping) and first.get("errorCode") == "INVALID_SESSION_ID"


def _api_error(exc: SalesforceError, headers: Mapping[str, str]) -> CrmCallError:
    """Salesforce's error list ``[{"errorCode", "message", "fields"}]`` → CrmCallError."""
    content = exc.content
    first = content[0] if isinstance(content, list) and content else {}
    first = first if isinstance(first, Mapping) else {}
    code = first.get("errorCode") or first.get("error")
    message = first.get("message") or first.get("error_description")
    if not message:
        message = content if isinstance(content, str) else f"HTTP {exc.status}"
    return CrmCallError(
        SYSTEM, exc.status, headers=headers, body=content, error_code=code, message=str(message)
    )
