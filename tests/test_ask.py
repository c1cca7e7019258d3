"""`ftrec ask`: scripted sessions through the prompt layer, answers files, skips, re-asking, Ctrl-C."""

import json

import pytest

from recommender.interfaces import questions as q
from recommender.interfaces.cli import ask as ask_cli
from recommender.interfaces.session import Session
from recommender.domain.requirements import Requirements, load_requirements

from conftest import TODAY, recorded, run_cli


class Scripted:
    """Answers questions from a script: {question id: answer} or a list; Enter (empty) otherwise."""

    def __init__(self, by_id=None, interrupt_at=None):
        self.by_id = dict(by_id or {})
        self.asked: list[str] = []
        self.problems: list[str] = []
        self.interrupt_at = interrupt_at

    def ask(self, question, default):
        self.asked.append(question.id)
        if question.id == self.interrupt_at:
            raise KeyboardInterrupt
        script = self.by_id.get(question.id, "")
        if not isinstance(script, list):
            script = self.by_id[question.id] = [script]
        return script.pop(0) if script else ""  # then Enter

    def problem(self, text):
        self.problems.append(text)


def run_session(prompter, possible):
    """A whole questionnaire through the prompt layer: the answers and the ids answered, in order."""
    session = Session(possible).run(prompter)
    return session.answers, session.asked


@pytest.fixture
def possible(setup):
    return q.fine_tuning_check(setup, TODAY)


def test_enter_through_the_defaults_gives_a_typical_request(possible):
    prompter = Scripted()
    answers, asked = run_session(prompter, possible)
    requirements = Requirements.model_validate(q.requirements_data(answers))
    assert requirements.normalized() == Requirements().normalized()
    assert "training.tokens" in asked  # a typical request fine-tunes: training questions asked


def test_daily_knowledge_leads_to_rag_without_training_questions(possible, setup):
    prompter = Scripted({"task.knowledge_churn": "daily"})
    answers, asked = run_session(prompter, possible)
    assert not [a for a in asked if a.startswith("training") or a in ("needs.new_knowledge", "operations.trainings_per_year")]
    from recommender.decision.decide import decide

    decision = decide(Requirements.model_validate(q.requirements_data(answers)), setup, TODAY)
    assert decision["approach"]["choice"] == "rag"


def test_claude_question_only_when_claude_is_asked_for(possible):
    _, asked = run_session(Scripted(), possible)
    assert "claude_bedrock" not in asked
    answers, asked = run_session(Scripted({"needs.model_family": "claude"}), possible)
    assert "claude_bedrock" in asked and "needs.openai_ecosystem" not in asked
    answers, _ = run_session(Scripted({"needs.model_family": "claude", "claude_bedrock": "no"}), possible)
    assert q.requirements_data(answers)["needs"]["model_family"] == "any"


def test_a_bad_number_is_asked_again_with_the_reason(possible):
    prompter = Scripted({"training.epochs": ["three", "-1", "4"], "inference.input_share": ["1.5", "0.7"]})
    answers, _ = run_session(prompter, possible)
    assert answers["training.epochs"] == 4 and str(answers["inference.input_share"]) == "0.7"
    assert prompter.problems == ['must be between 0 and 1, got "1.5"', 'must be a whole number, got "three"',
                                 'must be between 1 and 1,000, got "-1"']


def test_choices_accept_numbers_values_and_words(possible):
    prompter = Scripted({"task.kind": "2", "needs.data_residency": "eu", "priority": "the best quality",
                         "needs.citations": "maybe"})
    prompter.by_id["needs.citations"] = ["maybe", "yes"]
    answers, _ = run_session(prompter, possible)
    assert (answers["task.kind"], answers["needs.data_residency"], answers["priority"]) == ("general", "eu", "quality")
    assert answers["needs.citations"] == "yes" and prompter.problems == ["choose one of yes, no"]


