"""Figures for six-monthly and annual reports."""
