"""Framework-free Model-SAT core: outcome data, capability cards, router model, engine, evaluation.

Never imports langchain or litellm: the integrations depend on this package, not the reverse.
"""

__version__ = "0.1.0"
