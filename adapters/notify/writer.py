"""The writer of System.NOTIFY: carry out ``Notify`` commands by e-mail, Slack or CRM task
(a Salesforce Task for a Salesforce user, a HubSpot task for a HubSpot owner).

The dispatcher leases each command before it runs, so two workers never send the same step;
the outbox key (clock, step, channel) makes each step one command. The recipient's address is
looked up here, when sending, so the outbox holds user ids rather than e-mail addresses.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import requests

from adapters.notify.crm_task import SalesforceTaskCreator
from adapters.notify.email import TEMPORARY, SmtpSender
from adapters.notify.hubspot_task import HubSpotTaskCreator
from adapters.notify.slack import SlackError, SlackSender
from adapters.notify.templates import Message, email_message, slack_text
from adapters.retrying import CallFailed
from connector.commands import Command, CommandResult, Notify, Outcome, SendDigest, System
from connector.ports import CrmReader

log = logging.getLogger(__name__)


class _Refused(Exception):
    """A command that can never succeed as it stands (dead letter with this code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class NotifyWriter:
    """Sends notices; ``users`` (the Salesforce reader) turns user ids into addresses."""

    email: SmtpSender | None = None
    slack: SlackSender | None = None
    tasks: SalesforceTaskCreator | None = None
    users: CrmReader | None = None
    timezone: str = "UTC"
    #: the digest's configured recipients by address hash (``SendDigest.to_address_hash``)
    digest_recipients: Mapping[str, str] = field(default_factory=dict)
    system: System = System.NOTIFY
    #: HubSpot tasks for HubSpot owners (``crm_task`` with HubSpot alone, or an owner id)
    hubspot_tasks: HubSpotTaskCreator | None = None
    #: HubSpot owner ids (digits) → addresses, beside ``users`` for Salesforce user ids
    owners: CrmReader | None = None

    def execute(self, commands: Sequence[Command]) -> list[CommandResult]:
        """One result per command; a failure of one never stops the others."""
        return [self._one(command) for command in commands]

    def _one(self, command: Command) -> CommandResult:
        key = command.idempotency_key
        if not isinstance(command, Notify | SendDigest):
            return _dead(key, "UNSUPPORTED", f"the notify writer cannot run {command.kind}")
        data: dict[str, str] = {"channel": command.channel}
        try:
            if isinstance(command, SendDigest):
                self._digest(command)
            elif command.channel == "email":
                self._email(command)
            elif command.channel == "slack":
                self._slack(command)
            elif command.channel == "crm_task":
                data["task_id"] = self._task(command)
            else:
                raise _Refused("UNSUPPORTED", f"channel {command.channel!r} is not built")
        except _Refused as refused:
            return _dead(key, refused.code, str(refused))
        except CallFailed as failed:  # the CRM's own verdict and words (no address in them)
            return failed.result_for(key)
        except SlackError as exc:
            if exc.temporary:
                return _retry(key, f"slack: {exc}", exc.retry_after_s)
            return _dead(key, "SLACK_REFUSED", str(exc))
        except smtplib.SMTPRecipientsRefused as exc:  # keyed by address: keep only the codes
            codes = sorted({str(code) for code, _ in exc.recipients.values()})
            return _dead(key, "SMTP_REFUSED", f"{_recipient(command)} refused ({', '.join(codes)})")
        except smtplib.SMTPResponseException as exc:  # relays echo the address: keep the code
            if exc.smtp_code in TEMPORARY:
                return _retry(key, f"smtp {exc.smtp_code} for {_recipient(command)}")
            return _dead(
                key, f"SMTP_{exc.smtp_code}", f"smtp {exc.smtp_code} for {_recipient(command)}"
            )
        except (OSError, smtplib.SMTPException, requests.RequestException) as exc:
            return _retry(key, f"{type(exc).__name__}: {exc}"[:500])
        except Exception as exc:  # e.g. the user look-up failed: retry this notice, not the batch
            log.warning("notice failed", extra={"command": key, "error": str(exc)[:200]})
            return _retry(key, f"{type(exc).__name__}: {exc}"[:500])
        return CommandResult(key, Outcome.DONE, data=data)

    def _email(self, notice: Notify) -> None:
        if self.email is None:
            raise _Refused("NOT_CONFIGURED", "notifiers.email is not set up")
        address = notice.to_address or self._user_field(notice.to_user_id, "Email")
        if not address:
            raise _Refused("NO_ADDRESS", f"user {notice.to_user_id} has no e-mail address")
        self.email.send(address, email_message(notice, self.timezone), notice.idempotency_key)

    def _slack(self, notice: Notify) -> None:
        if self.slack is None:
            raise _Refused("NOT_CONFIGURED", "notifiers.slack is not set up")
        self.slack.send(slack_text(notice, self.timezone))

    def _digest(self, digest: SendDigest) -> None:
        if digest.channel == "slack":
            if self.slack is None:
                raise _Refused("NOT_CONFIGURED", "notifiers.slack is not set up")
            self.slack.send(digest.text)
            return
        if digest.channel != "email":
            raise _Refused("UNSUPPORTED", f"channel {digest.channel!r} is not built")
        if self.email is None:
            raise _Refused("NOT_CONFIGURED", "notifiers.email is not set up")
        address = self.digest_recipients.get(digest.to_address_hash)
        if address is None:
            raise _Refused("NO_ADDRESS", "the digest recipient is no longer in scorecard config")
        message = Message(digest.subject, digest.text, digest.html)
        self.email.send(address, message, digest.idempotency_key)

    def _task(self, notice: Notify) -> str:
        if (notice.to_user_id or "").isdigit():  # a HubSpot owner id (Salesforce ids never are)
            if self.hubspot_tasks is None:
                raise _Refused("NOT_CONFIGURED", "a HubSpot task needs the HubSpot connection")
            if not notice.contact_id:
                raise _Refused("NO_CONTACT", "a HubSpot task needs the lead's HubSpot contact")
            return self.hubspot_tasks.create(notice)
        if self.tasks is None:
            raise _Refused("NOT_CONFIGURED", "a crm_task needs the Salesforce connection")
        if not notice.to_user_id or not notice.lead_id:
            raise _Refused("NO_USER", "a crm_task needs a Salesforce user and a lead")
        return self.tasks.create(notice)

    def _user_field(self, user_id: str | None, name: str) -> str | None:
        directory = self.owners if user_id and user_id.isdigit() and self.owners else self.users
        if not user_id or directory is None:
            return None
        found = directory.read("User", [user_id], [name]).get(user_id)
        value = found.fields.get(name) if found is not None else None
        return str(value) if value else None


def _recipient(notice: Notify | SendDigest) -> str:
    """Who a notice was for, by user id (a fixed address from the config is named as such)."""
    if isinstance(notice, Notify) and notice.to_user_id:
        return f"user {notice.to_user_id}"
    return "the configured address"


def _dead(key: str, code: str, message: str) -> CommandResult:
    return CommandResult(key, Outcome.DEAD, error_code=code, message=message)


def _retry(key: str, message: str, after: float | None = None) -> CommandResult:
    return CommandResult(key, Outcome.RETRY, retry_after_s=after, message=message)
