"""`pakt remind`: one German reminder per municipality that is missing, overdue or invalid, to the right person,
naming exactly what is missing or wrong and the deadline; sent through a real SMTP server on loopback (aiosmtpd,
STARTTLS and login required) or written as .eml files, with a dry run and German errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from dataclasses import replace
from datetime import date, datetime
from email import message_from_bytes, policy

import make_broken
import pytest
from loopback_smtp import HOST, PASSWORD, USER, free_port, running_mailserver

from pakt.schemas import ConfigError, Finding, load_registry
from pakt.sync import (
    EXIT_UNADDRESSED,
    Reason,
    RemindOptions,
    Status,
    compose_reminder,
    remind,
    reminder_cases,
)

PASSWORD_VARIABLE = "PAKT_TEST_SMTP_PASSWORT"
ALDINGEN, BALGHEIM, BAERENTHAL, BOETTINGEN = "08327002", "08327004", "08327006", "08327008"
TUTTLINGEN = "08327066"
REGISTRY_CONTACT = ("Karin Register", "buergermeisteramt@baerenthal.example")
BOETTINGEN_CONTACT = ("Petra Probe", "rathaus@boettingen.example")
DEADLINE = "31.07.2018"


def _toml(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else json.dumps(value)


def configure(district, mail: dict | None = None, contacts: dict[str, tuple[str, str]] | None = None) -> None:
    """Give the district a [mail] section and registry contacts, as district IT writes them into pakt.toml."""
    text = district.config.read_text(encoding="utf-8")
    for name, (contact, address) in (contacts or {}).items():
        entry = f'name = "{name}"\n'
        assert entry in text
        text = text.replace(entry, f"{entry}contact = {_toml(contact)}\nemail = {_toml(address)}\n", 1)
    if mail:
        text += "\n[mail]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in mail.items())
    district.config.write_text(text, encoding="utf-8")


def smtp_settings(mailbox, **changes) -> dict:
    settings = {
        "sender": "pakt@landkreis-tuttlingen.example",
        "reply_to": "integration@landkreis-tuttlingen.example",
        "smtp_host": mailbox.host,
        "smtp_port": mailbox.port,
        "username": USER,
        "password_env": PASSWORD_VARIABLE,
        "ca_file": str(mailbox.certificate),
        "timeout_s": 10.0,
    }
    return {key: value for key, value in {**settings, **changes}.items() if value is not None}


def late_round(district, sync_first: bool = True) -> None:
    """After the deadline: Aldingen's newest workbook has two errors, Balgheim's and Bärenthal's are gone,
    Böttingen's arrived but is not signed off; the other 31 municipalities submitted in time.

    With `sync_first`, the district had synced every municipality's valid workbook before (the store knows the
    contact persons they named)."""
    if sync_first:
        district.sync()
    district.workbook("Aldingen").write_bytes(
        make_broken.submission({("persons", "total"): "viele", ("material_costs", "office_eur"): -10})
    )
    district.workbook("Balgheim").unlink()
    district.workbook("Baerenthal").unlink()
    boettingen = district.registry().municipality(BOETTINGEN)
    contact, address = BOETTINGEN_CONTACT
    district.workbook("Boettingen").write_bytes(
        make_broken.submission(
            {("sign_off", "submitted"): False, ("header", "contact_person"): contact, ("header", "email"): address},
            municipality=boettingen,
        )
    )


def run_remind(district, *args: str, password: str | None = PASSWORD):
    env = {key: value for key, value in os.environ.items() if key != PASSWORD_VARIABLE}
    if password is not None:
        env[PASSWORD_VARIABLE] = password
    return subprocess.run(
        ["pakt", "remind", *args], cwd=district.root, capture_output=True, text=True, timeout=300, env=env
    )


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces as single spaces: mail text is wrapped at 76 characters."""
    return " ".join(text.split())


