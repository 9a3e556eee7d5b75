"""The daemon: wiring, lifecycle, signals, sd_notify and the single-instance lock."""
