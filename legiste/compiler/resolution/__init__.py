"""Resolution (stage 1): module roots and `use`, the sources path, the legal texts quoted."""
