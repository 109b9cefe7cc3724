"""The content families headroom ships, one folder each.

``json``, ``table``, ``code``, ``log``, ``search``, ``diff``, ``prose``,
``html``, ``mixed`` and ``text`` (the fallback). Each folder holds
``compressor.py``, ``detect.py`` (what routes a piece there; ``text`` has
none), its private helpers, and in ``__init__.py`` a ``register(registry)``
shaped like a plugin's. ``base.py`` is the compressor contract (families
import it through ``headroom.plugins``) and ``_rows.py`` the row ranking json
and table share. A family never imports another: it reaches one through the
registry (``PieceContext.compressor``). The detection order is
``headroom.router.DETECTION_ORDER``.
"""
