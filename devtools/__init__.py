"""Developer tooling: the private database, local servers, benchmarks, demo content.

Used by the Makefile, management commands and tests; the running site never imports it
(see README, "Architecture").
"""