def error_lines(district, ags: str) -> list[str]:
    """The blocking findings of the municipality's newest workbook, as the reminder must name them."""
    row = next(r for r in district.sync(need_view=True).view.rows if r.municipality.ags == ags)
    findings: list[Finding] = [f for f in row.newer_broken.findings if f.blocking]
    assert len(findings) == 2
    return [f"Blatt {f.sheet}, Zelle {f.cell}: {f.message}" for f in findings]


@pytest.fixture
def mailbox(tmp_path):
    with running_mailserver(tmp_path) as box:
        yield box


def test_smtp_delivers_one_german_reminder_per_municipality_to_remind(district, mailbox):
    configure(district, smtp_settings(mailbox), contacts={"Bärenthal": REGISTRY_CONTACT})
    late_round(district)

    done = run_remind(district)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert len(mailbox.received) == 4, [m.recipients for m in mailbox.received]
    assert all(mail.encrypted and mail.login == USER for mail in mailbox.received)
    assert not (district.root / "erinnerungen").exists()
    registry = district.registry()
    by_name = {registry.municipality(ags).name: ags for ags in (ALDINGEN, BALGHEIM, BAERENTHAL, BOETTINGEN)}
    subjects = {}
    for mail in mailbox.received:
        (recipient,) = mail.recipients
        message = mail.message
        assert mail.sender == "pakt@landkreis-tuttlingen.example"
        assert message["From"].addresses[0].display_name == "Landkreis Tuttlingen"
        assert message["Reply-To"] == "integration@landkreis-tuttlingen.example"
        subject = str(message["Subject"])
        assert "Stichtag 30.06.2018" in subject and "Landkreis Tuttlingen" in subject
        name = next(name for name in by_name if f"– {name}," in subject)
        subjects[name] = (recipient, subject, message)
        body = flat(message.get_content())
        assert f"Gemeindeschlüssel {by_name[name]}" in body
        assert f"Die Frist zur Einreichung ist am {DEADLINE} abgelaufen." in body
        assert body.endswith("Mit freundlichen Grüßen Landkreis Tuttlingen integration@landkreis-tuttlingen.example")
    assert set(subjects) == {"Aldingen", "Balgheim", "Bärenthal", "Böttingen"}

    recipient, subject, message = subjects["Aldingen"]
    assert recipient == "integration@aldingen.example"  # the shown (valid) submission names her
    assert "Meldung fehlerhaft" in subject
    body = flat(message.get_content())
    assert body.startswith("Guten Tag ")
    assert "haben wir 2 Fehler gefunden" in body
    for line in error_lines(district, ALDINGEN):
        assert flat(line) in body
    assert "Bis zur Korrektur verwenden wir Ihre gültige Fassung vom" in body

    recipient, subject, message = subjects["Balgheim"]
    assert recipient == "integration@balgheim.example"  # the submission the store kept from the earlier sync
    assert "Meldung überfällig" in subject
    body = flat(message.get_content())
    assert "liegt uns noch nicht vor: Bei uns ist keine Meldemappe eingegangen." in body
    assert "Ihre Meldemappe heißt 08327004_Balgheim.xlsx." in body

    recipient, subject, message = subjects["Bärenthal"]
    assert recipient == REGISTRY_CONTACT[1]  # the registry wins over the submission
    assert message["To"].addresses[0].display_name == REGISTRY_CONTACT[0]
    assert flat(message.get_content()).startswith(f"Guten Tag {REGISTRY_CONTACT[0]},")

    recipient, subject, message = subjects["Böttingen"]
    assert recipient == BOETTINGEN_CONTACT[1]
    assert "Meldung überfällig" in subject
    body = flat(message.get_content())
    assert f"Guten Tag {BOETTINGEN_CONTACT[0]}," in body
    assert "ist bei uns eingegangen" in body and "aber noch nicht eingereicht" in body
    assert "Blatt Meldung, Zelle B30: „Eingereicht“ ist nicht auf „ja“ gesetzt." in body

    assert "4 Erinnerungen versandt über 127.0.0.1:" in done.stdout
    assert f"Bärenthal ({BAERENTHAL}), Meldung überfällig: Erinnerung an" in done.stdout


