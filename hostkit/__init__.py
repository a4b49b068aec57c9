"""hostkit: a self-hostable real-time server for hybrid facilitated conversations."""

__version__ = "0.1.0"
