"""What a decision reads of the catalog is worked out once per catalog and day, and loading a
large catalog does not walk every text twice when no escape could have made a bad one."""

import pytest
from conftest import TODAY

from recommender.domain import files, pricecheck
from recommender.domain.errors import InputError


def test_stale_findings_are_found_once_per_catalog_and_day(catalog):
    assert pricecheck.stale(catalog, TODAY) is pricecheck.stale(catalog, TODAY)


def test_a_lone_surrogate_without_an_escape_is_still_refused():
    # JSON given as a str (not read from UTF-8) can hold a surrogate with no backslash in sight.
    with pytest.raises(InputError, match="not valid Unicode"):
        files.parse('{"priority": "\ud800"}', "r.json")


def test_an_escaped_lone_surrogate_is_still_refused():
    with pytest.raises(InputError, match="not valid Unicode"):
        files.parse('{"priority": "\\ud800"}', "r.json")


def test_a_catalog_is_built_with_the_collector_paused_and_left_on_after(tmp_path, monkeypatch):
    import gc
    import shutil

    from recommender.domain import catalog as catalogs

    shutil.copytree(catalogs.builtin_dir(), tmp_path / "catalog")
    build, seen = catalogs._build, []

    def watched(*args):
        seen.append(gc.isenabled())
        return build(*args)

    monkeypatch.setattr(catalogs, "_build", watched)
    monkeypatch.setenv("FTREC_CACHE", "off")  # built from the files, not read back from the start-up cache
    catalogs.load_catalog(tmp_path / "catalog")
    assert seen == [False] and gc.isenabled()


def test_hidden_costs_are_kept_for_every_offering_of_a_large_catalog(catalog):
    """A long-lived process (serve, a batch) deciding on a catalog of 20,000 offerings builds each
    offering's hidden costs once, not again for every decision."""
    from recommender.api import as_requirements
    from recommender.domain import cost, hidden

    template = next(o for o in catalog.offerings.values() if o.hidden_costs)
    offerings = [template.model_copy(update={"id": f"{template.id}-{n}"}) for n in range(20_000)]
    req, _ = as_requirements({})
    project = cost.project_hidden_costs(catalog, req)
    try:
        first = [cost.hidden_costs(o, catalog, req, project) for o in offerings]
        again = [cost.hidden_costs(o, catalog, req, project) for o in offerings]
        assert all(a is b for a, b in zip(first, again))
    finally:  # the copies are not kept alive for the tests after this one
        hidden._OWN_HIDDEN.clear()
        hidden._HIDDEN.clear()
