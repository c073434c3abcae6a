// SystemdIntegration: filled in by its issue.