def test_requests_times_tokens_per_request_gives_monthly_tokens(possible):
    answers, asked = run_session(Scripted({"volume_unit": "requests", "requests_per_month": "2000000",
                                             "tokens_per_request": "1.5K"}), possible)
    data = q.requirements_data(answers)
    assert data["inference"]["monthly_tokens"] == 3_000_000_000  # 2M × 1,500
    assert data["inference"]["monthly_queries"] == 2_000_000
    assert "inference.monthly_tokens" not in asked


def test_every_requirement_field_is_reachable_from_some_question():
    def paths(model, prefix=""):
        for name, info in model.model_fields.items():
            annotation = info.annotation
            inner = [a for a in getattr(annotation, "__args__", ()) if hasattr(a, "model_fields")]
            nested = annotation if hasattr(annotation, "model_fields") else (inner[0] if inner else None)
            if nested is not None and name != "baseline":
                yield from paths(nested, f"{prefix}{name}.")
            elif name == "baseline":
                yield "baseline"
                yield from (f"baseline.{n}" for n in inner[0].model_fields)
            else:
                yield f"{prefix}{name}"

    reachable = {field for question in q.QUESTIONS for field in question.fields}
    assert set(paths(Requirements)) - reachable == set()


def test_the_written_file_loads_back_to_the_same_requirements(tmp_path, possible):
    script = {"task.kind": "retrieval_chat", "needs.style_tone": "yes", "training_size": "examples",
              "training.examples": "8000", "training.tokens_per_example": "600", "baseline_kind": "rates",
              "baseline.input_per_m": "2.50", "baseline.output_per_m": "10", "training.hours": "3",
              "inference.monthly_queries": "20M", "training.validation_tokens": "1M", "training.evaluations": "5"}
    answers, _ = run_session(Scripted(script), possible)
    path = tmp_path / "r.yaml"
    q.write_atomically(path, q.requirements_yaml(answers, TODAY))
    assert load_requirements(str(path)) == Requirements.model_validate(q.requirements_data(answers))
    text = path.read_text()
    assert text.startswith("# Requirements written by `ftrec ask` on 2026-11-23.")
    assert "  # How many training examples?\n  examples: 8000\n" in text
    assert load_requirements(str(path)).training.resolved_tokens == 4_800_000


