// KeyrotConfig: filled in by its issue.
