// DurableFSTests
