"""What every page and API call shares: the catalog and rules (loaded once), the decision log, and
deciding, recording, reading and sweeping through the public API and the log's facade."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

from recommender import api
from recommender.domain.errors import InputError
from recommender.records import log


class LogUnavailable(Exception):
    """The decision log cannot be written: the machine's fault, not the request's (503)."""


class Site:
    def __init__(self, log_file: Path, catalog=None, rules=None):
        self.log_file = log_file
        self.catalog = api.load_catalog(catalog)
        self.rules = api.load_rules(rules)
        self._sweeps: dict[str, Optional[dict]] = {}

    @property
    def setup(self):
        return api.setup_for(self.catalog, self.rules)

    @property
    def offerings(self) -> list[str]:
        return sorted(self.catalog.offerings)

    def decide(self, requirements, source: str, today: Optional[date] = None) -> dict:
        """The decision as `ftrec recommend --format json` prints it; InputError on bad input."""
        decision = api.recommend(requirements, catalog=self.catalog, rules=self.rules, today=today)
        return decision.model_copy(update={"source": source}).model_dump(mode="json")

    def record(self, decision: dict) -> None:
        try:
            log.check_writable(self.log_file)
            log.append(decision, self.log_file)
        except InputError as exc:
            raise LogUnavailable(str(exc)) from None

    def load(self, decision_id: str) -> dict:
        """The recorded decision (a unique prefix of its id is enough); InputError when unknown."""
        return log.load_record(decision_id, str(self.log_file))

    def listing(self, **filters) -> tuple[list[dict], int]:
        return log.list_records(self.log_file, **filters)

    def explain(self, decision: dict, why_not: Optional[str] = None) -> dict:
        return api.explain(decision, why_not=why_not, rules=self.rules)

    def sweep(self, decision: dict) -> Optional[dict]:
        """Year-1 across monthly volume around the decision's own (÷100 to ×100), on its date; kept
        per decision. None when it cannot be swept (the request no longer validates, say)."""
        key = decision["decision_id"]
        if key not in self._sweeps:
            self._sweeps[key] = self._sweep(decision)
            if len(self._sweeps) > 64:
                self._sweeps.pop(next(iter(self._sweeps)))
        return self._sweeps[key]

    def _sweep(self, decision: dict) -> Optional[dict]:
        volume = int(decision["requirements"]["inference"]["monthly_tokens"])
        low, high = max(volume // 100, 1000), max(volume * 100, 100_000)
        given = decision.get("requirements_given") or {}
        try:
            return api.sweep(given, f"inference.monthly_tokens={low}..{high}:25:log", top=3, catalog=self.catalog,
                             rules=self.rules, today=date.fromisoformat(decision["today"]))
        except (InputError, ValueError, KeyError):
            return None
