"""Training and packaging of the student (build-time code; the shipped model never imports it)."""
