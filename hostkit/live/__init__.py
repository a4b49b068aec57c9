"""The live engine: sessions held in memory, commands committed, events fanned out."""
