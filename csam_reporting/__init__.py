"""Shared code for the CSAM reporting book: loading and validating data/, and the plot style."""
