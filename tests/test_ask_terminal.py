"""`ftrec ask` in a real pseudo-terminal: a typo in every question, `back`, y/n, the summary, overwriting."""

import sys

import pytest

from recommender.domain.requirements import load_requirements
from recommender.interfaces.questions import QUESTIONS, YES_NO

from conftest import ROOT
from terminal import Terminal, wait_for_prompt

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

GOOD = {"task.kind": "1", "task.prompt_suffices": "N", "inference.monthly_tokens": "200M",
        "inference.input_share": "0.7", "needs.style_tone": "y", "needs.citations": "No", "baseline_kind": "offering",
        "baseline": "openai/gpt-4o", "training.epochs": "2"}


def typo_for(question) -> str:
    if question.id == "baseline":
        return "openai/gpt-4o-minni"
    if question.choices == YES_NO:
        return "maybe"
    return "zzz" if question.choices else "lots"


def question_in(screen: str):
    """The question whose text was printed last on SCREEN."""
    return max((q for q in QUESTIONS if q.text in screen), key=lambda q: screen.rindex(q.text))


def flat(screen: str) -> str:
    return " ".join(screen.split())


def start(tmp_path, *args):
    return Terminal("ask", "--out", str(tmp_path / "r.yaml"), "--no-recommend", "--today", "2026-11-23", *args,
                    cwd=str(ROOT), env={"FTREC_AUDIT_LOG": str(tmp_path / "audit.jsonl")})


def test_a_typo_in_every_question_is_asked_again_and_nothing_is_lost(tmp_path):
    terminal = start(tmp_path)
    asked, went_back = [], False
    screen = wait_for_prompt(terminal)
    while "Write them to" not in screen:
        question = question_in(screen)
        assert "answer ()" not in screen
        if question.id == "needs.citations" and not went_back:
            terminal.send("back")  # to the share question; its answer comes back as the default
            screen = wait_for_prompt(terminal)
            assert screen.rstrip().endswith("[0.7]:") and question_in(screen).id == "inference.input_share"
            terminal.send("")
            went_back = True
            screen = wait_for_prompt(terminal)
            continue
        asked.append(question.id)
        terminal.send(typo_for(question))
        screen = wait_for_prompt(terminal)
        assert "try again" in screen and question.text not in screen  # only the prompt again, not the question
        if question.id == "baseline":
            assert "did you mean 'openai/gpt-4o-mini'?" in flat(screen)
        terminal.send(GOOD.get(question.id, ""))
        screen = wait_for_prompt(terminal)
    assert went_back and "training.epochs" in asked and "baseline" in asked
    assert "What must the model do? narrow" in flat(screen)
    assert "How many tokens a month in production (input + output)? 200M" in flat(screen)
    terminal.send("yes")
    assert terminal.finish() == 0
    written = load_requirements(str(tmp_path / "r.yaml"))
    assert written.task.kind == "narrow" and written.inference.monthly_tokens == 200_000_000
    assert str(written.inference.input_share) == "0.7" and written.baseline == "openai/gpt-4o"
    assert written.needs.style_tone is True and written.needs.citations is False and written.training.epochs == 2


def test_declining_to_overwrite_writes_nothing_and_exits_0(tmp_path):
    (tmp_path / "r.yaml").write_text("# mine\n")
    terminal = start(tmp_path)
    screen = wait_for_prompt(terminal)
    assert "exists. Overwrite it at the end? yes, no, or another file name [no]:" in flat(screen)
    terminal.send("n")
    assert terminal.finish() == 0
    assert "nothing written" in terminal.seen
    assert (tmp_path / "r.yaml").read_text() == "# mine\n"


def test_another_name_then_no_at_the_summary_writes_nothing(tmp_path):
    (tmp_path / "r.yaml").write_text("# mine\n")
    terminal = start(tmp_path)
    wait_for_prompt(terminal)
    terminal.send(str(tmp_path / "other.yaml"))
    screen = wait_for_prompt(terminal)
    while "Write them to" not in screen:
        terminal.send("")
        screen = wait_for_prompt(terminal)
    assert f"Write them to {tmp_path / 'other.yaml'}?" in flat(screen)
    terminal.send("no")
    assert terminal.finish() == 0
    assert "nothing written" in terminal.seen and not (tmp_path / "other.yaml").exists()
