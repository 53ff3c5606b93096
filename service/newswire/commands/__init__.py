"""One-shot commands of the ``newswire`` CLI, one module each (``doctor``).

The daemons' commands stay in ``cli.py`` for now; issue #19 moves the other one-shot
commands here.
"""
