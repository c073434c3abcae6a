// KeyrotTestSupport
