"""Turning people's text into safe output."""