def test_ctrl_c_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(ask_cli, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr(ask_cli, "Prompter", lambda: Scripted(interrupt_at="needs.citations"))
    out = tmp_path / "r.yaml"
    result = run_cli("ask", "--out", str(out), "--today", "2026-11-23", "--no-audit")
    assert result.code == 130
    assert result.err.strip() == "interrupted: nothing written"
    assert list(tmp_path.iterdir()) == []


def test_no_terminal_and_no_answers_file_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.setattr(ask_cli, "stdin_is_terminal", lambda: False)
    result = run_cli("ask", "--out", str(tmp_path / "r.yaml"))
    assert result.code == 2
    assert "no terminal to ask questions on: answer from a file with --answers FILE" in result.err
    assert not (tmp_path / "r.yaml").exists()


def test_answers_file_writes_and_recommends(tmp_path, audit_log):
    answers = tmp_path / "answers.yaml"
    answers.write_text("task.knowledge_churn: daily\nneeds.style_tone: yes\ninference.monthly_tokens: 30M\n")
    out = tmp_path / "r.yaml"
    result = run_cli("ask", "--answers", str(answers), "--out", str(out), "--format", "json", "--today", "2026-11-23")
    assert result.code == 0, result.err
    decision = json.loads(result.out)
    assert decision["approach"]["choice"] == "hybrid"
    assert load_requirements(str(out)).task.knowledge_churn == "daily"
    assert [r["source"] for r in recorded(audit_log)] == [str(out)]


def test_answers_file_errors_name_the_key(tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("task.churn: daily\n")
    result = run_cli("ask", "--answers", str(answers), "--out", str(tmp_path / "r.yaml"))
    assert result.code == 2 and result.err.strip() == (
        f"{answers}: task.churn: unknown question (did you mean 'task.knowledge_churn'?); the questions are listed by `ftrec ask --help`")
    answers.write_text("training.epochs: many\n")
    result = run_cli("ask", "--answers", str(answers), "--out", str(tmp_path / "r.yaml"))
    assert result.code == 2 and result.err.strip() == f'{answers}: training.epochs: must be a whole number, got "many"'
    assert not (tmp_path / "r.yaml").exists()


def test_never_overwrites_without_confirmation(tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("priority: cost\n")
    out = tmp_path / "r.yaml"
    out.write_text("# mine\n")
    result = run_cli("ask", "--answers", str(answers), "--out", str(out), "--no-recommend")
    assert result.code == 2 and "already exists: use --force" in result.err
    assert out.read_text() == "# mine\n"
    assert run_cli("ask", "--answers", str(answers), "--out", str(out), "--no-recommend", "--force").code == 0
    assert load_requirements(str(out)).priority == "cost"


def test_help_lists_the_question_ids():
    result = run_cli("ask", "--help")
    assert "Question ids for --answers:" in result.out and "task.knowledge_churn" in " ".join(result.out.split())


def test_yes_and_no_in_any_case_and_short(possible):
    prompter = Scripted({"needs.style_tone": "Y", "needs.citations": "n", "needs.output_format": "YES",
                         "needs.reasoning": "No"})
    answers, _ = run_session(prompter, possible)
    assert [answers[k] for k in ("needs.style_tone", "needs.citations", "needs.output_format", "needs.reasoning")] == \
        ["yes", "no", "yes", "no"]
    assert prompter.problems == []


def test_back_returns_to_the_previous_question_and_keeps_earlier_answers(possible):
    # task.kind, then back from prompt_suffices to task.kind, which is answered again; then on.
    prompter = Scripted({"task.kind": ["general", "multi_task"], "task.prompt_suffices": ["<", "no"],
                         "task.knowledge_churn": "back"})
    answers, asked = run_session(prompter, possible)
    assert prompter.asked[:5] == ["task.kind", "task.prompt_suffices", "task.kind", "task.prompt_suffices",
                                  "task.knowledge_churn"]
    assert answers["task.kind"] == "multi_task" and answers["task.prompt_suffices"] == "no"
    assert asked.count("task.kind") == 1 and asked[:3] == ["task.kind", "task.prompt_suffices", "task.knowledge_churn"]


def test_back_on_the_first_question_says_so(possible):
    prompter = Scripted({"task.kind": ["back", "narrow"]})
    run_session(prompter, possible)
    assert prompter.problems == ["this is the first question"]


def test_a_baseline_typo_is_asked_again_with_a_did_you_mean(possible, catalog):
    from recommender.interfaces.session import Session, offering_check

    prompter = Scripted({"baseline_kind": "offering", "baseline": ["openai/gpt-4o-minni", "openai/gpt-4o-mini"]})
    session = Session(possible, offering_check(catalog)).run(prompter)
    assert session.answers["baseline"] == "openai/gpt-4o-mini"
    assert prompter.problems == ["no offering 'openai/gpt-4o-minni' in the catalog (did you mean 'openai/gpt-4o-mini'?)"]
    assert ("Which catalog model (offering id)?", "openai/gpt-4o-mini") in session.summary()


def test_prompts_say_what_to_type():
    assert ask_cli.prompt_text(q.BY_ID["needs.citations"], "no") == "  yes or no [no]: "
    assert ask_cli.prompt_text(q.BY_ID["task.kind"], "narrow") == "  1–5 or a name [narrow]: "
    assert ask_cli.prompt_text(q.BY_ID["baseline"], None) == "  answer: "
    assert ask_cli.prompt_text(q.BY_ID["training.hours"], None) == "  answer (Enter to leave it out): "


def test_the_facts_the_rules_decide_on_are_asked_first():
    # Left to their defaults, these decide on assumptions (approach.assumed): ask them before the rest.
    first = [q.id for q in q.QUESTIONS[:4]]
    assert first == ["task.kind", "task.prompt_suffices", "task.knowledge_churn", "volume_unit"]
