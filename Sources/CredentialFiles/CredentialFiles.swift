// CredentialFiles: filled in by its issue.
