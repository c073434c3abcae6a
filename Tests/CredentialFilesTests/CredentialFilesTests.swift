// CredentialFilesTests
