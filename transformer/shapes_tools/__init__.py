"""Tools for the people who maintain the shapes: ``ctdl shapes check | test | docs``.

* ``examples``: run each shape's valid and invalid examples (``tests/shapes/<Shape>/``).
* ``check``: is the rule set sound (SHACL, CTDL terms, documentation, orders, examples)?
* ``docs``: property tables per class, from the shapes, as the Publisher's pages show them.
"""
