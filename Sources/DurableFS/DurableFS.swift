// DurableFS: filled in by its issue.
