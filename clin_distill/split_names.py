"""Split names, defined once: every gold corpus has train/dev/test; the pool adds the user's notes."""

SPLITS: tuple[str, ...] = ("train", "dev", "test")
SCORED_SPLITS: tuple[str, ...] = ("dev", "test")
NOTES = "notes"
POOL_SPLITS: tuple[str, ...] = (*SPLITS, NOTES)
# Splits whose teacher labels become distilled training data
TRAINING_SPLITS: tuple[str, ...] = ("train", NOTES)
# Splits a teacher may be tuned on (error analysis); never test
TUNING_SPLITS: tuple[str, ...] = ("train", "dev")
