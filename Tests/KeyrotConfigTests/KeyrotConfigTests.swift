// KeyrotConfigTests
