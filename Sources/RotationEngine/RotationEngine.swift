// RotationEngine: filled in by its issue.
