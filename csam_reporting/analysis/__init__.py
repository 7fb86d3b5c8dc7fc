"""ANALYSIS: pure functions from the validated data to numbers and tables, one module per theme
chapter (``encryption``, ``eu_gap``, ``platforms``, ``self_generated``), the pieces they share
(``common``), each key finding once with its robustness checks (``findings``), and the figure the
book computes for every checked claim (``claims``)."""
