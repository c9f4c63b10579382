"""The node's web UI: the shell at ``/``, the host's Explorer, and pages plugins add.

Plain HTML/CSS/JS served as static files (no build step, nothing from other
origins); pages talk to the node's JSON API. See docs/web.md.
"""
