"""How a district sends its reminders: the `[mail]` section of pakt.toml.

Without `smtp_host`, `pakt remind` writes the reminders as .eml files that district staff open and send from
their own mail program; with it, they go out through the district's own mail server over STARTTLS. The password
never stands in pakt.toml (a file many people read and that goes into backups): `password_env` names the
environment variable that holds it, set by whoever runs the command or the service.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from ._fields import Email
from ._model_base import PaktModel

ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


class MailSettings(PaktModel):
    """Sender, reply address and mail server of the district's reminders."""

    sender: Email | None = Field(
        None,
        title="Absender",
        description="From address of the reminders (the district's name is shown beside it). Needed to send.",
    )
    reply_to: Email | None = Field(
        None, title="Antwort an", description="Where answers go, e.g. the team's shared mailbox; named in the text."
    )
    smtp_host: str | None = Field(
        None, description="The district's mail server. Without it, reminders are written as .eml files."
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="Submission port (587: STARTTLS).")
    starttls: bool = Field(
        True, description="Encrypt with STARTTLS before anything else is said; refused if the server cannot."
    )
    username: str | None = Field(None, description="Log in as this user (only over STARTTLS).")
    password_env: str | None = Field(
        None, description="NAME of the environment variable that holds the password; never the password itself."
    )
    ca_file: str | None = Field(
        None, description="PEM file of a certificate authority to trust besides the system's (a district's own CA)."
    )
    timeout_s: float = Field(30.0, gt=0, description="Seconds to wait for the mail server before giving up.")
    repeat_days: int = Field(
        7,
        ge=0,
        title="Erneut erinnern nach Tagen",
        description=(
            "Frühestens nach so vielen Tagen erinnert `pakt remind` dieselbe Gemeinde aus demselben Grund erneut "
            "(0: bei jedem Lauf); `--again` erinnert trotzdem."
        ),
    )

    @field_validator("password_env")
    @classmethod
    def password_env_is_a_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(ENV_NAME_PATTERN, value):
            raise ValueError(
                "password_env nennt den Namen einer Umgebungsvariable (Buchstaben, Ziffern, _), nicht das Passwort"
            )
        return value

    @model_validator(mode="after")
    def sending_needs_a_sender(self) -> MailSettings:
        if self.smtp_host and not self.sender:
            raise ValueError("Zum Versand über smtp_host wird ein Absender (sender) gebraucht")
        return self

    @model_validator(mode="after")
    def login_only_over_starttls(self) -> MailSettings:
        if self.username and not self.starttls:
            raise ValueError("Anmeldung (username) nur mit starttls = true: sonst ginge das Passwort unverschlüsselt")
        return self

    @model_validator(mode="after")
    def login_needs_password_env(self) -> MailSettings:
        if self.username and not self.password_env:
            raise ValueError(
                "Zur Anmeldung (username) fehlt password_env, der Name der Umgebungsvariable mit dem Passwort"
            )
        return self
