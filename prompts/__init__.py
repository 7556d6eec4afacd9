"""Prompt text, read with importlib.resources (see index/generate.py)."""
