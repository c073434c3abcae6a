// AWSSigV4Tests
