"""The pure domain core: state, commands, events, rules. No I/O, no clock reads."""
