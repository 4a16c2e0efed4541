"""The cordboard command: setup, user add/list/import, plugin, check-config, version, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cordboard.core.cli import main
from cordboard.core.const import __version__
from cordboard.core.identity.users import list_users, sip_ha1
from cordboard.core.storage.db import connect


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def secret_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / f"secret-{abs(hash(text))}"
    path.write_text(text + "\n")
    return str(path)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_setup_creates_admin_once(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    pw = secret_file(tmp_path, "correct horse battery")
    code, out, _ = run(capsys, "setup", "--data", str(data), "--admin", "anna", "--password-file", pw)
    assert code == 0 and "anna" in out
    users = list_users(connect(data / "cordboard.db"))
    assert [(u.username, u.role) for u in users] == [("anna", "admin")]
    code, _, err = run(capsys, "setup", "--data", str(data), "--admin", "bob", "--password-file", pw)
    assert code == 1 and "cordboard:" in err and "already" in err


def test_setup_refuses_short_password(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    code, _, err = run(
        capsys,
        "setup",
        "--data",
        str(data),
        "--admin",
        "anna",
        "--password-file",
        secret_file(tmp_path, "short"),
    )
    assert code == 1 and "password" in err


def test_missing_password_file_is_a_clear_error(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, _, err = run(
        capsys, "setup", "--data", str(data), "--admin", "anna", "--password-file", "/nonexistent/pw"
    )
    assert code == 1 and "Cannot read the password file /nonexistent/pw" in err


def test_user_add_and_list(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    sip = secret_file(tmp_path, "sip-secret-123456")
    code, out, _ = run(
        capsys,
        "user",
        "add",
        "bo",
        "--data",
        str(data),
        "--extension",
        "1002",
        "--first-name",
        "Bo",
        "--last-name",
        "Berg",
        "--email",
        "bo@example.com",
        "--sip-password-file",
        sip,
    )
    assert code == 0 and "1002" in out
    assert sip_ha1(connect(data / "cordboard.db"), "bo") is not None
    code, out, _ = run(capsys, "user", "list", "--data", str(data), "--json")
    listed = json.loads(out)
    assert listed[0]["username"] == "bo" and listed[0]["has_sip_password"] is True
    assert "sip-secret" not in out
    code, out, _ = run(capsys, "user", "list", "--data", str(data))
    assert "Bo Berg" in out
    code, _, err = run(
        capsys,
        "user",
        "add",
        "cy",
        "--data",
        str(data),
        "--extension",
        "1002",
        "--first-name",
        "Cy",
        "--last-name",
        "C",
        "--email",
        "cy@example.com",
    )
    assert code == 1 and "1002" in err


def test_user_add_bad_email_names_field(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, _, err = run(
        capsys,
        "user",
        "add",
        "bo",
        "--data",
        str(data),
        "--extension",
        "1002",
        "--first-name",
        "Bo",
        "--last-name",
        "Berg",
        "--email",
        "not-an-address",
    )
    assert code == 1 and "email" in err


CSV_OK = """username,extension,first_name,last_name,email,sip_password
anna,1001,Anna,Andersen,anna@example.com,sip-password-anna
bo,1002,Bo,Berg,bo@example.com,
"""


def test_user_import_dry_run_then_apply(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    csv_path = tmp_path / "users.csv"
    csv_path.write_text(CSV_OK)
    code, out, _ = run(capsys, "user", "import", str(csv_path), "--data", str(data), "--dry-run")
    assert code == 0
    assert "line 2: create anna" in out and "line 3: create bo" in out and "Dry run" in out
    assert list_users(connect(data / "cordboard.db")) == []
    code, out, _ = run(capsys, "user", "import", str(csv_path), "--data", str(data))
    assert code == 0 and "Imported: 2 to create" in out
    csv_path.write_text(CSV_OK.replace("bo@example.com", "bo@office.example"))
    code, out, _ = run(capsys, "user", "import", str(csv_path), "--data", str(data), "--dry-run")
    assert "line 3: update bo: email bo@example.com -> bo@office.example" in out
    assert "line 2: update anna" in out  # a SIP password in the file is always set again


def test_user_import_bad_row_applies_nothing(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    csv_path = tmp_path / "users.csv"
    csv_path.write_text(CSV_OK + "carl,1001,Carl,C,carl@example.com,\ndora,1004,Dora,D,not-mail,\n")
    code, _, err = run(capsys, "user", "import", str(csv_path), "--data", str(data))
    assert code == 1
    assert "line 4:" in err and "1001" in err
    assert "line 5: email" in err
    assert "Nothing was imported" in err
    assert list_users(connect(data / "cordboard.db")) == []


def test_user_import_bad_header(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "users.csv"
    csv_path.write_text("user,ext\nanna,1001\n")
    code, _, err = run(capsys, "user", "import", str(csv_path), "--data", str(data))
    assert code == 1 and "missing column(s) username" in err and "unknown column(s) user" in err


def test_plugin_list_enable_disable(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, _ = run(capsys, "plugin", "list", "--data", str(data), "--json")
    rows = {r["domain"]: r for r in json.loads(out)}
    assert rows["system_info"]["enabled"] is True
    code, _, _ = run(capsys, "plugin", "disable", "system_info", "--data", str(data))
    assert code == 0
    code, out, _ = run(capsys, "plugin", "list", "--data", str(data))
    assert "system_info" in out and "disabled" in out
    code, _, err = run(capsys, "plugin", "enable", "nope", "--data", str(data))
    assert code == 1 and "No plugin named 'nope'" in err


def test_check_config(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, _ = run(capsys, "check-config", "--data", str(data))
    assert code == 0 and "not there yet" in out
    data.mkdir(parents=True, exist_ok=True)
    (data / "cordboard.toml").write_text("[http]\nport = 99999\n")
    code, _, err = run(capsys, "check-config", "--data", str(data))
    assert code == 1 and "line 2" in err and "http.port" in err
    (data / "cordboard.toml").write_text("[http]\nport = 8124\n")
    run(capsys, "plugin", "list", "--data", str(data))  # creates the database
    db = connect(data / "cordboard.db")
    with db.atomic():
        db.execute("INSERT INTO setting_values VALUES ('org', '', 'system_info.scan_interval', '1', 0)")
    code, _, err = run(capsys, "check-config", "--data", str(data))
    assert code == 1 and "plugin system_info: invalid settings: scan_interval" in err


def test_prompts_generate_speaks_every_system_prompt_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """PRM-01: `cordboard prompts generate` fills the data folder ahead (espeak-ng, en/de/da)."""
    from cordboard.core.media.prompts import LANGUAGES, PROMPT_TEXTS

    assert main(["prompts", "generate", "--data", str(tmp_path)]) == 0
    expected = len(PROMPT_TEXTS) * len(LANGUAGES)
    assert f"{expected} system prompts generated" in capsys.readouterr().out
    assert len(list((tmp_path / "prompts" / "system").glob("*/*.wav"))) == expected
    assert main(["prompts", "generate", "--data", str(tmp_path)]) == 0
    assert "0 system prompts generated" in capsys.readouterr().out


def test_a_cpu_numpy_cannot_use_is_named_before_anything_else_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """numpy raises RuntimeError on a CPU below its baseline (x86-64-v2): the CLI says what the
    machine lacks instead of failing deep in an import."""
    import builtins

    real_import = builtins.__import__

    def old_cpu(name: str, *args: object, **kwargs: object) -> object:
        if name == "numpy":
            raise RuntimeError(
                "NumPy was built with baseline optimizations: (SSE42) but your machine doesn't support them"
            )
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", old_cpu)
    assert main(["run", "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "x86-64-v2" in err and "SSE4.2" in err and "baseline" in err


def test_numbers_ranges_from_the_command_line(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    """NUM-01 for installers' scripts: add a range, list it, users in it; bad ranges named."""
    code, out, _ = run(
        capsys,
        "numbers",
        "add-range",
        "20000",
        "20099",
        "--purpose",
        "users",
        "--label",
        "Annex",
        "--data",
        str(data),
    )
    assert code == 0 and "Range 20000-20099 (local, users) added" in out
    code, _, err = run(capsys, "numbers", "add-range", "20050", "20150", "--data", str(data))
    assert code == 1 and "overlaps the range 20000-20099" in err
    code, _, err = run(capsys, "numbers", "add-range", "+4589401000", "+458940109", "--data", str(data))
    assert code == 1 and "last: must have as many digits as first" in err
    code, out, _ = run(
        capsys,
        "user",
        "add",
        "zed",
        "--first-name",
        "Zed",
        "--last-name",
        "Z",
        "--email",
        "z@example.com",
        "--extension",
        "20001",
        "--data",
        str(data),
    )
    assert code == 0
    code, out, _ = run(capsys, "numbers", "list", "--json", "--data", str(data))
    listed = json.loads(out)
    assert [(r["first"], r["last"]) for r in listed["ranges"]][-1] == ("20000", "20099")
    assert listed["numbers"]["20001"]["kind"] == "user"
    code, _, err = run(
        capsys,
        "user",
        "add",
        "amy",
        "--first-name",
        "Amy",
        "--last-name",
        "A",
        "--email",
        "a@example.com",
        "--extension",
        "30001",
        "--data",
        str(data),
    )
    assert code == 1 and "30001 is outside every number range" in err
    annex = listed["ranges"][-1]["id"]
    code, _, err = run(capsys, "numbers", "delete-range", str(annex), "--data", str(data))
    assert code == 1 and "20001 (Zed Z) would be outside every number range" in err
