"""Named candidate zoos, the held-out models and the deterministic question split, shared by
training, cards and evaluation."""
