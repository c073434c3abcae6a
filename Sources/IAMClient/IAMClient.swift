// IAMClient: filled in by its issue.
