"""The `modelsat` command line."""