def test_without_smtp_the_reminders_are_eml_files_that_parse_back_and_are_never_overwritten(district):
    configure(district, {"sender": "pakt@landkreis-tuttlingen.example"})
    late_round(district)

    done = run_remind(district, "--out", "post")

    assert done.returncode == 0, done.stdout + done.stderr
    folder = district.root / "post"
    names = sorted(path.name for path in folder.iterdir())
    assert names == [
        "08327002_Aldingen_Erinnerung.eml",
        "08327004_Balgheim_Erinnerung.eml",
        "08327006_Baerenthal_Erinnerung.eml",
        "08327008_Boettingen_Erinnerung.eml",
    ]
    first = (folder / names[0]).read_bytes()
    message = message_from_bytes(first, policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "integration@aldingen.example"
    assert message["X-Unsent"] == "1"  # Outlook opens it as a draft to send
    assert "Meldung fehlerhaft – Aldingen, Stichtag 30.06.2018" in str(message["Subject"])
    body = flat(message.get_content())
    for line in error_lines(district, ALDINGEN):
        assert flat(line) in body
    assert DEADLINE in body
    assert "4 Erinnerungen geschrieben nach post." in done.stdout

    again = run_remind(district, "--out", "post")
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(list(folder.iterdir())) == 4  # written today: a second run leaves them alone
    assert f"Aldingen ({ALDINGEN}), Meldung fehlerhaft: nicht erneut erinnert – zuletzt erinnert am " in again.stdout
    assert "Keine neue Erinnerung: 4 Gemeinden wurden vor kurzem aus demselben Grund erinnert" in again.stdout

    again = run_remind(district, "--out", "post", "--again")
    assert again.returncode == 0, again.stdout + again.stderr
    assert (folder / names[0]).read_bytes() == first
    assert (folder / "08327002_Aldingen_Erinnerung_2.eml").is_file()
    assert len(list(folder.iterdir())) == 8


def test_a_dry_run_shows_every_reminder_and_sends_nothing(district, mailbox):
    configure(district, smtp_settings(mailbox))
    late_round(district)

    done = run_remind(district, "--dry-run", password=None)  # a dry run needs no password

    assert done.returncode == 0, done.stdout + done.stderr
    assert mailbox.received == []
    assert not (district.root / "erinnerungen").exists()
    assert "Probelauf: 4 Erinnerungen verfasst, nichts über 127.0.0.1:" in done.stdout
    assert "Betreff: Erinnerung Pakt für Integration: Meldung fehlerhaft – Aldingen" in done.stdout
    assert "| Guten Tag" in done.stdout


def test_a_municipality_without_any_address_is_reported_and_the_others_still_get_theirs(district):
    late_round(district, sync_first=False)  # nothing stored: nobody knows whom to write at Balgheim or Bärenthal

    done = run_remind(district)

    assert done.returncode == EXIT_UNADDRESSED == 1
    folder = district.root / "erinnerungen"
    assert sorted(p.name for p in folder.iterdir()) == [
        "08327002_Aldingen_Erinnerung.eml",  # its only workbook is broken, but names its contact
        "08327008_Boettingen_Erinnerung.eml",
    ]
    for name, ags in (("Balgheim", BALGHEIM), ("Bärenthal", BAERENTHAL)):
        assert f"{name} ({ags}), Meldung überfällig: keine Erinnerung – keine Adresse bekannt" in done.stdout
    assert "2 Erinnerungen geschrieben nach erinnerungen; 2 Gemeinden ohne Adresse." in done.stdout
    assert "Traceback" not in done.stderr


def test_a_municipality_whose_only_workbook_is_invalid_is_reminded_at_the_address_that_file_names(district):
    """Nothing valid was ever stored for Aldingen: the contact person and address its broken file names are
    kept with that version, and the reminder goes there."""
    district.workbook("Aldingen").write_bytes(
        make_broken.submission(
            {
                ("persons", "total"): "viele",
                ("header", "contact_person"): "Nora  Neu",
                ("header", "email"): "nora.neu@aldingen.example",
            }
        )
    )

    done = run_remind(district, "--ags", ALDINGEN, "--out", "post")

    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = (district.root / "post").iterdir()
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert str(message["To"]) == "Nora Neu <nora.neu@aldingen.example>"
    body = flat(message.get_content())
    assert body.startswith("Guten Tag Nora Neu,")
    assert "haben wir 1 Fehler gefunden, der vor der Übernahme korrigiert werden muss" in body
    assert "Solange die Fehler bestehen, können wir Ihre Meldung nicht übernehmen." in body
    assert "(Adresse aus: fehlerhafte Meldung vom " in done.stdout


def test_an_invalid_version_an_older_pakt_stored_names_nobody(district):
    """Stores written before invalid versions kept their header still open; such a version just names no one."""
    from stored_versions import stored_version

    from pakt.sync.year._reminders import named_contact

    old = stored_version(7, ALDINGEN, valid=False)
    assert "header" not in old.locations
    assert named_contact(old) is None


def test_an_unreachable_mail_server_is_a_german_error_with_exit_7(district, tmp_path):
    port = free_port()
    configure(district, {"sender": "pakt@lk.example", "smtp_host": HOST, "smtp_port": port, "timeout_s": 5.0})
    late_round(district)

    done = run_remind(district)

    assert done.returncode == 7
    assert f"Fehler: Der Mailserver {HOST}:{port} kann nicht benutzt werden: Verbindung abgelehnt." in done.stderr
    assert "Traceback" not in done.stderr
    assert "4 Erinnerungen wegen des Fehlers nicht versandt" in done.stdout


def test_a_server_that_never_answers_is_given_up_after_the_timeout(district):
    with socket.create_server((HOST, 0)) as silent:  # the kernel accepts the connection; nobody ever greets
        port = silent.getsockname()[1]
        configure(district, {"sender": "pakt@lk.example", "smtp_host": HOST, "smtp_port": port, "timeout_s": 1.0})
        late_round(district)

        done = run_remind(district)

    assert done.returncode == 7
    assert f"Der Mailserver {HOST}:{port} kann nicht benutzt werden: keine Antwort innerhalb von 1 Sekunde." in (
        done.stderr
    )


def test_a_missing_certificate_file_is_a_configuration_error(district, mailbox):
    configure(district, smtp_settings(mailbox, ca_file="ca/landkreis.pem"))

    done = run_remind(district)

    assert done.returncode == 2
    assert "Die Zertifikatsdatei" in done.stderr and "landkreis.pem (ca_file im Abschnitt [mail])" in done.stderr
    assert "Nicht gefunden" in done.stderr


def test_a_server_certificate_the_district_does_not_trust_stops_before_anything_is_sent(district, mailbox):
    configure(district, smtp_settings(mailbox, ca_file=None))
    late_round(district)

    done = run_remind(district)

    assert done.returncode == 7
    assert "sein Zertifikat wird nicht anerkannt" in done.stderr and "ca_file" in done.stderr
    assert mailbox.received == []


def test_a_server_without_starttls_gets_nothing_in_the_clear(district, tmp_path):
    with running_mailserver(tmp_path, starttls=False) as plain:
        configure(district, smtp_settings(plain, username=None, password_env=None))
        late_round(district)

        done = run_remind(district)

    assert done.returncode == 7
    assert "er bietet kein STARTTLS an, und unverschlüsselt wird nicht gesendet" in done.stderr
    assert plain.received == []


def test_a_wrong_password_is_named(district, mailbox):
    configure(district, smtp_settings(mailbox))
    late_round(district)

    done = run_remind(district, password="falsch")

    assert done.returncode == 7
    assert f"die Anmeldung als {USER} wurde abgelehnt" in done.stderr
    assert mailbox.received == []


def test_a_missing_password_variable_is_a_configuration_error(district, mailbox):
    configure(district, smtp_settings(mailbox))

    done = run_remind(district, password=None)

    assert done.returncode == 2
    assert f"die Umgebungsvariable {PASSWORD_VARIABLE}" in done.stderr and "Traceback" not in done.stderr


def test_a_refused_recipient_costs_only_its_own_reminder(district, mailbox):
    configure(district, smtp_settings(mailbox))
    late_round(district)
    mailbox.refuse.add("integration@balgheim.example")

    done = run_remind(district)

    assert done.returncode == 1
    assert len(mailbox.received) == 3
    assert f"Balgheim ({BALGHEIM}): Erinnerung nicht versandt" in done.stdout and "550" in done.stdout
    assert "3 Erinnerungen versandt" in done.stdout and "1 Empfänger abgelehnt" in done.stdout


def test_one_municipality_with_ags(district, mailbox):
    configure(district, smtp_settings(mailbox))
    late_round(district)

    done = run_remind(district, "--ags", BOETTINGEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [mail.recipients for mail in mailbox.received] == [[BOETTINGEN_CONTACT[1]]]

    fine = run_remind(district, "--ags", "08327010")
    assert fine.returncode == 0
    assert "Bubsheim (08327010) braucht keine Erinnerung: Meldung eingereicht" in fine.stdout
    assert len(mailbox.received) == 1


def test_before_the_deadline_a_missing_submission_is_reminded_with_the_days_left(district, tmp_path):
    late_round(district)
    before = datetime(2018, 7, 20, 9, 0)

    result = remind(district.registry(), RemindOptions(out=tmp_path / "post", now=lambda: before))

    reasons = {case.municipality.name: (case.reason, case.word) for case in result.cases}
    # Böttingen's unsigned workbook is not overdue yet: no reminder; the missing ones and the broken one are
    assert reasons == {
        "Aldingen": (Reason.INVALID, "fehlerhaft"),
        "Balgheim": (Reason.MISSING, "fehlt"),
        "Bärenthal": (Reason.MISSING, "fehlt"),
    }
    balgheim = next(d for d in result.delivered if d.case.municipality.ags == BALGHEIM)
    assert "Meldung fehlt – Balgheim" in str(balgheim.message["Subject"])
    assert f"Die Frist zur Einreichung endet am {DEADLINE} (in 11 Tagen)." in flat(balgheim.message.get_content())


def test_the_cases_follow_the_view_and_the_registry_address_comes_first(district):
    configure(district, contacts={"Aldingen": ("Anna Amt", "amt@aldingen.example")})
    view = district.sync(need_view=True).view
    overdue = replace(view.rows[0], status=Status.UEBERFAELLIG, submission=None, used=None)
    view = replace(view, rows=(overdue, *view.rows[1:]))
    today = date(2018, 8, 1)

    (case,) = reminder_cases(view, today)

    assert (case.reason, case.word, case.overdue) == (Reason.MISSING, "überfällig", True)
    assert (case.recipient.name, case.recipient.email, case.recipient.found_in) == (
        "Anna Amt",
        "amt@aldingen.example",
        "Gemeindeverzeichnis",
    )
    message = compose_reminder(case, load_registry(district.config), today, datetime(2018, 8, 1, 8, 0))
    assert str(message["To"]) == "Anna Amt <amt@aldingen.example>"
    assert message["From"] is None  # no sender configured: the .eml is sent from the clerk's own mailbox
    assert "Guten Tag Anna Amt," in message.get_content()


def test_an_address_a_workbook_makes_up_never_becomes_a_second_recipient(district, tmp_path):
    """A clerk's text goes into a header only as one plain address on one line; anything else is passed over,
    and said so."""
    late_round(district)
    boettingen = district.registry().municipality(BOETTINGEN)
    district.workbook("Boettingen").write_bytes(
        make_broken.submission(
            {
                ("sign_off", "submitted"): False,
                ("header", "contact_person"): "Petra Probe Bcc: alle@example.org",
                ("header", "email"): "rathaus,alle@boettingen.example",
            },
            municipality=boettingen,
        )
    )
    configure(district, contacts={"Balgheim": ("Bernd  Keller", "info@gemeinde-balgheim-bär.example")})

    result = remind(district.registry(), RemindOptions(out=tmp_path / "post"))

    cases = {case.municipality.ags: case for case in result.cases}
    assert cases[BOETTINGEN].recipient is None
    assert cases[BOETTINGEN].unusable_addresses[0].startswith("„rathaus,alle@boettingen.example“ (Meldung vom ")
    assert cases[BOETTINGEN].unusable_addresses == cases[BOETTINGEN].unusable_addresses[:1]  # named once
    ascii_domain = "gemeinde-balgheim-bär.example".encode("idna").decode()
    assert ascii_domain.startswith("xn--")
    assert cases[BALGHEIM].recipient.email == f"info@{ascii_domain}"
    assert cases[BALGHEIM].recipient.name == "Bernd Keller"
    assert result.exit_code == EXIT_UNADDRESSED
    report = "\n".join(result.lines())
    assert f"Böttingen ({BOETTINGEN}), Meldung überfällig: keine Erinnerung – keine verwendbare Adresse" in report
    assert not (tmp_path / "post" / "08327008_Boettingen_Erinnerung.eml").exists()


@pytest.mark.parametrize(
    ("mail", "german"),
    [
        ({"smtp_host": "mail.lk.example"}, "Zum Versand über smtp_host wird ein Absender (sender) gebraucht"),
        (
            {"sender": "a@lk.example", "smtp_host": "mail.lk.example", "username": "u", "password_env": "Geheim 123!"},
            "password_env nennt den Namen einer Umgebungsvariable",
        ),
        (
            {
                "sender": "a@lk.example",
                "smtp_host": "mail.lk.example",
                "username": "u",
                "password_env": "P",
                "starttls": False,
            },
            "Anmeldung (username) nur mit starttls = true",
        ),
        ({"sender": "a@lk.example", "username": "u"}, "Zur Anmeldung (username) fehlt password_env"),
    ],
)
def test_mail_settings_that_cannot_work_are_refused_in_german(district, mail, german):
    configure(district, mail)

    with pytest.raises(ConfigError) as refused:
        load_registry(district.config)

    assert german in refused.value.message and "ist fehlerhaft: mail" in refused.value.message


def test_the_help_is_german():
    from typer.testing import CliRunner

    from pakt.cli import app

    result = CliRunner().invoke(app, ["remind", "--help"])

    assert result.exit_code == 0
    text = flat(result.output)
    assert "Aufruf: pakt remind [OPTIONEN]" in text and "--out ORDNER" in text and "--dry-run" in text
    assert "Exit 0: alles erledigt; 1: Gemeinden ohne Adresse" in text
    assert not [word for word in ("Usage:", "Show this message", "[default:") if word in result.output]


def test_a_rejected_submission_is_reminded_with_the_districts_reason(district, tmp_path):
    district.sync()
    rejected = subprocess.run(
        ["pakt", "approve", TUTTLINGEN, "-d", "zurückgewiesen", "-r", "Sachkosten Büro bitte belegen"],
        cwd=district.root, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert rejected.returncode == 0, rejected.stderr

    for day, due in ((datetime(2018, 7, 20, 9), "bis zum 31.07.2018 (in 11 Tagen)"), (datetime(2018, 8, 2, 9), "")):
        result = remind(district.registry(), RemindOptions(out=tmp_path / "post", now=lambda day=day: day, again=True))

        (case,) = [case for case in result.cases if case.municipality.ags == TUTTLINGEN]
        assert case.reason is Reason.REJECTED and case.word == "zurückgewiesen"
        (delivered,) = [d for d in result.delivered if d.case.municipality.ags == TUTTLINGEN]
        assert "Meldung zurückgewiesen – Tuttlingen" in str(delivered.message["Subject"])
        body = flat(delivered.message.get_content())
        assert "Wir haben sie bei der Prüfung am " in body and "bitten Sie, sie zu berichtigen" in body
        assert "Grund: „Sachkosten Büro bitte belegen“" in body  # the district's words, quoted
        assert "Bitte ändern Sie die Angaben, die der Grund nennt, in Ihrer Meldemappe." in body
        assert "berichtigte Fassung" in body and due in body
        assert "umgehend" not in body and "liegt uns noch nicht vor" not in body  # it did arrive
        assert "Bitte holen Sie die Einreichung" not in body
