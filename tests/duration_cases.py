"""How time listened must read, shared by the Python unit test and the browser test of
its JS twin (static/js/format.js)."""

#: (minutes, duration, duration_days)
CASES = [
    (0, "0 min", "0 min"),
    (None, "0 min", "0 min"),
    (0.4, "0 min", "0 min"),
    (47.2, "47 min", "47 min"),
    (60, "1 h", "1 h"),
    (167, "2 h 47 min", "2 h 47 min"),
    (1439.6, "24 h", "1 day"),
    (1500, "25 h", "1 day 1 h"),
    (2879, "47 h 59 min", "2 days"),
    (2880, "48 h", "2 days"),
    (80_048, "1,334 h", "55 days 14 h"),
    (3_000_000, "50,000 h", "2,083 days 8 h"),
]

#: (period as the stats name it, with the year?, how a table or an axis writes it)
PERIOD_CASES = [
    ("2025-12", False, "Dec 2025"),
    ("2025-01", True, "Jan 2025"),
    ("2025-12-08", False, "8 Dec"),
    ("2025-12-08", True, "8 Dec 2025"),
    ("2024-02-29", False, "29 Feb"),
]
