// KeyrotCLITests
