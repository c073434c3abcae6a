// SystemdIntegrationTests
