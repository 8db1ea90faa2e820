"""Letterbox (post box) register: arrangements, expected exchanges, item log, screening, letters."""
