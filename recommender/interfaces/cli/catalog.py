"""`ftrec catalog`: prices with their source and date, what to doubt, and keeping them current."""

from __future__ import annotations

from pathlib import Path

import click

from recommender.interfaces.cli.common import Failed, catalog_option, parse_today, table_or_json, today_option


@click.group()
def catalog() -> None:
    """Prices with their source and date; `check` flags stale, conflicting and implausible prices;
    `reconcile`, `refresh` and `diff` compare them with genai-prices' and with another catalog."""


@catalog.command("list")
@catalog_option
@table_or_json
def catalog_list(catalog_dir, fmt) -> None:
    """Every offering with its main prices."""
    from recommender.presentation import catalog_view

    catalog_view.list_offerings(load_catalog_only(catalog_dir), fmt)


@catalog.command("show")
@click.argument("offering_id", metavar="ID")
@catalog_option
@table_or_json
def catalog_show(offering_id, catalog_dir, fmt) -> None:
    """One offering: every price with its source and date, and the figures sources publish."""
    from recommender.presentation import catalog_view

    loaded = load_catalog_only(catalog_dir)
    catalog_view.show_offering(loaded, loaded.get(offering_id, path="ID"), fmt)


@catalog.command("check")
@catalog_option
@today_option
@table_or_json
def catalog_check(catalog_dir, today, fmt) -> None:
    """Flag stale (>180 days), conflicting and implausible prices, published figures the catalog's
    own rates do not reproduce, and retired offerings. Exits 1 when anything is found."""
    from recommender.presentation import catalog_view

    if catalog_view.check(load_catalog_only(catalog_dir), parse_today(today), fmt):
        raise Failed()


@catalog.command("reconcile")
@catalog_option
@click.option("--today", default=None, metavar="DATE", help="Take genai-prices' prices in force on DATE (default: today).")
@table_or_json
def catalog_reconcile(catalog_dir, today, fmt) -> None:
    """Every inference and base price, ours against genai-prices' (its installed data, no network).
    Exits 1 when a price differs or genai-prices gives one the catalog lacks (`refresh` takes them)."""
    from recommender.decision.prices import CHANGES, reconcile
    from recommender.presentation import catalog_view

    rows = reconcile(load_catalog_only(catalog_dir), parse_today(today))
    catalog_view.reconcile(rows, fmt)
    if any(row.status in CHANGES for row in rows):
        raise Failed()


@catalog.command("refresh")
@click.option("--out", "out", type=click.Path(), required=True, metavar="DIR", help="Directory to write the catalog to.")
@catalog_option
@click.option("--today", default=None, metavar="DATE", help="Take genai-prices' prices in force on DATE (default: today).")
@click.option("--force", is_flag=True, help="Replace DIR even when it is not empty.")
def catalog_refresh(out, catalog_dir, today, force) -> None:
    """Write a catalog to DIR where each inference or base price that differs from genai-prices', or
    that only genai-prices gives, takes genai-prices' value with its source and date; the replaced
    value moves to the price's `history`. Training prices are left alone (genai-prices has none).
    Use the result with `--catalog DIR`."""
    from recommender.decision.prices import CHANGES, reconcile, refresh, write_catalog
    from recommender.domain.catalog import builtin_dir

    directory = Path(catalog_dir) if catalog_dir else builtin_dir()
    when = parse_today(today)
    loaded = load_catalog_only(catalog_dir)
    texts = refresh(directory, loaded, when)
    write_catalog(Path(out), texts, force)
    taken = sum(row.status in CHANGES for row in reconcile(loaded, when))
    click.echo(f"wrote {len(texts)} catalog files to {out}: {taken} prices taken from genai-prices "
               f"(`ftrec catalog diff {out}` lists them)", err=True)


@catalog.command("diff")
@click.argument("new", type=click.Path(), metavar="NEW")
@click.option("--old", "old", type=click.Path(), default=None, metavar="DIR",
              help="The catalog to compare with (default: the built-in catalog).")
@table_or_json
def catalog_diff(new, old, fmt) -> None:
    """Offerings added and removed, and prices changed, from the catalog in --old to the one in NEW."""
    from recommender.decision.prices import diff
    from recommender.presentation import catalog_view

    before = load_catalog_only(old)
    after = load_catalog_only(new)
    catalog_view.diff(diff(before, after), before.directory, after.directory, fmt)


def load_catalog_only(catalog_dir):
    from recommender.domain.catalog import load_catalog

    return load_catalog(catalog_dir)
