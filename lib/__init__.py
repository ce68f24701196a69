"""Helpers shared by the apps: the library below them (see README, "Architecture").

Each module does one thing and imports only the standard library, Django and
third-party packages, never an app or the site package `newsroom`.
"""
