"""`manage.py generate_fake_newsroom`: a large synthetic newsroom for measuring, from devtools/fake_newsroom.py."""

from devtools.fake_newsroom import Command

__all__ = ["Command"]
