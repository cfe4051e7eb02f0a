"""``baton hash-password``: make the Argon2id hash a ``dashboard.users`` entry needs.

The password is read from the terminal without echo (twice), or from standard input with
``--stdin`` for scripts; it is never an argument, so it stays out of shell history and ``ps``.
"""

from __future__ import annotations

import sys

import click

from webhooks.passwords import hash_password

MIN_LENGTH = 12


@click.command("hash-password")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from stdin.")
def hash_password_command(from_stdin: bool) -> None:
    """Print the Argon2id hash of a dashboard password, for dashboard.users[].password_hash."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_LENGTH:
        click.echo(f"baton hash-password: use at least {MIN_LENGTH} characters", err=True)
        raise SystemExit(2)
    click.echo(hash_password(password))
