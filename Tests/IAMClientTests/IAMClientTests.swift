// IAMClientTests
