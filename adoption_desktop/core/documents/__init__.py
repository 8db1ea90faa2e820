"""Shared document building blocks: letter templates, PDF letters (reportlab), fonts."""
