"""The Model-SAT router network, its configuration and checkpoints."""
