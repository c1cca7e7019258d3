"""What the `ftrec` process does before anything else, so a short command starts quickly.

- No third-party pydantic plugins: PYDANTIC_DISABLE_PLUGINS=__all__ is pydantic's documented
  switch. It spares the plugin scan, but not the import of importlib.metadata (some 20 ms) that
  pydantic's plugin loader does at the top of its module before it reads the switch. So while the
  switch is off, the loader module is stood in for by one whose `get_plugins()` answers "none",
  as the real one does with the switch set; any other name asked of it loads the real module.
  Library users of `import recommender` keep their plugins and pydantic as it is.
- The cyclic collector waits during start-up: imports and the catalog make tens of thousands of
  long-lived objects and no garbage, and each collection rescanned them (some 70 passes). The
  usual thresholds are back once the catalog and rules are loaded and frozen (`started`), except
  in a process that decides once and exits.
"""

from __future__ import annotations

import gc
import os
import sys
import types

PLUGIN_LOADER = "pydantic.plugin._loader"
START_UP_THRESHOLD = 200_000  # allocations between collections while starting: none happens
_USUAL: list[tuple[int, ...]] = []
_ONE_SHOT: list[bool] = []


def fast_start(one_shot: bool = False) -> None:
    """ONE_SHOT: the process does one short thing and exits (`recommend FILE`): the collector keeps
    its start-up pace to the end, as one decision makes no garbage worth the collections."""
    if one_shot:
        _ONE_SHOT.append(True)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if _plugins_off() and PLUGIN_LOADER not in sys.modules:
        sys.modules[PLUGIN_LOADER] = _NoPluginLoader(PLUGIN_LOADER)
    if not _USUAL:
        _USUAL.append(gc.get_threshold())
        gc.set_threshold(START_UP_THRESHOLD, *_USUAL[0][1:])


def started() -> None:
    """Start-up is over (the long-lived objects are frozen): the collector runs as usual again."""
    if _USUAL and not _ONE_SHOT:
        gc.set_threshold(*_USUAL.pop())


def _plugins_off() -> bool:
    return os.environ.get("PYDANTIC_DISABLE_PLUGINS") in ("__all__", "1", "true")  # as pydantic reads it


class _NoPluginLoader(types.ModuleType):
    """pydantic's plugin loader while plugins are switched off."""

    def get_plugins(self):
        return () if _plugins_off() else _real_loader().get_plugins()

    def __getattr__(self, name: str):
        if name.startswith("__"):  # what the import system asks of any module (__path__, ...)
            raise AttributeError(name)
        return getattr(_real_loader(), name)


def _real_loader():
    import importlib

    if isinstance(sys.modules.get(PLUGIN_LOADER), _NoPluginLoader):
        del sys.modules[PLUGIN_LOADER]
    return importlib.import_module(PLUGIN_LOADER)
